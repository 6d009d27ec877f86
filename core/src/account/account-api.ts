/**
 * The sync server's account routes (`/_tote/...` on the gateway, docs/sync-server.md) for clients:
 * sign-up, sign-in, guest carts, session renewal, sign-out, the device list, account settings, the
 * account's key record and signing in with the recovery key when the password is forgotten.
 * HTTP failures become ToteErrors whose messages a shopper can act on.
 *
 * The password never leaves the device: every route that took it gets the auth secret derived from it
 * (auth-secret.ts), and the rules for a new password are checked here, before anything is sent. An
 * account still signing in with its password (made before, `/_tote/prelogin` says 'password') gets it
 * one last time at sign-in, and in the same session its auth secret replaces it.
 */
import { diagnoseConnection } from './connection-diagnosis.ts';
import { ToteError } from '../errors.ts';
import { systemClock, type Clock, type CryptoPort, type FetchPort } from '../ports.ts';
import type { AccountKeyRecord } from './account-keys.ts';
import { AUTH_SCHEME, authSecret, checkNewPassword } from './auth-secret.ts';

/** What a device keeps about its session (the shell stores it; the token is a secret). */
export interface StoredSession {
  readonly serverUrl: string;
  readonly token: string;
  readonly sessionId: string;
  readonly name: string;
  readonly dbName: string;
  readonly guest: boolean;
  /** A guest has no password: this secret signs it in again after its session ends. */
  readonly guestSecret: string | null;
  /**
   * A guest's data key (`createGuestKey`'s deviceSecret, base64url). Kept with the session by the
   * device's session store only (the extension's `storage.local`, the desktop's `localStorage`); never
   * sent to the server. Absent for shoppers, whose key is wrapped on the server.
   */
  readonly guestKey?: string | null;
  /**
   * The account's wrapped-key record as last read from the server (ciphertext under the password's key,
   * exactly what the server keeps), so the password unlocks the cart while the server cannot be reached.
   */
  readonly keyRecord?: unknown;
  /** When the session ends without activity, by this device's clock (the server's clock may differ). */
  readonly expiresAt: number;
  readonly sessionTimeoutMinutes: number;
}

export interface DeviceSession {
  readonly id: string;
  readonly device: string;
  readonly createdAt: number;
  readonly renewedAt: number;
  readonly expiresAt: number;
}

interface SessionAnswer {
  token: string;
  secret?: string;
  session: { id: string; expiresAt: number; renewedAt: number };
  account: { name: string; role?: string; dbName: string | null; guest: boolean; sessionTimeoutMinutes: number };
}

/** Normalises what the shopper typed as the server address: https only (plain HTTP is refused by the server). */
export function serverBase(serverUrl: string): string {
  let url: URL;
  try {
    url = new URL(serverUrl.trim());
  } catch {
    throw new ToteError('INVALID_INPUT', 'The server address is not a web address (it starts with https://).', { field: 'serverUrl' });
  }
  if (url.protocol !== 'https:') throw new ToteError('INVALID_INPUT', 'The server address must start with https://.', { field: 'serverUrl' });
  return url.origin;
}

