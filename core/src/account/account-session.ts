/**
 * The signed-in state of one device, for both apps: sign-up, sign-in, guest carts, the idle warning,
 * the end of a session and signing in again without losing anything, and merging a guest cart into
 * an account. It drives the client's sync (a new session token restarts it where it stopped) and the
 * live channel. Rules: docs/accounts.md.
 */
import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import { distinctUntilChanged, filter, map } from 'rxjs/operators';
import { ToteError } from '../errors.ts';
import { systemClock, type Clock } from '../ports.ts';
import { openLiveChannel, type LiveChannel, type OnlineDevice, type WebSocketFactory } from '../sync/live-channel.ts';
import type { ToteClient } from '../tote-client.ts';
import { syncTargetOf, type AccountApi, type DeviceSession, type StoredSession } from './account-api.ts';
import { describeGuestMerge, planGuestMerge, type MergeRule } from './guest-merge.ts';

/** Where the shell keeps the session between runs (extension storage, the desktop's store). */
export interface SessionStore {
  load(): Promise<StoredSession | null>;
  save(session: StoredSession | null): Promise<void>;
}

export type AccountPhase = 'signed-out' | 'signed-in' | 'expiring' | 'expired';

export interface AccountState {
  readonly phase: AccountPhase;
  readonly name: string | null;
  readonly guest: boolean;
  readonly serverUrl: string | null;
  readonly expiresAt: number | null;
  /** Minutes without activity before the session ends. */
  readonly sessionTimeoutMinutes: number | null;
  /** Other devices of this shopper connected right now (from the live channel). */
  readonly devicesOnline: readonly OnlineDevice[];
  /** Something the shopper should read once: what a merge did, why the session ended. */
  readonly notice: string | null;
}

export const SIGNED_OUT: AccountState = Object.freeze({
  phase: 'signed-out', name: null, guest: false, serverUrl: null, expiresAt: null, sessionTimeoutMinutes: null, devicesOnline: [], notice: null,
});

export interface AccountSessionOptions {
  readonly client: ToteClient;
  /** Built with the same clock as this session: expiry times are the device's. */
  readonly api: AccountApi;
  readonly store: SessionStore;
  /** Absent: no live channel (sync still works, by long-polling). */
  readonly webSocket?: WebSocketFactory;
  readonly clock?: Clock;
  /** Warn this long before an idle session ends. */
  readonly warnBeforeMs?: number;
  /** While the shopper is active, renew at most this often. */
  readonly renewEveryMs?: number;
  /** How long a guest cart is kept on the device after its last activity. */
  readonly guestTtlMs?: number;
}

export interface AccountSession {
  readonly state$: Observable<AccountState>;
  getState(): AccountState;
  /** Resumes a stored session (call once at start). */
  start(): Promise<void>;
  signUp(serverUrl: string, name: string, password: string, options?: { mergeRule?: MergeRule }): Promise<void>;
  signIn(serverUrl: string, name: string, password: string, options?: { mergeRule?: MergeRule }): Promise<void>;
  continueAsGuest(serverUrl: string): Promise<void>;
  /** The shopper did something: keeps the session alive (sliding expiry). */
  activity(): void;
  /** "Stay signed in" in the idle warning. */
  staySignedIn(): Promise<void>;
  signOut(): Promise<void>;
  /** The shopper's signed-in devices; `current` is this one. */
  devices(): Promise<{ current: string; sessions: readonly DeviceSession[] }>;
  /** Signs another device out. */
  signOutDevice(sessionId: string): Promise<void>;
  /** Other devices are signed out by it; this one stays signed in. */
  changePassword(oldPassword: string, newPassword: string): Promise<void>;
  /** Minutes without activity before the session ends (15 to 120). */
  setSessionTimeout(minutes: number): Promise<void>;
  dismissNotice(): void;
  close(): Promise<void>;
}

const GUEST_TTL_MS = 7 * 24 * 3600_000;

