/**
 * Field clocks: each field a shopper can change on an item carries the HLC stamp of its last change, so
 * two versions of an item can be merged field by field (docs/merge.md, "Field clocks").
 *
 * Compact on purpose: `fieldClocks` holds only the fields changed since the item was added. A field
 * without an entry carries the item's creation stamp (addedAt, counter 0, addedBy). A document with no
 * `fieldClocks` at all was written before field clocks: every field then carries the stamp of the
 * document's last change (updatedAt, counter 0, updatedBy), which is what the whole-document rule used.
 */
import { toCartItem } from '../cart/cart-reducer.ts';
import type { CartItem } from '../cart/cart-types.ts';
import { compare, formatHlc, maxHlc, stampAfter, stampAt, tryParseHlc, type Hlc } from './hlc.ts';

/** The fields merged one by one. The rest are set when the item is added and never change (id, url,
 * shop, addedAt, addedBy, addedPriceMinor), are merged by their own rule (priceHistory), or describe
 * the last change (updatedAt, updatedBy). */
// New fields go at the end: sealed items name a field clock by its index here (sync/sealed-items.ts).
export const MERGE_FIELDS = Object.freeze(['listId', 'title', 'priceMinor', 'currency', 'imageUrl', 'variant', 'quantity', 'note', 'deleted',
  'availability'] as const);

export type MergeField = (typeof MERGE_FIELDS)[number];
export type FieldValue = CartItem[MergeField];
/** Serialised stamps (formatHlc) by field, only where they differ from the creation stamp. */
export type FieldClocks = Readonly<Partial<Record<MergeField, string>>>;
export type FieldStamps = Readonly<Record<MergeField, Hlc>>;

/** An item document with its field clocks. */
export interface ClockedItem extends CartItem {
  readonly fieldClocks?: FieldClocks;
}

export function isMergeField(name: string): name is MergeField {
  return (MERGE_FIELDS as readonly string[]).includes(name);
}

/** The stamp every field of a new item starts with. */
export function creationStamp(item: CartItem): Hlc {
  return stampAt(item.addedAt, item.addedBy);
}

/** Whether the document has field clocks (written by a version that keeps them). */
export function hasFieldClocks(item: ClockedItem): boolean {
  return item.fieldClocks !== undefined && item.fieldClocks !== null && typeof item.fieldClocks === 'object';
}

/**
 * The stamp of every merge field. A damaged entry counts as missing: the field falls back to the
 * creation stamp, so it loses to any real change instead of stopping the merge.
 */
export function fieldStamps(item: ClockedItem): FieldStamps {
  const stamps = {} as Record<MergeField, Hlc>;
  if (!hasFieldClocks(item)) {
    const legacy = stampAt(item.updatedAt, item.updatedBy);
    for (const field of MERGE_FIELDS) stamps[field] = legacy;
    return Object.freeze(stamps);
  }
  const creation = creationStamp(item);
  for (const field of MERGE_FIELDS) {
    const entry = item.fieldClocks![field];
    stamps[field] = (typeof entry === 'string' ? tryParseHlc(entry) : null) ?? creation;
  }
  return Object.freeze(stamps);
}

/** The latest stamp on the item: what a device passes to `receive` after pulling it. */
export function latestStamp(item: ClockedItem): Hlc {
  return Object.values(fieldStamps(item)).reduce(maxHlc);
}

/** The item's own fields (storage metadata left behind) with the given stamps, frozen. Only stamps that
 * differ from the creation stamp are written. */
export function withFieldStamps(item: CartItem, stamps: FieldStamps): ClockedItem {
  const base = toCartItem(item);
  const creation = creationStamp(base);
  const clocks: Partial<Record<MergeField, string>> = {};
  for (const field of MERGE_FIELDS) {
    if (compare(stamps[field], creation) !== 0) clocks[field] = formatHlc(stamps[field]);
  }
  return Object.freeze({ ...base, fieldClocks: Object.freeze(clocks) });
}

/**
 * Stamps a local change: every merge field whose value differs between `before` and `after` gets
 * `clock` (the device's clock, ticked for this change), or the next stamp after the field's previous
 * one if that is later. `before` is null for a new item: all its fields carry the creation stamp.
 * `previous` is `before`'s field stamps, when the caller has them parsed already.
 */
export function stampChange(before: ClockedItem | null, after: CartItem, clock: Hlc,
  previous: FieldStamps | undefined = before === null ? undefined : fieldStamps(before)): ClockedItem {
  if (before === null || previous === undefined) return withFieldStamps(after, fieldStamps({ ...after, fieldClocks: {} }));
  const stamps = {} as Record<MergeField, Hlc>;
  for (const field of MERGE_FIELDS) {
    stamps[field] = before[field] === after[field] ? previous[field] : stampAfter(clock, previous[field]);
  }
  return withFieldStamps(after, stamps);
}