export interface AccountApi {
  /**
   * The feature flags as they stand for this shopper (`GET /_tote/flags`): a flag the server does not
   * name is not listed (the device keeps its default).
   */
  getFlags(session: StoredSession): Promise<Readonly<Record<string, boolean>>>;
  /** The password must follow the rules (8 to 1024 characters): `INVALID_INPUT` otherwise, and nothing is sent. */
  signUp(serverUrl: string, name: string, password: string): Promise<StoredSession>;
  /** An account still signing in with its password is switched to the auth secret here (nothing to tell the shopper). */
  signIn(serverUrl: string, name: string, password: string): Promise<StoredSession>;
  startGuest(serverUrl: string): Promise<StoredSession>;
  /** Signs a guest in again with its secret. */
  resumeGuest(session: StoredSession): Promise<StoredSession>;
  renew(session: StoredSession): Promise<StoredSession>;
  signOut(session: StoredSession): Promise<void>;
  sessions(session: StoredSession): Promise<{ current: string; sessions: DeviceSession[] }>;
  revoke(session: StoredSession, sessionId: string): Promise<void>;
  /**
   * With `keyring`, the server replaces the account's key record in the same write as the password.
   * `recoveryProof` goes with a first record made at this change (the account had none).
   */
  changePassword(session: StoredSession, oldPassword: string, newPassword: string, keyring?: AccountKeyRecord, recoveryProof?: string): Promise<void>;
  /** The account's key record as stored (check it with parseAccountKeyRecord), or null when there is none yet. */
  getKeyring(session: StoredSession): Promise<unknown>;
  /**
   * Stores the account's first key record: true; false when the account already has one (another device
   * was first). `recoveryProof` (account-keys.ts) lets the recovery key sign in when the password is forgotten.
   */
  putKeyring(session: StoredSession, record: AccountKeyRecord, recoveryProof?: string): Promise<boolean>;
  /**
   * Without a session: the account's key record for a shopper who proves they hold its recovery key
   * (`recoveryProof`). A proof that does not match, or an account that does not exist, raises
   * `ToteError('WRONG_RECOVERY_KEY')`; an account whose server keeps no proof `RECOVERY_UNAVAILABLE`.
   */
  recoveryKeyring(serverUrl: string, name: string, recoveryProof: string): Promise<unknown>;
  /**
   * Without a session: sets `newPassword` and `keyring` (the data key re-wrapped for it, the recovery
   * wrapping kept) in one write, ends every session of the account and opens one for this device, as
   * a sign-in does. Refusals as `recoveryKeyring`.
   */
  recover(serverUrl: string, name: string, recoveryProof: string, newPassword: string, keyring: AccountKeyRecord): Promise<StoredSession>;
  setSessionTimeout(session: StoredSession, minutes: number): Promise<StoredSession>;
  /** Removes a guest's account and server copy (after its cart was merged into an account). */
  removeGuest(session: StoredSession): Promise<void>;
}

