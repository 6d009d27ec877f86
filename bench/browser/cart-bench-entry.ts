/**
 * Runs inside real Chromium: the cart workload on the apps' production storage (storage-dexie over
 * IndexedDB), as it is or sealed at rest with a fresh shopper key (persistence/encrypted-storage.ts).
 */
import { createKeyring, encryptedStorage } from '@tote/core';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { runCartWorkload } from '../cart1000-workload.ts';
import type { IndexedDbFiles } from '../indexeddb-files.ts';

/** Given by the driver (cart1000-browser.ts): what the profile's IndexedDB files hold, read from Node. */
type InspectFiles = () => Promise<IndexedDbFiles>;
type Figures = Awaited<ReturnType<typeof runCartWorkload>> & { unreadable: number; files: IndexedDbFiles | null };
type RunCartBench = (size: number, ops: number, encrypted: boolean) => Promise<Figures>;

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
  return { ...figures, unreadable, files };
};
