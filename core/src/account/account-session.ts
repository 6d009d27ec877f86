/**
 * The signed-in state of one device, for both apps: sign-up, sign-in, guest carts, the idle warning,
 * the end of a session and signing in again without losing anything, and merging a guest cart into
 * an account. It drives the client's sync (a new session token restarts it where it stopped) and the
 * live channel. Rules: docs/accounts.md.
 *
 * It also unlocks the shopper's data key (docs/encryption.md): made and wrapped at sign-up (with the
 * password and a recovery key shown once), fetched from the server and unwrapped with the password at
 * sign-in, re-wrapped at a password change, unwrapped with the recovery key (and re-wrapped for a new
 * password) when the shopper forgot the password. The unlocked Keyring is held in memory (`keyring()`) and,
 * when the shell gives a key store, kept there so the next start is unlocked without the password; it is
 * forgotten (and cleared from the store) at sign-out and when the session ends. Sync runs sealed with the
 * unlocked key, and not at all while a shopper's key is locked. A guest's key is made on the device and
 * kept with its stored session (`StoredSession.guestKey`).
 */
import { BehaviorSubject, combineLatest, type Observable, type Subscription } from 'rxjs';
import { distinctUntilChanged, filter, map, skip } from 'rxjs/operators';
import { ToteError } from '../errors.ts';
import { systemClock, type Clock, type CryptoPort, type KeyStorePort } from '../ports.ts';
import { accountKeyEntry } from '../app/key-custody.ts';
import { DEFAULT_PASSWORD_KDF, type Argon2idParams } from '../crypto/kdf.ts';
import { createGuestKey, createKeyring, exportKeyring, importKeyring, openGuestKey, type Keyring } from '../crypto/keyring.ts';
import { openLiveChannel, type LiveChannel, type OnlineDevice, type WebSocketFactory } from '../sync/live-channel.ts';
import type { ToteClient } from '../tote-client.ts';
import { syncTargetOf, type AccountApi, type DeviceSession, type StoredSession } from './account-api.ts';
import { canonicalName, checkNewPassword } from './auth-secret.ts';
import { checkRecoveryKey } from '../crypto/recovery-key.ts';
import {
  newAccountKeys, parseAccountKeyRecord, recoveryProof, rewrapAccountKeys, unlockWithPassword, unlockWithRecoveryKey, wrapAccountKeys,
  type AccountKeyRecord,
} from './account-keys.ts';
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
  /** The cart's data key is unlocked on this device (`AccountSession.keyring()`): items sync sealed. */
  readonly unlocked: boolean;
  /**
   * Signed in, but the cart's key is not unlocked on this device (the app started without it): sync is
   * off, so nothing leaves the device in plain; the shell asks for the password (`unlock`).
   */
  readonly locked: boolean;
  /**
   * The recovery key made with the account's keys, shown once: the shell asks the shopper to write it
   * down, then calls `acknowledgeRecoveryKey()`. It is stored nowhere.
   */
  readonly recoveryKey: string | null;
  /**
   * The server's feature flags for this shopper, read when the device connects and whenever the live
   * channel says they changed; empty until read (every flag at its default: on).
   */
  readonly flags: Readonly<Record<string, boolean>>;
}

