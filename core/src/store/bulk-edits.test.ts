/**
 * Bulk edits through the store on a real RxDB database (storage-dexie over fake-indexeddb): one
 * action is one write, one history point and one undo (docs/cart-manager.md, "Bulk edits").
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { selectItems } from '../cart/cart-selectors.ts';
import { isToteError } from '../errors.ts';
import { timeline } from '../history/timeline.ts';
import { openCartDatabase, type CartDatabase } from '../persistence/cart-database.ts';
import { ManualClock, product } from '../test/fixtures.ts';
import { createCartStore, type CartStore } from './cart-store.ts';
import { createHistoryLog } from './history-log.ts';

const indexedDB = new IDBFactory();
const device = { id: 'laptop', name: 'Laptop' };
const open: { db: CartDatabase; store: CartStore }[] = [];
let counter = 0;

async function openStore(clock = new ManualClock()) {
  const db = await openCartDatabase({ storage: getRxStorageDexie({ indexedDB, IDBKeyRange }), name: `bulk-${++counter}` });
  const history = createHistoryLog(db.history, device);
  const store = createCartStore({ items: db.items, device, clock, history });
  await store.ready;
  open.push({ db, store });
  return { db, store, history, clock };
}

afterEach(async () => {
  for (const { db, store } of open.splice(0)) {
    await store.historySettled();
    store.close();
    if (!db.closed) await db.close();
  }
});

async function fill(store: CartStore, clock: ManualClock, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    clock.advance(1_000);
    ids.push((await store.dispatch(cartCommands.add(product({ url: `https://shop.example/p/${i}`, title: `Item ${i}` })))).written[0]!.id);
  }
  return ids;
}

describe('bulk edits in the store', () => {
  it('moves many items in one stored write that shows as one point in history', async () => {
    const { db, store, history, clock } = await openStore();
    const ids = await fill(store, clock, 5);
    clock.advance(60_000);
    const { written } = await store.dispatch(cartCommands.moveMany(ids.slice(0, 4), 'saved'));
    expect(written).toHaveLength(4);
    const stored = await db.items.find().exec();
    expect(stored.filter((doc) => doc.listId === 'saved').map((doc) => doc.id).sort()).toEqual(ids.slice(0, 4).sort());
    await store.historySettled();
    const { entries } = await history.read();
    const points = timeline(entries, { thisDevice: 'laptop', lists: { saved: 'Saved for later' } });
    expect(points[0]).toMatchObject({ at: clock.now(), total: 4 });
    expect(points[0]!.changes.every((change) => change.kind === 'moved')).toBe(true);
  });

  it('a bulk removal is undone by bringing back exactly those items', async () => {
    const { db, store, clock } = await openStore();
    const ids = await fill(store, clock, 6);
    await store.dispatch(cartCommands.setQuantityOfMany(ids.slice(0, 3), 3));
    const removedIds = ids.slice(1, 5);
    await store.dispatch(cartCommands.removeMany(removedIds));
    expect(selectItems(store.getState()).map((item) => item.id)).toEqual([ids[0], ids[5]]);
    await store.dispatch(cartCommands.bringBack(removedIds));
    const back = selectItems(store.getState());
    expect(back.map((item) => item.id)).toEqual(ids);
    expect(back.map((item) => item.quantity)).toEqual([3, 3, 3, 1, 1, 1]);
    expect((await db.items.find().exec()).filter((doc) => !doc.deleted)).toHaveLength(6);
  });

  it('a bulk quantity change is undone in one write, each item back to its own quantity', async () => {
    const { db, store, clock } = await openStore();
    const ids = await fill(store, clock, 4);
    await store.dispatch(cartCommands.setQuantity(ids[1]!, 2));
    const before = selectItems(store.getState()).map(({ id, quantity }) => ({ id, quantity }));
    await store.dispatch(cartCommands.setQuantityOfMany(ids.slice(0, 3), 7));
    expect(selectItems(store.getState()).map((item) => item.quantity)).toEqual([7, 7, 7, 1]);
    const bulks: number[] = [];
    const subscription = db.items.eventBulks$.subscribe((bulk) => bulks.push(bulk.events.length));
    const { written } = await store.dispatch(cartCommands.restoreQuantities(before));
    subscription.unsubscribe();
    expect(written).toHaveLength(3);
    expect(bulks).toEqual([3]);
    expect(selectItems(store.getState()).map((item) => item.quantity)).toEqual([1, 2, 1, 1]);
    expect((await db.items.find().exec()).map((doc) => doc.quantity).sort()).toEqual([1, 1, 1, 2]);
  });

  it('refuses putting back a quantity the core would refuse, with a typed error, and changes nothing', async () => {
    const { store, clock } = await openStore();
    const ids = await fill(store, clock, 2);
    const before = store.getState();
    const refused = await store.dispatch(cartCommands.restoreQuantities([{ id: ids[0]!, quantity: 2 }, { id: ids[1]!, quantity: 0 }])).catch((error: unknown) => error);
    expect(isToteError(refused, 'INVALID_INPUT')).toBe(true);
    expect(store.getState()).toBe(before);
  });

  it('refuses a selection whose items are all gone, and changes nothing', async () => {
    const { store, clock } = await openStore();
    const ids = await fill(store, clock, 2);
    await store.dispatch(cartCommands.removeMany(ids));
    const before = store.getState();
    const refused = await store.dispatch(cartCommands.setQuantityOfMany(ids, 2)).catch((error: unknown) => error);
    expect(isToteError(refused, 'NOT_FOUND')).toBe(true);
    expect((refused as Error).message).toBe('None of the selected items is still in your cart. They may have been removed on another device.');
    expect(store.getState()).toBe(before);
  });
});
