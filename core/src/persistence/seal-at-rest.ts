/**
 * Turning encryption at rest on for a cart kept in clear (docs/encryption.md, "At rest on the device";
 * encrypted-storage.ts rule 5: a sealed database cannot read plain rows). The shell runs this at start,
 * before it opens its client, while no one else uses either database:
 *
 * 1. The plain database is opened; when it holds nothing, it is removed and that is all.
 * 2. Every item, every history document and the conflict log are copied into the sealed database, as
 *    they are (upserts: a copy interrupted by a crash is simply made again at the next start).
 * 3. Only when the sealed database holds at least as many items and history documents as the plain one
 *    is the plain one removed. Otherwise it stays, nothing is lost, and the error says so.
 *
 * The replication's own bookkeeping is not copied: the first sync afterwards compares every item with
 * the server once (each compares equal, or merges by the usual rules, docs/merge.md).
 */
import { ToteError } from '../errors.ts';
import { JOURNAL_ID } from '../store/clear-journal.ts';
import { COMMAND_JOURNAL_ID } from '../store/command-journal.ts';
import { RESTORE_JOURNAL_ID } from '../store/restore-journal.ts';
import { openCartDatabase, type CartDatabase, type OpenCartDatabaseOptions } from './cart-database.ts';

/** The local documents: the conflict log (store/conflict-store.ts) and the journals of clears, restores and commands not yet finished. */
const LOCAL_DOCUMENTS = ['conflict-log', JOURNAL_ID, RESTORE_JOURNAL_ID, COMMAND_JOURNAL_ID];

export interface SealAtRestResult {
  readonly items: number;
  readonly history: number;
}

/** Copies `plain` into `sealed` (already wrapped by encryptedStorage) and removes `plain` (see above). */
export async function sealExistingDatabase(plain: OpenCartDatabaseOptions, sealed: OpenCartDatabaseOptions): Promise<SealAtRestResult> {
  const from = await openCartDatabase({ storage: plain.storage, name: plain.name });
  let to: CartDatabase | null = null;
  try {
    const items = (await from.items.find().exec()).map((doc) => doc.toMutableJSON());
    const history = (await from.history.find().exec()).map((doc) => doc.toMutableJSON());
    const locals = (await Promise.all(LOCAL_DOCUMENTS.map(async (id) => [id, await from.getLocal(id)] as const)))
      .filter(([, doc]) => doc !== null);
    if (items.length > 0 || history.length > 0 || locals.length > 0) {
      to = await openCartDatabase(sealed);
      await to.items.bulkUpsert(items);
      await to.history.bulkUpsert(history);
      for (const [id, doc] of locals) await to.upsertLocal(id, doc!.toJSON().data);
      const [itemCount, historyCount] = await Promise.all([to.items.count().exec(), to.history.count().exec()]);
      if (itemCount < items.length || historyCount < history.length) {
        throw new ToteError('STORAGE_FAILED', 'Tote could not finish protecting the cart on this device; it is kept as it was. Please restart Tote.', {
          items: `${itemCount}/${items.length}`, history: `${historyCount}/${history.length}`,
        });
      }
    }
    await to?.close();
    to = null;
    await from.remove();
    return { items: items.length, history: history.length };
  } finally {
    await to?.close();
    if (!from.closed) await from.close();
  }
}

/**
 * Deletes the IndexedDB databases behind an RxDB database of storage-dexie (`rxdb-dexie-<name>--…`), so
 * the browser drops their files' old records instead of keeping them until a later compaction: after
 * `sealExistingDatabase` (the plain copy, with what the shopper typed in clear) or after a sealed
 * database whose key is lost was removed. `indexedDB` is the shell's (a window's or a worker's).
 */
export async function deleteIndexedDbOf(indexedDB: IDBFactory, rxdbName: string): Promise<void> {
  const names = (await indexedDB.databases()).map(({ name }) => name ?? '').filter((name) => name.startsWith(`rxdb-dexie-${rxdbName}--`));
  await Promise.all(names.map((name) => new Promise<void>((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  })));
}
