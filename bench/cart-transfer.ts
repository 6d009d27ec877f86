/**
 * `npm run bench:transfer [items]`: export and import of a large cart (docs/cart-manager.md, "Export
 * and import"), in Node on storage-dexie over fake-indexeddb (a JavaScript IndexedDB, slower than a
 * browser's: the figures are pessimistic). Compared in the same run with what a shopper would do
 * without import: adding the same items one at a time (`item/add`, as re-adding them by hand or by a
 * script would), measured on a sample and given per item.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import {
  cartCommands, createCartStore, exportCsv, exportJson, openCartDatabase, parseCartExport, planImport, selectItems,
  type CartExport, type TransferItem,
} from '@tote/core';
import { benchProduct } from './cart1000-workload.ts';
import { mergeResults } from './results-file.ts';
import { round } from './stats.ts';

const device = { id: 'bench', name: 'Bench' };

function transferItem(i: number): TransferItem {
  const product = benchProduct(i);
  return {
    id: `bench${String(i).padStart(8, '0')}`, listId: i % 10 === 0 ? 'saved' : 'cart', ...product, shop: new URL(product.url).hostname,
    quantity: 1 + (i % 3), note: i % 4 === 0 ? `Note for ${i}, with "quotes"` : '', addedAt: 1_764_000_000_000 + i,
    addedPriceMinor: product.priceMinor + 200, priceHistory: [{ at: 1_764_100_000_000 + i, priceMinor: product.priceMinor }],
  };
}

async function openStore(indexedDB: IDBFactory) {
  const db = await openCartDatabase({ storage: getRxStorageDexie({ indexedDB, IDBKeyRange }), name: `transfer-${Date.now()}-${Math.random()}` });
  const store = createCartStore({ items: db.items, device });
  await store.ready;
  return { db, store, close: async () => { store.close(); await db.close(); } };
}

export async function benchTransfer(size = 10_000, sample = 200) {
  const indexedDB = new IDBFactory();
  const file: CartExport = { format: 'tote-cart', version: 1, exportedAt: Date.now(), lists: [], items: Array.from({ length: size }, (_, i) => transferItem(i)) };
  const text = JSON.stringify(file);

  const target = await openStore(indexedDB);
  let start = performance.now();
  const parsed = parseCartExport(text);
  const parseMs = performance.now() - start;
  start = performance.now();
  const plan = planImport(target.store.getState(), parsed.items);
  const planMs = performance.now() - start;
  start = performance.now();
  await target.store.dispatch(plan.command);
  const importMs = performance.now() - start;
  if (selectItems(target.store.getState()).length !== size) throw new Error('the import did not add every item');
  start = performance.now();
  const again = planImport(target.store.getState(), parsed.items);
  await target.store.dispatch(again.command);
  const reimportMs = performance.now() - start;
  if (again.added.length !== 0) throw new Error('the second import added items');

  start = performance.now();
  const json = exportJson(target.store.getState(), Date.now());
  const exportJsonMs = performance.now() - start;
  start = performance.now();
  const csv = exportCsv(target.store.getState());
  const exportCsvMs = performance.now() - start;
  await target.close();

  // The alternative: the same items added one at a time, into a fresh cart.
  const byHand = await openStore(indexedDB);
  start = performance.now();
  for (let i = 0; i < sample; i += 1) await byHand.store.dispatch(cartCommands.add(benchProduct(i), { quantity: 1 + (i % 3) }));
  const addOneMs = (performance.now() - start) / sample;
  await byHand.close();

  return {
    items: size,
    storage: 'storage-dexie over fake-indexeddb (Node)',
    parse_ms: round(parseMs), plan_ms: round(planMs), import_ms: round(importMs), reimport_ms: round(reimportMs),
    import_ms_per_item: round((parseMs + planMs + importMs) / size, 4),
    add_one_by_one_ms_per_item: round(addOneMs, 4),
    export_json_ms: round(exportJsonMs), export_csv_ms: round(exportCsvMs),
    json_bytes_per_item: Math.round(Buffer.byteLength(json) / size), csv_bytes_per_item: Math.round(Buffer.byteLength(csv) / size),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = Number(process.argv[2] ?? 10_000);
  const transfer = await benchTransfer(size);
  console.log(JSON.stringify(transfer, null, 2));
  await mergeResults({ transfer }, {
    'transfer.import_ms_per_item * 5 <= transfer.add_one_by_one_ms_per_item': transfer.import_ms_per_item * 5 <= transfer.add_one_by_one_ms_per_item,
    'transfer.import_ms < 5000': transfer.import_ms < 5000,
  });
}