export const SIGNED_OUT: AccountState = Object.freeze({
  phase: 'signed-out', name: null, guest: false, serverUrl: null, expiresAt: null, sessionTimeoutMinutes: null, devicesOnline: [], notice: null,
  unlocked: false, locked: false, recoveryKey: null, flags: Object.freeze({}),
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
  /** Web Crypto for the cart's keys; default: the platform's `globalThis.crypto`. */
  readonly crypto?: CryptoPort;
  /** Argon2id settings for wrapping the data key with the password (tests pass cheap ones); default DEFAULT_PASSWORD_KDF. */
  readonly passwordKdf?: Argon2idParams;
  /**
   * Where the unlocked key is kept between runs (the extension's `storage.session`, the desktop's
   * OS-encrypted file). Absent: memory only, so the cart is locked after every start until `unlock`.
   */
  readonly keyStore?: KeyStorePort;
}

export interface AccountSession {
  readonly state$: Observable<AccountState>;
  getState(): AccountState;
  /** Resumes a stored session (call once at start). */
  start(): Promise<void>;
  signUp(serverUrl: string, name: string, password: string, options?: { mergeRule?: MergeRule }): Promise<void>;
  signIn(serverUrl: string, name: string, password: string, options?: { mergeRule?: MergeRule }): Promise<void>;
  continueAsGuest(serverUrl: string): Promise<void>;
  /**
   * "Forgot password? Use your recovery key": unlocks the cart's key with the recovery key, sets
   * `newPassword` (the key re-wrapped for it, the recovery wrapping kept), signs every other device out
   * and signs this one in as `signIn` does. A typo in the key raises `INVALID_INPUT` saying what to
   * check; a key the server does not accept for this account `WRONG_RECOVERY_KEY`, and nothing changes.
   */
  recover(serverUrl: string, name: string, recoveryKey: string, newPassword: string, options?: { mergeRule?: MergeRule }): Promise<void>;
  /** The shopper did something: keeps the session alive (sliding expiry). */
  activity(): void;
  /** "Stay signed in" in the idle warning. */
  staySignedIn(): Promise<void>;
  signOut(): Promise<void>;
  /** The shopper's signed-in devices; `current` is this one. */
  devices(): Promise<{ current: string; sessions: readonly DeviceSession[] }>;
  /** Signs another device out. */
  signOutDevice(sessionId: string): Promise<void>;
  /** Other devices are signed out by it; this one stays signed in. The data key is re-wrapped for the new password. */
  changePassword(oldPassword: string, newPassword: string): Promise<void>;
  /** The cart's data key while it is unlocked on this device; null when signed out, ended, or not unlocked. */
  keyring(): Keyring | null;
  /**
   * Unlocks the cart's key with the password while signed in but locked, and starts sync. A wrong
   * password raises `WRONG_PASSWORD` and changes nothing.
   */
  unlock(password: string): Promise<void>;
  /** The shopper has written the recovery key down: it leaves the state. */
  acknowledgeRecoveryKey(): void;
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
  const crypto = options.crypto ?? globalThis.crypto;
  const passwordKdf = options.passwordKdf ?? DEFAULT_PASSWORD_KDF;
  const state = new BehaviorSubject<AccountState>(SIGNED_OUT);
  let session: StoredSession | null = null;
  let lastActiveAt = 0;
  let live: LiveChannel | null = null;
  let liveSubscriptions: Subscription[] = [];
  let timers: ReturnType<typeof setTimeout>[] = [];
  let renewing: Promise<void> | null = null;
  /** The unlocked data key (kept between runs by `options.keyStore`, if any). */
  let keys: Keyring | null = null;
  const keyStore = options.keyStore ?? null;
  /** The key store's name for this account's key: one per server and account. */
  const keyId = (current: StoredSession) => accountKeyEntry(current);
  // A key store that fails costs only convenience: the cart is locked at the next start.
  const rememberKey = async (current: StoredSession) => {
    if (!keyStore || !keys || current.guest) return;
    const raw = await exportKeyring(keys);
    await keyStore.save(keyId(current), raw).catch(() => undefined);
    raw.fill(0);
  };
  const forgetKey = async (current: StoredSession) => {
    if (keyStore && !current.guest) await keyStore.clear(keyId(current)).catch(() => undefined);
  };
  const savedKey = async (current: StoredSession): Promise<Keyring | null> => {
    if (!keyStore || current.guest) return null;
    try {
      const raw = await keyStore.load(keyId(current));
      return raw ? await importKeyring(crypto, raw) : null;
    } catch {
      return null; // damaged: the shopper unlocks with the password
    }
  };

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
    client.sync?.setLiveDelivery(false); // without the channel, the long poll brings every change
    live?.close();
    live = null;
  };

  /** The flags for this session; a failed read keeps the ones known (read again at the next change or connection). */
  const readFlags = async (current: StoredSession) => {
    try {
      const flags = await api.getFlags(current);
      if (session?.token === current.token) update({ flags });
    } catch {
      // offline, or a server without flags: the defaults stand
    }
  };

  const openLive = (current: StoredSession) => {
    closeLive();
    if (!options.webSocket) return;
    live = openLiveChannel({ serverUrl: current.serverUrl, token: current.token, webSocket: options.webSocket });
    const liveDocs$ = state.pipe(map((value) => value.flags['live-docs'] !== false), distinctUntilChanged());
    liveSubscriptions = [
      // While the channel is up and brings documents, the long poll rests and sync pulls only when it must;
      // connecting again pulls what the channel missed meanwhile (docs/sync.md, rule 6).
      combineLatest([live.connected$, liveDocs$]).subscribe(([connected, docs]) => client.sync?.setLiveDelivery(connected && docs)),
      // Without documents (the flag off), the long poll runs as well; back after a gap, a pull brings what was missed at once.
      live.connected$.pipe(filter(Boolean), skip(1)).subscribe(() => {
        if (state.value.flags['live-docs'] === false) client.sync?.reconnect();
      }),
      live.devices$.subscribe((devices) => update({ devicesOnline: devices.filter((device) => device.sessionId !== current.sessionId) })),
      live.notices$.subscribe((notice) => {
        // The documents themselves when they came with it (docs/sync.md, rule 6) and the `live-docs` flag
        // is on; otherwise a pull fetches them, the path from before the flag.
        if (notice.type === 'changed') {
          const docs = state.value.flags['live-docs'] === false ? undefined : notice.docs;
          if (!(notice.db !== undefined && docs && client.sync?.receive(notice.db, docs))) client.sync?.pull(notice.db);
        }
        else if (notice.type === 'flags') void readFlags(current);
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

  /**
   * Sync with this session, the live channel, the timers; remembered for the next start. Items sync
   * sealed with the unlocked key (the guest's, or the account's); without one (a shopper's key not
   * unlocked on this device) sync stays off, so nothing is ever pushed in plain.
   */
  const connect = async (next: StoredSession, notice: string | null = null) => {
    session = next;
    lastActiveAt = clock.now();
    await store.save(next);
    await rememberKey(next);
    await client.configureSync(keys ? syncTargetOf(next) : null, { keyring: keys });
    openLive(next);
    void readFlags(next);
    update({ name: next.name, guest: next.guest, serverUrl: next.serverUrl, sessionTimeoutMinutes: next.sessionTimeoutMinutes, notice, unlocked: keys !== null, locked: keys === null });
    schedule(next);
  };

  /** The server no longer accepts the token. A guest signs itself in again; a shopper is asked to. */
  const expired = async (message: string) => {
    if (!session || state.value.phase === 'expired') return;
    clearTimers();
    closeLive();
    if (session.guest && session.guestSecret) {
      try {
        await connect({ ...(await api.resumeGuest(session)), guestKey: session.guestKey ?? null });
        return;
      } catch {
        // fall through: shown as ended
      }
    }
    if (!session.guest) {
      keys = null; // the shopper unlocks again when signing in again
      await forgetKey(session);
    }
    update({ phase: 'expired', notice: message, unlocked: keys !== null, locked: false });
  };

  const watchSync = client.syncStatus$.pipe(
    map((status) => status.problem?.code),
    distinctUntilChanged(),
    filter((code) => code === 'SESSION_EXPIRED'),
  ).subscribe(() => void expired('Your session has ended. Sign in again; your changes are kept on this device.'));

  /**
   * The account's data key for a session just opened with `password`: a new one (a new account, or one
   * from before keys were kept on the server) is made, wrapped and stored; an existing one is fetched and
   * unwrapped. Returns it with the recovery key to show when one was made.
   */
  const unlockAccount = async (opened: StoredSession, password: string, firstTry = true): Promise<{ keyring: Keyring; recoveryKey: string | null; record: unknown }> => {
    const stored = await api.getKeyring(opened);
    if (stored === null) {
      const made = await newAccountKeys(crypto, password, passwordKdf);
      if (await api.putKeyring(opened, made.record, await recoveryProof(crypto, made.recoveryKey))) return { keyring: made.keyring, recoveryKey: made.recoveryKey, record: made.record };
      // Another device of this account stored its keys first: use those.
      if (firstTry) return unlockAccount(opened, password, false);
      throw new ToteError('SYNC_HTTP', 'The sync server did not keep your cart\'s keys. Try again in a moment.');
    }
    const record = parseAccountKeyRecord(stored);
    try {
      return { keyring: await unlockWithPassword(crypto, record, password), recoveryKey: null, record: stored };
    } catch (error) {
      if (error instanceof ToteError && error.code === 'WRONG_PASSWORD') {
        // The server accepted the password, yet it does not open the saved keys (the password was reset on the server).
        throw new ToteError('WRONG_PASSWORD', 'You are signed in, but this password does not unlock your cart\'s keys. Use your recovery key to unlock it.', { reason: 'key-record' });
      }
      throw error;
    }
  };

  const localItemsNow = () => Object.values(client.store.getState().items).filter((item) => !item.deleted);
  const otherAccount = (previous: StoredSession | null, name: string, localItems: readonly unknown[]) =>
    previous && !previous.guest && previous.name !== name && localItems.length > 0
      ? new ToteError('OTHER_ACCOUNT', `This device holds the cart of ${previous.name}. Sign in as ${previous.name} to keep using it.`)
      : null;

  const account = (serverUrl: string, name: string, password: string, create: boolean, rule: MergeRule) => async () => {
    const previous = session;
    const signedIn = create ? await api.signUp(serverUrl, name, password) : await api.signIn(serverUrl, name, password);
    const localItems = localItemsNow();
    const refusal = otherAccount(previous, signedIn.name, localItems);
    if (refusal) {
      await api.signOut(signedIn).catch(() => undefined);
      throw refusal;
    }
    let unlocked: { keyring: Keyring; recoveryKey: string | null; record: unknown };
    try {
      unlocked = await unlockAccount(signedIn, password);
    } catch (error) {
      // Nothing is kept: not the new session, not a key.
      await api.signOut(signedIn).catch(() => undefined);
      throw error;
    }
    await enter(previous, { ...signedIn, keyRecord: unlocked.record }, localItems, unlocked, rule);
  };

  /** Signed in with `recoveryKey` instead of the forgotten password; `newPassword` replaces it. */
  const recover = async (serverUrl: string, name: string, recoveryKey: string, newPassword: string, rule: MergeRule) => {
    checkRecoveryKey(recoveryKey); // a typo says what to check, before anything is sent
    if (typeof newPassword !== 'string' || newPassword === '') throw new ToteError('INVALID_INPUT', 'Enter a new password.', { field: 'newPassword' });
    checkNewPassword(newPassword, 'newPassword'); // the server no longer sees it to check it
    const previous = session;
    const localItems = localItemsNow();
    // Checked before the server changes anything (the server's own name rule).
    const early = otherAccount(previous, canonicalName(name), localItems);
    if (early) throw early;
    const proof = await recoveryProof(crypto, recoveryKey);
    const record = parseAccountKeyRecord(await api.recoveryKeyring(serverUrl, name, proof));
    const keyring = await unlockWithRecoveryKey(crypto, record, recoveryKey);
    const next = await rewrapAccountKeys(keyring, record, newPassword, passwordKdf);
    const signedIn = await api.recover(serverUrl, name, proof, newPassword, next);
    const refusal = otherAccount(previous, signedIn.name, localItems);
    if (refusal) {
      await api.signOut(signedIn).catch(() => undefined);
      throw refusal;
    }
    await enter(previous, { ...signedIn, keyRecord: next }, localItems, { keyring, recoveryKey: null }, rule);
  };

  /** After a sign-in of any kind: the key, sync, the live channel; a guest's items join the account's cart. */
  const enter = async (previous: StoredSession | null, signedIn: StoredSession, localItems: readonly { id: string }[],
    unlocked: { keyring: Keyring; recoveryKey: string | null }, rule: MergeRule) => {
    keys = unlocked.keyring;
    if (unlocked.recoveryKey) update({ recoveryKey: unlocked.recoveryKey });
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
      if (stored.guest) {
        // A guest's key lives with its stored session; a session saved before guests had keys gets one now.
        if (stored.guestKey) {
          keys = await openGuestKey(crypto, stored.guestKey);
        } else {
          const made = await createGuestKey(crypto);
          keys = made.keyring;
          session = { ...stored, guestKey: made.deviceSecret };
          await store.save(session);
        }
      }
      // A shopper's key from the key store; without it, locked (sync off) until `unlock`, a sign-in or a password change.
      if (!stored.guest) keys = await savedKey(stored);
      if (session.expiresAt <= clock.now()) {
        update({ name: stored.name, guest: stored.guest, serverUrl: stored.serverUrl, expiresAt: stored.expiresAt });
        await expired('Your session ended while Tote was closed. Sign in again; your changes are kept on this device.');
        return;
      }
      await connect(session);
    },
    signUp: (serverUrl, name, password, opts = {}) => account(serverUrl, name, password, true, opts.mergeRule ?? 'sum')(),
    signIn: (serverUrl, name, password, opts = {}) => account(serverUrl, name, password, false, opts.mergeRule ?? 'sum')(),
    recover: (serverUrl, name, recoveryKey, newPassword, opts = {}) => recover(serverUrl, name, recoveryKey, newPassword, opts.mergeRule ?? 'sum'),
    async continueAsGuest(serverUrl) {
      if (session && state.value.phase !== 'signed-out') return;
      const started = await api.startGuest(serverUrl);
      const guestKey = await createGuestKey(crypto);
      keys = guestKey.keyring;
      await connect({ ...started, guestKey: guestKey.deviceSecret });
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
      keys = null;
      if (current) await forgetKey(current);
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
      const current = signedIn();
      checkNewPassword(newPassword, 'newPassword'); // before the key is re-wrapped for it
      if (current.guest) {
        await api.changePassword(current, oldPassword, newPassword);
        return;
      }
      const stored = await api.getKeyring(current);
      const record = stored === null ? null : parseAccountKeyRecord(stored);
      // The same data key, re-wrapped: no item is re-encrypted. Locked here (resumed at start): unlock it with the current password.
      const keyring = keys ?? (record ? await unlockWithPassword(crypto, record, oldPassword) : await createKeyring(crypto));
      let next: AccountKeyRecord;
      let recoveryKey: string | null = null;
      if (record) {
        next = await rewrapAccountKeys(keyring, record, newPassword, passwordKdf);
      } else {
        // No record on the server yet (an account from before keys were kept there): store one now.
        ({ record: next, recoveryKey } = await wrapAccountKeys(crypto, keyring, newPassword, passwordKdf));
      }
      await api.changePassword(current, oldPassword, newPassword, next, recoveryKey ? await recoveryProof(crypto, recoveryKey) : undefined);
      const wasLocked = keys === null;
      keys = keyring;
      update({ unlocked: true, locked: false, ...(recoveryKey ? { recoveryKey } : {}) });
      // The re-wrapped record is the one to unlock with from now on, offline too.
      const changed = { ...current, keyRecord: next };
      if (session === current) session = changed;
      if (wasLocked && session === changed) await connect(changed); // sync starts, sealed; the key is kept
      else {
        if (session === changed) await store.save(changed);
        await rememberKey(changed);
      }
    },
    keyring: () => keys,
    async unlock(password) {
      const current = signedIn();
      if (keys) return;
      if (typeof password !== 'string' || password === '') throw new ToteError('INVALID_INPUT', 'Enter your password.', { field: 'password' });
      let stored: unknown;
      try {
        stored = await api.getKeyring(current);
      } catch (error) {
        // The server no longer accepts this session: shown as ended (sign in again), like any 401.
        if (error instanceof ToteError && error.code === 'SESSION_EXPIRED') await expired(error.message);
        // Out of reach: the record read last time opens as well (a password changed elsewhere re-wraps
        // the same key, so the old password still opens the old record). Sync waits for the server.
        if (!(error instanceof ToteError && error.code === 'SYNC_OFFLINE' && current.keyRecord)) throw error;
        stored = current.keyRecord;
      }
      if (stored === null) {
        // No key record on the server (an account from before they were kept): a sign-in checks the
        // password with the server and stores one.
        await account(current.serverUrl, current.name, password, false, 'sum')();
        return;
      }
      const keyring = await unlockWithPassword(crypto, parseAccountKeyRecord(stored), password);
      if (session !== current || keys) return; // signed out or unlocked meanwhile
      keys = keyring;
      await connect({ ...current, keyRecord: stored });
    },
    acknowledgeRecoveryKey() {
      update({ recoveryKey: null });
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
      keys = null;
      clearTimers();
      closeLive();
      watchSync.unsubscribe();
      state.complete();
    },
  };
}
