/**
 * A large cart opens from its snapshot, and the rows decide (cart-snapshot.ts): over a real RxDB
 * database on storage-dexie (the browsers' IndexedDB storage, on fake-indexeddb), reopened as a restart.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import type { CartState } from '../cart/cart-types.ts';
import { openCartDatabase, type CartDatabase } from '../persistence/cart-database.ts';
import { ManualClock, product } from '../test/fixtures.ts';
import { createCartStore, type CartStore, type CartStoreOptions } from './cart-store.ts';
import { SNAPSHOT_ID } from './cart-snapshot.ts';

const indexedDB = new IDBFactory();
const storage = () => getRxStorageDexie({ indexedDB, IDBKeyRange });
const device = { id: 'laptop', name: 'Laptop' };
const open: { db: CartDatabase; store: CartStore }[] = [];
let counter = 0;

/** Each step the store tells, with the titles its state shows at that moment. */
type Steps = [string, string[]][];

const titles = (state: CartState) => Object.values(state.items).filter((item) => !item.deleted).map((item) => item.title).sort();

async function openStore(name: string, options: Partial<CartStoreOptions> = {}) {
  const db = await openCartDatabase({ storage: storage(), name });
  const steps: Steps = [];
  let store: CartStore | null = null;
  store = createCartStore({
    items: db.items, device, clock: new ManualClock(), snapshotFromItems: 3, snapshotDelayMs: 10,
    mark: (step) => steps.push([step, store ? titles(store.getState()) : []]), ...options,
  });
  open.push({ db, store });
  return { db, store, steps };
}

async function close({ db, store }: { db: CartDatabase; store: CartStore }) {
  await store.flush();
  store.close();
  await db.close();
}

afterEach(async () => {
  for (const { db, store } of open.splice(0)) {
    store.close();
    if (!db.closed) await db.close();
  }
});

const add = (store: CartStore, title: string) => store.dispatch(cartCommands.add(product({ title, url: `https://shop.example/p/${encodeURIComponent(title)}` })));

