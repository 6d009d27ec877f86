/**
 * Range reads by `getAll` (dexie-bulk-reads.ts) against storage-dexie's own cursor, on two databases of
 * fake-indexeddb holding the same rows: every query answers the same rows in the same order, and the
 * range queries really took one `getAll` and no cursor.
 */
import { IDBFactory, IDBIndex, IDBKeyRange } from 'fake-indexeddb';
import { prepareQuery, type FilledMangoQuery, type RxDocumentData, type RxStorage } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CartItem } from '../cart/cart-types.ts';
import { stampChange, type ClockedItem } from '../merge/item-clocks.ts';
import { hlc } from '../merge/hlc.ts';
import { product } from '../test/fixtures.ts';
import { openCartDatabase, type CartDatabase } from './cart-database.ts';
import { dexieBulkReads, type QueryInParts } from './dexie-bulk-reads.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStorage = RxStorage<any, any>;
type Item = RxDocumentData<ClockedItem>;

/** A row without what differs between two databases written alike (revision hashes, write times). */
const content = (docs: readonly Item[]) => docs.map(({ _rev, _meta, ...rest }) => (void _rev, void _meta, rest));

const opened: CartDatabase[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const db of opened.splice(0)) await db.close();
});

let counter = 0;
async function cartWith(storage: AnyStorage, items: readonly ClockedItem[], removed: readonly string[]) {
  const db = await openCartDatabase({ storage, name: `bulk-reads-${++counter}` });
  opened.push(db);
  await db.items.bulkInsert([...items]);
  for (const id of removed) await db.items.findOne(id).remove();
  return db;
}

/** 60 items with ids that do not sort as they were added, 7 of them removed. */
function items(): { items: ClockedItem[]; removed: string[] } {
  const list = Array.from({ length: 60 }, (_, i) => {
    const at = 1000 + i;
    const { availability: _unknown, ...captured } = product({ title: `Item ${i}`, priceMinor: 100 + i });
    const item: CartItem = {
      ...captured, shop: 'shop.example', id: `item-${(i * 37) % 61}`, listId: 'cart', quantity: 1,
      note: '', addedAt: at, addedBy: 'phone', updatedAt: at, updatedBy: 'phone', addedPriceMinor: 100 + i, priceHistory: [], deleted: false,
    };
    return stampChange(null, item, hlc(1000 + i, 0, 'phone'));
  });
  return { items: list, removed: list.filter((_, i) => i % 9 === 4).map((item) => item.id) };
}

