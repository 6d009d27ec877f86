/**
 * The one object a shell creates: the device's database, the cart store over it, and (when the
 * shopper has configured a server) live sync. Shells keep their own UI and settings; everything
 * about carts and sync happens here.
 */
import { BehaviorSubject, of, Subject, type Observable } from 'rxjs';
import type { Keyring } from './crypto/keyring.ts';
import type { ToteError } from './errors.ts';
import { switchMap } from 'rxjs/operators';
import { openCartDatabase, type CartDatabase, type OpenCartDatabaseOptions } from './persistence/cart-database.ts';
import { systemClock, type Clock, type ConnectivityPort, type DeviceInfo, type FetchPort, type IdFactory } from './ports.ts';
import type { FieldConflict } from './merge/field-merge.ts';
import { createCartStore, type CartStore } from './store/cart-store.ts';
import { createConflictStore, type ConflictStore } from './store/conflict-store.ts';
import { startCartSync, type CartSync, type SyncTarget } from './sync/couch-replication.ts';
import { itemSeal, type ItemSeal } from './sync/sealed-items.ts';
import { SYNC_OFF, type SyncStatus } from './sync/sync-status.ts';

export interface ToteClientOptions extends OpenCartDatabaseOptions {
  readonly device: DeviceInfo;
  readonly fetch: FetchPort;
  readonly connectivity?: ConnectivityPort;
  readonly clock?: Clock;
  readonly newId?: IdFactory;
  readonly retryMs?: number;
}

export interface ToteClient {
  readonly db: CartDatabase;
  readonly store: CartStore;
  /** What merges decided between this shopper's devices: notices to show, dismiss or override. */
  readonly conflicts: ConflictStore;
  readonly syncStatus$: Observable<SyncStatus>;
  readonly sync: CartSync | null;
  /** Items from the server that could not be read (damaged or changed there): set aside, reported here. */
  readonly unreadable$: Observable<ToteError>;
  /**
   * Starts (or restarts with new settings) live sync; null turns sync off. With `keyring`, items are
   * sealed before they leave the device and opened on arrival: the server holds only ciphertext.
   */
  configureSync(target: SyncTarget | null, options?: { keyring?: Keyring | null }): Promise<void>;
  close(): Promise<void>;
}

export async function createToteClient(options: ToteClientOptions): Promise<ToteClient> {
  // Merges run inside the replication, before the conflict store exists: their reports wait here.
  let conflicts: ConflictStore | null = null;
  const early: (readonly FieldConflict[])[] = [];
  let seal: ItemSeal | null = null;
  const unreadable = new Subject<ToteError>();
  const db = await openCartDatabase({
    ...options,
    conflicts: {
      onConflicts: (found: readonly FieldConflict[]) => (conflicts ? conflicts.record(found) : early.push(found)),
      seal: () => seal,
      onUnreadable: (error: ToteError) => unreadable.next(error),
    },
  });
  const clock = options.clock ?? systemClock;
  const store = createCartStore({
    items: db.items, device: options.device, clock,
    ...(options.newId ? { newId: options.newId } : {}),
  });
  await store.ready;
  conflicts = await createConflictStore({ db, cart: store, device: options.device, clock });
  for (const found of early.splice(0)) conflicts.record(found);
  const current = new BehaviorSubject<CartSync | null>(null);

  const client: ToteClient = {
    db,
    store,
    conflicts,
    unreadable$: unreadable.asObservable(),
    syncStatus$: current.pipe(switchMap((sync) => sync?.status$ ?? of(SYNC_OFF))),
    get sync() {
      return current.value;
    },
    async configureSync(target, syncOptions = {}) {
      await current.value?.stop();
      seal = syncOptions.keyring ? itemSeal(syncOptions.keyring) : null;
      current.next(target ? startCartSync({
        items: db.items, target, fetch: options.fetch, seal, onUnreadable: (error) => unreadable.next(error),
        ...(options.connectivity ? { connectivity: options.connectivity } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.retryMs ? { retryMs: options.retryMs } : {}),
      }) : null);
    },
    async close() {
      await current.value?.stop();
      current.complete();
      unreadable.complete();
      await conflicts?.flush();
      conflicts?.close();
      store.close();
      await db.close();
    },
  };
  return client;
}
