/**
 * Encryption at rest through a real RxDB cart database, on both storages a device uses: storage-memory,
 * and storage-dexie (the browsers' IndexedDB storage) over fake-indexeddb, also read in parts as the
 * shells read it (dexie-bulk-reads.ts). What the storage really keeps is read from the same storage
 * instances the wrapper writes to, without the wrapper.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getChangedDocumentsSince, getPrimaryFieldOfPrimaryKey, prepareQuery, type RxStorage, type RxStorageInstance } from 'rxdb';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { selectItems } from '../cart/cart-selectors.ts';
import { toBase64url } from '../crypto/base64url.ts';
import { createKeyring, type Keyring } from '../crypto/keyring.ts';
import { webCrypto } from '../crypto/test/fixtures.ts';
import { isToteError, type ToteError } from '../errors.ts';
import type { ClockedItem } from '../merge/item-clocks.ts';
import { createCartStore, type CartStore } from '../store/cart-store.ts';
import { ManualClock, product } from '../test/fixtures.ts';
import { fromByteString, toByteString } from './byte-string.ts';
import { openCartDatabase, type CartDatabase } from './cart-database.ts';
import { dexieBulkReads } from './dexie-bulk-reads.ts';
import { encryptedStorage, latin1Bytes, SEALED_FIELD } from './encrypted-storage.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStorage = RxStorage<any, any>;
type RawInstance = RxStorageInstance<Record<string, unknown>, unknown, unknown>;

const storages: Record<string, () => AnyStorage> = {
  memory: (() => {
    // One memory storage per file: a database re-opened in the same test finds its documents again.
    const storage = getRxStorageMemory();
    return () => storage;
  })(),
  dexie: (() => {
    const indexedDB = new IDBFactory();
    return () => getRxStorageDexie({ indexedDB, IDBKeyRange });
  })(),
  // As the shells use it (dexie-bulk-reads.ts), in parts of two rows so that every read takes several.
  'dexie read in parts': (() => {
    const indexedDB = new IDBFactory();
    return () => dexieBulkReads(getRxStorageDexie({ indexedDB, IDBKeyRange }), { partSize: 2 });
  })(),
};

/**
 * The storage as RxDB would use it without encryption, keeping each instance it opens so a test can read
 * the stored rows beneath the wrapper. Nothing is changed on the way.
 */
function rawAccess(storage: AnyStorage) {
  const instances: RawInstance[] = [];
  const recording: AnyStorage = {
    ...storage,
    async createStorageInstance(params) {
      const instance = await storage.createStorageInstance(params);
      instances.push(instance as RawInstance);
      return instance;
    },
  };
  const open = () => instances.filter((instance) => !(instance as unknown as { closed?: boolean }).closed);
  return {
    storage: recording,
    instance(collection: string) {
      const found = open().filter((instance) => instance.collectionName === collection).at(-1);
      if (!found) throw new Error(`no open instance for ${collection}`);
      return found;
    },
    async rows(instance: RawInstance) {
      const primary = getPrimaryFieldOfPrimaryKey(instance.schema.primaryKey);
      const query = prepareQuery<Record<string, unknown>>(instance.schema, { selector: {}, sort: [{ [primary]: 'asc' }], skip: 0 });
      return (await instance.query(query)).documents;
    },
    /** Every row of every open instance but RxDB's own bookkeeping, as JSON. */
    async everything() {
      const all = await Promise.all(open().filter((instance) => instance.collectionName !== '_rxdb_internal').map((instance) => this.rows(instance)));
      return JSON.stringify(all);
    },
  };
}

const device = { id: 'laptop', name: 'Laptop' };
const opened: { db: CartDatabase; store: CartStore }[] = [];
let counter = 0;

async function openCart(storage: AnyStorage, name: string) {
  const db = await openCartDatabase({ storage, name });
  const store = createCartStore({ items: db.items, device, clock: new ManualClock() });
  await store.ready;
  opened.push({ db, store });
  return { db, store };
}

async function closeCart({ db, store }: { db: CartDatabase; store: CartStore }) {
  store.close();
  await db.close();
}

afterEach(async () => {
  for (const cart of opened.splice(0)) if (!cart.db.closed) await closeCart(cart);
});

