/**
 * Whole-range reads in one IndexedDB request: storage-dexie (rxdb 17.6) answers every query with a
 * cursor, one `continue()` and one event per row, so reading a cart of 10 000 items at start is 10 000
 * round trips between the page and IndexedDB. This wrapper answers the queries whose rows are exactly a
 * range of one index, in the index's order (the store's read of every item at start, the replication's
 * reads by checkpoint), with the index's `getAll(range)`: one request, the rows in the same order
 * (docs/benchmarks.md, `cart10k.load_ms`).
 *
 * Usage, by the shells that keep the cart in IndexedDB:
 *
 *   const storage = dexieBulkReads(getRxStorageDexie());
 *
 * Rules:
 * 1. **The same rows as storage-dexie's own query, in the same order.** Only a query whose selector the
 *    index range satisfies and whose sort is the index's order is read this way (RxDB's query plan says
 *    both); `skip` and `limit` are applied to the range's rows (a limit as the request's count). Any
 *    other query, `count`, lookups by id and writes go to storage-dexie unchanged.
 * 2. **Rows come out as storage-dexie gives them**: field names Dexie cannot index (starting with `|`)
 *    and boolean index fields are turned back the way storage-dexie's `fromDexieToStorage` does, on the
 *    row IndexedDB just made (no copy).
 * 3. **In parts, on request**: `queryInParts` reads the same rows `partSize` at a time, each part asked
 *    for before the one before is handed over, so the caller's work on a part (opening sealed rows:
 *    encrypted-storage.ts) overlaps IndexedDB reading the next. Only for queries without skip or limit.
 * 4. **Rows written after a checkpoint, by their exact key**: `getChangedDocumentsSince` (which RxDB's
 *    replication and the cart's snapshot ask, store/cart-snapshot.ts) is one `getAll` on the
 *    `[_meta.lwt+id]` index from just after the checkpoint's key. storage-dexie answers it with a cursor
 *    from the checkpoint's time and RxDB's matcher on every row: every row written in the same
 *    millisecond as the checkpoint's (a bulk write stamps its rows alike; an import of 10 000 items) was
 *    read and thrown away again, 60 ms at each start for a 10 000-item import. Same rows, same order,
 *    same checkpoint answered as RxDB's own `getChangedDocumentsSince`.
 * 5. It relies on storage-dexie's internals (its Dexie database, the `docs` table, boolean indexes),
 *    which is why rxdb's version is pinned; a storage without them is returned as it is.
 */
import {
  getPrimaryFieldOfPrimaryKey, RX_META_LWT_MINIMUM, type PreparedQuery, type RxDocumentData, type RxStorage, type RxStorageInstance,
  type RxStorageInstanceCreationParams,
} from 'rxdb';
import {
  DEXIE_DOCS_TABLE_NAME, DEXIE_PIPE_SUBSTITUTE, dexieReplaceIfStartsWithPipe, dexieReplaceIfStartsWithPipeRevert, getKeyRangeByQueryPlan,
} from 'rxdb/plugins/storage-dexie';
import { ToteError } from '../errors.ts';

type Plain = Record<string, unknown>;
// RxDB storages are generic over their internals; any storage can be wrapped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStorage = RxStorage<any, any>;

/** What storage-dexie keeps behind `instance.internals` (rxdb 17.6). */
interface DexieState {
  readonly dexieDb: {
    readonly _options: { readonly IDBKeyRange?: unknown };
    transaction(mode: 'r', table: unknown, scope: (transaction: { idbtrans: IDBTransaction }) => Promise<void>): Promise<void>;
  };
  readonly dexieTable: unknown;
  readonly booleanIndexes: readonly string[];
}

/**
 * What an instance of `dexieBulkReads` adds: a query's rows handed over in parts as IndexedDB reads them
 * (rule 3), so a caller can work on one part while the next is read.
 */
export interface QueryInParts {
  /**
   * Resolves true once every row of `prepared` has been given to `onPart`, in order; false (nothing
   * given) for a query this cannot answer in parts: ask `query` then.
   */
  queryInParts(prepared: PreparedQuery<Plain>, onPart: (rows: RxDocumentData<Plain>[]) => void): Promise<boolean>;
}