/** `crypto`: Web Crypto for the auth secret's salt; default the platform's `globalThis.crypto`. */
export function accountApi(fetchPort: FetchPort, device: { readonly name: string }, clock: Clock = systemClock, crypto: CryptoPort = globalThis.crypto): AccountApi {
  /** The server's expiry as a duration from now on this device's clock. */
  const localExpiry = (session: { expiresAt: number; renewedAt: number }) => clock.now() + (session.expiresAt - session.renewedAt);
  const call = async <T>(serverUrl: string, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<T> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetchPort(`${serverBase(serverUrl)}${path}`, {
        method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch (cause) {
      if (cause instanceof ToteError) throw cause;
      // A certificate, a refused origin and a stopped server all look alike here: ask the server's trust page which.
      const diagnosis = await diagnoseConnection(serverBase(serverUrl), fetchPort);
      throw new ToteError('SYNC_OFFLINE', diagnosis.message, { cause: String(cause), problem: diagnosis.problem });
    }
    const text = await response.text();
    let body: { reason?: string } & Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as typeof body) : {};
    } catch {
      // not JSON: keep the status
    }
    if (response.ok) return body as T;
    // The gateway's reasons are written for shoppers and say what to do; only a bare status gets advice added.
    const reason = typeof body.reason === 'string' ? body.reason : `The sync server answered ${response.status}. Try again in a moment.`;
    switch (response.status) {
      case 400: throw new ToteError('INVALID_INPUT', reason, { status: 400 });
      case 401: throw options.token
        ? new ToteError('SESSION_EXPIRED', 'Your session has ended. Sign in again; changes you made meanwhile are kept on this device.', { status: 401 })
        : new ToteError('AUTH_FAILED', 'The name or password is not right. Check them and try again.', { status: 401 });
      case 403: throw new ToteError('SYNC_FORBIDDEN', reason, { status: 403 });
      case 409: throw new ToteError('ACCOUNT_EXISTS', reason, { status: 409 });
      case 429: {
        const retryAfterSeconds = Number(response.headers.get('retry-after') ?? 60);
        throw new ToteError('RATE_LIMITED', reason, { status: 429, retryAfterSeconds });
      }
      case 503:
      case 507: {
        const retryAfterSeconds = Number(response.headers.get('retry-after') ?? 5);
        throw new ToteError('SYNC_UNAVAILABLE', reason, { status: response.status, ...(Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? { retryAfterSeconds } : {}) });
      }
      default: throw new ToteError('SYNC_HTTP', reason, { status: response.status });
    }
  };

  const stored = (serverUrl: string, answer: SessionAnswer, guestSecret: string | null): StoredSession => {
    if (!answer.account.dbName) throw new ToteError('SYNC_FORBIDDEN', 'This is a staff account without a cart. Sign in with a shopper account.');
    return {
      serverUrl: serverBase(serverUrl), token: answer.token, sessionId: answer.session.id, name: answer.account.name,
      dbName: answer.account.dbName, guest: answer.account.guest, guestSecret, expiresAt: localExpiry(answer.session),
      sessionTimeoutMinutes: answer.account.sessionTimeoutMinutes,
    };
  };
  /** What sign-up and sign-in send: the auth secret in place of the password. */
  const credentials = async (name: string, password: string, isNew: boolean) => {
    if (name.trim() === '') throw new ToteError('INVALID_INPUT', 'Enter your user name or email address.', { field: 'name' });
    if (password === '') throw new ToteError('INVALID_INPUT', 'Enter your password.', { field: 'password' });
    if (isNew) checkNewPassword(password);
    return { name: name.trim(), password: await authSecret(crypto, name, password), auth: AUTH_SCHEME, device: device.name };
  };
  /** How the account signs in: 'password' only for one made before (or by the server, for staff). */
  const scheme = async (serverUrl: string, name: string) => {
    const answer = await call<{ auth?: unknown }>(serverUrl, 'POST', '/_tote/prelogin', { body: { name } });
    return answer.auth === 'password' ? 'password' : AUTH_SCHEME;
  };
  /** The server's refusals of a recovery proof, in the shopper's words. */
  const recovering = async <T>(attempt: () => Promise<T>): Promise<T> => {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ToteError)) throw error;
      if (error.details?.status === 403) {
        throw new ToteError('WRONG_RECOVERY_KEY', 'This recovery key does not match the account. Check the name and the key you wrote down.', { status: 403 });
      }
      if (error.details?.status === 409) {
        throw new ToteError('RECOVERY_UNAVAILABLE', 'This account cannot be opened with a recovery key: its keys were saved before Tote could check one. Sign in with your password instead.', { status: 409 });
      }
      throw error;
    }
  };
  const recoveryName = (name: string) => {
    if (name.trim() === '') throw new ToteError('INVALID_INPUT', 'Enter your user name or email address.', { field: 'name' });
    return name.trim();
  };

  return {
    async signUp(serverUrl, name, password) {
      return stored(serverUrl, await call<SessionAnswer>(serverUrl, 'POST', '/_tote/signup', { body: await credentials(name, password, true) }), null);
    },
    async signIn(serverUrl, name, password) {
      const body = await credentials(name, password, false);
      if ((await scheme(serverUrl, body.name)) !== 'password') {
        return stored(serverUrl, await call<SessionAnswer>(serverUrl, 'POST', '/_tote/login', { body }), null);
      }
      // The last time this password is sent: signed in with it, the account takes its auth secret instead.
      let answer: SessionAnswer;
      try {
        answer = await call<SessionAnswer>(serverUrl, 'POST', '/_tote/login', { body: { ...body, password, auth: undefined } });
      } catch (error) {
        // Another device switched the account since prelogin answered: its secret signs in.
        if (!(error instanceof ToteError && error.code === 'AUTH_FAILED')) throw error;
        return stored(serverUrl, await call<SessionAnswer>(serverUrl, 'POST', '/_tote/login', { body }), null);
      }
      const session = stored(serverUrl, answer, null); // refuses staff accounts, which keep their password
      if (!session.guest) {
        // Best effort: the shopper is signed in either way, and the next sign-in tries again.
        await call(serverUrl, 'POST', '/_tote/password', {
          token: answer.token, body: { oldPassword: password, newPassword: body.password, auth: AUTH_SCHEME },
        }).catch(() => undefined);
      }
      return session;
    },
    async startGuest(serverUrl) {
      const answer = await call<SessionAnswer>(serverUrl, 'POST', '/_tote/guest', { body: { device: device.name } });
      return stored(serverUrl, answer, answer.secret ?? null);
    },
    async resumeGuest(session) {
      if (!session.guestSecret) throw new ToteError('SESSION_EXPIRED', 'Your session has ended. Sign in again.');
      const answer = await call<SessionAnswer>(session.serverUrl, 'POST', '/_tote/login', { body: { name: session.name, password: session.guestSecret, device: device.name } });
      return stored(session.serverUrl, answer, session.guestSecret);
    },
    async getFlags(session) {
      const answer = await call<{ flags?: unknown }>(session.serverUrl, 'GET', '/_tote/flags', { token: session.token });
      const flags: Record<string, boolean> = {};
      if (answer.flags && typeof answer.flags === 'object') {
        for (const [name, on] of Object.entries(answer.flags)) if (typeof on === 'boolean') flags[name] = on;
      }
      return Object.freeze(flags);
    },
    async renew(session) {
      const answer = await call<{ session: { expiresAt: number; renewedAt: number; timeoutMs: number } }>(session.serverUrl, 'POST', '/_tote/session/renew', { token: session.token });
      return { ...session, expiresAt: localExpiry(answer.session), sessionTimeoutMinutes: Math.round(answer.session.timeoutMs / 60_000) };
    },
    async signOut(session) {
      await call(session.serverUrl, 'POST', '/_tote/logout', { token: session.token });
    },
    sessions(session) {
      return call(session.serverUrl, 'GET', '/_tote/sessions', { token: session.token });
    },
    async revoke(session, sessionId) {
      await call(session.serverUrl, 'DELETE', `/_tote/sessions/${encodeURIComponent(sessionId)}`, { token: session.token });
    },
    async changePassword(session, oldPassword, newPassword, keyring, recoveryProof) {
      checkNewPassword(newPassword, 'newPassword');
      // A session from before the switch may still be on an account signing in with its password: then
      // the current one is sent as it is, one last time.
      const current = (await scheme(session.serverUrl, session.name)) === 'password' ? oldPassword : await authSecret(crypto, session.name, oldPassword);
      await call(session.serverUrl, 'POST', '/_tote/password', {
        token: session.token,
        body: {
          oldPassword: current, newPassword: await authSecret(crypto, session.name, newPassword), auth: AUTH_SCHEME,
          ...(keyring ? { keyring } : {}), ...(keyring && recoveryProof ? { recoveryProof } : {}),
        },
      });
    },
    async getKeyring(session) {
      const answer = await call<{ keyring?: unknown }>(session.serverUrl, 'GET', '/_tote/keyring', { token: session.token });
      return answer.keyring ?? null;
    },
    async putKeyring(session, record, recoveryProof) {
      try {
        await call(session.serverUrl, 'PUT', '/_tote/keyring', { token: session.token, body: { keyring: record, ...(recoveryProof ? { recoveryProof } : {}) } });
        return true;
      } catch (error) {
        if (error instanceof ToteError && error.details?.status === 409) return false;
        throw error;
      }
    },
    async recoveryKeyring(serverUrl, name, recoveryProof) {
      const body = { name: recoveryName(name), recoveryProof };
      const answer = await recovering(() => call<{ keyring?: unknown }>(serverUrl, 'POST', '/_tote/recover/keyring', { body }));
      return answer.keyring ?? null;
    },
    async recover(serverUrl, name, recoveryProof, newPassword, keyring) {
      if (newPassword === '') throw new ToteError('INVALID_INPUT', 'Enter a new password.', { field: 'newPassword' });
      checkNewPassword(newPassword, 'newPassword');
      const body = {
        name: recoveryName(name), recoveryProof, newPassword: await authSecret(crypto, name, newPassword), auth: AUTH_SCHEME, keyring, device: device.name,
      };
      return stored(serverUrl, await recovering(() => call<SessionAnswer>(serverUrl, 'POST', '/_tote/recover', { body })), null);
    },
    async setSessionTimeout(session, minutes) {
      const answer = await call<{ account: { sessionTimeoutMinutes: number } }>(session.serverUrl, 'PATCH', '/_tote/account', { token: session.token, body: { sessionTimeoutMinutes: minutes } });
      return { ...session, sessionTimeoutMinutes: answer.account.sessionTimeoutMinutes };
    },
    async removeGuest(session) {
      await call(session.serverUrl, 'DELETE', '/_tote/guest', { token: session.token });
    },
  };
}

/** Where the shopper's cart database is, for replication. */
export function syncTargetOf(session: StoredSession): { dbUrl: string; token: string } {
  return { dbUrl: `${session.serverUrl}/${session.dbName}`, token: session.token };
}
