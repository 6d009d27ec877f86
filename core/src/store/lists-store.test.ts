/**
 * Lists of one's own through the store on a real RxDB database (storage-dexie over fake-indexeddb):
 * each list command is one write of one list record, in history, and survives reopening.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { queryCart } from '../cart/cart-query.ts';
import { LIST_RECORD } from '../cart/cart-types.ts';
import { isToteError } from '../errors.ts';
import { timeline } from '../history/timeline.ts';
import { openCartDatabase, type CartDatabase } from '../persistence/cart-database.ts';
import { ManualClock, product } from '../test/fixtures.ts';
import { createCartStore, type CartStore } from './cart-store.ts';
import { createHistoryLog } from './history-log.ts';

const indexedDB = new IDBFactory();
const device = { id: 'laptop', name: 'Laptop' };
const open: { db: CartDatabase; store: CartStore }[] = [];

async function openStore(name: string, clock = new ManualClock()) {
  const db = await openCartDatabase({ storage: getRxStorageDexie({ indexedDB, IDBKeyRange }), name });
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

describe('lists in the store', () => {
  it('creates, renames, deletes and brings back a list, each one write of its record, each a point in history, kept after reopening', async () => {
    const { db, store, history, clock } = await openStore('lists-1');
    clock.advance(1_000);
    const { written: [list] } = await store.dispatch(cartCommands.createList('Garden'));
    const rake = (await store.dispatch(cartCommands.add(product({ title: 'Rake' }), { listId: list!.id }))).written[0]!;
    clock.advance(1_000);
    await store.dispatch(cartCommands.renameList(list!.id, 'Garden tools'));
    clock.advance(1_000);
    const deleted = await store.dispatch(cartCommands.deleteList(list!.id));
    expect(deleted.written.map((doc) => doc.id)).toEqual([list!.id]);
    expect(queryCart(store.getState(), { listId: 'cart' }).items.map((item) => item.id)).toEqual([rake.id]);
    clock.advance(1_000);
    await store.dispatch(cartCommands.restoreList(list!.id));
    const records = await db.items.find({ selector: { listId: LIST_RECORD } }).exec();
    expect(records.map((doc) => [doc.title, doc.deleted])).toEqual([['Garden tools', false]]);

    // Restoring history to a moment before a delete brings the list back as it stood.
    clock.advance(60_000);
    const before = clock.now();
    clock.advance(60_000);
    await store.dispatch(cartCommands.deleteList(list!.id));
    expect(store.getState().lists).toHaveLength(2);
    clock.advance(60_000);
    await store.restore(before);
    expect(store.getState().lists.map((found) => found.name)).toEqual(['Cart', 'Saved for later', 'Garden tools']);

    // A deleted list cannot come back while another list took its name.
    await store.dispatch(cartCommands.deleteList(list!.id));
    const { written: [taken] } = await store.dispatch(cartCommands.createList('GARDEN tools'));
    await expect(store.dispatch(cartCommands.restoreList(list!.id))).rejects.toThrow('"Garden tools" cannot come back while another list is called "GARDEN tools". Rename that list first.');
    await store.dispatch(cartCommands.deleteList(taken!.id));
    await store.dispatch(cartCommands.restoreList(list!.id));

    await expect(store.dispatch(cartCommands.createList('garden TOOLS'))).rejects.toSatisfy((error) => isToteError(error, 'INVALID_INPUT'));

    await store.historySettled();
    const { entries } = await history.read();
    const texts = timeline(entries, { thisDevice: 'laptop' }).flatMap((point) => point.changes.map((change) => `${change.title}: ${change.text}`));
    expect(texts).toContain('Garden tools: list renamed');
    expect(texts.filter((text) => text === 'Garden tools: list brought back')).toHaveLength(3);
    expect(texts).toContain('Garden: list created');

    store.close();
    await db.close();
    const again = await openStore('lists-1');
    expect(again.store.getState().lists.map((found) => found.name)).toEqual(['Cart', 'Saved for later', 'Garden tools']);
    expect(queryCart(again.store.getState(), { listId: list!.id }).items.map((item) => item.title)).toEqual(['Rake']);
  });
});
