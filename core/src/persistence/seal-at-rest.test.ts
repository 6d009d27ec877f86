/** Turning encryption at rest on for a cart that was kept in clear, on Dexie over fake-indexeddb. */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { selectItems } from '../cart/cart-selectors.ts';
import { createKeyring } from '../crypto/keyring.ts';
import { webCrypto } from '../crypto/test/fixtures.ts';
import { ManualClock, product } from '../test/fixtures.ts';
import { createToteClient } from '../tote-client.ts';
import { encryptedStorage } from './encrypted-storage.ts';
import { sealExistingDatabase } from './seal-at-rest.ts';

const device = { id: 'laptop', name: 'Laptop' };
const fetchNothing = () => Promise.reject(new Error('offline'));
const TITLES = ['Zebra-striped xylophone QX7', 'Quokka plush 19 cm'];

/** Every row of every IndexedDB database, as text: what someone reading the disk would find. */
async function everythingStored(indexedDB: IDBFactory): Promise<string> {
  const out: unknown[] = [];
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name!);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    for (const store of Array.from(db.objectStoreNames)) {
      out.push(await new Promise((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      }));
    }
    db.close();
  }
  return JSON.stringify(out, (_key, value: unknown) => (value instanceof Uint8Array ? Array.from(value) : value));
}

describe('sealing a cart kept in clear', () => {
  it('moves every item, its history and the conflict log into a sealed database, and leaves nothing readable behind', async () => {
    const indexedDB = new IDBFactory();
    const storage = () => getRxStorageDexie({ indexedDB, IDBKeyRange });
    const clock = new ManualClock();
    const plain = await createToteClient({ storage: storage(), name: 'cart', device, fetch: fetchNothing, clock });
    for (const [index, title] of TITLES.entries()) await plain.store.dispatch(cartCommands.add(product({ title, url: `https://shop.example/p/${index}` })));
    const kept = selectItems(plain.store.getState())[0]!;
    await plain.store.dispatch(cartCommands.setNote(kept.id, 'Gift for Wilhelmina'));
    plain.conflicts.record([{
      id: 'n1', itemId: kept.id, title: kept.title, currency: 'EUR', field: 'quantity', kind: 'same-field', resolution: 'later-wins',
      winner: { value: 2, stamp: 'a', device: 'phone' }, loser: { value: 3, stamp: 'b', device: 'laptop' },
    }]);
    await plain.store.historySettled();
    const historyDocs = await plain.db.history.count().exec();
    await plain.close();
    expect(await everythingStored(indexedDB)).toContain('Wilhelmina');

    const keyring = await createKeyring(webCrypto);
    const result = await sealExistingDatabase({ storage: storage(), name: 'cart' }, { storage: encryptedStorage(storage(), keyring), name: 'cart-sealed' });
    expect(result).toEqual({ items: 2, history: historyDocs });

    const stored = await everythingStored(indexedDB);
    for (const secret of [...TITLES, 'Wilhelmina', 'shop.example']) expect(stored).not.toContain(secret);

    const sealed = await createToteClient({ storage: storage(), name: 'cart-sealed', device, fetch: fetchNothing, clock, atRest: keyring });
    try {
      expect(selectItems(sealed.store.getState()).map((item) => item.title).sort()).toEqual([...TITLES].sort());
      expect(sealed.store.getState().items[kept.id]!.note).toBe('Gift for Wilhelmina');
      expect((await sealed.history.read()).entries).toHaveLength(3);
      expect(sealed.conflicts.getState().notices.map((notice) => notice.id)).toEqual(['n1']);
    } finally {
      await sealed.close();
    }
    // Run again (the next start): there is nothing left to move.
    expect(await sealExistingDatabase({ storage: storage(), name: 'cart' }, { storage: encryptedStorage(storage(), keyring), name: 'cart-sealed' }))
      .toEqual({ items: 0, history: 0 });
  });

  it('keeps the plain database when the copy cannot be completed', async () => {
    const indexedDB = new IDBFactory();
    const storage = () => getRxStorageDexie({ indexedDB, IDBKeyRange });
    const plain = await createToteClient({ storage: storage(), name: 'cart', device, fetch: fetchNothing });
    await plain.store.dispatch(cartCommands.add(product({ title: TITLES[0] })));
    await plain.close();
    // A sealed storage without a key: every write of the copy is refused.
    const noKey = encryptedStorage(storage(), () => { throw new Error('locked'); });
    const failure = await sealExistingDatabase({ storage: storage(), name: 'cart' }, { storage: noKey, name: 'cart-sealed' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    const again = await createToteClient({ storage: storage(), name: 'cart', device, fetch: fetchNothing });
    try {
      expect(selectItems(again.store.getState()).map((item) => item.title)).toEqual([TITLES[0]]);
    } finally {
      await again.close();
    }
  });
});
