/**
 * Item schema 1 → 2 (availability): a cart written by a version before availability, opened by this one,
 * on the production storage (Dexie over fake-indexeddb, sealed at rest). Spec: docs/cart-manager.md,
 * "Availability".
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { addRxPlugin, createRxDatabase, type RxJsonSchema } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { describe, expect, it } from 'vitest';
import { toCartItem } from '../cart/cart-reducer.ts';
import { createKeyring } from '../crypto/keyring.ts';
import { typicalItem, webCrypto } from '../crypto/test/fixtures.ts';
import type { ClockedItem } from '../merge/item-clocks.ts';
import { openCartDatabase, type CartCollections } from './cart-database.ts';
import { encryptedStorage } from './encrypted-storage.ts';
import { historySchema } from './history-schema.ts';
import { itemMigrations, itemSchema } from './item-schema.ts';

/** The item schema as version 1 had it: no availability, and no clock for it. */
function schemaVersion1(): RxJsonSchema<ClockedItem> {
  const { availability, fieldClocks, ...properties } = itemSchema.properties as unknown as Record<string, Record<string, unknown>>;
  void availability;
  const clocks = { ...(fieldClocks!.properties as Record<string, unknown>) };
  delete clocks.availability;
  return { ...itemSchema, version: 1, properties: { ...properties, fieldClocks: { ...fieldClocks, properties: clocks } } } as RxJsonSchema<ClockedItem>;
}

/** Items of every kind a version-1 cart holds: with and without field clocks, notes, price history, removed, a list record. */
function version1Items(count: number): ClockedItem[] {
  const items: ClockedItem[] = [];
  for (let i = 0; i < count; i += 1) {
    const item = typicalItem({
      id: `item-${String(i).padStart(4, '0')}`, url: `https://shop.example/p/${i}`, title: `Product ${i}`, quantity: 1 + (i % 5),
      note: i % 3 === 0 ? `Note ${i}` : '', deleted: i % 7 === 0, priceHistory: i % 2 === 0 ? [{ at: 1_700_000_000_000 + i, priceMinor: 1000 + i }] : [],
    });
    items.push(i % 4 === 0 ? item : { ...item, fieldClocks: { quantity: `0mwww9sm5${String(i).padStart(4, '0')}:phone`, note: '0mwww9sm50000:laptop' } });
  }
  items.push({ ...typicalItem({ id: 'list-garden', listId: '#list', url: '', shop: '', title: 'Garden', priceMinor: null, imageUrl: null, variant: null, note: '', addedPriceMinor: null, priceHistory: [] }) });
  return items;
}

const stored = (doc: { toJSON(): object }) => {
  const { _rev, _meta, _attachments, _deleted, ...rest } = doc.toJSON() as Record<string, unknown>;
  void _rev; void _meta; void _attachments; void _deleted;
  return rest;
};

describe('item schema 2: availability', () => {
  it('opens a version-1 cart sealed at rest with every item kept, field for field, and none of them said to be unavailable', async () => {
    addRxPlugin(RxDBLocalDocumentsPlugin);
    addRxPlugin(RxDBMigrationSchemaPlugin);
    const indexedDB = new IDBFactory();
    const keyring = await createKeyring(webCrypto);
    const storage = () => encryptedStorage(getRxStorageDexie({ indexedDB, IDBKeyRange }), keyring);
    const items = version1Items(300);

    // Written by version 1: its schema, its migration strategies (up to 1).
    const old = await createRxDatabase<CartCollections>({ name: 'cart', storage: storage(), multiInstance: false, localDocuments: true });
    await old.addCollections({ items: { schema: schemaVersion1(), migrationStrategies: { 1: itemMigrations[1] } }, history: { schema: historySchema } });
    await old.items.bulkInsert(items);
    await old.history.insert({ id: '0mwww9sm50000:laptop', e: [{ i: 'item-0001', s: '0mwww9sm50000:laptop', q: 2 }], d: 'Laptop' });
    const before = (await old.items.find().exec()).map(stored);
    expect(before).toHaveLength(301);
    await old.close();

    // Opened by this version: migrated on open.
    const db = await openCartDatabase({ storage: storage(), name: 'cart' });
    try {
      const after = (await db.items.find().exec()).map(stored);
      expect(after).toEqual(before);
      expect(after.some((doc) => 'availability' in doc)).toBe(false);
      expect(after.filter((doc) => doc.deleted)).toHaveLength(43);
      expect(await db.history.count().exec()).toBe(1);
      // And it takes availability from now on, kept across a reopening.
      await db.items.upsert({ ...toCartItem(items[1]!), availability: 'out_of_stock', fieldClocks: { availability: '0mwwwazz00000:laptop' } } as ClockedItem);
    } finally {
      await db.close();
    }
    const again = await openCartDatabase({ storage: storage(), name: 'cart' });
    try {
      expect((await again.items.findOne('item-0001').exec())?.availability).toBe('out_of_stock');
      expect(await again.items.count().exec()).toBe(301);
    } finally {
      await again.close();
    }
  });

  it('migrates by giving every document back unchanged, the sealed server states RxDB keeps for its replication included', async () => {
    // RxDB runs the strategies on its replication's record of the server's documents too, which are
    // envelopes here: one given a field would no longer be an envelope sync can read (item-schema.ts).
    const envelope = { id: 'item-1', enc: 'AAECAw', fp: 'AAAAAAAAAAAAAAAAAAAAAA', _deleted: false };
    expect(itemMigrations[2](envelope as unknown as ClockedItem)).toEqual(envelope);
    const item = typicalItem();
    expect(itemMigrations[2](item)).toEqual(typicalItem());
  });
});
