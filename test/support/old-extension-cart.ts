/**
 * Bundled into a page of the extension's origin by test/browser/extension-upgrade.test.ts: writes a cart
 * as Tote's extension kept it before encryption at rest (an RxDB database in clear, `tote-extension`).
 */
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { cartCommands, createCartStore, deleteIndexedDbOf, openCartDatabase } from '@tote/core';

async function makeOldCart(titles: string[]): Promise<string[]> {
  const db = await openCartDatabase({ storage: getRxStorageDexie(), name: 'tote-extension' });
  const store = createCartStore({ items: db.items, device: { id: 'old-browser', name: 'Chrome extension' } });
  await store.ready;
  for (const title of titles) {
    await store.dispatch(cartCommands.add({
      url: `https://shop.example/p/${encodeURIComponent(title)}`, title, priceMinor: 4200, currency: 'EUR', imageUrl: null, variant: null,
    }));
  }
  await store.historySettled();
  store.close();
  await db.close();
  // An old browser had no sealed database yet: the one this start made goes (Dexie in the background
  // closes its connection when asked to).
  // The deletion waits for that (it may report "blocked" first): asked again until it is gone.
  const names = async () => (await indexedDB.databases()).map(({ name }) => name ?? '');
  for (let attempt = 0; attempt < 50 && (await names()).some((name) => name.startsWith('rxdb-dexie-tote-extension-sealed--')); attempt += 1) {
    await deleteIndexedDbOf(indexedDB, 'tote-extension-sealed');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return names();
}

Object.assign(globalThis, { makeOldCart });
