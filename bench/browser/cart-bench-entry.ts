/**
 * Runs inside real Chromium: the 1000-item cart on the apps' production storage (storage-dexie over
 * the browser's IndexedDB). Bundled and loaded by bench/cart1000-browser.ts.
 */
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { cartCommands, createCartStore, openCartDatabase, type CartItem } from '@tote/core';

const device = { id: 'bench', name: 'Bench' };
const product = (i: number) => ({
  url: `https://shop-${i % 25}.example/p/${i}`, title: `Product number ${i} with a realistic name`, priceMinor: 1000 + i,
  currency: 'EUR', imageUrl: `https://cdn.shop-${i % 25}.example/img/${i}.jpg`, variant: i % 3 === 0 ? 'Blue / M' : null,
});

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function run(size: number, ops: number) {
  const storage = getRxStorageDexie();
  const name = `bench-${Date.now()}`;
  let db = await openCartDatabase({ storage, name });
  let store = createCartStore({ items: db.items, device });
  await store.ready;
  const fillStart = performance.now();
  for (let i = 0; i < size; i += 1) await store.dispatch(cartCommands.add(product(i)));
  const fillMs = performance.now() - fillStart;
  const usageAfterFill = (await navigator.storage.estimate()).usage ?? 0;

  const time = async (make: (i: number) => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < ops; i += 1) {
      const start = performance.now();
      await make(i);
      samples.push(performance.now() - start);
    }
    return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
  };
  const live = () => Object.values(store.getState().items).filter((item) => !item.deleted).map((item) => item.id);
  const add = await time((i) => store.dispatch(cartCommands.add(product(size + i))));
  const ids = live();
  const setQuantity = await time((i) => store.dispatch(cartCommands.setQuantity(ids[i * 7]!, 2 + (i % 5))));
  const remove = await time((i) => store.dispatch(cartCommands.remove(ids[size - 1 - i * 3]!)));
  const docs = Object.values(store.getState().items) as CartItem[];
  const raw = await time((i) => db.items.upsert({ ...docs[i * 5]!, quantity: 7 + (i % 3), updatedAt: Date.now() }));
  // A whole-cart operation: clear the cart list (every remaining item in one action).
  const clearStart = performance.now();
  await store.dispatch(cartCommands.clearList('cart'));
  const clearMs = performance.now() - clearStart;
  const remaining = live().length;

  store.close();
  await db.close();
  const loadStart = performance.now();
  db = await openCartDatabase({ storage, name });
  store = createCartStore({ items: db.items, device });
  await store.ready;
  const loadMs = performance.now() - loadStart;
  const loaded = Object.keys(store.getState().items).length;
  store.close();
  await db.remove();
  return { fillMs, add, setQuantity, remove, raw, clearMs, remaining, loadMs, loaded, usageAfterFill };
}

(globalThis as unknown as { runCartBench: typeof run }).runCartBench = run;
