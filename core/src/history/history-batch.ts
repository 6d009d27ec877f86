/**
 * A batch of history entries in its compact stored form: what one history document of a device holds
 * (persistence/history-schema.ts, field `b`). Spec: docs/history.md ("Batches").
 *
 *   [ [itemId, ...], entry, entry, ... ]
 *   entry = [item, wall, fields]                  the usual case: counter 0, the batch's device
 *         | [item, wall, fields, counter]
 *         | [item, wall, fields, counter, device]  a change of another device (never written today)
 *
 * - `item` is the index of the item's id in the list at the head: an item changed several times in a
 *   batch is named once.
 * - `wall` is the change's stamp time less the previous entry's (the first entry's: less the batch's
 *   own stamp, its document id): minutes apart is a few digits, not a 13-digit time.
 * - `fields` is the entry's record without its item and stamp (history-record.ts): `{ "q": 3 }`.
 * The device of every entry is the batch's (its id's) unless the entry names another.
 *
 * A damaged batch reads as null, so the caller can set it aside and report it (STYLE.md, rule 6).
 */
import { HLC_MAX_COUNTER, HLC_MAX_WALL, hlc, type Hlc } from '../merge/hlc.ts';
import type { HistoryEntry } from './history-entry.ts';
import { entryOfFields, recordFields } from './history-record.ts';

/** The stored form (see above). */
export type HistoryBatch = readonly unknown[];

/** `entries` (stamps of any order) as a batch whose document is stamped `base`. */
export function encodeBatch(entries: readonly HistoryEntry[], base: Hlc): unknown[] {
  return appendToBatch([[]], base.wall, entries, base);
}

/**
 * `batch` (encoded, of the document stamped `base`) with `entries` added after its own: what
 * `encodeBatch` gives for the batch's entries followed by these, without decoding the batch.
 * `lastWall` is the wall time of the batch's last entry (`base.wall` when it has none). The caller
 * makes sure none of `entries` is already in the batch (the same change twice is united by decoding
 * and merging instead: history-entry.ts, `mergeEntries`).
 */
export function appendToBatch(batch: HistoryBatch, lastWall: number, entries: readonly HistoryEntry[], base: Hlc): unknown[] {
  const items = [...(batch[0] as readonly string[])];
  const index = new Map<string, number>();
  items.forEach((id, at) => index.set(id, at));
  const out: unknown[] = [items, ...batch.slice(1)];
  let wall = lastWall;
  for (const entry of entries) {
    let item = index.get(entry.itemId);
    if (item === undefined) {
      item = items.length;
      items.push(entry.itemId);
      index.set(entry.itemId, item);
    }
    const packed: unknown[] = [item, entry.stamp.wall - wall, recordFields(entry)];
    if (entry.stamp.node !== base.node) packed.push(entry.stamp.counter, entry.stamp.node);
    else if (entry.stamp.counter !== 0) packed.push(entry.stamp.counter);
    wall = entry.stamp.wall;
    out.push(packed);
  }
  return out;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The entries a batch holds, in its order, or null when any part of it is damaged. */
export function decodeBatch(batch: unknown, base: Hlc): HistoryEntry[] | null {
  if (!Array.isArray(batch) || batch.length === 0) return null;
  const items = batch[0] as unknown;
  if (!Array.isArray(items) || !items.every((id) => typeof id === 'string' && id !== '')) return null;
  const entries: HistoryEntry[] = [];
  let wall = base.wall;
  for (let i = 1; i < batch.length; i += 1) {
    const packed = batch[i] as unknown;
    if (!Array.isArray(packed) || packed.length < 3 || packed.length > 5) return null;
    const [item, delta, fields, counter = 0, node] = packed as unknown[];
    if (!Number.isInteger(item) || (item as number) < 0 || (item as number) >= items.length) return null;
    if (!Number.isSafeInteger(delta) || !isObject(fields)) return null;
    if (!Number.isSafeInteger(counter) || (counter as number) < 0 || (counter as number) > HLC_MAX_COUNTER) return null;
    wall += delta as number;
    if (wall < 0 || wall > HLC_MAX_WALL) return null;
    let stamp: Hlc;
    if (packed.length === 5) {
      if (typeof node !== 'string') return null;
      try {
        stamp = hlc(wall, counter as number, node);
      } catch {
        return null;
      }
    } else stamp = Object.freeze({ wall, counter: counter as number, node: base.node });
    const entry = entryOfFields(items[item as number] as string, stamp, fields);
    if (entry === null) return null;
    entries.push(entry);
  }
  return entries;
}
