/**
 * The store over a real RxDB database, in both storages a device uses: storage-memory, and
 * storage-dexie (the browsers' IndexedDB storage) over fake-indexeddb.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { firstValueFrom } from 'rxjs';
import { filter } from 'rxjs/operators';
import { afterEach, describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { selectItems } from '../cart/cart-selectors.ts';
import { isToteError } from '../errors.ts';
import type { FieldConflict } from '../merge/field-merge.ts';
import { compare, formatHlc, hlc, HLC_MAX_DRIFT_MS, parseHlc } from '../merge/hlc.ts';
import { openCartDatabase, type CartDatabase } from '../persistence/cart-database.ts';
import { ManualClock, product } from '../test/fixtures.ts';
import { createCartStore, type CartStore } from './cart-store.ts';

const storages = {
  memory: () => getRxStorageMemory(),
  // One IndexedDB per test file run, shared across re-opens so persistence across restarts is real.
  dexie: (() => {
    const indexedDB = new IDBFactory();
    return () => getRxStorageDexie({ indexedDB, IDBKeyRange });
  })(),
};

const device = { id: 'laptop', name: 'Laptop' };
const open: { db: CartDatabase; store: CartStore }[] = [];
let dbCounter = 0;

async function openStore(kind: keyof typeof storages, name = `cart-${++dbCounter}`, clock = new ManualClock()) {
  const db = await openCartDatabase({ storage: storages[kind](), name });
  const store = createCartStore({ items: db.items, device, clock });
  await store.ready;
  open.push({ db, store });
  return { db, store, name, clock };
}

afterEach(async () => {
  for (const { db, store } of open.splice(0)) {
    store.close();
    if (!db.closed) await db.close();
  }
});

describe.each(Object.keys(storages) as (keyof typeof storages)[])('cart store on %s storage', (kind) => {
  it('stamps a change after every stamp of its own, one a merge wrote included, even when its clock is a day behind', async () => {
    const { db, store, clock } = await openStore(kind);
    const id = (await store.dispatch(cartCommands.add(product()))).written[0]!.id;
    // A merge on this device kept a change stamped just after another device's, a day ahead of this
    // device's clock (set back a day): the stamp carries this device's id.
    const ahead = hlc(clock.now() + HLC_MAX_DRIFT_MS + 60_000, 1, 'laptop');
    await db.items.findOne(id).incrementalModify((doc) => ({ ...doc, note: 'kept', fieldClocks: { ...doc.fieldClocks, note: formatHlc(ahead) } }));
    await expect.poll(() => store.getState().items[id]?.note).toBe('kept');

    clock.advance(1000);
    // The next change, to another field: stamped after every stamp this device made, so that a change
    // another device makes meanwhile with a stamp between the two cannot beat it.
    await store.dispatch(cartCommands.setQuantity(id, 3));
    const stored = (await db.items.findOne(id).exec())!.toJSON() as { fieldClocks: Record<string, string> };
    expect(compare(parseHlc(stored.fieldClocks.quantity!), ahead)).toBe(1);
  });

  it('writes each action as one document change and shows it at once', async () => {
    const { db, store, clock } = await openStore(kind);
    const { written } = await store.dispatch(cartCommands.add(product(), { quantity: 2 }));
    expect(written).toHaveLength(1);
    const id = written[0]!.id;
    expect(selectItems(store.getState())).toHaveLength(1);
    const stored = await db.items.findOne(id).exec();
    expect(stored?.toJSON()).toMatchObject({ title: 'Red kettle', quantity: 2, addedBy: 'laptop', addedAt: clock.now() });

    clock.advance(60_000);
    await store.dispatch(cartCommands.setQuantity(id, 5));
    expect((await db.items.findOne(id).exec())?.toJSON()).toMatchObject({ quantity: 5, updatedAt: clock.now() });

    await store.dispatch(cartCommands.remove(id));
    expect(selectItems(store.getState())).toHaveLength(0);
    // Soft delete: the document stays, marked, so the removal syncs.
    expect((await db.items.findOne(id).exec())?.toJSON()).toMatchObject({ deleted: true });
  });

  it('refuses bad commands with a typed error and changes nothing', async () => {
    const { db, store } = await openStore(kind);
    await expect(store.dispatch(cartCommands.add(product({ url: 'javascript:alert(1)' })))).rejects.toSatisfy(
      (error: unknown) => isToteError(error, 'INVALID_INPUT'));
    await expect(store.dispatch(cartCommands.setQuantity('missing', 2))).rejects.toSatisfy(
      (error: unknown) => isToteError(error, 'NOT_FOUND'));
    expect(await db.items.count().exec()).toBe(0);
    // The store still works after refusals.
    await store.dispatch(cartCommands.add(product()));
    expect(await db.items.count().exec()).toBe(1);
  });

  it('serialises concurrent dispatches so none is lost', async () => {
    const { store } = await openStore(kind);
    const { written } = await store.dispatch(cartCommands.add(product()));
    const id = written[0]!.id;
    await Promise.all(Array.from({ length: 20 }, () => store.dispatch(cartCommands.add(product()))));
    expect(store.getState().items[id]?.quantity).toBe(21);
  });

  it('shows changes written to the database by someone else (the replication)', async () => {
    const { db, store } = await openStore(kind);
    const { written } = await store.dispatch(cartCommands.add(product()));
    const remote = { ...written[0]!, quantity: 9, updatedBy: 'phone', updatedAt: written[0]!.updatedAt + 1 };
    const seen = firstValueFrom(store.state$.pipe(filter((state) => state.items[remote.id]?.quantity === 9)));
    await db.items.upsert(remote);
    expect((await seen).items[remote.id]?.updatedBy).toBe('phone');
  });

  it('merges an action with another device\'s change that lands while it is written: a cleared item changed there stays, with a notice', async () => {
    const clock = new ManualClock();
    const db = await openCartDatabase({ storage: storages[kind](), name: `cart-${++dbCounter}` });
    const notices: FieldConflict[] = [];
    const store = createCartStore({ items: db.items, device, clock, onConflicts: (found) => notices.push(...found) });
    open.push({ db, store });
    await store.ready;
    const kettle = (await store.dispatch(cartCommands.add(product()))).written[0]!.id;
    const mug = (await store.dispatch(cartCommands.add(product({ url: 'https://other.example/mug', title: 'Mug' })))).written[0]!.id;
    clock.advance(1000);
    // The replication writes the phone's note on the kettle (made before the clear by the clocks, but
    // not seen here) just as the clear is being written.
    const instance = db.items.storageInstance;
    const bulkWrite = instance.bulkWrite.bind(instance);
    let raced = false;
    instance.bulkWrite = async (rows, context) => {
      if (context === 'tote-dispatch' && !raced) {
        raced = true;
        const note = formatHlc(hlc(clock.now() - 500, 0, 'phone'));
        await db.items.findOne(kettle).incrementalModify((doc) => ({
          ...doc, note: 'the blue one', updatedAt: clock.now() - 500, updatedBy: 'phone', fieldClocks: { ...doc.fieldClocks, note },
        }));
      }
      return bulkWrite(rows, context);
    };

    await store.dispatch(cartCommands.clearList('cart'));
    await store.settled();
    expect(raced).toBe(true);
    expect(selectItems(store.getState()).map((item) => [item.title, item.note])).toEqual([['Red kettle', 'the blue one']]);
    expect((await db.items.findOne(kettle).exec())?.toJSON()).toMatchObject({ deleted: false, note: 'the blue one' });
    expect((await db.items.findOne(mug).exec())?.toJSON()).toMatchObject({ deleted: true });
    expect(notices).toMatchObject([{ itemId: kettle, kind: 'delete-vs-edit', resolution: 'delete-vs-edit-kept' }]);
  });
});

describe.each(Object.keys(storages) as (keyof typeof storages)[])('clearing a list on %s storage (clear-journal.ts)', (kind) => {
  /** A store whose clears stop after the journal entry: their item writes fail, as when the app closes. */
  async function interruptedClear(name: string, clock: ManualClock) {
    const db = await openCartDatabase({ storage: storages[kind](), name });
    const store = createCartStore({ items: db.items, device, clock });
    await store.ready;
    const kettle = (await store.dispatch(cartCommands.add(product()))).written[0]!.id;
    const mug = (await store.dispatch(cartCommands.add(product({ url: 'https://other.example/mug', title: 'Mug' })))).written[0]!.id;
    const saved = (await store.dispatch(cartCommands.add(product({ url: 'https://other.example/lamp', title: 'Lamp' }), { listId: 'saved' }))).written[0]!.id;
    clock.advance(1000);
    const instance = db.items.storageInstance;
    const bulkWrite = instance.bulkWrite.bind(instance);
    instance.bulkWrite = async (rows, context) => {
      if (context === 'tote-dispatch' && rows.some((row) => row.document.deleted)) throw new Error('the app was closed');
      return bulkWrite(rows, context);
    };
    await store.dispatch(cartCommands.clearList('cart'));
    expect(selectItems(store.getState(), 'cart')).toEqual([]);
    store.close();
    await store.settled();
    expect((await db.items.findOne(kettle).exec())?.deleted).toBe(false);
    instance.bulkWrite = bulkWrite;
    return { db, kettle, mug, saved };
  }

  it('resolves once the clear is stored, and writes its items right after', async () => {
    const { db, store } = await openStore(kind);
    const ids = [];
    for (let i = 0; i < 5; i += 1) ids.push((await store.dispatch(cartCommands.add(product({ url: `https://shop.example/p/${i}` })))).written[0]!.id);
    const { written } = await store.dispatch(cartCommands.clearList('cart'));
    expect(written.map((item) => item.id).sort()).toEqual([...ids].sort());
    expect(selectItems(store.getState(), 'cart')).toEqual([]);
    await store.settled();
    const docs = await db.items.findByIds(ids).exec();
    expect([...docs.values()].map((doc) => doc.deleted)).toEqual([true, true, true, true, true]);
    expect((await db.getLocal('clear-journal'))?.get('entries')).toEqual([]);
  });

  it('a clear whose items were not written is finished at the next start', async () => {
    const clock = new ManualClock();
    const name = `cart-${++dbCounter}`;
    const first = await interruptedClear(name, clock);
    await first.db.close();
    const again = await openStore(kind, name, clock);
    expect(selectItems(again.store.getState(), 'cart')).toEqual([]);
    expect(selectItems(again.store.getState(), 'saved').map((item) => item.title)).toEqual(['Lamp']);
    const kettle = await again.db.items.findOne(first.kettle).exec();
    expect(kettle?.toJSON()).toMatchObject({ deleted: true, updatedAt: clock.now(), updatedBy: 'laptop' });
    expect((await again.db.getLocal('clear-journal'))?.get('entries')).toEqual([]);
    // A new clear, and the cart's later changes, follow on as usual.
    await again.store.dispatch(cartCommands.clearList('saved'));
    await again.store.settled();
    expect((await again.db.items.findOne(first.saved).exec())?.deleted).toBe(true);
  });

  it('finishing it keeps an item another device changed meanwhile, with a notice (merge rule 7)', async () => {
    const clock = new ManualClock();
    const name = `cart-${++dbCounter}`;
    const first = await interruptedClear(name, clock);
    // The replication wrote the phone's note on the kettle, a change the clearing device had not seen.
    await first.db.items.findOne(first.kettle).incrementalModify((doc) => ({
      ...doc, note: 'the blue one', updatedBy: 'phone', fieldClocks: { ...doc.fieldClocks, note: formatHlc(hlc(clock.now() - 500, 0, 'phone')) },
    }));
    await first.db.close();
    const db = await openCartDatabase({ storage: storages[kind](), name });
    const notices: FieldConflict[] = [];
    const store = createCartStore({ items: db.items, device, clock, onConflicts: (found) => notices.push(...found) });
    open.push({ db, store });
    await store.ready;
    expect(selectItems(store.getState(), 'cart').map((item) => [item.title, item.note])).toEqual([['Red kettle', 'the blue one']]);
    expect((await db.items.findOne(first.mug).exec())?.deleted).toBe(true);
    expect(notices).toMatchObject([{ itemId: first.kettle, kind: 'delete-vs-edit', resolution: 'delete-vs-edit-kept', winner: { device: 'phone' }, loser: { device: 'laptop' } }]);
  });
});

