/**
 * Runs inside real Chromium: the least any IndexedDB layout can write per added item, for the
 * "< 1 KB per item locally" target (docs/benchmarks.md, "The floor under IndexedDB"). Each added item
 * is one transaction, as each cart add is; the value is a sealed item's stored form of the measured
 * size; the layouts go from storage-dexie's (three indexes) down to a bare object store without any.
 */

export interface FloorLayout {
  /** Index key paths besides the primary key: storage-dexie keeps three, the replication needs one. */
  readonly indexes: readonly (readonly string[])[];
  /** Size of the sealed envelope string in each row. */
  readonly envelopeChars: number;
}

const done = (request: IDBRequest | IDBTransaction) => new Promise<void>((resolve, reject) => {
  if (request instanceof IDBTransaction) {
    request.oncomplete = () => resolve();
    request.onerror = () => reject(request.error);
  } else {
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  }
});

const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** An id as new items get them (16 letters and digits, core/src/ports.ts `randomId`). */
const shortId = (i: number) => Array.from({ length: 16 }, (_, k) => LETTERS[(i * 31 + k * 7 + (i >> k)) % LETTERS.length]).join('');
/** Base64url-like text of a given length, standing for the sealed envelope (AES-GCM output does not compress). */
function envelope(chars: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil((chars * 3) / 4)));
  return btoa(String.fromCharCode(...bytes)).slice(0, chars);
}

/**
 * What a push's "what changed since" costs: with an index by write time, a range read of the newest
 * rows; without one, every row read and filtered (median of 9, after the fill).
 */
async function changedSinceMs(db: IDBDatabase, indexed: boolean, since: number): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < 9; round += 1) {
    const start = performance.now();
    const tx = db.transaction('items', 'readonly');
    const request = indexed
      ? tx.objectStore('items').index('i0').getAll(IDBKeyRange.lowerBound([since, '']))
      : tx.objectStore('items').getAll();
    await done(request);
    const rows = request.result as { _meta: { lwt: number } }[];
    if (rows.filter((row) => row._meta.lwt >= since).length === 0) throw new Error('no changed row found');
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[4]!;
}

async function runIndexedDbFloor(size: number, layout: FloorLayout): Promise<{ usage: number; changedSinceMs: number }> {
  const open = indexedDB.open('floor', 1);
  open.onupgradeneeded = () => {
    const table = open.result.createObjectStore('items', { keyPath: 'id' });
    layout.indexes.forEach((keyPath, i) => table.createIndex(`i${i}`, keyPath.length === 1 ? keyPath[0]! : [...keyPath]));
  };
  await done(open);
  const db = open.result;
  for (let i = 0; i < size; i += 1) {
    const tx = db.transaction('items', 'readwrite');
    tx.objectStore('items').put({
      id: shortId(i), _deleted: '0', _rev: `1-${shortId(i + size)}`, _meta: { lwt: 1_764_000_000_000 + i }, _attachments: {},
      c: envelope(layout.envelopeChars),
    });
    await done(tx);
  }
  const usage = (await navigator.storage.estimate()).usage ?? 0;
  // The newest ten rows, as a push after ten adds asks; the index by write time leads when there is one.
  const indexed = layout.indexes.length > 0 && layout.indexes[0]![0] === '_meta.lwt';
  const ms = await changedSinceMs(db, indexed, 1_764_000_000_000 + size - 10);
  db.close();
  return { usage, changedSinceMs: ms };
}

(globalThis as unknown as { runIndexedDbFloor: typeof runIndexedDbFloor }).runIndexedDbFloor = runIndexedDbFloor;