export interface DexieBulkReadsOptions {
  /** Rows per request of `queryInParts` (default 1000). */
  readonly partSize?: number;
}

/** `storage` (storage-dexie) with range queries read by `getAll` (see the rules above). */
export function dexieBulkReads<S extends AnyStorage>(storage: S, options: DexieBulkReadsOptions = {}): S {
  const partSize = options.partSize ?? 1000;
  if (!Number.isInteger(partSize) || partSize < 1) {
    throw new ToteError('INVALID_INPUT', `Tote cannot read the storage in parts of ${String(partSize)} rows: a part must be a whole number of rows, at least 1.`, { partSize });
  }
  return {
    ...storage,
    async createStorageInstance(params: RxStorageInstanceCreationParams<Plain, unknown>) {
      const instance = await storage.createStorageInstance(params) as RxStorageInstance<Plain, Promise<DexieState>, unknown> & QueryInParts;
      const query = instance.query.bind(instance);
      instance.query = async (prepared: PreparedQuery<Plain>) => {
        const rows: RxDocumentData<Plain>[][] = [];
        const answered = await readRange(instance.internals, prepared, Infinity, (part) => rows.push(part));
        return answered ? { documents: rows.length === 1 ? rows[0]! : rows.flat() } : query(prepared);
      };
      const changedSince = await changedSinceOf(instance);
      if (changedSince) instance.getChangedDocumentsSince = changedSince;
      instance.queryInParts = (prepared, onPart) => {
        if ((prepared.query.skip ?? 0) !== 0 || prepared.query.limit !== undefined) return Promise.resolve(false);
        return readRange(instance.internals, prepared, partSize, onPart);
      };
      return instance;
    },
  } as S;
}

interface RowCheckpoint {
  readonly id: string;
  readonly lwt: number;
}

/**
 * Rule 4: the rows after `checkpoint` in the `[_meta.lwt+<primary key>]` index, at most `limit`, with the
 * checkpoint RxDB's own would give (the last row's, or the one asked with, or the start). Null for a
 * storage without that index or without storage-dexie's internals.
 */
async function changedSinceOf(instance: RxStorageInstance<Plain, Promise<DexieState>, unknown>) {
  const state = await instance.internals;
  if (!state?.dexieDb || !Array.isArray(state.booleanIndexes)) return null;
  const primary = getPrimaryFieldOfPrimaryKey(instance.schema.primaryKey) as string;
  const indexName = `[${['_meta.lwt', primary].map((field) => dexieReplaceIfStartsWithPipe(field)).join('+')}]`;
  const Range = (state.dexieDb._options.IDBKeyRange ?? globalThis.IDBKeyRange) as typeof IDBKeyRange | undefined;
  if (!Range) return null;
  return async (limit: number, checkpoint?: unknown) => {
    const since = checkpoint as RowCheckpoint | undefined;
    // RxDB's own starts after (its first stamp, '') when there is no checkpoint: no row has an empty id.
    const range = since ? Range.lowerBound([since.lwt, since.id], true) : Range.lowerBound([RX_META_LWT_MINIMUM, ''], true);
    let rows: Plain[] = [];
    await state.dexieDb.transaction('r', state.dexieTable, async ({ idbtrans }) => {
      const index = idbtrans.objectStore(DEXIE_DOCS_TABLE_NAME).index(indexName);
      rows = await new Promise<Plain[]>((resolve, reject) => {
        const request = index.getAll(range, limit);
        request.onsuccess = () => resolve(request.result as Plain[]);
        request.onerror = () => reject(request.error ?? new Error('IndexedDB could not read the rows'));
      });
    });
    for (const row of rows) fromDexieInPlace(row, state.booleanIndexes);
    const last = rows.at(-1) as RxDocumentData<Plain> | undefined;
    return {
      documents: rows as RxDocumentData<Plain>[],
      checkpoint: last ? { id: last[primary] as string, lwt: last._meta.lwt } : since ?? { id: '', lwt: 0 },
    };
  };
}

