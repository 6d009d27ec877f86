/**
 * Runs inside real Chromium: the cart workload on the apps' production storage (storage-dexie over
 * IndexedDB), as it is or sealed at rest with a fresh shopper key (persistence/encrypted-storage.ts).
 */
import { createKeyring, encryptedStorage } from '@tote/core';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { runCartWorkload } from '../cart1000-workload.ts';

type Figures = Awaited<ReturnType<typeof runCartWorkload>> & { unreadable: number };
type RunCartBench = (size: number, ops: number, encrypted: boolean) => Promise<Figures>;

(globalThis as unknown as { runCartBench: RunCartBench }).runCartBench = async (size, ops, encrypted) => {
  const dexie = getRxStorageDexie();
  let unreadable = 0;
  const storage = encrypted
    ? encryptedStorage(dexie, await createKeyring(globalThis.crypto), { onUnreadable: () => { unreadable += 1; } })
    : dexie;
  const figures = await runCartWorkload(storage, size, ops, async () => (await navigator.storage.estimate()).usage ?? 0);
  return { ...figures, unreadable };
};
