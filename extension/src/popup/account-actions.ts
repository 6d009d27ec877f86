/** The account panel's actions in the popup (ui/src/account-actions.ts): requests to the background, which owns the account. */
import type { AccountActions } from '@tote/ui/account-actions.ts';
import { ToteError } from '@tote/core';
import { request } from '../messaging/client.ts';

const UNREACHABLE = 'Tote could not reach its background service. Close and reopen this window, then try again.';

async function ask(send: () => Promise<{ ok: boolean; message?: string }>): Promise<string | null> {
  try {
    const result = await send();
    return result.ok ? null : (result.message ?? UNREACHABLE);
  } catch {
    return UNREACHABLE;
  }
}

export const popupAccountActions: AccountActions = {
  async prefill() {
    const answer = await request('account/get', {});
    return { serverUrl: answer.account.serverUrl ?? answer.lastServerUrl ?? '', name: answer.account.name && !answer.account.guest ? answer.account.name : '' };
  },
  signIn: (serverUrl, name, password, create) => ask(() => request('account/signIn', { serverUrl, name, password, create })),
  guest: (serverUrl) => ask(() => request('account/guest', { serverUrl })),
  unlock: (password) => ask(() => request('account/unlock', { password })),
  recover: (serverUrl, name, recoveryKey, newPassword) => ask(() => request('account/recover', { serverUrl, name, recoveryKey, newPassword })),
  signOut: () => ask(() => request('account/signOut', {})),
  stay: () => ask(() => request('account/stay', {})),
  dismissNotice: () => ask(() => request('account/dismissNotice', {})),
};

/** The analytics choice (ui/src/AnalyticsChoice.svelte): kept by the background; a refusal, or a background that did not answer, comes back as a ToteError: the choice was not kept. */
export async function chooseAnalytics(on: boolean): Promise<void> {
  const problem = await ask(() => request('analytics/setConsent', { on }));
  if (problem !== null) throw new ToteError('STORAGE_FAILED', problem);
}
