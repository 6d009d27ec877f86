/**
 * Runs inside real Chromium: the cart workload on the apps' production storage (storage-dexie over
 * IndexedDB), as it is or sealed at rest with a fresh shopper key (persistence/encrypted-storage.ts),
 * and, for comparison, what IndexedDB alone takes to rewrite that many rows in one transaction.
 */
import { createKeyring, encryptedStorage } from '@tote/core';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { benchProduct, runCartWorkload } from '../cart1000-workload.ts';
import type { IndexedDbFiles } from '../indexeddb-files.ts';

/** Given by the driver (cart1000-browser.ts): what the profile's IndexedDB files hold, read from Node. */
type InspectFiles = () => Promise<IndexedDbFiles>;
type Figures = Awaited<ReturnType<typeof runCartWorkload>> & { unreadable: number; idbRewriteMs: number; files: IndexedDbFiles | null };
type RunCartBench = (size: number, ops: number, encrypted: boolean) => Promise<Figures>;

const done = (request: IDBRequest | IDBTransaction) => new Promise<void>((resolve, reject) => {
  if (request instanceof IDBTransaction) {
    request.oncomplete = () => resolve();
    request.onerror = () => reject(request.error);
  } else {
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  }
});

/**
 * The floor under clearing a list item by item: a bare IndexedDB transaction rewriting `size` rows of
 * the stored items' shape, with the two indexes storage-dexie keeps beside the key (`_deleted` as
 * storage-dexie stores booleans, and `_meta.lwt`). storage-dexie does this plus reading the rows first.
 */
async function idbRewrite(size: number): Promise<number> {
  const name = `bench-bare-${Date.now()}`;
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => {
    const table = open.result.createObjectStore('items', { keyPath: 'id' });
    table.createIndex('deleted', ['_deleted', 'id']);
    table.createIndex('lwt', ['_meta.lwt', 'id']);
  };
  await done(open);
  const db = open.result;
  const rows = Array.from({ length: size }, (_, i) => {
    const product = benchProduct(i);
    return {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, listId: 'cart', url: product.url, shop: `shop-${i % 25}.example`,
      title: product.title, priceMinor: product.priceMinor, currency: product.currency, imageUrl: product.imageUrl,
      variant: product.variant, quantity: 1, note: '', addedAt: 1_764_000_000_000 + i, addedBy: 'bench', updatedAt: 1_764_000_000_000 + i,
      updatedBy: 'bench', addedPriceMinor: product.priceMinor, priceHistory: [], deleted: false, fieldClocks: {},
      _deleted: '0', _rev: `1-${i}`, _meta: { lwt: 1_764_000_000_000 + i }, _attachments: {},
    };
  });
  const write = async (deleted: boolean) => {
    const tx = db.transaction('items', 'readwrite');
    const table = tx.objectStore('items');
    for (const row of rows) table.put({ ...row, deleted, _rev: deleted ? `2-${row.id}` : row._rev });
    await done(tx);
  };
  await write(false);
  const start = performance.now();
  await write(true);
  const ms = performance.now() - start;
  db.close();
  await done(indexedDB.deleteDatabase(name));
  return ms;
}

(globalThis as unknown as { runCartBench: RunCartBench }).runCartBench = async (size, ops, encrypted) => {
  const dexie = getRxStorageDexie();
  let unreadable = 0;
  const storage = encrypted
    ? encryptedStorage(dexie, await createKeyring(globalThis.crypto), { onUnreadable: () => { unreadable += 1; } })
    : dexie;
  let files: IndexedDbFiles | null = null;
  const figures = await runCartWorkload(storage, size, ops, async () => {
    const usage = (await navigator.storage.estimate()).usage ?? 0;
    // Read at the same moment, before the workload writes on.
    const inspect = (globalThis as unknown as { benchIndexedDbFiles?: InspectFiles }).benchIndexedDbFiles;
    files = inspect ? await inspect() : null;
    return usage;
  });
  return { ...figures, unreadable, files, idbRewriteMs: await idbRewrite(size) };
};
