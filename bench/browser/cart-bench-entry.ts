/** Runs inside real Chromium: the cart workload on the apps' production storage (storage-dexie over IndexedDB). */
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { runCartWorkload } from '../cart1000-workload.ts';

(globalThis as unknown as { runCartBench: (size: number, ops: number) => ReturnType<typeof runCartWorkload> }).runCartBench =
  (size, ops) => runCartWorkload(getRxStorageDexie(), size, ops, async () => (await navigator.storage.estimate()).usage ?? 0);
