/**
 * Cart operations on a 1000-item cart, on the storage the apps use (storage-dexie over IndexedDB;
 * here fake-indexeddb in Node, which is slower than a browser's IndexedDB, so these figures are
 * pessimistic). Single-item ops are timed from dispatch until the write is committed.
 * The baseline is the same data written straight into the same RxDB collection without the store
 * (what a developer would do without the Redux layer): it shows what the store's atomic pattern costs.
 */
import { performance } from 'node:perf_hooks';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { cartCommands, createCartStore, openCartDatabase, type CartItem } from '@tote/core';
import { round, summary } from './stats.ts';

const device = { id: 'bench', name: 'Bench' };
const product = (i: number) => ({
  url: `https://shop-${i % 25}.example/p/${i}`, title: `Product number ${i} with a realistic name`, priceMinor: 1000 + i,
  currency: 'EUR', imageUrl: `https://cdn.shop-${i % 25}.example/img/${i}.jpg`, variant: i % 3 === 0 ? 'Blue / M' : null,
});

export async function benchCart1000(size = 1000, ops = 100) {
  const indexedDB = new IDBFactory();
  const storage = getRxStorageDexie({ indexedDB, IDBKeyRange });
  const name = 'bench-cart';
  let db = await openCartDatabase({ storage, name });
  let store = createCartStore({ items: db.items, device });
  await store.ready;

  const fillStart = performance.now();
  for (let i = 0; i < size; i += 1) await store.dispatch(cartCommands.add(product(i)));
  const fillMs = performance.now() - fillStart;

  const timeOps = async (make: (i: number) => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < ops; i += 1) {
      const start = performance.now();
      await make(i);
      samples.push(performance.now() - start);
    }
    return summary(samples);
  };
  const ids = () => Object.values(store.getState().items).filter((item) => !item.deleted).map((item) => item.id);
  const add = await timeOps((i) => store.dispatch(cartCommands.add(product(size + i))));
  const live = ids();
  const setQuantity = await timeOps((i) => store.dispatch(cartCommands.setQuantity(live[i * 7]!, 2 + (i % 5))));
  const remove = await timeOps((i) => store.dispatch(cartCommands.remove(live[size - 1 - i * 3]!)));

  // Baseline: the same single-item writes straight into the collection.
  const docs = Object.values(store.getState().items) as CartItem[];
  const rawPatch = await timeOps((i) => db.items.upsert({ ...docs[i * 5]!, quantity: 7 + (i % 3), updatedAt: Date.now() }));

  store.close();
  await db.close();
  const loadStart = performance.now();
  db = await openCartDatabase({ storage, name });
  store = createCartStore({ items: db.items, device });
  await store.ready;
  const loadMs = performance.now() - loadStart;
  const loadedItems = ids().length;
  store.close();
  await db.close();

  return {
    items: loadedItems,
    storage: 'storage-dexie over fake-indexeddb (Node)',
    fill_ms_per_item: round(fillMs / size),
    add_p50_ms: add.p50, add_p95_ms: add.p95,
    set_quantity_p50_ms: setQuantity.p50, set_quantity_p95_ms: setQuantity.p95,
    remove_p50_ms: remove.p50, remove_p95_ms: remove.p95,
    raw_rxdb_upsert_p95_ms: rawPatch.p95,
    load_ms: round(loadMs),
  };
}
