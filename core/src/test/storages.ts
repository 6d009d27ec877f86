/**
 * The storages a device uses, for core tests: storage-memory, and storage-dexie (the browsers'
 * IndexedDB storage) over fake-indexeddb. One fake IndexedDB per call (per test file), shared across
 * re-opens, so a database opened again after closing finds its documents: persistence is real.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';

export function deviceStorages() {
  const indexedDB = new IDBFactory();
  return {
    memory: () => getRxStorageMemory(),
    dexie: () => getRxStorageDexie({ indexedDB, IDBKeyRange }),
  };
}