describe.each(Object.keys(storages) as (keyof typeof storages)[])('a command on many items on %s storage (command-journal.ts)', (kind) => {
  async function threeItems(store: CartStore) {
    const ids: string[] = [];
    for (const title of ['Kettle', 'Mug', 'Lamp']) ids.push((await store.dispatch(cartCommands.add(product({ url: `https://shop.example/${title}`, title })))).written[0]!.id);
    return ids;
  }

  /** A store over a database of its own holding three items, and its items' storage write (for a test to replace). */
  async function openWithThree(clock: ManualClock) {
    const name = `cart-${++dbCounter}`;
    const db = await openCartDatabase({ storage: storages[kind](), name });
    const store = createCartStore({ items: db.items, device, clock });
    await store.ready;
    const ids = await threeItems(store);
    const instance = db.items.storageInstance;
    return { name, db, store, ids, instance, bulkWrite: instance.bulkWrite.bind(instance) };
  }

  it('leaves nothing in the journal once its items are written', async () => {
    const { db, store } = await openStore(kind);
    const ids = await threeItems(store);
    await store.dispatch(cartCommands.moveMany(ids, 'saved'));
    expect(selectItems(store.getState(), 'saved')).toHaveLength(3);
    await expect.poll(async () => (await db.getLocal('command-journal'))?.get('entries')).toEqual([]);
  });

  it('stopped after some of its items were written, is finished at the next start', async () => {
    const clock = new ManualClock();
    const { name, db, store, ids, instance, bulkWrite } = await openWithThree(clock);
    clock.advance(1000);
    // The app stops inside the command: one item written (as when the others' write was refused and
    // merged after), the rest never.
    instance.bulkWrite = async (rows, context) => {
      if (context !== 'tote-dispatch' || rows.length < 2) return bulkWrite(rows, context);
      await bulkWrite(rows.slice(0, 1), context);
      store.close();
      throw new Error('the app was closed');
    };
    await expect(store.dispatch(cartCommands.moveMany(ids, 'saved'))).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    instance.bulkWrite = bulkWrite;
    const docs = await db.items.findByIds(ids).exec();
    expect([...docs.values()].map((doc) => doc.listId).sort()).toEqual(['cart', 'cart', 'saved']);
    await db.close();

    const again = await openStore(kind, name, clock);
    expect(selectItems(again.store.getState(), 'saved').map((item) => item.title).sort()).toEqual(['Kettle', 'Lamp', 'Mug']);
    const stored = await again.db.items.findByIds(ids).exec();
    expect([...stored.values()].map((doc) => [doc.listId, doc.updatedAt])).toEqual(ids.map(() => ['saved', clock.now()]));
    expect((await again.db.getLocal('command-journal'))?.get('entries')).toEqual([]);
  });

  it('refused by the storage, is not finished later: the shopper was told it was not saved', async () => {
    const clock = new ManualClock();
    const { name, db, store, ids, instance, bulkWrite } = await openWithThree(clock);
    instance.bulkWrite = async (rows, context) => {
      if (context === 'tote-dispatch' && rows.length > 1) throw new Error('disk full');
      return bulkWrite(rows, context);
    };
    await expect(store.dispatch(cartCommands.moveMany(ids, 'saved'))).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    instance.bulkWrite = bulkWrite;
    expect(selectItems(store.getState(), 'cart')).toHaveLength(3);
    store.close();
    await db.close();
    const again = await openStore(kind, name, clock);
    expect(selectItems(again.store.getState(), 'cart')).toHaveLength(3);
    expect(selectItems(again.store.getState(), 'saved')).toEqual([]);
  });
});

describe('cart store on IndexedDB (storage-dexie)', () => {
  it('keeps the cart across a restart of the app', async () => {
    const first = await openStore('dexie', 'restart');
    await first.store.dispatch(cartCommands.add(product()));
    await first.store.dispatch(cartCommands.add(product({ url: 'https://other.example/mug', title: 'Mug' }), { listId: 'saved' }));
    first.store.close();
    await first.db.close();
    const again = await openStore('dexie', 'restart');
    expect(selectItems(again.store.getState(), 'cart').map((item) => item.title)).toEqual(['Red kettle']);
    expect(selectItems(again.store.getState(), 'saved').map((item) => item.title)).toEqual(['Mug']);
  });
});
