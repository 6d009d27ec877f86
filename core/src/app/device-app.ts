/**
 * The device app: what a shell (the extension's background, the desktop's renderer) runs to have a cart
 * on this device. It opens the device's database, locked or open, behind the ports the shell passes in,
 * and offers one `view$` of everything the screens show. The shells keep only their ports and screens.
 *
 * Opening (docs/encryption.md, "At rest on the device"):
 * 1. the database key from its custody (key-custody.ts): open, or locked to an account until unlocked;
 * 2. a key newly made although the device had sealed its cart before: that cart cannot be read by anyone,
 *    so it is removed and the shopper is told it comes back from the sync server;
 * 3. a cart kept in clear before encryption at rest is moved into the sealed database once;
 * 4. the Tote client and the account session, which resumes a stored session.
 *
 * A failed open (storage refused, say) is not remembered: the next `open()` or `wake()` tries again.
 */
import { auditTime, BehaviorSubject, catchError, combineLatest, distinctUntilChanged, firstValueFrom, from, map, of, startWith, switchMap, type Observable } from 'rxjs';
import { removeRxDatabase, type RxStorage } from 'rxdb';
import { accountApi } from '../account/account-api.ts';
import type { ShopSignal, ShopSignalKind } from '../analytics/analytics-events.ts';
import { createAnalyticsReporter, gatewayAnalyticsTransport, type AnalyticsReporter, type AnalyticsStoragePort, type ReportResult } from '../analytics/analytics-reporter.ts';
import { createAccountSession, SIGNED_OUT, type AccountSession, type AccountState, type SessionStore } from '../account/account-session.ts';
import { initialCartState, type CartState } from '../cart/cart-types.ts';
import { ToteError } from '../errors.ts';
import { noticeViews, type NoticeView } from '../merge/notice-view.ts';
import type { DatabaseKeyOwner, OpenDatabaseKey } from '../persistence/database-key.ts';
import { createLatencyMonitor, type LatencyMonitor, type LatencyReport, type Stopwatch } from '../monitoring/latency-monitor.ts';
import { encryptedStorage } from '../persistence/encrypted-storage.ts';
import { sealExistingDatabase } from '../persistence/seal-at-rest.ts';
import type { ConnectivityPort, FetchPort, KeyStorePort } from '../ports.ts';
import type { UnreadableNotice } from '../store/unreadable-notices.ts';
import type { WebSocketFactory } from '../sync/live-channel.ts';
import { SYNC_OFF, type SyncStatus } from '../sync/sync-status.ts';
import { createToteClient, type ToteClient } from '../tote-client.ts';
import { accountKeyEntry, keyStoreDatabaseKey, type DeviceKeyCustody } from './key-custody.ts';

/** What a device remembers about itself, outside the cart database. */
export interface DeviceSettings {
  /** This device's id, made once. */
  deviceId(): Promise<string>;
  /** Whether the cart kept in clear before encryption at rest was moved into the sealed database. */
  sealedAtRest(): Promise<boolean>;
  setSealedAtRest(value: boolean): Promise<void>;
}

export interface DeviceAppPorts {
  /** The platform's storage for RxDB (IndexedDB through Dexie in both shells). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly storage: RxStorage<any, any>;
  /** The database kept in clear before encryption at rest, and the sealed one. */
  readonly databases: { readonly plain: string; readonly sealed: string };
  /** Deletes what is left of a database on disk (its IndexedDB files) once RxDB no longer uses it. */
  readonly deleteDatabaseFiles: (name: string) => Promise<void>;
  readonly settings: DeviceSettings;
  /** How other devices see this one ("Chrome extension", "Tote on laptop"). */
  readonly deviceName: string;
  /** How this device's notices name it ("this browser", "this computer"). */
  readonly thisDevice: string;
  readonly custody: DeviceKeyCustody;
  /** Where the account session keeps unlocked account keys between runs; absent: memory only. */
  readonly accountKeys?: KeyStorePort;
  readonly sessionStore: SessionStore;
  readonly fetch: FetchPort;
  readonly connectivity?: ConnectivityPort;
  readonly webSocket?: WebSocketFactory;
  /** Progress of long steps while opening, for the shopper ("Encrypting your cart on this device…"). */
  readonly onStep?: (message: string) => void;
  /** Where the shopper's analytics choice and the days to send are kept (docs/analytics.md); absent: no analytics. */
  readonly analytics?: AnalyticsStoragePort;
  /** The high-resolution clock operations are timed with (`performance.now`); absent: the platform's. */
  readonly stopwatch?: Stopwatch;
  /**
   * Told each step of opening the cart as it ends (`performance.mark` in the desktop, for DevTools and
   * bench/cart10k.ts): 'tote:key-ready', then the client's (ToteClientOptions.mark).
   */
  readonly mark?: (name: string) => void;
}