export function createAccountSession(options: AccountSessionOptions): AccountSession {
  const { client, api, store } = options;
  const clock = options.clock ?? systemClock;
  const warnBeforeMs = options.warnBeforeMs ?? 2 * 60_000;
  const renewEveryMs = options.renewEveryMs ?? 60_000;
  const guestTtlMs = options.guestTtlMs ?? GUEST_TTL_MS;
  const state = new BehaviorSubject<AccountState>(SIGNED_OUT);
  let session: StoredSession | null = null;
  let lastActiveAt = 0;
  let live: LiveChannel | null = null;
  let liveSubscriptions: Subscription[] = [];
  let timers: ReturnType<typeof setTimeout>[] = [];
  let renewing: Promise<void> | null = null;

  const update = (change: Partial<AccountState>) => state.next(Object.freeze({ ...state.value, ...change }));

  const clearTimers = () => {
    timers.forEach(clearTimeout);
    timers = [];
  };

  const schedule = (current: StoredSession) => {
    clearTimers();
    const left = current.expiresAt - clock.now();
    if (left <= 0) {
      void expired('Your session ended after a time without activity. Sign in again; your changes are kept on this device.');
      return;
    }
    update({ phase: left <= warnBeforeMs ? 'expiring' : 'signed-in', expiresAt: current.expiresAt });
    if (left > warnBeforeMs) timers.push(setTimeout(() => update({ phase: 'expiring' }), left - warnBeforeMs));
    timers.push(setTimeout(() => void expired('Your session ended after a time without activity. Sign in again; your changes are kept on this device.'), left));
  };

  const closeLive = () => {
    liveSubscriptions.forEach((subscription) => subscription.unsubscribe());
    liveSubscriptions = [];
    live?.close();
    live = null;
  };

  const openLive = (current: StoredSession) => {
    closeLive();
    if (!options.webSocket) return;
    live = openLiveChannel({ serverUrl: current.serverUrl, token: current.token, webSocket: options.webSocket });
    liveSubscriptions = [
      live.devices$.subscribe((devices) => update({ devicesOnline: devices.filter((device) => device.sessionId !== current.sessionId) })),
      live.notices$.subscribe((notice) => {
        if (notice.type === 'changed') client.sync?.reconnect();
        else if (notice.type === 'session-expiring') {
          const expiresAt = clock.now() + notice.expiresInMs;
          if (session) session = { ...session, expiresAt };
          update({ phase: 'expiring', expiresAt });
        } else {
          void expired(notice.reason === 'revoked'
            ? 'This device was signed out from another device. Sign in again; your changes are kept on this device.'
            : 'Your session has ended. Sign in again; your changes are kept on this device.');
        }
      }),
    ];
  };

  /** Sync with this session, the live channel, the timers; remembered for the next start. */
  const connect = async (next: StoredSession, notice: string | null = null) => {
    session = next;
    lastActiveAt = clock.now();
    await store.save(next);
    await client.configureSync(syncTargetOf(next));
    openLive(next);
    update({ name: next.name, guest: next.guest, serverUrl: next.serverUrl, sessionTimeoutMinutes: next.sessionTimeoutMinutes, notice });
    schedule(next);
  };

  /** The server no longer accepts the token. A guest signs itself in again; a shopper is asked to. */
  const expired = async (message: string) => {
    if (!session || state.value.phase === 'expired') return;
    clearTimers();
    closeLive();
    if (session.guest && session.guestSecret) {
      try {
        await connect(await api.resumeGuest(session));
        return;
      } catch {
        // fall through: shown as ended
      }
    }
    update({ phase: 'expired', notice: message });
  };

  const watchSync = client.syncStatus$.pipe(
    map((status) => status.problem?.code),
    distinctUntilChanged(),
    filter((code) => code === 'SESSION_EXPIRED'),
  ).subscribe(() => void expired('Your session has ended. Sign in again; your changes are kept on this device.'));

  const account = (serverUrl: string, name: string, password: string, create: boolean, rule: MergeRule) => async () => {
    const previous = session;
    const signedIn = create ? await api.signUp(serverUrl, name, password) : await api.signIn(serverUrl, name, password);
    const localItems = Object.values(client.store.getState().items).filter((item) => !item.deleted);
    if (previous && !previous.guest && previous.name !== signedIn.name && localItems.length > 0) {
      await api.signOut(signedIn).catch(() => undefined);
      throw new ToteError('OTHER_ACCOUNT', `This device holds the cart of ${previous.name}. Sign in as ${previous.name} to keep using it.`);
    }
    if (!previous?.guest) {
      await connect(signedIn);
      return;
    }
    // A guest signing in: the guest's items join the account's cart.
    const guestIds = new Set(localItems.map((item) => item.id));
    await connect(signedIn);
    await client.sync?.awaitInSync();
    const plan = planGuestMerge(client.store.getState(), guestIds, rule);
    for (const command of plan.commands) await client.store.dispatch(command);
    await api.removeGuest(previous).catch(() => undefined); // the server removes it after 7 idle days otherwise
    update({ notice: describeGuestMerge(plan.report) });
  };

  const signedIn = (): StoredSession => {
    if (!session || state.value.phase === 'signed-out' || state.value.phase === 'expired') {
      throw new ToteError('SESSION_EXPIRED', 'Sign in first.');
    }
    return session;
  };

  const renew = async () => {
    if (!session || state.value.phase === 'expired' || state.value.phase === 'signed-out') return;
    renewing ??= (async () => {
      try {
        const renewed = await api.renew(session!);
        session = renewed;
        await store.save(renewed);
        update({ sessionTimeoutMinutes: renewed.sessionTimeoutMinutes });
        schedule(renewed);
      } catch (error) {
        if (error instanceof ToteError && error.code === 'SESSION_EXPIRED') await expired(error.message);
        // offline: the timers still tell the shopper; the next activity tries again
      } finally {
        renewing = null;
      }
    })();
    await renewing;
  };

  return {
    state$: state.asObservable(),
    getState: () => state.value,
    async start() {
      const stored = await store.load();
      if (!stored) return;
      if (stored.guest && stored.expiresAt + guestTtlMs < clock.now()) {
        // The server removed this guest cart after 7 idle days; so does the device.
        for (const list of client.store.getState().lists) await client.store.dispatch({ type: 'list/clear', listId: list.id });
        await store.save(null);
        update({ notice: 'Your guest cart was removed after 7 days without use.' });
        return;
      }
      session = stored;
      if (stored.expiresAt <= clock.now()) {
        update({ name: stored.name, guest: stored.guest, serverUrl: stored.serverUrl, expiresAt: stored.expiresAt });
        await expired('Your session ended while Tote was closed. Sign in again; your changes are kept on this device.');
        return;
      }
      await connect(stored);
    },
    signUp: (serverUrl, name, password, opts = {}) => account(serverUrl, name, password, true, opts.mergeRule ?? 'sum')(),
    signIn: (serverUrl, name, password, opts = {}) => account(serverUrl, name, password, false, opts.mergeRule ?? 'sum')(),
    async continueAsGuest(serverUrl) {
      if (session && state.value.phase !== 'signed-out') return;
      await connect(await api.startGuest(serverUrl));
    },
    activity() {
      if (!session || clock.now() - lastActiveAt < renewEveryMs) return;
      lastActiveAt = clock.now();
      void renew();
    },
    async staySignedIn() {
      lastActiveAt = clock.now();
      await renew();
    },
    async signOut() {
      const current = session;
      clearTimers();
      closeLive();
      await client.configureSync(null);
      session = null;
      await store.save(null);
      state.next(SIGNED_OUT);
      if (current && !current.guest) await api.signOut(current).catch(() => undefined);
    },
    async devices() {
      return api.sessions(signedIn());
    },
    async signOutDevice(sessionId) {
      await api.revoke(signedIn(), sessionId);
    },
    async changePassword(oldPassword, newPassword) {
      await api.changePassword(signedIn(), oldPassword, newPassword);
    },
    async setSessionTimeout(minutes) {
      const changed = await api.setSessionTimeout(signedIn(), minutes);
      session = changed;
      await store.save(changed);
      update({ sessionTimeoutMinutes: changed.sessionTimeoutMinutes });
      await renew(); // the new timeout applies from now
    },
    dismissNotice() {
      update({ notice: null });
    },
    async close() {
      clearTimers();
      closeLive();
      watchSync.unsubscribe();
      state.complete();
    },
  };
}
