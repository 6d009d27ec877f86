/**
 * The one object a shell creates: the device's database, the cart store over it, and (when the
 * shopper has configured a server) live sync. Shells keep their own UI and settings; everything
 * about carts and sync happens here.
 */
import { BehaviorSubject, of, type Observable } from 'rxjs';
import { switchMap } from 'rxjs/operators';
import { openCartDatabase, type CartDatabase, type OpenCartDatabaseOptions } from './persistence/cart-database.ts';
import { systemClock, type Clock, type ConnectivityPort, type DeviceInfo, type FetchPort, type IdFactory } from './ports.ts';
import { createCartStore, type CartStore } from './store/cart-store.ts';
import { startCartSync, type CartSync, type SyncTarget } from './sync/couch-replication.ts';
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
  readonly syncStatus$: Observable<SyncStatus>;
  readonly sync: CartSync | null;
  /** Starts (or restarts with new settings) live sync; null turns sync off. */
  configureSync(target: SyncTarget | null): Promise<void>;
  close(): Promise<void>;
}

export async function createToteClient(options: ToteClientOptions): Promise<ToteClient> {
  const db = await openCartDatabase(options);
  const store = createCartStore({
    items: db.items, device: options.device, clock: options.clock ?? systemClock,
    ...(options.newId ? { newId: options.newId } : {}),
  });
  await store.ready;
  const current = new BehaviorSubject<CartSync | null>(null);

  const client: ToteClient = {
    db,
    store,
    syncStatus$: current.pipe(switchMap((sync) => sync?.status$ ?? of(SYNC_OFF))),
    get sync() {
      return current.value;
    },
    async configureSync(target) {
      await current.value?.stop();
      current.next(target ? startCartSync({
        items: db.items, target, fetch: options.fetch,
        ...(options.connectivity ? { connectivity: options.connectivity } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.retryMs ? { retryMs: options.retryMs } : {}),
      }) : null);
    },
    async close() {
      await current.value?.stop();
      current.complete();
      store.close();
      await db.close();
    },
  };
  return client;
}
