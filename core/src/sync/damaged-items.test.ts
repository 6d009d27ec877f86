/**
 * An item row of the device's own sealed database damaged beneath the app, on storage-dexie over
 * fake-indexeddb: reported as damaged here, and replaced by the server's copy only when that copy opens.
 * (The same through the real server in real Chromium: test/faults/corrupt-local.test.ts.)
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { createKeyring } from '../crypto/keyring.ts';
import { webCrypto } from '../crypto/test/fixtures.ts';
import type { ClockedItem } from '../merge/item-clocks.ts';
import { product } from '../test/fixtures.ts';
import { createToteClient, DAMAGED_HERE } from '../tote-client.ts';
import { damagedItemRepair } from './damaged-items.ts';
import { itemSeal } from './sealed-items.ts';

const device = { id: 'laptop', name: 'Laptop' };
const fetchNothing = () => Promise.reject(new Error('offline'));
const DB_URL = 'https://sync.example/userdb-6c/';

const request = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

/** Flips one byte of the sealed row of `id` beneath the app; returns the row's revision. */
async function damageRow(indexedDB: IDBFactory, id: string): Promise<string> {
  const name = (await indexedDB.databases()).map((each) => each.name ?? '').find((each) => each.startsWith('rxdb-dexie-damaged--') && each.endsWith('--items'))!;
  const db = await request(indexedDB.open(name));
  try {
    for (const storeName of Array.from(db.objectStoreNames)) {
      const store = db.transaction(storeName, 'readwrite').objectStore(storeName);
      const row = await request(store.get(id)) as { enc?: string; _rev: string } | undefined;
      if (!row?.enc) continue;
      row.enc = row.enc.slice(0, 20) + String.fromCharCode(row.enc.charCodeAt(20) ^ 1) + row.enc.slice(21);
      await request(store.put(row));
      return row._rev;
    }
  } finally {
    db.close();
  }
  throw new Error(`no stored row of ${id}`);
}

describe('an item row damaged on this device', () => {
  it('is reported as damaged here, and the server\'s copy takes its place only when that copy opens', async () => {
    const indexedDB = new IDBFactory();
    const storage = getRxStorageDexie({ indexedDB, IDBKeyRange });
    const atRest = await createKeyring(webCrypto);
    const account = itemSeal(await createKeyring(webCrypto));
    const open = () => createToteClient({ storage, name: 'damaged', atRest, device, fetch: fetchNothing });
    let client = await open();
    const teapot = (await client.store.dispatch(cartCommands.add(product({ title: 'Teapot', url: 'https://shop.example/p/teapot' })))).written[0]!;
    const apron = (await client.store.dispatch(cartCommands.add(product({ title: 'Apron', url: 'https://shop.example/p/apron' })))).written[0]!;
    await client.store.dispatch(cartCommands.add(product({ title: 'Mug', url: 'https://shop.example/p/mug' })));
    // What the server holds: each item sealed with the account's key, as sync pushed it.
    const server = new Map<string, object>();
    for (const doc of await client.db.items.find().exec()) {
      const item = Object.fromEntries(Object.entries(doc.toMutableJSON()).filter(([key]) => !key.startsWith('_'))) as unknown as ClockedItem;
      server.set(item.id, { _id: item.id, _rev: '1-a', ...(await account.seal(item)) });
    }
    const apronOnServer = server.get(apron.id) as { enc: string };
    server.set(apron.id, { ...apronOnServer, enc: `${apronOnServer.enc.slice(0, 30)}${apronOnServer.enc[30] === 'A' ? 'B' : 'A'}${apronOnServer.enc.slice(31)}` });
    await client.close();

    const rows = new Map([[teapot.id, await damageRow(indexedDB, teapot.id)], [apron.id, await damageRow(indexedDB, apron.id)]]);
    client = await open();
    expect(client.unreadableNotices.getNotices().map(({ id, message }) => [id, message]).sort()).toEqual([[teapot.id, DAMAGED_HERE], [apron.id, DAMAGED_HERE]].sort());
    expect(Object.values(client.store.getState().items).map((item) => item.title)).toEqual(['Mug']);

    const replaced: string[] = [];
    const fetchServer = async (url: string | URL | Request) => {
      const doc = server.get(decodeURIComponent(String(url).slice(DB_URL.length)));
      return new Response(JSON.stringify(doc ?? { error: 'not_found' }), { status: doc ? 200 : 404 });
    };
    const repair = damagedItemRepair({ items: client.db.items, damaged: { rows, replaced: (item) => replaced.push(item.id) }, dbUrl: DB_URL, fetch: fetchServer, seal: account });
    expect(await repair(teapot.id)).toBe(true);
    expect(await repair(apron.id)).toBe(false); // the server's copy is damaged too: the row stays set aside
    expect(await repair('not-on-the-server')).toBe(false);
    expect(replaced).toEqual([teapot.id]);
    expect(Object.values(client.store.getState().items).map((item) => item.title).sort()).toEqual(['Mug', 'Teapot']);
    await client.close();

    client = await open();
    expect(client.unreadableNotices.getNotices().map(({ id }) => id)).toEqual([apron.id]);
    expect(Object.values(client.store.getState().items).map((item) => item.title).sort()).toEqual(['Mug', 'Teapot']);
    await client.close();
  });
});