const unusual = product({
  title: 'Quetzalcoatl-pattern teapot QX-9913',
  url: 'https://zanzibar-ceramics.example/p/quetzal-teapot-qx9913',
  imageUrl: 'https://cdn.zanzibar-ceramics.example/img/qx9913.jpg',
  shop: 'zanzibar-ceramics.example',
  variant: 'Obsidian glaze',
});
const SECRETS = ['Quetzalcoatl', 'zanzibar', 'QX-9913', 'Obsidian', 'Marguerite', 'Ptolemy'];

const unreadableLog = () => {
  const errors: ToteError[] = [];
  return { errors, onUnreadable: (error: ToteError) => errors.push(error) };
};

// Real IndexedDB emulation and Web Crypto on two busy cores: generous time, the assertions are exact.
describe.each(Object.keys(storages))('encrypted storage on %s', { timeout: 20_000 }, (kind) => {
  const setup = async () => {
    const raw = rawAccess(storages[kind]!());
    const keyring = await createKeyring(webCrypto);
    return { raw, keyring, name: `sealed-${kind}-${++counter}` };
  };
  const sealed = (raw: ReturnType<typeof rawAccess>, keyring: Keyring | (() => Keyring['cipher']), log = unreadableLog()) =>
    encryptedStorage(raw.storage, keyring, { onUnreadable: log.onUnreadable });

  it('keeps the cart readable through RxDB and nothing of it readable in the stored rows', async () => {
    const { raw, keyring, name } = await setup();
    const log = unreadableLog();
    const cart = await openCart(sealed(raw, keyring, log), name);
    const { written } = await cart.store.dispatch(cartCommands.add(unusual, { quantity: 3 }));
    const id = written[0]!.id;
    await cart.store.dispatch(cartCommands.setNote(id, 'For Aunt Marguerite'));
    await cart.store.dispatch(cartCommands.add(product({ title: 'Ptolemy star atlas' })));
    await cart.db.upsertLocal('conflict-log', { notices: [{ note: 'Marguerite chose Obsidian' }] });

    const stored = await raw.rows(raw.instance('items'));
    expect(stored).toHaveLength(2);
    for (const row of stored) {
      // Only what the storage needs stays in clear.
      expect(Object.keys(row).sort()).toEqual(['_attachments', '_deleted', '_meta', '_rev', 'enc', 'id']);
      // The envelope's bytes, one character each (byte-string.ts): version 1 first.
      expect(row[SEALED_FIELD]).toMatch(/^\x01[\x00-\xff]+$/);
    }
    const everything = await raw.everything();
    expect(everything).toContain(id);
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
    expect(everything).not.toContain('"quantity"');

    await closeCart(cart);
    const again = await openCart(sealed(raw, keyring, log), name);
    expect(again.store.getState().items[id]).toMatchObject({ title: unusual.title, url: unusual.url, note: 'For Aunt Marguerite', quantity: 3 });
    expect(selectItems(again.store.getState())).toHaveLength(2);
    expect((await again.db.getLocal<{ notices: { note: string }[] }>('conflict-log'))?.get('notices')).toEqual([{ note: 'Marguerite chose Obsidian' }]);
    expect(log.errors).toEqual([]);
  });

  it('answers queries on sealed fields after decryption, and id lookups through the storage', async () => {
    const { raw, keyring, name } = await setup();
    const { db, store } = await openCart(sealed(raw, keyring), name);
    for (const title of ['Walnut tray', 'Ash bowl', 'Cedar box']) await store.dispatch(cartCommands.add(product({ title, url: `https://shop.example/${title}` })));
    const byTitle = await db.items.find({ selector: { title: 'Ash bowl' } }).exec();
    expect(byTitle.map((doc) => doc.title)).toEqual(['Ash bowl']);
    const sorted = await db.items.find({ sort: [{ title: 'desc' }], limit: 2 }).exec();
    expect(sorted.map((doc) => doc.title)).toEqual(['Walnut tray', 'Cedar box']);
    // A count over sealed fields reads every document: RxDB refuses it as a slow count unless the
    // database allows those; the storage answers it right.
    const count = db.items.count({ selector: { title: { $regex: '^(Ash|Cedar)' } } });
    await expect(count.exec()).rejects.toMatchObject({ code: 'QU14' });
    expect(await db.items.storageInstance.count(count.getPreparedQuery())).toEqual({ count: 2, mode: 'slow' });
    expect(await db.items.count().exec()).toBe(3);
    const id = byTitle[0]!.id;
    expect((await db.items.findOne(id).exec())?.title).toBe('Ash bowl');
  });

  it('sets a damaged document aside and reports it, and every other document stays', async () => {
    const { raw, keyring, name } = await setup();
    const log = unreadableLog();
    const cart = await openCart(sealed(raw, keyring, log), name);
    const ids: string[] = [];
    for (const title of ['First lamp', 'Second lamp', 'Third lamp']) ids.push((await cart.store.dispatch(cartCommands.add(product({ title, url: `https://shop.example/${title}` })))).written[0]!.id);

    // One byte of the second item's envelope changed on the disk, beneath the wrapper.
    const items = raw.instance('items');
    const [row] = await items.findDocumentsById([ids[1]!], false);
    const envelope = row![SEALED_FIELD] as string;
    const flipped = envelope.slice(0, 40) + (envelope[40] === 'A' ? 'B' : 'A') + envelope.slice(41);
    const result = await items.bulkWrite([{ previous: row!, document: { ...row!, [SEALED_FIELD]: flipped, _rev: '9-tampered', _meta: { lwt: Date.now() } } }], 'test');
    expect(result.error).toEqual([]);
    // The live change stream sets it aside: the store keeps showing nothing new, nothing breaks.
    await expect.poll(() => log.errors.length).toBe(1);
    expect(log.errors[0]).toMatchObject({ code: 'DECRYPT_FAILED', details: { documentId: ids[1], collection: 'items', revision: '9-tampered', reason: 'authentication' } });
    expect(log.errors[0]!.message).toContain('Your other items are fine');

    await closeCart(cart);
    const reopened = unreadableLog();
    const again = await openCart(sealed(raw, keyring, reopened), name);
    expect(Object.keys(again.store.getState().items).sort()).toEqual([ids[0], ids[2]].sort());
    expect(reopened.errors.map((error) => error.details?.documentId)).toEqual([ids[1]]);
    // The database keeps working around it, and the damaged row is kept, not deleted.
    await again.store.dispatch(cartCommands.setQuantity(ids[0]!, 4));
    await again.store.dispatch(cartCommands.add(product({ title: 'Fourth lamp', url: 'https://shop.example/4' })));
    expect(selectItems(again.store.getState())).toHaveLength(3);
    expect(await raw.rows(raw.instance('items'))).toHaveLength(4);
    // A write over it names a revision it cannot know: refused as a conflict, without its content.
    const refused = await again.db.items.storageInstance.bulkWrite([{ document: { ...again.store.getState().items[ids[0]!]!, id: ids[1]!, _deleted: false, _attachments: {}, _meta: { lwt: 1 }, _rev: '' } as never }], 'test');
    expect(refused.error[0]).toMatchObject({ status: 409, documentInDb: { id: ids[1], _rev: '9-tampered' } });
    expect(refused.error[0]).not.toHaveProperty('documentInDb.title');
  });

  it('opens the rows with the engine\'s byte copy where it has one, and a row that is not bytes after all is set aside alone', async () => {
    // Browsers copy byte strings with `setFromBase64`; Node 22 has none: given here the way browsers define it.
    const setFromBase64 = vi.fn(function (this: Uint8Array, base64: string) {
      const binary = atob(base64);
      const written = Math.min(binary.length, this.length);
      for (let i = 0; i < written; i += 1) this[i] = binary.charCodeAt(i);
      return { read: base64.length, written };
    });
    Object.defineProperty(Uint8Array.prototype, 'setFromBase64', { value: setFromBase64, configurable: true, writable: true });
    try {
      const { raw, keyring, name } = await setup();
      const cart = await openCart(sealed(raw, keyring), name);
      const ids: string[] = [];
      for (const title of ['First lamp', 'Second lamp', 'Third lamp']) ids.push((await cart.store.dispatch(cartCommands.add(product({ title, url: `https://shop.example/${title}` })))).written[0]!.id);
      await closeCart(cart);
      setFromBase64.mockClear();
      const again = await openCart(sealed(raw, keyring), name);
      expect(selectItems(again.store.getState()).map((item) => item.title).sort()).toEqual(['First lamp', 'Second lamp', 'Third lamp']);
      expect(setFromBase64).toHaveBeenCalled();

      // A character no byte string holds, beneath the wrapper: the engine's copy refuses the read, each
      // row is copied by hand, and only that row is set aside.
      const items = raw.instance('items');
      const [row] = await items.findDocumentsById([ids[1]!], false);
      const envelope = row![SEALED_FIELD] as string;
      const odd = `${envelope.slice(0, 40)}\u0100${envelope.slice(41)}`;
      expect((await items.bulkWrite([{ previous: row!, document: { ...row!, [SEALED_FIELD]: odd, _rev: '9-odd', _meta: { lwt: Date.now() } } }], 'test')).error).toEqual([]);
      await closeCart(again);
      const log = unreadableLog();
      const third = await openCart(sealed(raw, keyring, log), name);
      expect(selectItems(third.store.getState()).map((item) => item.title).sort()).toEqual(['First lamp', 'Third lamp']);
      expect(log.errors.map((error) => [error.details?.documentId, error.details?.reason])).toEqual([[ids[1], 'format']]);
    } finally {
      delete (Uint8Array.prototype as { setFromBase64?: unknown }).setFromBase64;
    }
  });

  it('still opens envelopes stored as base64url text, as the first version of the storage wrote them', async () => {
    const { raw, keyring, name } = await setup();
    const log = unreadableLog();
    const cart = await openCart(sealed(raw, keyring, log), name);
    const id = (await cart.store.dispatch(cartCommands.add(unusual))).written[0]!.id;
    const items = raw.instance('items');
    const [row] = await items.findDocumentsById([id], false);
    const bytes = fromByteString(row![SEALED_FIELD] as string)!;
    const text = toBase64url(bytes);
    // The byte string takes three quarters of the room of the same envelope as text.
    expect((row![SEALED_FIELD] as string).length).toBe(bytes.length);
    expect(text.length).toBe(Math.ceil((bytes.length * 4) / 3));
    await items.bulkWrite([{ previous: row!, document: { ...row!, [SEALED_FIELD]: text, _rev: '9-text', _meta: { lwt: Date.now() } } }], 'test');
    const readBack = async (db: CartDatabase) => (await db.items.storageInstance.findDocumentsById([id], false))[0];
    await expect.poll(() => readBack(cart.db)).toMatchObject({ _rev: '9-text', title: unusual.title });
    await closeCart(cart);

    const again = await openCart(sealed(raw, keyring, log), name);
    expect(again.store.getState().items[id]).toMatchObject({ title: unusual.title });
    expect(await readBack(again.db)).toMatchObject({ _rev: '9-text', title: unusual.title });
    expect(log.errors).toEqual([]);
    // Text that is neither form is set aside like any damaged row.
    const [stored] = await raw.instance('items').findDocumentsById([id], false);
    await raw.instance('items').bulkWrite([{ previous: stored!, document: { ...stored!, [SEALED_FIELD]: '\u0001\u0100abc', _rev: '10-bad', _meta: { lwt: Date.now() } } }], 'test');
    await expect.poll(() => log.errors.map((error) => error.details?.reason)).toEqual(['format']);
  });

  it('seals an item\'s fields by position, a third smaller, and still opens items sealed with their field names', async () => {
    const { raw, keyring, name } = await setup();
    const log = unreadableLog();
    const cart = await openCart(sealed(raw, keyring, log), name);
    const first = (await cart.store.dispatch(cartCommands.add(unusual, { quantity: 2 }))).written[0]!.id;
    const second = (await cart.store.dispatch(cartCommands.add(product({ title: 'Ptolemy star atlas' })))).written[0]!.id;
    await cart.store.dispatch(cartCommands.setNote(first, 'For Aunt Marguerite'));
    const items = raw.instance('items');
    const envelopeOf = async (id: string) => fromByteString((await raw.instance('items').findDocumentsById([id], false))[0]![SEALED_FIELD] as string)!;
    const inside = await keyring.cipher.decryptBytes(`items:${first}`, await envelopeOf(first));
    // No field name is stored: the schema gives them.
    expect(Array.isArray(inside)).toBe(true);
    expect(JSON.stringify(inside)).not.toMatch(/"(url|imageUrl|priceHistory|fieldClocks|addedAt|updatedBy)"/);
    // The same fields sealed as an object, the way rows were sealed before: a third larger.
    const stored = await items.findDocumentsById([second], false);
    const [document] = await cart.db.items.storageInstance.findDocumentsById([second], false);
    const { id, _deleted, _rev, _meta, _attachments, ...fields } = document as unknown as Record<string, unknown>;
    void id; void _deleted; void _rev; void _meta; void _attachments;
    const asObject = await keyring.cipher.encryptToBytes(`items:${second}`, fields);
    expect((await envelopeOf(second)).length).toBeLessThan(asObject.length * 0.8);
    await items.bulkWrite([{ previous: stored[0]!, document: { ...stored[0]!, [SEALED_FIELD]: toByteString(asObject), _rev: '9-object', _meta: { lwt: Date.now() } } }], 'test');
    await closeCart(cart);

    const again = await openCart(sealed(raw, keyring, log), name);
    expect(again.store.getState().items[first]).toMatchObject({ title: unusual.title, quantity: 2, note: 'For Aunt Marguerite' });
    expect(again.store.getState().items[second]).toMatchObject({ title: 'Ptolemy star atlas' });
    expect((await again.db.items.storageInstance.findDocumentsById([second], false))[0]).toMatchObject({ _rev: '9-object', title: 'Ptolemy star atlas' });
    // Written again, the item is sealed by position.
    await again.store.dispatch(cartCommands.setQuantity(second, 4));
    expect(Array.isArray(await keyring.cipher.decryptBytes(`items:${second}`, await envelopeOf(second)))).toBe(true);
    expect(log.errors).toEqual([]);
    // A row by position written with another field list is set aside, never read into the wrong fields.
    const [row] = await raw.instance('items').findDocumentsById([first], false);
    const other = await keyring.cipher.encryptToBytes(`items:${first}`, [12345, 1, 'Obsidian']);
    await raw.instance('items').bulkWrite([{ previous: row!, document: { ...row!, [SEALED_FIELD]: toByteString(other), _rev: '10-other', _meta: { lwt: Date.now() } } }], 'test');
    await expect.poll(() => log.errors.map((error) => [error.details?.documentId, error.details?.reason])).toEqual([[first, 'format']]);
  });

  it('reads nothing with another key, and everything again with the right one', async () => {
    const { raw, keyring, name } = await setup();
    const first = await openCart(sealed(raw, keyring), name);
    await first.store.dispatch(cartCommands.add(unusual));
    await first.store.dispatch(cartCommands.add(product()));
    await first.db.upsertLocal('conflict-log', { notices: [{ note: 'Ptolemy' }] });
    await closeCart(first);

    const stranger = await createKeyring(webCrypto);
    const log = unreadableLog();
    const other = await openCart(sealed(raw, () => stranger.cipher, log), name);
    expect(other.store.getState().items).toEqual({});
    expect(await other.db.getLocal('conflict-log')).toBeNull();
    expect(log.errors.map((error) => [error.code, error.details?.reason]).sort()).toEqual(Array(3).fill(['DECRYPT_FAILED', 'authentication']));
    await closeCart(other);

    // No key at hand (the cart is locked): nothing is read, each document is reported as such, nothing is written.
    const lockedLog = unreadableLog();
    const locked = await openCart(sealed(raw, () => { throw new Error('locked'); }, lockedLog), name);
    expect(locked.store.getState().items).toEqual({});
    expect(lockedLog.errors.map((error) => error.details?.reason)).toEqual(['key', 'key']);
    expect(lockedLog.errors[0]!.message).toContain('until it is unlocked');
    await expect(locked.store.dispatch(cartCommands.add(product({ title: 'Ptolemy map' })))).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    await closeCart(locked);

    const back = await openCart(sealed(raw, keyring), name);
    expect(selectItems(back.store.getState()).map((item) => item.title).sort()).toEqual([unusual.title, 'Red kettle']);
  });

  it('returns conflicts (409) with the stored document readable, as the store expects', async () => {
    const { raw, keyring, name } = await setup();
    const { db, store } = await openCart(sealed(raw, keyring), name);
    const id = (await store.dispatch(cartCommands.add(unusual))).written[0]!.id;
    const [current] = await db.items.storageInstance.findDocumentsById([id], false);
    const first = await db.items.storageInstance.bulkWrite([{ previous: current!, document: { ...current!, quantity: 2 } }], 'test');
    expect(first.error).toEqual([]);
    // The same change again, from the revision that was just replaced.
    const stale = { ...current!, quantity: 5 };
    const second = await db.items.storageInstance.bulkWrite([{ previous: current!, document: stale }], 'test');
    expect(second.error).toHaveLength(1);
    const conflict = second.error[0]!;
    expect(conflict.status).toBe(409);
    expect(conflict.writeRow.document).toMatchObject({ id, quantity: 5, title: unusual.title });
    expect(conflict.status === 409 && conflict.documentInDb).toMatchObject({ id, quantity: 2, title: unusual.title });
    expect(conflict.status === 409 && conflict.documentInDb).not.toHaveProperty(SEALED_FIELD);

    // The store's own conflict path: the document changed beneath it, its change is applied over it.
    await db.items.findOne(id).incrementalPatch({ note: 'changed elsewhere' });
    await store.dispatch(cartCommands.setQuantity(id, 7));
    expect((await db.items.findOne(id).exec())?.toJSON()).toMatchObject({ quantity: 7, note: 'changed elsewhere', title: unusual.title });
  });

  it('keeps writing after a listener of the change stream leaves while a bulk is being opened', async () => {
    const { raw, keyring, name } = await setup();
    const { db, store } = await openCart(sealed(raw, keyring), name);
    const ours = (db.items.storageInstance as unknown as { originalStorageInstance: RawInstance }).originalStorageInstance;
    const leaving = ours.changeStream().subscribe();
    // Told after the wrapper's listener has taken the bulk, before it has opened it.
    const beneath = raw.instance('items').changeStream().subscribe(() => leaving.unsubscribe());
    await store.dispatch(cartCommands.add(unusual));
    beneath.unsubscribe();
    const next = store.dispatch(cartCommands.add(product()));
    const outcome = await Promise.race([next.then(() => 'written'), new Promise((resolve) => setTimeout(resolve, 5_000, 'stuck'))]);
    expect(outcome).toBe('written');
    expect(selectItems(store.getState())).toHaveLength(2);
  });

  it('seals what the replication keeps of the server\'s copy as well', async () => {
    const { raw, keyring, name } = await setup();
    const { db, store } = await openCart(sealed(raw, keyring), name);
    await store.dispatch(cartCommands.add(unusual));
    const server: Record<string, unknown>[] = [];
    const replication = replicateRxCollection({
      collection: db.items, replicationIdentifier: 'test-server', live: true, retryTime: 50,
      push: { handler: async (rows) => { server.push(...rows.map((row) => row.newDocumentState)); return []; } },
      pull: { handler: async () => ({ documents: [], checkpoint: null }) },
    });
    await replication.awaitInitialReplication();
    // The replication got the plaintext; what it stored about it on this device is sealed.
    expect(server).toMatchObject([{ title: unusual.title }]);
    const meta = raw.instance((await replication.metaInfoPromise).collectionName);
    const rows = await raw.rows(meta);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => typeof row[SEALED_FIELD] === 'string' && !('docData' in row))).toBe(true);
    const everything = await raw.everything();
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
    await replication.cancel();
  });

  it('stores writes in the order they were asked for, however long each takes to seal (rule 7)', async () => {
    const { raw, keyring, name } = await setup();
    // Sealing the item "slow" takes longer than sealing "fast", asked for just after it.
    const cipher = keyring.cipher;
    const slowToSeal = new Proxy(cipher, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        if (property !== 'encryptToBytes') return value.bind(target);
        return async (aad: string, plain: unknown) => {
          if (aad.endsWith(':slow')) await new Promise((resolve) => setTimeout(resolve, 80));
          return (value as (aad: string, plain: unknown) => Promise<Uint8Array>).call(target, aad, plain);
        };
      },
    });
    const { db, store } = await openCart(sealed(raw, () => slowToSeal), name);
    const id = (await store.dispatch(cartCommands.add(unusual))).written[0]!.id;
    const { _rev, _meta, _attachments, _deleted, ...item } = (await db.items.findOne(id).exec())!.toMutableJSON(true);
    void _rev; void _meta; void _attachments; void _deleted;
    const stored: { id: string; lwt: number }[] = [];
    const subscription = raw.instance('items').changeStream().subscribe((bulk) => {
      for (const event of bulk.events) stored.push({ id: event.documentId, lwt: (event.documentData as { _meta: { lwt: number } })._meta.lwt });
    });
    await Promise.all([db.items.insert({ ...item, id: 'slow' }), db.items.insert({ ...item, id: 'fast' })]);
    subscription.unsubscribe();
    expect(stored.map((write) => write.id)).toEqual(['slow', 'fast']);
    expect(stored[1]!.lwt).toBeGreaterThan(stored[0]!.lwt);
    // The push, resuming from the first write stored, finds the other.
    const after = await getChangedDocumentsSince(db.items.storageInstance, 10, { id: 'slow', lwt: stored[0]!.lwt });
    expect(after.documents.map((doc) => doc.id)).toEqual(['fast']);
  });

  it('carries decrypted documents, in order, on the change stream', async () => {
    const { raw, keyring, name } = await setup();
    const { db, store } = await openCart(sealed(raw, keyring), name);
    const seen: Record<string, unknown>[] = [];
    const subscription = db.items.eventBulks$.subscribe((bulk) => {
      for (const event of bulk.events) seen.push(event.documentData as Record<string, unknown>);
    });
    const id = (await store.dispatch(cartCommands.add(unusual))).written[0]!.id;
    for (let quantity = 2; quantity <= 6; quantity += 1) await store.dispatch(cartCommands.setQuantity(id, quantity));
    // A row written beneath the wrapper (as a second tab or a restore would) is decrypted on the way.
    const items = raw.instance('items');
    const [row] = await items.findDocumentsById([id], false);
    await items.bulkWrite([{ previous: row!, document: { ...row!, _rev: '99-copy', _meta: { lwt: Date.now() } } }], 'test');
    await expect.poll(() => seen.length).toBe(7);
    subscription.unsubscribe();
    expect(seen.map((doc) => doc.quantity)).toEqual([1, 2, 3, 4, 5, 6, 6]);
    for (const doc of seen) {
      expect(doc).toMatchObject({ id, title: unusual.title, url: unusual.url });
      expect(doc).not.toHaveProperty(SEALED_FIELD);
    }
    expect(seen[6]).toMatchObject({ _rev: '99-copy' });
    expect((store.getState().items[id] as ClockedItem).quantity).toBe(6);
  });
});

