/**
 * The one object a shell creates: the device's database, the cart store over it, and (when the
 * shopper has configured a server) live sync. Shells keep their own UI and settings; everything
 * about carts and sync happens here.
 */
import { BehaviorSubject, of, Subject, type Observable } from 'rxjs';
import type { Keyring } from './crypto/keyring.ts';
import { ToteError } from './errors.ts';
import { initialCartState, type CartState } from './cart/cart-types.ts';
import { switchMap } from 'rxjs/operators';
import { openCartDatabase, type CartDatabase, type OpenCartDatabaseOptions } from './persistence/cart-database.ts';
import { encryptedStorage, type CipherSource } from './persistence/encrypted-storage.ts';
import { systemClock, type Clock, type ConnectivityPort, type DeviceInfo, type FetchPort, type IdFactory } from './ports.ts';
import type { FieldConflict } from './merge/field-merge.ts';
import { createCartStore, type CartStore } from './store/cart-store.ts';
import { createConflictStore, type ConflictStore } from './store/conflict-store.ts';
import { createHistoryLog, type HistoryLog } from './store/history-log.ts';
import { createUnreadableNotices, type UnreadableNotices } from './store/unreadable-notices.ts';
import type { LatencyMonitor } from './monitoring/latency-monitor.ts';
import { startCartSync, type CartSync, type SyncTarget } from './sync/couch-replication.ts';
import type { HistoryDoc } from './persistence/history-schema.ts';
import type { DamagedItems } from './sync/damaged-items.ts';
import type { ClockedItem } from './merge/item-clocks.ts';
import { historySeal, itemSeal, type DocumentSeal, type ItemSeal } from './sync/sealed-items.ts';
import { SYNC_OFF, type SyncStatus } from './sync/sync-status.ts';
import { serverRevisions, type ServerRevisions } from './sync/server-revisions.ts';

export interface ToteClientOptions extends OpenCartDatabaseOptions {
  readonly device: DeviceInfo;
  readonly fetch: FetchPort;
  readonly connectivity?: ConnectivityPort;
  readonly clock?: Clock;
  readonly newId?: IdFactory;
  readonly retryMs?: number;
  /** How often history older than 30 days is pruned on this device (default: at start and every 12 hours). */
  readonly pruneEveryMs?: number;
  /**
   * Encryption at rest (persistence/encrypted-storage.ts): the device's key for its own database. Every
   * document is sealed before `storage` keeps it; one that cannot be opened is reported on `unreadable$`.
   */
  readonly atRest?: CipherSource;
  /** Where cart operations are timed (monitoring/latency-monitor.ts); absent: not timed. */
  readonly monitor?: LatencyMonitor;
  /**
   * Told each step of opening as it ends: 'tote:database-open', then the store's 'tote:snapshot-shown'
   * (a large cart's snapshot shown), 'tote:items-read' (every item read and opened) and 'tote:state-built'
   * (CartStoreOptions.mark).
   */
  readonly mark?: (name: string) => void;
}

export interface ToteClient {
  readonly db: CartDatabase;
  readonly store: CartStore;
  /** What merges decided between this shopper's devices: notices to show, dismiss or override. */
  readonly conflicts: ConflictStore;
  /** The cart's history on this device: read it, see what it takes, prune it. Restore: `store.restore`. */
  readonly history: HistoryLog;
  /**
   * Something went wrong in the background: history (a change could not be recorded; a prune failed),
   * or a clear's items could not be written after the clear was stored (it is finished at the next start).
   */
  readonly historyProblems$: Observable<unknown>;
  readonly syncStatus$: Observable<SyncStatus>;
  readonly sync: CartSync | null;
  /**
   * Items that could not be read, set aside and reported here: from the server (damaged or changed
   * there), or rows of this device's sealed database (`details.where` is 'device').
   */
  readonly unreadable$: Observable<ToteError>;
  /** The same, as notices for the shopper: one per document, until dismissed (store/unreadable-notices.ts). */
  readonly unreadableNotices: UnreadableNotices;
  /**
   * Starts (or restarts with new settings) live sync; null turns sync off. With `keyring`, items are
   * sealed before they leave the device and opened on arrival: the server holds only ciphertext.
   */
  configureSync(target: SyncTarget | null, options?: { keyring?: Keyring | null }): Promise<void>;
  close(): Promise<void>;
}

/** What the shopper is told of an item whose row on this device does not open. */
export const DAMAGED_HERE = 'An item could not be read on this device: its saved copy was changed or damaged. Tote takes it again from the sync server '
  + 'when the server has a good copy. Your other items are fine.';

