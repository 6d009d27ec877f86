/**
 * The 1000-item cart workload, run on whichever RxDB storage it is given: in real Chromium
 * (cart1000-browser.ts, bundled through browser/cart-bench-entry.ts) and in Node (cart1000.ts).
 */
import type { RxStorage } from 'rxdb';
import { cartCommands, createCartStore, openCartDatabase, type CartItem } from '@tote/core';

const device = { id: 'bench', name: 'Bench' };

export const benchProduct = (i: number) => ({
  url: `https://shop-${i % 25}.example/p/${i}`, title: `Product number ${i} with a realistic name`, priceMinor: 1000 + i,
  currency: 'EUR', imageUrl: `https://cdn.shop-${i % 25}.example/img/${i}.jpg`, variant: i % 3 === 0 ? 'Blue / M' : null,
});

export interface Percentiles { p50: number; p95: number }

export interface CartWorkloadFigures {
  fillMs: number;
  add: Percentiles; setQuantity: Percentiles; remove: Percentiles;
  /** The same single-item write straight into the collection, without the store. */
  raw: Percentiles;
  /** Clearing the whole cart list in one action: until the clear is stored (the dispatch resolves). */
  clearMs: number;
  /** The same clear until every cleared item is written too (store.settled()). */
  clearSettledMs: number;
  remaining: number;
  /** Re-opening the database and store just after the writes above. */
  loadMs: number;
  /** Re-opening it once more: an app start once the storage has settled. */
  reloadMs: number;
  loaded: number;
  /** Bytes the storage holds after the fill, where the platform can tell. */
  usageAfterFill: number | null;
}

function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: at(50), p95: at(95) };
}

export async function runCartWorkload(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  storage: RxStorage<any, any>, size: number, ops: number, measureUsage?: () => Promise<number>,
): Promise<CartWorkloadFigures> {
  const name = `bench-${Date.now()}`;
  let db = await openCartDatabase({ storage, name });
  let store = createCartStore({ items: db.items, device });
  await store.ready;
  const fillStart = performance.now();
  for (let i = 0; i < size; i += 1) await store.dispatch(cartCommands.add(benchProduct(i)));
  const fillMs = performance.now() - fillStart;
  const usageAfterFill = measureUsage ? await measureUsage() : null;

  const time = async (make: (i: number) => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < ops; i += 1) {
      const start = performance.now();
      await make(i);
      samples.push(performance.now() - start);
    }
    return percentiles(samples);
  };
  const live = () => Object.values(store.getState().items).filter((item) => !item.deleted).map((item) => item.id);
  const add = await time((i) => store.dispatch(cartCommands.add(benchProduct(size + i))));
  const ids = live();
  const setQuantity = await time((i) => store.dispatch(cartCommands.setQuantity(ids[i * 7]!, 2 + (i % 5))));
  const remove = await time((i) => store.dispatch(cartCommands.remove(ids[size - 1 - i * 3]!)));
  const docs = Object.values(store.getState().items) as CartItem[];
  const raw = await time((i) => db.items.upsert({ ...docs[i * 5]!, quantity: 7 + (i % 3), updatedAt: Date.now() }));
  const clearStart = performance.now();
  await store.dispatch(cartCommands.clearList('cart'));
  const clearMs = performance.now() - clearStart;
  await store.settled();
  const clearSettledMs = performance.now() - clearStart;
  const remaining = live().length;
  if ((await db.items.find().exec()).some((doc) => doc.listId === 'cart' && !doc.deleted)) {
    throw new Error('the cleared items were not written');
  }

  store.close();
  await db.close();
  const loadStart = performance.now();
  db = await openCartDatabase({ storage, name });
  store = createCartStore({ items: db.items, device });
  await store.ready;
  const loadMs = performance.now() - loadStart;
  const loaded = Object.keys(store.getState().items).length;
  store.close();
  await db.close();
  const reloadStart = performance.now();
  db = await openCartDatabase({ storage, name });
  store = createCartStore({ items: db.items, device });
  await store.ready;
  const reloadMs = performance.now() - reloadStart;
  store.close();
  await db.remove();
  return { fillMs, add, setQuantity, remove, raw, clearMs, clearSettledMs, remaining, loadMs, reloadMs, loaded, usageAfterFill };
}