describe('latin1Bytes', () => {
  it('copies byte strings one after another where the engine can, and says false where it cannot', () => {
    const into = new Uint8Array(5);
    const native = (Uint8Array.prototype as { setFromBase64?: unknown }).setFromBase64;
    if (typeof native === 'function') {
      expect(latin1Bytes(['\u0001\u00ff', null, '\u0000AB'], into)).toBe(true);
      expect([...into]).toEqual([1, 255, 0, 65, 66]);
    } else {
      expect(latin1Bytes(['\u0001\u00ff', null, '\u0000AB'], into)).toBe(false); // Node 22: the caller copies
    }
    expect(latin1Bytes(['\u0100'], new Uint8Array(1))).toBe(false);
  });
});

describe('encrypted storage refusals', () => {
  it('refuses a schema with attachments, which it would leave in clear', async () => {
    const keyring = await createKeyring(webCrypto);
    const storage = encryptedStorage(getRxStorageMemory(), keyring);
    const schema = { version: 0, primaryKey: 'id', type: 'object', properties: { id: { type: 'string', maxLength: 10 } }, attachments: {}, required: ['id'],
      indexes: [], additionalProperties: false } as never;
    const error = await storage.createStorageInstance({ databaseName: 'x', collectionName: 'files', schema, options: {}, multiInstance: false, devMode: false, databaseInstanceToken: 'test' })
      .then(() => null, (reason: unknown) => reason);
    expect(isToteError(error, 'INVALID_INPUT')).toBe(true);
  });
});