describe('the cart snapshot', () => {
  it('shows a large cart from its snapshot before the rows are read, and a change made then waits for them', async () => {
    const name = `snap-${++counter}`;
    const first = await openStore(name);
    await first.store.ready;
    for (const title of ['Lamp', 'Mug', 'Rug', 'Vase']) await add(first.store, title);
    await close(first);

    const again = await openStore(name);
    await again.store.shown;
    expect(titles(again.store.getState())).toEqual(['Lamp', 'Mug', 'Rug', 'Vase']);
    const added = add(again.store, 'Chair'); // given while only the snapshot is shown
    await again.store.ready;
    expect(again.steps.map(([step]) => step)).toEqual(['tote:snapshot-shown', 'tote:items-read', 'tote:state-built']);
    expect(again.steps[0]![1]).toEqual(['Lamp', 'Mug', 'Rug', 'Vase']); // shown before a row was read
    await added;
    expect(titles(again.store.getState())).toEqual(['Chair', 'Lamp', 'Mug', 'Rug', 'Vase']);
    expect((await again.db.items.find().exec()).length).toBe(5);
  });

  it('a snapshot missing the last changes opens with them: the rows written after it are read with it', async () => {
    const name = `snap-${++counter}`;
    const first = await openStore(name);
    await first.store.ready;
    const ids = [];
    for (const title of ['Lamp', 'Mug', 'Rug', 'Vase']) ids.push((await add(first.store, title)).written[0]!.id);
    await close(first);
    // Changes the snapshot never saw (the device stopped before writing it): written to the rows alone.
    const db = await openCartDatabase({ storage: storage(), name });
    await db.items.findOne(ids[0]!).incrementalPatch({ title: 'Desk lamp' });
    await db.items.findOne(ids[1]!).incrementalPatch({ deleted: true });
    await db.close();

    const again = await openStore(name);
    await again.store.shown;
    expect(again.steps[0]).toEqual(['tote:snapshot-shown', ['Desk lamp', 'Rug', 'Vase']]);
    const shown = again.store.getState();
    await again.store.ready;
    expect(again.store.getState()).toBe(shown); // the rows held exactly what was shown: nothing changes
    // And the snapshot is brought up to date: the next start shows the rows' cart at once.
    await close(again);
    const third = await openStore(name);
    await third.store.shown;
    expect(third.steps[0]).toEqual(['tote:snapshot-shown', ['Desk lamp', 'Rug', 'Vase']]);
  });

  it('keeps no snapshot for a small cart, and removes one a larger cart left', async () => {
    const name = `snap-${++counter}`;
    const first = await openStore(name);
    await first.store.ready;
    const ids = [];
    for (const title of ['Lamp', 'Mug']) ids.push((await add(first.store, title)).written[0]!.id);
    await first.store.flush();
    expect(await first.db.getLocal(SNAPSHOT_ID) === null).toBe(true);
    await add(first.store, 'Rug');
    await first.store.flush();
    expect(await first.db.getLocal(SNAPSHOT_ID) === null).toBe(false);
    // Removed items stay documents (soft delete): a cart that grew stays that size. A larger size for a
    // snapshot makes these three documents a small cart.
    await close(first);
    const smaller = await openStore(name, { snapshotFromItems: 4 });
    await smaller.store.shown;
    expect(smaller.steps[0]![0]).toBe('tote:snapshot-shown');
    await smaller.store.ready;
    await smaller.store.flush();
    expect(await smaller.db.getLocal(SNAPSHOT_ID) === null).toBe(true);
    await close(smaller);
    const last = await openStore(name, { snapshotFromItems: 4 });
    await last.store.ready;
    expect(last.steps.map(([step]) => step)).toEqual(['tote:items-read', 'tote:state-built']);
    expect(titles(last.store.getState())).toEqual(['Lamp', 'Mug', 'Rug']);
  });

  it('opens from the rows when the snapshot is damaged or of another layout', async () => {
    const name = `snap-${++counter}`;
    const first = await openStore(name);
    await first.store.ready;
    for (const title of ['Lamp', 'Mug', 'Rug']) await add(first.store, title);
    await close(first);
    for (const damaged of [{ v: 1, fields: ['id'], rows: '[]' }, { v: 2, rows: '[]' }, { v: 1, rows: '[[' }, 'nothing']) {
      const db = await openCartDatabase({ storage: storage(), name });
      const kept = (await db.getLocal<{ fields: string[] }>(SNAPSHOT_ID))?.get('fields') as string[] | undefined;
      const data = typeof damaged === 'string' ? { v: 1, fields: kept, rows: JSON.stringify([[1, 2, 3]]) } : damaged;
      await db.upsertLocal(SNAPSHOT_ID, data);
      await db.close();
      const again = await openStore(name);
      await again.store.ready;
      expect(again.steps.map(([step]) => step)).toEqual(['tote:items-read', 'tote:state-built']);
      expect(titles(again.store.getState())).toEqual(['Lamp', 'Mug', 'Rug']);
      await close(again); // writes a good snapshot again
    }
  });

  it('a document written while the rows are read keeps the version written, not the one read', async () => {
    const name = `snap-${++counter}`;
    const first = await openStore(name, { snapshotFromItems: 100 });
    await first.store.ready;
    const id = (await add(first.store, 'Lamp')).written[0]!.id;
    await close(first);

    const db = await openCartDatabase({ storage: storage(), name });
    const query = db.items.storageInstance.query.bind(db.items.storageInstance);
    let written = false;
    db.items.storageInstance.query = async (prepared) => {
      const read = await query(prepared);
      if (!written) {
        // The replication writes a newer version after the rows were read, before they are handed over.
        written = true;
        await db.items.findOne(id).incrementalPatch({ title: 'Desk lamp' });
        await db.items.insert({ ...(await db.items.findOne(id).exec())!.toMutableJSON(), id: 'pulled-1', title: 'Vase' });
      }
      return read;
    };
    const store = createCartStore({ items: db.items, device, clock: new ManualClock() });
    open.push({ db, store });
    await store.ready;
    expect(titles(store.getState())).toEqual(['Desk lamp', 'Vase']);
    const result = await store.dispatch(cartCommands.setQuantity(id, 2));
    expect(result.written[0]!.title).toBe('Desk lamp'); // made on the stored version: no conflict with itself
  });
});
