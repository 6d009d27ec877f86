/**
 * Runs inside real Chromium (driven by bench/history.ts): the history workload (bench/history-workload.ts)
 * on the apps' production storage, storage-dexie over IndexedDB with its whole-range reads in one request
 * (persistence/dexie-bulk-reads.ts), sealed at rest with a shopper key
 * (persistence/encrypted-storage.ts). Two steps, with a page reload between them so the restore that
 * follows the opening is the first this page runs:
 * - `seedHistoryBench(layout)` makes a key, writes the cart and its history in `layout`, and gives back
 *   the key (to open the same rows after the reload), the sealed bytes as synced and as stored here;
 * - `restoreHistoryBench(layout, key, runs)` opens the database and restores 29 days back, `runs` times.
 */
import { createKeyring, encryptedStorage, exportKeyring, importKeyring } from '@tote/core';
import { dexieBulkReads } from '@tote/core/dexie-bulk-reads';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { historyDocuments, measureRestores, seedHistory, syncedBytes, thirtyDays, type HistoryLayout } from '../history-workload.ts';

const dbName = (layout: HistoryLayout) => `bench-history-${layout === 'batches' ? 'batches' : 'per-write'}`;

const request = <T>(req: IDBRequest<T>) => new Promise<T>((resolve, reject) => {
  req.onsuccess = () => resolve(req.result);
  req.onerror = () => reject(req.error);
});

/** The history rows as storage-dexie keeps them in IndexedDB (the sealed part a byte string, a byte per character). */
async function storedBytes(name: string): Promise<number> {
  const open = indexedDB.open(`rxdb-dexie-${name}--1--history`);
  const db = await request(open);
  const rows = await request(db.transaction('docs').objectStore('docs').getAll()) as Record<string, unknown>[];
  db.close();
  const encoder = new TextEncoder();
  let bytes = 0;
  for (const row of rows) {
    const { enc, ...clear } = row;
    if (typeof enc !== 'string') throw new Error('a history row is not sealed');
    bytes += enc.length + encoder.encode(JSON.stringify(clear)).length;
  }
  return bytes;
}

const history = thirtyDays();
const storageWith = async (key: Uint8Array) => {
  let unreadable = 0;
  const storage = encryptedStorage(dexieBulkReads(getRxStorageDexie()), await importKeyring(globalThis.crypto, key), { onUnreadable: () => { unreadable += 1; } });
  return { storage, unreadable: () => unreadable };
};

const api = {
  async seedHistoryBench(layout: HistoryLayout) {
    const keyring = await createKeyring(globalThis.crypto);
    const key = await exportKeyring(keyring);
    const docs = historyDocuments(history, layout);
    const { storage } = await storageWith(key);
    await seedHistory(storage, dbName(layout), history, docs);
    return {
      key: Array.from(key),
      documents: docs.length,
      entries: history.entries.length,
      adds: history.adds,
      syncedBytes: await syncedBytes(docs, keyring),
      storedBytes: await storedBytes(dbName(layout)),
      wholeDocumentBytes: history.wholeDocumentBytes,
    };
  },
  async restoreHistoryBench(layout: HistoryLayout, key: number[], runs: number) {
    const { storage, unreadable } = await storageWith(Uint8Array.from(key));
    const figures = await measureRestores(storage, dbName(layout), history, runs);
    return { ...figures, unreadable: unreadable() };
  },
};

Object.assign(globalThis, api);
export type HistoryBenchApi = typeof api;
