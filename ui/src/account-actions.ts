/**
 * What the account panel's buttons do (AccountPanel.svelte): each shell's own. Each action resolves to
 * the shopper's sentence for what went wrong, or null when it worked.
 */
export interface AccountActions {
  /** The server and name to fill in: the account's, or the server used last. */
  prefill(): Promise<{ serverUrl: string; name: string }>;
  signIn(serverUrl: string, name: string, password: string, create: boolean): Promise<string | null>;
  guest(serverUrl: string): Promise<string | null>;
  unlock(password: string): Promise<string | null>;
  recover(serverUrl: string, name: string, recoveryKey: string, newPassword: string): Promise<string | null>;
  signOut(): Promise<string | null>;
  stay(): Promise<string | null>;
  dismissNotice(): Promise<string | null>;
}
