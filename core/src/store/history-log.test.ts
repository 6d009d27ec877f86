/**
 * History recorded by the store into the history collection, and restore through the store, on a real
 * RxDB database (storage-memory and storage-dexie over fake-indexeddb) with a controllable clock.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import type { CartState } from '../cart/cart-types.ts';
import { isToteError } from '../errors.ts';
import { createKeyring } from '../crypto/keyring.ts';
import { webCrypto } from '../crypto/test/fixtures.ts';
import { formatHlc, hlc, tryParseHlc } from '../merge/hlc.ts';
import { encodeBatch } from '../history/history-batch.ts';
import { encryptedStorage } from '../persistence/encrypted-storage.ts';
import { historySchema } from '../persistence/history-schema.ts';
import { itemMigrations, itemSchema } from '../persistence/item-schema.ts';
import { addRxPlugin, createRxDatabase, type RxJsonSchema } from 'rxdb';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { openCartDatabase, type CartDatabase } from '../persistence/cart-database.ts';
import { ManualClock, product } from '../test/fixtures.ts';
import { createCartStore, type CartStore } from './cart-store.ts';
import { entriesForWrite } from '../history/history-entry.ts';
import { randomCommand } from '../history/test/random-commands.ts';
import { randomSource, RecordingCart } from '../history/test/recording-cart.ts';
import type { ClockedItem } from '../merge/item-clocks.ts';
import { batchDocuments, createHistoryLog, type WrittenDocument } from './history-log.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const storages = {
  memory: () => getRxStorageMemory(),
  dexie: (() => {
    const indexedDB = new IDBFactory();
    return () => getRxStorageDexie({ indexedDB, IDBKeyRange });
  })(),
};
const device = { id: 'laptop', name: 'Laptop' };
const open: { db: CartDatabase; store: CartStore }[] = [];
let counter = 0;

async function openStore(kind: keyof typeof storages, clock: ManualClock, name = `history-${++counter}`) {
  const db = await openCartDatabase({ storage: storages[kind](), name });
  const history = createHistoryLog(db.history, device);
  const problems: unknown[] = [];
  const store = createCartStore({ items: db.items, device, clock, history, onHistoryError: (error) => problems.push(error) });
  await store.ready;
  open.push({ db, store });
  return { db, store, history, problems, name };
}

afterEach(async () => {
  for (const { db, store } of open.splice(0)) {
    await store.historySettled();
    store.close();
    if (!db.closed) await db.close();
  }
});

/** What the shopper sees: each visible item's shopper fields, by title. */
function visible(state: CartState): Record<string, { quantity: number; note: string; listId: string }> {
  const out: Record<string, { quantity: number; note: string; listId: string }> = {};
  for (const item of Object.values(state.items)) {
    if (!item.deleted) out[item.title] = { quantity: item.quantity, note: item.note, listId: item.listId };
  }
  return out;
}

async function add(store: CartStore, ...args: Parameters<typeof product>): Promise<string> {
  return (await store.dispatch(cartCommands.add(product(...args)))).written[0]!.id;
}

async function settle(store: CartStore) {
  await store.historySettled();
}