describe('dexieBulkReads', () => {
  const queries: Record<string, FilledMangoQuery<Item>> = {
    'every item (the store at start)': { selector: { _deleted: { $eq: false } }, sort: [{ id: 'asc' }], skip: 0 },
    'the removed ones': { selector: { _deleted: { $eq: true } }, sort: [{ id: 'asc' }], skip: 0 },
    'skip and limit': { selector: { _deleted: { $eq: false } }, sort: [{ id: 'asc' }], skip: 5, limit: 11 },
    'a range of ids': { selector: { _deleted: { $eq: false }, id: { $gt: 'item-2', $lte: 'item-5' } }, sort: [{ id: 'asc' }], skip: 0 },
    'by last write (the replication)': {
      selector: { '_meta.lwt': { $gte: 0 } }, sort: [{ '_meta.lwt': 'asc' }, { id: 'asc' }], skip: 0, limit: 20,
    } as unknown as FilledMangoQuery<Item>,
    'limit 0': { selector: { _deleted: { $eq: false } }, sort: [{ id: 'asc' }], skip: 0, limit: 0 },
  };

  it.each(Object.keys(queries))('answers %s as storage-dexie does, with one getAll and no cursor', async (name) => {
    const { items: all, removed } = items();
    const plain = await cartWith(getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange }), all, removed);
    const bulk = await cartWith(dexieBulkReads(getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange })), all, removed);
    const query = queries[name]!;
    const prepared = prepareQuery<Item>(plain.items.schema.jsonSchema, structuredClone(query));
    expect(prepared.queryPlan.selectorSatisfiedByIndex && prepared.queryPlan.sortSatisfiedByIndex).toBe(true);

    const expected = (await plain.items.storageInstance.query(prepared)).documents;
    const getAll = vi.spyOn(IDBIndex.prototype, 'getAll');
    const openCursor = vi.spyOn(IDBIndex.prototype, 'openCursor');
    const answered = (await bulk.items.storageInstance.query(prepared)).documents;

    expect(content(answered)).toEqual(content(expected));
    expect(answered.map((doc) => doc.id)).toEqual(expected.map((doc) => doc.id));
    if (query.limit !== 0) expect(expected.length).toBeGreaterThan(0);
    expect(openCursor).not.toHaveBeenCalled();
    expect(getAll).toHaveBeenCalledTimes(query.limit === 0 ? 0 : 1);
    // Booleans as RxDB keeps them, not Dexie's '0' and '1'.
    for (const doc of answered) expect(typeof doc._deleted).toBe('boolean');
  });

  it('leaves queries an index range does not answer to storage-dexie', async () => {
    const { items: all, removed } = items();
    const plain = await cartWith(getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange }), all, removed);
    const bulk = await cartWith(dexieBulkReads(getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange })), all, removed);
    const query: FilledMangoQuery<Item> = { selector: { _deleted: { $eq: false }, priceMinor: { $gt: 130 } }, sort: [{ id: 'asc' }], skip: 0 };
    const prepared = prepareQuery<Item>(plain.items.schema.jsonSchema, query);
    expect(prepared.queryPlan.selectorSatisfiedByIndex).toBe(false);
    const expected = (await plain.items.storageInstance.query(prepared)).documents;
    const getAll = vi.spyOn(IDBIndex.prototype, 'getAll');
    const answered = (await bulk.items.storageInstance.query(prepared)).documents;
    expect(content(answered)).toEqual(content(expected));
    expect(answered).toHaveLength(all.filter((item) => item.priceMinor! > 130 && !removed.includes(item.id)).length);
    expect(getAll).not.toHaveBeenCalled();
  });

  it('hands a range over in parts, each asked for before the one before is handed over, the same rows in the same order', async () => {
    const { items: all, removed } = items();
    const plain = await cartWith(getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange }), all, removed);
    const bulk = await cartWith(dexieBulkReads(getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange }), { partSize: 7 }), all, removed);
    const prepared = bulk.items.find().getPreparedQuery();
    const expected = (await plain.items.storageInstance.query(prepared)).documents;
    // RxDB's instance wraps the storage's; the parts are offered by the storage's own (as encrypted-storage.ts reads them).
    const inner = (bulk.items.storageInstance as unknown as { originalStorageInstance: QueryInParts }).originalStorageInstance;
    const getAll = vi.spyOn(IDBIndex.prototype, 'getAll');
    const parts: { ids: string[]; requestsSoFar: number }[] = [];
    expect(await inner.queryInParts(prepared, (rows) => parts.push({ ids: rows.map((row) => row.id as string), requestsSoFar: getAll.mock.calls.length }))).toBe(true);

    expect(parts.flatMap((part) => part.ids)).toEqual(expected.map((doc) => doc.id));
    expect(parts.map((part) => part.ids.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 4]); // the 53 items not removed
    // The next part was already asked for when a full part was handed over.
    parts.slice(0, -1).forEach((part, i) => expect(part.requestsSoFar).toBe(i + 2));
    expect(await inner.queryInParts({ ...prepared, query: { ...prepared.query, limit: 5 } }, () => undefined)).toBe(false);
  });

  it('answers the rows written after a checkpoint as RxDB does, from just after its key, without reading the rows of its millisecond', async () => {
    const { items: all, removed } = items(); // one bulk insert: its rows share one stamp of time (RxDB stamps a write once)
    const plain = await cartWith(getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange }), all, removed);
    const bulk = await cartWith(dexieBulkReads(getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange })), all, removed);
    const { getChangedDocumentsSince } = await import('rxdb');
    // The same rows in both databases: each checkpoint is a row's own key, in either.
    const order = (await getChangedDocumentsSince(plain.items.storageInstance, 1000)).documents;
    expect(order).toHaveLength(60);
    const keyOf = (db: CartDatabase, id: string) => db.items.storageInstance.findDocumentsById([id], true).then(([doc]) => ({ id, lwt: doc!._meta.lwt }));
    const getAll = vi.spyOn(IDBIndex.prototype, 'getAll');
    const openCursor = vi.spyOn(IDBIndex.prototype, 'openCursor');
    for (const [at, limit] of [[null, 1000], [null, 5], [0, 1000], [17, 10], [58, 1000], [59, 1000]] as const) {
      const id = at === null ? null : order[at]!.id;
      const expected = await getChangedDocumentsSince(plain.items.storageInstance, limit, id ? await keyOf(plain, id) : undefined);
      getAll.mockClear();
      openCursor.mockClear();
      const answered = await getChangedDocumentsSince(bulk.items.storageInstance, limit, id ? await keyOf(bulk, id) : undefined);
      expect(answered.documents.map((doc) => doc.id), `after ${String(id)}`).toEqual(expected.documents.map((doc) => doc.id));
      expect(content(answered.documents as Item[])).toEqual(content(expected.documents as Item[]));
      expect(answered.checkpoint.id).toBe(expected.checkpoint.id);
      expect(getAll).toHaveBeenCalledTimes(1);
      expect(openCursor).not.toHaveBeenCalled();
      // A removed row is a row written after the checkpoint too, as RxDB's answers.
      for (const doc of answered.documents) expect(typeof doc._deleted).toBe('boolean');
    }
    expect(order.some((doc) => doc._deleted)).toBe(true);
  });

  it('refuses a part size that is not a whole number of rows, with a typed error', () => {
    for (const partSize of [0, -5, 2.5, Number.NaN]) {
      expect(() => dexieBulkReads(getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange }), { partSize }))
        .toThrow(expect.objectContaining({ code: 'INVALID_INPUT', details: { partSize } }));
    }
  });

  it('reads what the database holds after writes and reopening', async () => {
    const indexedDB = new IDBFactory();
    const storage = dexieBulkReads(getRxStorageDexie({ indexedDB, IDBKeyRange }));
    const { items: all } = items();
    const db = await openCartDatabase({ storage, name: 'bulk-reads-reopened' });
    await db.items.bulkInsert(all.slice(0, 30));
    await db.close();
    const again = await openCartDatabase({ storage, name: 'bulk-reads-reopened' });
    opened.push(again);
    await again.items.bulkInsert(all.slice(30));
    const found = await again.items.find().exec();
    expect(found.map((doc) => doc.id)).toEqual(all.map((item) => item.id).sort());
  });
});
