/**
 * The cart workload in Node, on storage-dexie over fake-indexeddb (a JavaScript IndexedDB, slower than
 * a browser's: these figures are pessimistic; cart1000-browser.ts measures real Chromium).
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { runCartWorkload } from './cart1000-workload.ts';
import { round } from './stats.ts';

export async function benchCart1000(size = 1000, ops = 100) {
  const f = await runCartWorkload(getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange }), size, ops);
  return {
    items: size,
    storage: 'storage-dexie over fake-indexeddb (Node)',
    fill_ms_per_item: round(f.fillMs / size),
    add_p50_ms: round(f.add.p50), add_p95_ms: round(f.add.p95),
    set_quantity_p50_ms: round(f.setQuantity.p50), set_quantity_p95_ms: round(f.setQuantity.p95),
    remove_p50_ms: round(f.remove.p50), remove_p95_ms: round(f.remove.p95),
    raw_rxdb_upsert_p95_ms: round(f.raw.p95),
    clear_all_ms: round(f.clearMs),
    clear_settled_ms: round(f.clearSettledMs),
    load_ms: round(f.loadMs),
    reload_ms: round(f.reloadMs),
  };
}
