/**
 * Opens the device's cart database. The storage is passed in by the shell: storage-dexie over the
 * browser's IndexedDB in the extension and the desktop renderer; storage-memory, or storage-dexie over
 * fake-indexeddb, in Node. One owner per database: the extension's background, the desktop's renderer.
 */
import { createRxDatabase, type RxCollection, type RxDatabase, type RxStorage } from 'rxdb';
import type { CartItem } from '../cart/cart-types.ts';
import { itemConflictHandler } from './item-conflicts.ts';
import { itemSchema } from './item-schema.ts';

export type ItemCollection = RxCollection<CartItem>;
export interface CartCollections {
  items: ItemCollection;
}
export type CartDatabase = RxDatabase<CartCollections>;

export interface OpenCartDatabaseOptions {
  // RxDB storages are generic over their internals; any storage works here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly storage: RxStorage<any, any>;
  /** Database name: one per shopper on a device, e.g. "tote-shopper". Lower case letters, digits, - and _. */
  readonly name: string;
}

export async function openCartDatabase({ storage, name }: OpenCartDatabaseOptions): Promise<CartDatabase> {
  const db = await createRxDatabase<CartCollections>({
    name,
    storage,
    // A single owner per device: no cross-tab event channel and no leader election needed.
    multiInstance: false,
    eventReduce: true,
    closeDuplicates: true,
  });
  await db.addCollections({ items: { schema: itemSchema, conflictHandler: itemConflictHandler } });
  return db;
}