describe.each(Object.keys(storages) as (keyof typeof storages)[])('history on %s storage', (kind) => {
  it('records every change of the shopper once, the writes of an hour in one batch document', async () => {
    const clock = new ManualClock();
    const { store, history, db } = await openStore(kind, clock);
    const id = await add(store, { title: 'Kettle' });
    clock.advance(MINUTE);
    await store.dispatch(cartCommands.setQuantity(id, 3));
    clock.advance(MINUTE);
    await store.dispatch(cartCommands.setNote(id, 'for Anna'));
    await settle(store);
    const { entries, damaged } = await history.read();
    expect(damaged).toBe(0);
    expect(entries).toHaveLength(3);
    expect(entries.map((entry) => entry.changes)).toEqual(expect.arrayContaining([{ quantity: 3 }, { note: 'for Anna' }]));
    expect(await db.history.count().exec()).toBe(1);
    clock.advance(HOUR);
    await store.dispatch(cartCommands.setQuantity(id, 4));
    await settle(store);
    expect(await db.history.count().exec()).toBe(2); // the window closed: a new batch
    expect((await history.read()).entries).toHaveLength(4);
    const usage = await history.usage();
    expect(usage.changes).toBe(4);
    expect(usage.bytes).toBeGreaterThan(100);
    expect(usage.since).toBe(clock.now() - HOUR - 2 * MINUTE);
  });

  it('restores the cart of any minute, and undoes the restore exactly', async () => {
    const clock = new ManualClock();
    const { store } = await openStore(kind, clock);
    const snapshots: { at: number; cart: ReturnType<typeof visible> }[] = [];
    const ids: string[] = [];
    const titles = ['Kettle', 'Lamp', 'Rug', 'Mug'];
    for (let day = 0; day < 20; day += 1) {
      clock.advance(DAY);
      const title = titles[day % titles.length]!;
      if (day < 4) {
        ids.push(await add(store, { title, url: `https://shop.example/${title}` }));
      } else {
        const id = ids[day % ids.length]!;
        const item = store.getState().items[id]!;
        if (day % 5 === 0 && !item.deleted) await store.dispatch(cartCommands.remove(id));
        else if (item.deleted) await store.dispatch(cartCommands.add(product({ title: `${title} ${day}`, url: `https://shop.example/${title}/${day}` })));
        else await store.dispatch(cartCommands.setQuantity(id, day));
      }
      clock.advance(30 * MINUTE);
      snapshots.push({ at: clock.now(), cart: visible(store.getState()) });
    }
    clock.advance(DAY);
    const before = visible(store.getState());
    for (const snapshot of [snapshots[3]!, snapshots[11]!, snapshots[7]!]) {
      const result = await store.restore(snapshot.at);
      await settle(store);
      expect(visible(store.getState())).toEqual(snapshot.cart);
      clock.advance(MINUTE);
      await store.restore(result.undoAt);
      expect(visible(store.getState())).toEqual(before);
      clock.advance(MINUTE);
    }
  });

  it('marks a restore in history with the moment it went back to', async () => {
    const clock = new ManualClock();
    const { store, history } = await openStore(kind, clock);
    await store.dispatch(cartCommands.add(product({ title: 'Kettle' })));
    const kettleOnly = clock.now();
    clock.advance(MINUTE);
    await store.dispatch(cartCommands.add(product({ title: 'Lamp', url: 'https://shop.example/lamp' })));
    clock.advance(MINUTE);
    const result = await store.restore(kettleOnly);
    expect(result).toMatchObject({ to: kettleOnly, removed: 1, changed: 0, broughtBack: 0 });
    await settle(store);
    const { restores } = await history.read();
    expect(restores).toHaveLength(1);
    expect(restores[0]!.to).toBe(kettleOnly);
    expect(restores[0]!.stamp.wall).toBeGreaterThan(result.undoAt);
  });

  it('resolves once the restore is stored and shown, and writes its items right after (restore-journal.ts)', async () => {
    const clock = new ManualClock();
    const { store, history, db } = await openStore(kind, clock);
    const kettle = await add(store, { title: 'Kettle' });
    const kettleOnly = clock.now();
    clock.advance(MINUTE);
    const lamp = await add(store, { title: 'Lamp', url: 'https://shop.example/lamp' });
    await store.dispatch(cartCommands.setQuantity(kettle, 3));
    await settle(store);
    clock.advance(MINUTE);
    // The items' write is held back until the test lets it go.
    const instance = db.items.storageInstance;
    const bulkWrite = instance.bulkWrite.bind(instance);
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    instance.bulkWrite = async (rows, context) => {
      if (context === 'tote-dispatch') await held;
      return bulkWrite(rows, context);
    };
    const result = await store.restore(kettleOnly);
    expect(result).toMatchObject({ changed: 1, removed: 1 });
    expect(visible(store.getState())).toEqual({ Kettle: { quantity: 1, note: '', listId: 'cart' } });
    expect((await db.items.findOne(lamp).exec())?.deleted).toBe(false);
    expect((await db.getLocal('restore-journal'))?.get('entries')).toHaveLength(1);
    release();
    await settle(store);
    instance.bulkWrite = bulkWrite;
    expect((await db.items.findOne(lamp).exec())?.deleted).toBe(true);
    expect((await db.items.findOne(kettle).exec())?.quantity).toBe(1);
    expect((await db.getLocal('restore-journal'))?.get('entries')).toEqual([]);
    expect((await history.read()).restores.map((restore) => restore.to)).toEqual([kettleOnly]);
    // A change to a restored item right after it is made on the written version.
    await store.dispatch(cartCommands.setQuantity(kettle, 2));
    await store.restore(result.undoAt);
    await settle(store);
    expect(visible(store.getState())).toEqual({ Kettle: { quantity: 3, note: '', listId: 'cart' }, Lamp: { quantity: 1, note: '', listId: 'cart' } });
  });

  it('a restore stopped between its journal entry and its items is finished at the next start, its history document included', async () => {
    const clock = new ManualClock();
    const first = await openStore(kind, clock);
    const kettle = await add(first.store, { title: 'Kettle' });
    const kettleOnly = clock.now();
    clock.advance(MINUTE);
    const lamp = await add(first.store, { title: 'Lamp', url: 'https://shop.example/lamp' });
    await first.store.dispatch(cartCommands.setQuantity(kettle, 3));
    await settle(first.store);
    clock.advance(MINUTE);
    // The app is closed (the process killed) once the restore is stored: its items are never written.
    const instance = first.db.items.storageInstance;
    const bulkWrite = instance.bulkWrite.bind(instance);
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => { stop = resolve; });
    instance.bulkWrite = async (rows, context) => {
      if (context !== 'tote-dispatch') return bulkWrite(rows, context);
      await stopped;
      throw new Error('the app was closed');
    };
    const result = await first.store.restore(kettleOnly);
    first.store.close();
    stop();
    await first.store.settled();
    instance.bulkWrite = bulkWrite;
    expect((await first.db.items.findOne(lamp).exec())?.deleted).toBe(false);
    expect((await first.history.read()).restores).toEqual([]);
    await first.db.close();
    if (kind === 'memory') return; // memory storage does not outlive the database
    clock.advance(MINUTE);
    const second = await openStore(kind, clock, first.name);
    expect(visible(second.store.getState())).toEqual({ Kettle: { quantity: 1, note: '', listId: 'cart' } });
    await settle(second.store);
    expect((await second.db.items.findOne(lamp).exec())?.deleted).toBe(true);
    expect((await second.db.getLocal('restore-journal'))?.get('entries')).toEqual([]);
    const { restores } = await second.history.read();
    expect(restores.map((restore) => restore.to)).toEqual([kettleOnly]);
    expect(restores[0]!.stamp.wall).toBe(result.undoAt + 1);
    // And it is undone as any restore.
    clock.advance(MINUTE);
    await second.store.restore(result.undoAt);
    expect(visible(second.store.getState())).toEqual({ Kettle: { quantity: 3, note: '', listId: 'cart' }, Lamp: { quantity: 1, note: '', listId: 'cart' } });
  });

  it('refuses a moment outside the 30 days and changes nothing', async () => {
    const clock = new ManualClock();
    const { store, history } = await openStore(kind, clock);
    await store.dispatch(cartCommands.add(product()));
    const before = store.getState();
    await settle(store);
    const recorded = (await history.read()).entries.length;
    for (const bad of [clock.now() - 31 * DAY, clock.now() + MINUTE, Number.NaN]) {
      const error = await store.restore(bad).then(() => null, (caught: unknown) => caught);
      expect(isToteError(error) && error.code).toBe('INVALID_INPUT');
    }
    expect(store.getState()).toBe(before);
    expect((await history.read()).entries).toHaveLength(recorded);
  });

  it('keeps the changes that arrive while its first read of history is still running', async () => {
    const clock = new ManualClock();
    const { store, db } = await openStore(kind, clock);
    const id = await add(store, { title: 'Kettle' });
    await settle(store);
    // A slow first read (a large history, a busy disk): its result is fetched, then held back.
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const forward = <T extends object>(target: T, key: string | symbol) => {
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    };
    const storage = new Proxy(db.history.storageInstance, {
      get(target, key) {
        if (key === 'query') return async (...args: Parameters<typeof target.query>) => { const found = await target.query(...args); await held; return found; };
        return forward(target, key);
      },
    });
    const slow = new Proxy(db.history, { get: (target, key) => (key === 'storageInstance' ? storage : forward(target, key)) });
    const other = createHistoryLog(slow, { id: 'phone', name: 'Phone' });
    const reading = other.read();
    clock.advance(MINUTE);
    await store.dispatch(cartCommands.setQuantity(id, 3)); // recorded while the other log's read is held
    await settle(store);
    release();
    expect((await reading).entries.length).toBeGreaterThanOrEqual(1);
    const { entries } = await other.read();
    expect(entries.map((entry) => entry.changes.quantity)).toContain(3);
    expect(entries).toHaveLength(2);
    other.close();
  });

  it('records after a restart what a crash between the item write and the history write left out', async () => {
    const clock = new ManualClock();
    const first = await openStore(kind, clock);
    const id = await add(first.store, { title: 'Kettle' });
    await settle(first.store);
    // The app dies after writing the item, before recording: the change is in the item document only.
    clock.advance(MINUTE);
    const stamp = formatHlc(hlc(clock.now(), 0, device.id));
    await first.db.items.findOne(id).incrementalPatch({ quantity: 4, fieldClocks: { ...first.store.getState().items[id] && (await first.db.items.findOne(id).exec())!.toJSON().fieldClocks, quantity: stamp } });
    const unrecorded = (await first.history.read()).entries.length;
    first.store.close();
    await first.db.close();
    if (kind === 'memory') return; // memory storage does not outlive the database
    clock.advance(MINUTE);
    const second = await openStore(kind, clock, first.name);
    await settle(second.store);
    const { entries } = await second.history.read();
    expect(entries.length).toBe(unrecorded + 1);
    expect(entries.some((entry) => formatHlc(entry.stamp) === stamp && entry.changes.quantity === 4)).toBe(true);
  });

  it('prunes what no restorable moment needs, keeping every moment of the 30 days exact', async () => {
    const clock = new ManualClock();
    const { store, history, db } = await openStore(kind, clock);
    const id = await add(store, { title: 'Kettle' });
    for (let quantity = 2; quantity <= 6; quantity += 1) {
      clock.advance(DAY);
      await store.dispatch(cartCommands.setQuantity(id, quantity));
    }
    clock.advance(MINUTE);
    const lamp = await add(store, { title: 'Lamp', url: 'https://shop.example/lamp' });
    clock.advance(MINUTE);
    await store.dispatch(cartCommands.remove(lamp));
    await settle(store);
    // One batch a day; the lamp's add and removal minutes after the last quantity join its batch.
    expect(await db.history.count().exec()).toBe(6);
    expect((await history.read()).entries).toHaveLength(8);
    clock.advance(40 * DAY);
    const cartThen = visible(store.getState());
    const removed = await history.prune(clock.now());
    // Kept: the kettle's add and its last quantity change; gone: the four older quantities' batches,
    // and the lamp's two entries from the last batch, which keeps the quantity.
    expect(removed).toBe(4);
    expect(await db.history.count().exec()).toBe(2);
    expect((await history.read()).entries.map((entry) => entry.changes.quantity).sort()).toEqual([1, 6]);
    const result = await store.restore(clock.now() - 29 * DAY);
    expect(result).toMatchObject({ changed: 0, removed: 0, broughtBack: 0 });
    expect(visible(store.getState())).toEqual(cartThen);
  });
});