/** How the cart saved on this device is protected (docs/encryption.md). */
export type AtRest =
  /** Sealed with a key protected by an account's password (the extension, once signed in). */
  | 'password'
  /** Sealed with a key kept beside it, since no account has signed in here yet. */
  | 'no-password'
  /** Sealed with a key kept by the system's key store (the desktop). */
  | 'key-store'
  /** Kept in clear: no key store this device can use. */
  | 'none';

/** Everything the screens show, as one value. */
export interface DeviceView {
  /** Opening; open; locked until the shopper unlocks it; or failed to open (`problem` says why). */
  readonly phase: 'opening' | 'open' | 'locked' | 'failed';
  /** Opening: what is happening, for the shopper; null once open, locked or failed. */
  readonly opening: string | null;
  /** The cart could not be opened, or something the shopper must know happened while opening. */
  readonly problem: string | null;
  readonly state: CartState;
  readonly syncStatus: SyncStatus;
  /**
   * Includes `recoveryKey` right after sign-up until the shopper confirms writing it down. Shells pass
   * it to their screens only (the extension over the popup's port, never in an answer to a one-off message).
   */
  readonly account: AccountState;
  /** Open conflict notices, oldest first, other devices named by the names they gave (docs/merge.md, "Rules"). */
  readonly notices: readonly NoticeView[];
  /** Documents that could not be read (docs/encryption.md, "Envelope (format 1)"), until dismissed. */
  readonly unreadable: readonly UnreadableNotice[];
  /** Set while the cart is sealed on this device and not unlocked: the account whose password opens it. */
  readonly deviceLocked: DatabaseKeyOwner | null;
  readonly atRest: AtRest;
  /** Whether the shopper agreed to share daily usage figures from this device (docs/analytics.md); absent without analytics. */
  readonly analyticsConsent?: boolean;
}

/** An open cart: the client, its account session and this device's id. */
export interface OpenDevice {
  readonly client: ToteClient;
  readonly account: AccountSession;
  readonly deviceId: string;
  /** Shared analytics of this device (docs/analytics.md), when the shell keeps their state. */
  readonly analytics?: AnalyticsReporter;
  /** How long this device's cart operations take (docs/analytics.md, "Monitoring"). */
  readonly monitor: LatencyMonitor;
}

export interface DeviceApp {
  readonly view$: Observable<DeviceView>;
  /** The current view, once the device is opened (or found locked). */
  view(): Promise<DeviceView>;
  /** The open cart; a `ToteError('LOCKED')` naming the account that unlocks it while locked. */
  open(): Promise<OpenDevice>;
  /** Opens the cart if it can be opened without the shopper (on start, and on every alarm of the extension). */
  wake(): Promise<void>;
  /** Who can unlock the cart while it is locked; null while it is open. */
  locked(): Promise<DatabaseKeyOwner | null>;
  /**
   * Unlocks and opens the cart; a wrong secret raises the core's typed error and opens nothing. `then`
   * runs on the opened cart before the screens are shown it (a recovery sets the new password there).
   */
  unlock(secret: { password: string } | { recoveryKey: string }, then?: (device: OpenDevice) => Promise<void>): Promise<void>;
  /** Removes the locked cart from this device (its key is lost): a new, empty one opens. */
  forget(): Promise<void>;
  /** The shopper's choice to share daily usage figures (docs/analytics.md); on sends what is due at once. */
  setAnalyticsConsent(on: boolean): Promise<void>;
  /** Sends the usage figures that are due, with consent (the shells' timers call it); null without analytics. */
  reportAnalytics(): Promise<ReportResult | null>;
  /**
   * What a shop's page showed (docs/analytics.md): a checkout reached, an order confirmation. Kept on this
   * device for its insights and counts; nothing is kept while the cart is locked or without analytics.
   */
  recordShopSignal(signal: { readonly kind: ShopSignalKind; readonly shop: string }): Promise<void>;
  /** The shop signals this device saw (for the shopper's insights); empty while locked or without analytics. */
  shopSignals(): Promise<readonly ShopSignal[]>;
  /** How long cart operations took on this device (the Diagnostics panel); null while locked or not open. */
  latency(): Promise<LatencyReport | null>;
  /** A capture's time as the extension measured it, in milliseconds (ignored while locked). */
  recordCaptureTime(ms: number): Promise<void>;
}