/** The index key of a row as Dexie stores it (boolean fields as '0' and '1'). */
function indexKey(row: Plain, fields: readonly string[]): unknown[] {
  return fields.map((field) => {
    let value: unknown = row;
    for (const part of dexieReplaceIfStartsWithPipe(field).split('.')) value = (value as Plain | undefined)?.[part];
    return value;
  });
}

/**
 * The rows of a query that is one index range in the index's order, given to `onPart` `partSize` at a
 * time (the next part is asked for before this one is handed over); false for any other query.
 */
async function readRange(internals: Promise<DexieState>, prepared: PreparedQuery<Plain>, partSize: number,
  onPart: (rows: RxDocumentData<Plain>[]) => void): Promise<boolean> {
  const plan = prepared.queryPlan;
  if (!plan.selectorSatisfiedByIndex || !plan.sortSatisfiedByIndex) return false;
  const state = await internals;
  if (!state?.dexieDb || !Array.isArray(state.booleanIndexes)) return false;
  const skip = prepared.query.skip ?? 0;
  const limit = prepared.query.limit;
  let range: IDBKeyRange;
  try {
    range = getKeyRangeByQueryPlan(state.booleanIndexes as string[], plan, state.dexieDb._options.IDBKeyRange) as IDBKeyRange;
  } catch (error) {
    // storage-dexie answers a range IndexedDB refuses (a key it cannot order) with no rows.
    if ((error as { name?: unknown } | null)?.name === 'DataError') {
      onPart([]);
      return true;
    }
    throw error;
  }
  if (limit === 0) {
    onPart([]);
    return true;
  }
  const Range = range.constructor as typeof IDBKeyRange;
  // Every RxDB index ends with the primary key, so index keys are unique: a part starts after the last key of the one before.
  const after = (row: Plain): IDBKeyRange | null => {
    try {
      return Range.bound(indexKey(row, plan.index), range.upper, true, range.upperOpen);
    } catch {
      return null; // the last row was the range's end
    }
  };
  await state.dexieDb.transaction('r', state.dexieTable, async ({ idbtrans }) => {
    const index = idbtrans.objectStore(DEXIE_DOCS_TABLE_NAME).index(`[${plan.index.map((field) => dexieReplaceIfStartsWithPipe(field)).join('+')}]`);
    await new Promise<void>((resolve, reject) => {
      let first = true;
      const read = (from: IDBKeyRange) => {
        const count = limit === undefined ? (partSize === Infinity ? undefined : partSize) : skip + limit;
        const request = index.getAll(from, count);
        request.onsuccess = () => {
          let rows = request.result as Plain[];
          const next = count !== undefined && rows.length === count && limit === undefined ? after(rows.at(-1)!) : null;
          if (next) read(next);
          try {
            if (first && skip > 0) rows = rows.slice(skip);
            first = false;
            for (const row of rows) fromDexieInPlace(row, state.booleanIndexes);
            onPart(rows as RxDocumentData<Plain>[]);
          } catch (error) {
            reject(error);
            return;
          }
          if (!next) resolve();
        };
        request.onerror = () => reject(request.error ?? new Error('IndexedDB could not read the rows'));
      };
      read(range);
    });
  });
  return true;
}

/** storage-dexie's `fromDexieToStorage`, on a row no one else holds. */
function fromDexieInPlace(row: Plain, booleanIndexes: readonly string[]): void {
  revertFieldNames(row);
  for (const path of booleanIndexes) {
    const parts = path.split('.');
    let target: Plain | undefined = row;
    for (const part of parts.slice(0, -1)) target = target?.[part] as Plain | undefined;
    if (target && typeof target === 'object') target[parts.at(-1)!] = target[parts.at(-1)!] === '1';
  }
}

/** Field names stored as `__x` go back to `|x`, at any depth, as storage-dexie's `fromDexieToStorageField`. */
function revertFieldNames(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const entry of value) revertFieldNames(entry);
    return;
  }
  const object = value as Plain;
  for (const key of Object.keys(object)) {
    const entry = object[key];
    revertFieldNames(entry);
    if (key.startsWith(DEXIE_PIPE_SUBSTITUTE)) {
      delete object[key];
      object[dexieReplaceIfStartsWithPipeRevert(key)] = entry;
    }
  }
}