describe('history batches as the log writes them', () => {
  it('are the documents batchDocuments gives for the same writes (what the benchmark stores), and read back every change', async () => {
    const random = randomSource(5);
    const cart = new RecordingCart('laptop');
    const writes: WrittenDocument[][] = [];
    let before: Record<string, ClockedItem> = {};
    for (let i = 0; i < 400; i += 1) {
      if (cart.dispatch(randomCommand(random, cart.docs)) > 0) {
        writes.push(Object.values(cart.docs).filter((doc) => before[doc.id] !== doc).map((doc) => ({ before: before[doc.id] ?? null, after: doc })));
        before = { ...cart.docs };
      }
      // Seconds to hours apart: some batches fill their hour, others close after one write.
      cart.time += random.chance(0.5) ? 1 + random.int(5 * MINUTE) : random.int(3 * HOUR);
    }
    const db = await openCartDatabase({ storage: getRxStorageMemory(), name: `history-${++counter}` });
    try {
      const log = createHistoryLog(db.history, device);
      for (const written of writes) await log.recordWrite(written);
      const stored = (await db.history.find().exec()).map((doc) => {
        const { id, b, d } = doc.toJSON();
        return { id, b, d };
      });
      const expected = batchDocuments(writes.map((written) => ({ entries: written.flatMap(({ before: b, after }) => entriesForWrite(b, after)) })), device.name);
      expect(stored.length).toBeLessThan(writes.length);
      expect(stored.sort((a, b) => a.id.localeCompare(b.id))).toEqual(expected.sort((a, b) => a.id.localeCompare(b.id)));
      const { entries, damaged } = await log.read();
      expect(damaged).toBe(0);
      expect(entries).toHaveLength(cart.entries.length);
      log.close();
    } finally {
      await db.remove();
    }
  });
});