type Phase =
  | { readonly kind: 'opening'; readonly message: string }
  | { readonly kind: 'locked'; readonly owner: DatabaseKeyOwner }
  | { readonly kind: 'open'; readonly device: OpenDevice; readonly problem: string | null }
  | { readonly kind: 'failed'; readonly problem: string };

const LOST_KEY = 'The key of the cart saved on this device was gone, so that cart could not be opened. '
  + 'Sign in and it comes back from your other devices through the sync server.';
const cannotOpen = (thisDevice: string) => `Tote could not open its database on ${thisDevice}. Restart Tote; if that does not help, check free disk space.`;

/** The account as the screens show it while the cart is locked: the owner's name, to unlock with their password. */
export function lockedAccount(owner: DatabaseKeyOwner): AccountState {
  return Object.freeze({ ...SIGNED_OUT, name: owner.name, serverUrl: owner.serverUrl, locked: true });
}

export function lockedError(owner: DatabaseKeyOwner, thisDevice = 'this device'): ToteError {
  return new ToteError('LOCKED', `Your cart is encrypted on ${thisDevice} and locked since it was closed. Open Tote and enter the password of ${owner.name} to unlock it.`);
}

export function createDeviceApp(ports: DeviceAppPorts): DeviceApp {
  const { custody, settings, databases, storage } = ports;
  const phase$ = new BehaviorSubject<Phase>({ kind: 'opening', message: 'Opening your cart…' });
  let opening: Promise<Phase> | null = null;
  /** Set by `forget`: the next key is new on purpose, and nothing needs saying. */
  let forgotten = false;

  const step = (message: string) => {
    phase$.next({ kind: 'opening', message });
    ports.onStep?.(message);
  };

  /** The key the open database is sealed with; null when it is kept in clear. */
  let keyInUse: OpenDatabaseKey | null = null;
  const atRest = (): AtRest => {
    if (custody.kind === 'password') return custody.lock.protection();
    return keyInUse ? 'key-store' : 'none';
  };

  async function openWith(key: OpenDatabaseKey | null, made: boolean): Promise<Phase> {
    ports.mark?.('tote:key-ready');
    keyInUse = key;
    let problem: string | null = null;
    if (made && key && (await settings.sealedAtRest())) {
      // A new key, although this device sealed its cart before: what the old key sealed cannot be read by anyone.
      await removeRxDatabase(databases.sealed, storage).catch(() => undefined);
      await ports.deleteDatabaseFiles(databases.sealed).catch(() => undefined);
      if (!forgotten) problem = LOST_KEY;
    }
    forgotten = false;
    if (key && !(await settings.sealedAtRest())) {
      step('Encrypting your cart on this device…');
      await sealExistingDatabase({ storage, name: databases.plain }, { storage: encryptedStorage(storage, key.keyring), name: databases.sealed });
      await settings.setSealedAtRest(true);
      await ports.deleteDatabaseFiles(databases.plain);
    }
    const device = { id: await settings.deviceId(), name: ports.deviceName };
    const monitor = createLatencyMonitor(ports.stopwatch ? { stopwatch: ports.stopwatch } : {});
    const loadStarted = monitor.stopwatch.now();
    const client = await createToteClient({
      monitor,
      storage,
      name: key ? databases.sealed : databases.plain,
      ...(key ? { atRest: key.keyring } : {}),
      device,
      fetch: ports.fetch,
      ...(ports.connectivity ? { connectivity: ports.connectivity } : {}),
      ...(ports.mark ? { mark: ports.mark } : {}),
    });
    monitor.record('load', loadStarted);
    let account: AccountSession | null = null;
    // With password custody, every saved session (a sign-in, an unlock, a password change) protects the
    // database key with the account's data key and its current key record.
    const store: SessionStore = custody.kind === 'password' && key ? {
      load: () => ports.sessionStore.load(),
      async save(session) {
        await ports.sessionStore.save(session);
        if (account) await custody.lock.protect(key, session, account.keyring()).catch(() => undefined);
      },
    } : ports.sessionStore;
    account = createAccountSession({
      client, api: accountApi(ports.fetch, device), store,
      ...(ports.webSocket ? { webSocket: ports.webSocket } : {}),
      ...(ports.accountKeys ? { keyStore: ports.accountKeys } : {}),
    });
    await account.start().catch(() => undefined);
    const analytics = ports.analytics ? createAnalyticsReporter({
      deviceId: device.id, storage: ports.analytics, latency: monitor,
      transport: gatewayAnalyticsTransport(ports.fetch, () => ports.sessionStore.load()),
      read: async () => {
        await client.store.historySettled();
        return { entries: (await client.history.read()).entries, items: client.store.getState().items };
      },
    }) : undefined;
    // A day missed while offline or closed goes now; nothing is sent without consent (never throws).
    void analytics?.report().catch(() => undefined);
    return { kind: 'open', device: { client, account, deviceId: device.id, monitor, ...(analytics ? { analytics } : {}) }, problem };
  }

  async function openOnce(): Promise<Phase> {
    if (custody.kind === 'password') {
      const state = await custody.lock.open();
      if ('locked' in state) return { kind: 'locked', owner: state.locked };
      return openWith(state.key, state.made === true);
    }
    const kept = await keyStoreDatabaseKey(custody.keyStore);
    return openWith(kept?.key ?? null, kept?.made ?? false);
  }

  /** `before` runs on the opened cart before the screens are shown it. */
  function opened(before?: (phase: Phase) => Promise<void>): Promise<Phase> {
    opening ??= openOnce().then(async (phase) => {
      await before?.(phase);
      phase$.next(phase);
      return phase;
    }, (error: unknown) => {
      opening = null; // not remembered: the next call tries again
      phase$.next({ kind: 'failed', problem: cannotOpen(ports.thisDevice) });
      throw error;
    });
    return opening;
  }

  const staticView = (phase: Exclude<Phase, { kind: 'open' }>): DeviceView => ({
    phase: phase.kind,
    opening: phase.kind === 'opening' ? phase.message : null,
    problem: phase.kind === 'failed' ? phase.problem : null,
    state: initialCartState, syncStatus: SYNC_OFF,
    account: phase.kind === 'locked' ? lockedAccount(phase.owner) : SIGNED_OUT,
    notices: [], unreadable: [],
    deviceLocked: phase.kind === 'locked' ? phase.owner : null,
    atRest: phase.kind === 'locked' ? 'password' : atRest(),
  });

  function openView(device: OpenDevice, problem: string | null): Observable<DeviceView> {
    const { client, account, deviceId } = device;
    // Other devices are named by the names they record with their history ("Chrome on laptop"). The
    // history that names a device may arrive after the change that made the notice: while notices are
    // open, the names are read again when the history changes (at most once a second).
    // A notice shows at once (unnamed) only when the log changed; a history change only renames.
    const historyChanged$ = client.history.changed$.pipe(auditTime(1000), startWith(undefined));
    let shownLog: unknown = null;
    const notices$ = combineLatest([client.conflicts.state$, historyChanged$]).pipe(switchMap(([log]) => {
      const unnamed = noticeViews(log, deviceId, ports.thisDevice);
      const fresh = log !== shownLog;
      shownLog = log;
      if (unnamed.length === 0) return of(unnamed);
      const named$ = from(client.history.read()).pipe(
        map((read) => noticeViews(log, deviceId, ports.thisDevice, read.devices)),
        catchError(() => of(unnamed)),
      );
      return fresh ? named$.pipe(startWith(unnamed)) : named$;
    }), distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)));
    const consent$: Observable<boolean | null> = device.analytics ? device.analytics.consent$ : of(null);
    return combineLatest([client.store.state$, client.syncStatus$, account.state$, notices$, client.unreadableNotices.notices$, consent$]).pipe(
      map(([state, syncStatus, accountState, notices, unreadable, consent]) => ({
        phase: 'open' as const, opening: null, problem, state, syncStatus, account: accountState, notices, unreadable, deviceLocked: null, atRest: atRest(),
        ...(consent === null ? {} : { analyticsConsent: consent }),
      })),
    );
  }

  const view$ = phase$.pipe(
    distinctUntilChanged(),
    switchMap((phase) => (phase.kind === 'open' ? openView(phase.device, phase.problem) : of(staticView(phase)))),
  );

  return {
    view$,
    async view() {
      await opened().catch(() => undefined);
      return firstValueFrom(view$);
    },
    async open() {
      const phase = await opened();
      if (phase.kind === 'locked') throw lockedError(phase.owner, ports.thisDevice);
      if (phase.kind !== 'open') throw new ToteError('STORAGE_FAILED', cannotOpen(ports.thisDevice));
      return phase.device;
    },
    async wake() {
      await opened().catch(() => undefined);
    },
    async locked() {
      const phase = await opened().catch(() => null);
      return phase?.kind === 'locked' ? phase.owner : null;
    },
    async unlock(secret, then) {
      if (custody.kind !== 'password' || (await opened()).kind !== 'locked') return;
      await custody.lock.unlock(secret);
      opening = null;
      let failure: { readonly error: unknown } | null = null;
      await opened(async (phase) => {
        if (phase.kind === 'open') await then?.(phase.device).catch((error: unknown) => { failure = { error }; });
      });
      if (failure) throw (failure as { readonly error: unknown }).error;
    },
    async setAnalyticsConsent(on) {
      const phase = await opened();
      if (phase.kind !== 'open' || !phase.device.analytics) throw new ToteError('NOT_ALLOWED', 'Usage figures are not kept on this device.');
      await phase.device.analytics.setConsent(on);
      if (on) void phase.device.analytics.report().catch(() => undefined);
    },
    async recordShopSignal(signal) {
      const phase = await opened().catch(() => null);
      if (phase?.kind === 'open' && phase.device.analytics) await phase.device.analytics.recordSignal(signal);
    },
    async shopSignals() {
      const phase = await opened().catch(() => null);
      return phase?.kind === 'open' && phase.device.analytics ? phase.device.analytics.signals() : [];
    },
    async latency() {
      const phase = await opened().catch(() => null);
      return phase?.kind === 'open' ? phase.device.monitor.report() : null;
    },
    async recordCaptureTime(ms) {
      const phase = await opened().catch(() => null);
      if (phase?.kind === 'open') phase.device.monitor.recordMs('capture', ms);
    },
    async reportAnalytics() {
      const phase = await opened().catch(() => null);
      return phase?.kind === 'open' && phase.device.analytics ? phase.device.analytics.report() : null;
    },
    async forget() {
      const phase = await opened();
      if (custody.kind !== 'password' || phase.kind !== 'locked') return;
      // Without its key nobody can read it: removed, with the session that belonged to it.
      await removeRxDatabase(databases.sealed, storage).catch(() => undefined);
      await ports.deleteDatabaseFiles(databases.sealed);
      await custody.lock.forget();
      await ports.sessionStore.save(null);
      await ports.accountKeys?.clear(accountKeyEntry(phase.owner)).catch(() => undefined);
      forgotten = true;
      opening = null;
      await opened();
    },
  };
}
