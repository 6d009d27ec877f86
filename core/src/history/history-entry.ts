/**
 * History entries: one entry is one change of one item, as compact as the change itself. Spec:
 * docs/history.md.
 *
 * An entry is named by the item and the HLC stamp of the change (`<itemId>:<stamp>`). A stamp is made
 * once, by the device that made the change, and travels with the changed fields in their field clocks
 * (docs/merge.md, "Field clocks"). So the same change recorded twice (a retried write, or the change
 * made on one device and received on another) is one entry with one id, and the recordings only ever
 * differ by which of its fields they saw: `mergeEntries` unites them.
 *
 * The time of a change is its stamp's wall time and its device is the stamp's device. Not storing them
 * again saves bytes, keeps two recordings of a change identical, and makes every reconstructed cart a
 * consistent cut: a change made after seeing another always has a later stamp (hlc.ts), so a cart
 * rebuilt "as at t" never shows a change without the changes it was made on top of.
 */
import type { AddSource } from '../cart/cart-actions.ts';
import type { CartItem } from '../cart/cart-types.ts';
import { compare, formatHlc, type Hlc } from '../merge/hlc.ts';
import { creationStamp, fieldStamps, MERGE_FIELDS, type ClockedItem, type MergeField } from '../merge/item-clocks.ts';

/** How long history is kept: a cart can be restored to any minute of the last 30 days. */
export const HISTORY_KEEP_MS = 30 * 24 * 60 * 60 * 1000;

/** The new values of the fields a change set (only those). */
export type FieldChanges = { readonly [F in MergeField]?: CartItem[F] };

/** What an item is given when it is added and never changes after (docs/merge.md, "Field clocks"). */
export interface ItemOrigin {
  readonly url: string;
  readonly shop: string;
  readonly addedPriceMinor: number | null;
}

export interface HistoryEntry {
  /** `<itemId>:<stamp>`: the same change recorded twice has the same id. */
  readonly id: string;
  readonly itemId: string;
  /** The change's HLC stamp: its time is `stamp.wall` (ms), its device `stamp.node`. */
  readonly stamp: Hlc;
  /** Only on the entry that added the item (its stamp is the creation stamp: addedAt, 0, addedBy). */
  readonly origin?: ItemOrigin;
  /** The fields the change set, with their new values. A removal is `{ deleted: true }`. */
  readonly changes: FieldChanges;
  /**
   * Set when the change was an add (a new item, or the same product added again to its line) and the
   * device said where it came from: the page, the popup, ... (docs/analytics.md).
   */
  readonly source?: AddSource;
}

export function historyEntryId(itemId: string, stamp: Hlc): string {
  return `${itemId}:${formatHlc(stamp)}`;
}

export function historyEntry(itemId: string, stamp: Hlc, changes: FieldChanges, origin?: ItemOrigin, source?: AddSource): HistoryEntry {
  return ownedEntry(itemId, stamp, { ...changes }, origin ? { ...origin } : undefined, source);
}

/**
 * The entry of `changes` and `origin` as they are (frozen here, not copied): for objects the caller has
 * just made and keeps no hold of, such as the fields of a stored record read back (history-record.ts).
 * One object literal per shape, so reading 20 000 entries makes 20 000 objects, not three times as many.
 */
export function ownedEntry(itemId: string, stamp: Hlc, changes: FieldChanges, origin?: ItemOrigin, source?: AddSource): HistoryEntry {
  const id = historyEntryId(itemId, stamp);
  Object.freeze(changes);
  if (origin) Object.freeze(origin);
  const entry: HistoryEntry = origin
    ? (source ? { id, itemId, stamp, changes, origin, source } : { id, itemId, stamp, changes, origin })
    : (source ? { id, itemId, stamp, changes, source } : { id, itemId, stamp, changes });
  return Object.freeze(entry);
}

/**
 * The entries one written item document produces: its fields whose stamp the write moved, grouped by
 * stamp (one group in a local change; a document received from another device can carry several
 * changes at once). `before` is the document as stored before the write, null for a new item: then the
 * entry at the creation stamp carries the item's origin and every field still at its creation value.
 *
 * A change is what moved a field's stamp. The store stamps exactly the fields whose value it changes
 * (`stampChange`), and a merge keeps each field's winning stamp, so the entries follow what the shopper
 * and the merge did. Price history, updatedAt and updatedBy are not recorded: price history holds
 * observations, which a restore never takes back (docs/merge.md rule 8); the other two are derived.
 */
export function entriesForWrite(before: ClockedItem | null, after: ClockedItem, source?: AddSource): HistoryEntry[] {
  const stamps = fieldStamps(after);
  const previous = before === null ? null : fieldStamps(before);
  const groups = new Map<string, { stamp: Hlc; changes: Partial<Record<MergeField, unknown>> }>();
  const creation = creationStamp(after);
  if (before === null) groups.set(formatHlc(creation), { stamp: creation, changes: {} });
  for (const field of MERGE_FIELDS) {
    if (previous !== null && compare(previous[field], stamps[field]) === 0) continue;
    // Unknown availability at the creation stamp is what every item starts with (cart-at.ts): nothing to record.
    if (field === 'availability' && after.availability === undefined && compare(stamps[field], creation) === 0) continue;
    const key = formatHlc(stamps[field]);
    let group = groups.get(key);
    if (!group) groups.set(key, group = { stamp: stamps[field], changes: {} });
    group.changes[field] = after[field];
  }
  const origin: ItemOrigin = { url: after.url, shop: after.shop, addedPriceMinor: after.addedPriceMinor ?? null };
  return [...groups.values()].map(({ stamp, changes }) => historyEntry(after.id, stamp, changes as FieldChanges,
    before === null && compare(stamp, creation) === 0 ? origin : undefined, source));
}

/** Two recordings of one change (same id) as one entry: the fields either of them saw. */
function unite(a: HistoryEntry, b: HistoryEntry): HistoryEntry {
  const origin = a.origin ?? b.origin;
  const source = a.source ?? b.source;
  const changes = { ...b.changes, ...a.changes };
  if (origin === a.origin && source === a.source && Object.keys(changes).length === Object.keys(a.changes).length) return a;
  return historyEntry(a.itemId, a.stamp, changes, origin, source);
}

/** All entries of the given lists, one per id (first seen order). */
export function mergeEntries(...lists: readonly (readonly HistoryEntry[])[]): HistoryEntry[] {
  const byId = new Map<string, HistoryEntry>();
  for (const list of lists) {
    for (const entry of list) {
      const seen = byId.get(entry.id);
      byId.set(entry.id, seen ? unite(seen, entry) : entry);
    }
  }
  return [...byId.values()];
}