describe('adding to the open batch', () => {
  const writesOf = (count: number) => {
    const random = randomSource(11);
    const cart = new RecordingCart('laptop');
    const writes: WrittenDocument[][] = [];
    let before: Record<string, ClockedItem> = {};
    while (writes.length < count) {
      if (cart.dispatch(randomCommand(random, cart.docs)) > 0) {
        writes.push(Object.values(cart.docs).filter((doc) => before[doc.id] !== doc).map((doc) => ({ before: before[doc.id] ?? null, after: doc })));
        before = { ...cart.docs };
      }
      cart.time += 1 + random.int(MINUTE);
    }
    return writes;
  };
  const entriesOf = (writes: WrittenDocument[][]) => writes.flatMap((written) => written.flatMap(({ before, after }) => entriesForWrite(before, after)));
  const sameEntries = (a: readonly { id: string; stamp: unknown; changes: unknown }[], b: readonly { id: string; stamp: unknown; changes: unknown }[]) =>
    expect(a.map(({ id, stamp, changes }) => ({ id, stamp, changes })).sort((x, y) => x.id.localeCompare(y.id)))
      .toEqual(b.map(({ id, stamp, changes }) => ({ id, stamp, changes })).sort((x, y) => x.id.localeCompare(y.id)));

  it('unites with a version of the batch it did not write (merged from the server), keeping every change with its time', async () => {
    const [first, second, third] = writesOf(3);
    const db = await openCartDatabase({ storage: getRxStorageMemory(), name: `history-${++counter}` });
    try {
      const log = createHistoryLog(db.history, device);
      await log.recordWrite(first!);
      // The batch as another version of it holds it: this device's first change and a later one of its own.
      const [doc] = await db.history.find().exec();
      await doc!.incrementalPatch({ b: encodeBatch(entriesOf([first!, third!]), tryParseHlc(doc!.id)!) });
      await log.recordWrite(second!);
      const { entries, damaged } = await log.read();
      expect(damaged).toBe(0);
      sameEntries(entries, entriesOf([first!, second!, third!]));
      log.close();
    } finally {
      await db.remove();
    }
  });

  it('records a change given again once, and goes on adding after it', async () => {
    const [first, second] = writesOf(2);
    const db = await openCartDatabase({ storage: getRxStorageMemory(), name: `history-${++counter}` });
    try {
      const log = createHistoryLog(db.history, device);
      await log.recordWrite(first!);
      await log.recordWrite(first!);
      await log.recordWrite(second!);
      const stored = (await db.history.find().exec()).map((doc) => doc.toJSON());
      const expected = batchDocuments([{ entries: entriesOf([first!]) }, { entries: entriesOf([second!]) }], device.name);
      expect(expected).toHaveLength(1);
      expect(stored.map(({ id, b }) => ({ id, b }))).toEqual(expected.map(({ id, b }) => ({ id, b })));
      sameEntries((await log.read()).entries, entriesOf([first!, second!]));
      log.close();
    } finally {
      await db.remove();
    }
  });
});

