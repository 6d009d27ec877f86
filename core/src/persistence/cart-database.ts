/**
 * Opens the device's cart database. The storage is passed in by the shell: storage-dexie over the
 * browser's IndexedDB in the extension and the desktop renderer; storage-memory, or storage-dexie over
 * fake-indexeddb, in Node. One owner per database: the extension's background, the desktop's renderer.
 */
import { addRxPlugin, createRxDatabase, type RxCollection, type RxDatabase, type RxStorage } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import type { ClockedItem } from '../merge/item-clocks.ts';
import { createItemConflictHandler, type ItemConflictOptions } from './item-conflicts.ts';
import { createHistoryConflictHandler } from './history-conflicts.ts';
import { historyMigrations, historySchema, type HistoryDoc } from './history-schema.ts';
import { itemMigrations, itemSchema } from './item-schema.ts';

/** Item documents carry their field clocks (merge/item-clocks.ts); the cart state does not. */
export type ItemCollection = RxCollection<ClockedItem>;
/** The changes of the shopper's devices, in batches (persistence/history-schema.ts). */
export type HistoryCollection = RxCollection<HistoryDoc>;
export interface CartCollections {
  items: ItemCollection;
  history: HistoryCollection;
}
export type CartDatabase = RxDatabase<CartCollections>;

export interface OpenCartDatabaseOptions {
  // RxDB storages are generic over their internals; any storage works here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly storage: RxStorage<any, any>;
  /** Database name: one per shopper on a device, e.g. "tote-shopper". Lower case letters, digits, - and _. */
  readonly name: string;
  /** The merge's listeners and, with encryption on, the seal (persistence/item-conflicts.ts). */
  readonly conflicts?: ItemConflictOptions;
}

export async function openCartDatabase({ storage, name, conflicts }: OpenCartDatabaseOptions): Promise<CartDatabase> {
  // Added here, not at import: a module with side effects would pull RxDB into every bundle that
  // imports the core (the content script too). Adding a plugin twice is a no-op.
  addRxPlugin(RxDBMigrationSchemaPlugin);
  addRxPlugin(RxDBLocalDocumentsPlugin);
  const db = await createRxDatabase<CartCollections>({
    name,
    storage,
    // A single owner per device: no cross-tab event channel and no leader election needed.
    multiInstance: false,
    eventReduce: true,
    closeDuplicates: true,
    // Device-only records that never sync (the conflict log): local documents, no extra collection.
    localDocuments: true,
  });
  await db.addCollections({
    items: { schema: itemSchema, migrationStrategies: itemMigrations, conflictHandler: createItemConflictHandler(conflicts) },
    history: { schema: historySchema, migrationStrategies: historyMigrations, conflictHandler: createHistoryConflictHandler(conflicts?.historySeal) },
  });
  return db;
}
