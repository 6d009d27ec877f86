/**
 * The cart's snapshot: how a large cart opens at once (docs/cart-manager.md, "Opening a large cart").
 *
 * Opening a cart reads every item row and opens each one's seal: for 10 000 items that is 10 000
 * decryptions and about 300 ms before anything can be shown. So a cart of at least `minItems` items also
 * keeps its state as one local document of the cart database (sealed at rest with the rest of it, never
 * synced): the store shows it first, then reads the items as always and shows what they hold, so the
 * snapshot decides nothing.
 *
 * The snapshot names the newest row it holds (the storage's checkpoint: `_meta.lwt` and id, which RxDB
 * stamps on every write in order). Rows written after it (the device stopped before the snapshot was
 * written again) are read by that index, opened, and shown with the snapshot: the cart opens as the
 * rows hold it, without reading them all.
 *
 * Rules:
 * 1. **The rows decide.** The snapshot, with the rows written after it, is shown only until the items
 *    are read (dispatches wait for them, as they always did); what the items hold then replaces it, the
 *    same objects kept where nothing differs. With more than SNAPSHOT_MAX_CHANGED rows written after it,
 *    it is not used: reading every row is as quick.
 * 2. **Written after changes**, when the cart has been still for a moment (the store's
 *    `snapshotDelayMs`, longer when a write took long), from the state the store shows; and when the
 *    store is flushed (the client closing). Its items are turned into text a thousand per task, so a
 *    large cart's write does not hold the thread in one piece.
 * 3. **Only large carts.** Below `minItems` documents (items, removed ones and list records) reading the
 *    rows is fast anyway: no snapshot is kept, and one left from a larger cart is removed.
 * 4. **A snapshot that cannot be read is not used**: another layout, a damaged document or a seal that
 *    does not open (the storage reports that) means the cart opens from its items, as without one.
 *
 * Layout: `{ v: 1, fields, rows, checkpoint }`, `rows` the JSON text of an array with one array per
 * item, its values in the order of `fields`: the field names once, not once per item (a third of the
 * bytes to seal, store and parse). Kept as text, the local document is one string to RxDB, which copies
 * a document's data at every write; 10 000 items as objects would be copied whole.
 */
import type { RxDatabase } from 'rxdb';
import { CART_ITEM_FIELDS } from '../cart/cart-reducer.ts';
import type { CartItem, CartState } from '../cart/cart-types.ts';

export const SNAPSHOT_ID = 'cart-snapshot';
/** More rows written after the snapshot than this: the cart opens from its rows (rule 1). */
export const SNAPSHOT_MAX_CHANGED = 1000;
const VERSION = 1;
/** Items turned into text per task while a snapshot is written: the shopper's clicks and scrolling go between. */
const WRITE_PART = 1000;

/** The fields of a cart item the state keeps, in the order a row holds them (a snapshot of another list is not used). */
export const SNAPSHOT_FIELDS = CART_ITEM_FIELDS;

/** Where the snapshot is kept: the cart database's local documents. */
export type SnapshotDocuments = Pick<RxDatabase, 'getLocal' | 'upsertLocal'>;

export interface CartSnapshot {
  /** The items (and list records) of the last snapshot and its newest row; null when there is none to use (rule 4). */
  read(): Promise<SnapshotRead | null>;
  /** Keeps `state`, which holds the rows up to `checkpoint`, as the snapshot; or removes it when the cart is small (rule 3). */
  write(state: CartState, checkpoint: RowCheckpoint): Promise<void>;
}

/** The newest row a snapshot holds: RxDB's replication checkpoint of a storage. */
export interface RowCheckpoint {
  readonly id: string;
  readonly lwt: number;
}

interface Stored {
  readonly v: number;
  readonly fields: readonly string[];
  readonly rows: string;
  readonly checkpoint: RowCheckpoint;
}

export interface SnapshotRead {
  readonly docs: CartItem[];
  readonly checkpoint: RowCheckpoint;
}

const isCheckpoint = (value: unknown): value is RowCheckpoint => typeof value === 'object' && value !== null
  && typeof (value as RowCheckpoint).id === 'string' && typeof (value as RowCheckpoint).lwt === 'number';

const sameFields = (fields: unknown) => Array.isArray(fields) && fields.length === SNAPSHOT_FIELDS.length
  && SNAPSHOT_FIELDS.every((field, i) => fields[i] === field);

const ID = SNAPSHOT_FIELDS.indexOf('id');
const LIST_ID = SNAPSHOT_FIELDS.indexOf('listId');
const PRICE_HISTORY = SNAPSHOT_FIELDS.indexOf('priceHistory');
/** Whether a row read back can stand for an item until the rows are read (rule 1 corrects the rest). */
const wellFormed = (row: unknown): row is unknown[] => Array.isArray(row) && row.length === SNAPSHOT_FIELDS.length
  && typeof row[ID] === 'string' && typeof row[LIST_ID] === 'string' && Array.isArray(row[PRICE_HISTORY]);

function parsed(text: unknown): unknown {
  try {
    return typeof text === 'string' ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export function sizeOf(state: CartState): number {
  return Object.keys(state.items).length + Object.keys(state.listRecords).length;
}

export function createCartSnapshot(db: SnapshotDocuments, { minItems }: { minItems: number }): CartSnapshot {
  let kept: boolean | null = null; // whether a snapshot is stored (null: not known yet)
  return {
    async read() {
      const doc = await db.getLocal<Stored>(SNAPSHOT_ID);
      kept = doc !== null;
      if (!doc) return null;
      const checkpoint: unknown = doc.get('checkpoint');
      if (doc.get('v') !== VERSION || !sameFields(doc.get('fields')) || !isCheckpoint(checkpoint)) return null;
      const rows = parsed(doc.get('rows'));
      if (!Array.isArray(rows)) return null;
      const items: CartItem[] = [];
      for (const row of rows) {
        if (!wellFormed(row)) return null;
        const item: Record<string, unknown> = {};
        SNAPSHOT_FIELDS.forEach((field, i) => {
          if (row[i] !== undefined && row[i] !== null) item[field] = row[i];
          else if (field !== 'availability') item[field] = null;
        });
        items.push(item as unknown as CartItem);
      }
      return { docs: items, checkpoint: { id: checkpoint.id, lwt: checkpoint.lwt } };
    },
    async write(state, checkpoint) {
      if (sizeOf(state) < minItems) {
        if (kept === false) return;
        const doc = await db.getLocal(SNAPSHOT_ID);
        await doc?.remove();
        kept = false;
        return;
      }
      // A part at a time, a task each (rule 2): `state` is immutable, so the parts are of one state.
      const items = [...Object.values(state.items), ...Object.values(state.listRecords)];
      const parts: string[] = [];
      for (let start = 0; start < items.length; start += WRITE_PART) {
        if (start > 0) await new Promise((resolve) => { setTimeout(resolve, 0); });
        const part = items.slice(start, start + WRITE_PART).map((item) => SNAPSHOT_FIELDS.map((field) => item[field] ?? null));
        parts.push(JSON.stringify(part).slice(1, -1));
      }
      await db.upsertLocal<Stored>(SNAPSHOT_ID, { v: VERSION, fields: SNAPSHOT_FIELDS, rows: `[${parts.join(',')}]`, checkpoint });
      kept = true;
    },
  };
}