describe('history kept before batches', () => {
  it.each([false, true])('is still read after the collection moves to batches, and new writes are batches (sealed at rest: %s)', async (sealed) => {
    const indexedDB = new IDBFactory();
    const keyring = await createKeyring(webCrypto);
    const storage = () => {
      const dexie = getRxStorageDexie({ indexedDB, IDBKeyRange });
      return sealed ? encryptedStorage(dexie, keyring) : dexie;
    };
    const name = `history-v0-${++counter}`;
    // The collection as it was: schema version 0, one document of records per write.
    const { b, ...properties } = historySchema.properties;
    void b;
    const version0 = { ...historySchema, version: 0, properties, required: ['id', 'e'] } as RxJsonSchema<Record<string, unknown>>;
    addRxPlugin(RxDBMigrationSchemaPlugin);
    const old = await createRxDatabase({ name, storage: storage(), multiInstance: false });
    await old.addCollections({ items: { schema: itemSchema, migrationStrategies: itemMigrations }, history: { schema: version0 } });
    const stamp = formatHlc(hlc(Date.UTC(2026, 10, 1), 0, 'laptop'));
    await old.history!.insert({ id: stamp, e: [{ i: 'k1', s: stamp, q: 3 }], d: 'Laptop' } as never);
    await old.close();

    const db = await openCartDatabase({ storage: storage(), name });
    try {
      const log = createHistoryLog(db.history, device);
      expect((await log.read()).entries.map((entry) => [entry.id, entry.changes])).toEqual([[`k1:${stamp}`, { quantity: 3 }]]);
      const clock = new ManualClock(Date.UTC(2026, 10, 2));
      const store = createCartStore({ items: db.items, device, clock, history: log });
      await store.ready;
      await add(store, { title: 'Lamp' });
      await store.historySettled();
      const docs = (await db.history.find().exec()).map((doc) => doc.toJSON());
      expect(docs).toHaveLength(2);
      expect(docs.find((doc) => doc.id === stamp)).toMatchObject({ e: [{ i: 'k1', s: stamp, q: 3 }] });
      expect(docs.find((doc) => doc.id !== stamp)).toMatchObject({ b: expect.any(Array), d: 'Laptop' });
      expect((await log.read()).entries).toHaveLength(2);
      store.close();
      log.close();
    } finally {
      await db.remove();
    }
  });
});
