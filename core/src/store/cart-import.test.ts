/**
 * An import through the store over a real RxDB database (storage-memory): one action, one bulk write,
 * kept across a restart, and undone in one write too (docs/cart-manager.md, "Export and import").
 */
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { selectItems } from '../cart/cart-selectors.ts';
import { exportJson, parseCartExport, planImport } from '../cart/cart-transfer.ts';
import { openCartDatabase, type CartDatabase } from '../persistence/cart-database.ts';
import { ManualClock, product } from '../test/fixtures.ts';
import { createCartStore, type CartStore } from './cart-store.ts';

const storage = getRxStorageMemory();
const open: { db: CartDatabase; store: CartStore }[] = [];

async function openStore(name: string, id = 'laptop') {
  const db = await openCartDatabase({ storage, name });
  const store = createCartStore({ items: db.items, device: { id, name: id }, clock: new ManualClock() });
  await store.ready;
  open.push({ db, store });
  return { db, store };
}

afterEach(async () => {
  for (const { db, store } of open.splice(0)) {
    store.close();
    if (!db.closed) await db.close();
  }
});

describe('importing through the store', () => {
  it('writes the whole import in one bulk write, keeps it across a restart, and undoes it in one write', async () => {
    const source = await openStore('import-source', 'phone');
    for (let i = 0; i < 30; i += 1) await source.store.dispatch(cartCommands.add(product({ url: `https://shop.example/p/${i}`, title: `Thing ${i}` })));
    const file = parseCartExport(exportJson(source.store.getState(), 1));

    const target = await openStore('import-target');
    const bulks: number[] = [];
    const subscription = target.db.items.eventBulks$.subscribe((bulk) => bulks.push(bulk.events.length));
    const plan = planImport(target.store.getState(), file.items);
    const result = await target.store.dispatch(plan.command);
    expect(result.written).toHaveLength(30);
    expect(bulks).toEqual([30]);
    expect(selectItems(target.store.getState()).map((item) => item.title)).toEqual(selectItems(source.store.getState()).map((item) => item.title));

    await target.store.dispatch(plan.undo);
    expect(bulks).toEqual([30, 30]);
    expect(selectItems(target.store.getState())).toHaveLength(0);
    subscription.unsubscribe();

    // Imported again after the undo: the removed items come back, and stay across a restart.
    await target.store.dispatch(planImport(target.store.getState(), file.items).command);
    target.store.close();
    await target.db.close();
    const reopened = await openStore('import-target');
    expect(selectItems(reopened.store.getState())).toHaveLength(30);
    expect((await reopened.store.dispatch(planImport(reopened.store.getState(), file.items).command)).written).toHaveLength(0);
  });

  it('refuses an import holding a bad item and writes nothing', async () => {
    const { store } = await openStore('import-bad');
    await expect(store.dispatch({ type: 'items/import', items: [{ id: 'x' }] } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(selectItems(store.getState())).toHaveLength(0);
  });
});