export async function createToteClient(options: ToteClientOptions): Promise<ToteClient> {
  // Merges run inside the replication, before the conflict store exists: their reports wait here.
  let conflicts: ConflictStore | null = null;
  const early: (readonly FieldConflict[])[] = [];
  let seal: ItemSeal | null = null;
  let sealHistory: DocumentSeal<HistoryDoc> | null = null;
  let revisions: ServerRevisions | null = null;
  const unreadable = new Subject<ToteError>();
  // Before the database opens: a row of a sealed database that does not open is reported while loading.
  let cartNow = (): CartState => initialCartState;
  const replaced = new Subject<ClockedItem>();
  const unreadableNotices = createUnreadableNotices(unreadable, () => cartNow(), replaced);
  // Item rows of this device that do not open; sync takes the server's copy in their place (sync/damaged-items.ts).
  const damagedRows = new Map<string, string>();
  const damaged: DamagedItems = {
    rows: damagedRows,
    replaced(item) {
      damagedRows.delete(item.id);
      replaced.next(item);
    },
  };
  const onUnreadableHere = (error: ToteError) => {
    const { documentId, collection, revision, reason } = error.details ?? {};
    // A locked cart ('key') is not damage: the right key opens every row.
    if (collection !== 'items' || reason === 'key' || typeof documentId !== 'string') {
      unreadable.next(error);
      return;
    }
    if (typeof revision === 'string') damagedRows.set(documentId, revision);
    unreadable.next(new ToteError('DECRYPT_FAILED', DAMAGED_HERE, { ...error.details, where: 'device' }));
  };
  const onConflicts = (found: readonly FieldConflict[]) => (conflicts ? conflicts.record(found) : early.push(found));
  const db = await openCartDatabase({
    name: options.name,
    storage: options.atRest
      ? encryptedStorage(options.storage, options.atRest, { onUnreadable: onUnreadableHere })
      : options.storage,
    conflicts: {
      onConflicts,
      seal: () => seal,
      historySeal: () => sealHistory,
      isStalePull: (version: object) => revisions?.isStale(version) ?? false,
      onUnreadable: (error: ToteError) => unreadable.next(error),
    },
  });
  options.mark?.('tote:database-open');
  const clock = options.clock ?? systemClock;
  const history = createHistoryLog(db.history, options.device);
  const historyProblems = new Subject<unknown>();
  const store = createCartStore({
    items: db.items, device: options.device, clock, history, onHistoryError: (error) => historyProblems.next(error), onConflicts,
    onWriteError: (error) => historyProblems.next(error),
    ...(options.newId ? { newId: options.newId } : {}),
    ...(options.monitor ? { monitor: options.monitor } : {}),
    ...(options.mark ? { mark: options.mark } : {}),
  });
  // The cart shows once the store shows it: from its snapshot while the items are read (store/cart-snapshot.ts).
  await store.shown;
  store.ready.catch((error: unknown) => historyProblems.next(error));
  conflicts = await createConflictStore({ db, cart: store, device: options.device, clock });
  cartNow = () => store.getState();
  for (const found of early.splice(0)) conflicts.record(found);
  const current = new BehaviorSubject<CartSync | null>(null);
  // History older than 30 days goes, on this device (and, as the removals sync, on the server).
  const pruneNow = () => history.prune(clock.now()).catch((error) => historyProblems.next(error));
  let pruning = store.historySettled().then(pruneNow, () => undefined);
  const pruneTimer = setInterval(() => {
    pruning = pruning.then(pruneNow);
  }, options.pruneEveryMs ?? 12 * 60 * 60 * 1000);

  const client: ToteClient = {
    db,
    store,
    conflicts,
    history,
    historyProblems$: historyProblems.asObservable(),
    unreadable$: unreadable.asObservable(),
    unreadableNotices,
    syncStatus$: current.pipe(switchMap((sync) => sync?.status$ ?? of(SYNC_OFF))),
    get sync() {
      return current.value;
    },
    async configureSync(target, syncOptions = {}) {
      await current.value?.stop();
      seal = syncOptions.keyring ? itemSeal(syncOptions.keyring) : null;
      sealHistory = syncOptions.keyring ? historySeal(syncOptions.keyring) : null;
      revisions = target ? serverRevisions() : null;
      current.next(target ? startCartSync({
        items: db.items, target, fetch: options.fetch, seal, onUnreadable: (error) => unreadable.next(error), revisions: revisions!, damaged,
        knowsAvailability: (id: string) => store.getState().items[id]?.availability !== undefined,
        history: { collection: db.history, seal: sealHistory },
        ...(options.monitor ? { onPushed: (id: string) => options.monitor!.synced(id) } : {}),
        ...(options.connectivity ? { connectivity: options.connectivity } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.retryMs ? { retryMs: options.retryMs } : {}),
      }) : null);
    },
    async close() {
      clearInterval(pruneTimer);
      await pruning;
      // Every change is in history before sync stops, which sends the history written so far.
      await store.historySettled().catch(() => undefined);
      await current.value?.stop();
      current.complete();
      unreadableNotices.close();
      unreadable.complete();
      await conflicts?.flush();
      conflicts?.close();
      await store.historySettled().catch(() => undefined);
      await store.flush();
      store.close();
      history.close();
      historyProblems.complete();
      await db.close();
    },
  };
  return client;
}
