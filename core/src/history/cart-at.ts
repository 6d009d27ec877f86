/**
 * The cart as it stood at a moment, rebuilt from history entries. Spec: docs/history.md ("The cart at
 * a moment").
 *
 * Per item and per field, the value is the one of the latest change (by HLC stamp, `compare`) whose
 * time (its stamp's wall time) is at or before the moment. This is the rule the merge keeps documents
 * by (the later stamp holds the field), so the rebuilt cart is the cart the devices held. One pass over
 * the entries, in any order, duplicates allowed: linear in the size of the history.
 */
import type { CartItem } from '../cart/cart-types.ts';
import { UNKNOWN_CURRENCY } from '../cart/cart-types.ts';
import { compare, type Hlc } from '../merge/hlc.ts';
import { creationStamp, MERGE_FIELDS, withFieldStamps, type ClockedItem, type MergeField } from '../merge/item-clocks.ts';
import type { HistoryEntry, ItemOrigin } from './history-entry.ts';

/** Item documents by id, as the store holds them. */
export type ClockedItems = Readonly<Record<string, ClockedItem>>;

/** A field no entry tells (not seen in any recording yet): what a new item has. */
const FIELD_DEFAULTS: Readonly<Record<MergeField, unknown>> = Object.freeze({
  listId: 'cart', title: '', priceMinor: null, currency: UNKNOWN_CURRENCY, imageUrl: null, variant: null,
  quantity: 1, note: '', deleted: false, availability: undefined,
});

interface FieldValueAt {
  readonly stamp: Hlc;
  readonly value: unknown;
}

interface ItemTrace {
  origin?: ItemOrigin;
  created?: Hlc;
  /** The latest change of each field at or before the moment. */
  readonly fields: Partial<Record<MergeField, FieldValueAt>>;
  /** The earliest recorded value of each field: used only for a field with no change before the moment. */
  readonly earliest: Partial<Record<MergeField, FieldValueAt>>;
  latest?: Hlc;
  /** The first price given at or before the moment (for an item added without one). */
  firstPrice?: FieldValueAt;
}

function later(current: FieldValueAt | undefined, stamp: Hlc): boolean {
  return current === undefined || compare(stamp, current.stamp) > 0;
}

/**
 * The items as they stood at time `t` (ms since epoch): items added later are absent; removed items are
 * present with `deleted: true` (as the store keeps them) until pruning drops them (docs/history.md,
 * "Pruning"). Each item carries the field clocks of the changes it was rebuilt from, `updatedAt` and
 * `updatedBy` of its latest recorded change, and an empty price history (not kept in history).
 *
 * Exact when the entries hold every change up to `t` and `t` is inside the kept window. A field whose
 * change before `t` was made on another device and has not arrived yet takes its earliest known value.
 */
export function cartAt(entries: readonly HistoryEntry[], t: number): Record<string, ClockedItem> {
  const traces = new Map<string, ItemTrace>();
  for (const entry of entries) {
    let trace = traces.get(entry.itemId);
    if (!trace) traces.set(entry.itemId, trace = { fields: {}, earliest: {} });
    const inTime = entry.stamp.wall <= t;
    if (entry.origin && inTime) {
      trace.origin = entry.origin;
      trace.created = entry.stamp;
    }
    if (inTime && (trace.latest === undefined || compare(entry.stamp, trace.latest) > 0)) trace.latest = entry.stamp;
    for (const key in entry.changes) {
      const field = key as MergeField;
      const value = entry.changes[field];
      if (inTime) {
        if (later(trace.fields[field], entry.stamp)) trace.fields[field] = { stamp: entry.stamp, value };
        if (field === 'priceMinor' && value !== null && (trace.firstPrice === undefined || compare(entry.stamp, trace.firstPrice.stamp) < 0)) {
          trace.firstPrice = { stamp: entry.stamp, value };
        }
      } else if (trace.fields[field] === undefined) {
        const earliest = trace.earliest[field];
        if (earliest === undefined || compare(entry.stamp, earliest.stamp) < 0) trace.earliest[field] = { stamp: entry.stamp, value };
      }
    }
  }
  const items: Record<string, ClockedItem> = {};
  for (const [id, trace] of traces) {
    if (!trace.origin || !trace.created) continue; // not added yet at t
    items[id] = rebuild(id, trace, trace.origin, trace.created);
  }
  return items;
}

function rebuild(id: string, trace: ItemTrace, origin: ItemOrigin, created: Hlc): ClockedItem {
  const item: Record<string, unknown> = {
    // An item added without a price takes the first price it is given as its price when added
    // (`toCartItem`), so a price drop is measured from there.
    id, url: origin.url, shop: origin.shop, addedPriceMinor: origin.addedPriceMinor ?? trace.firstPrice?.value ?? null,
    addedAt: created.wall, addedBy: created.node, priceHistory: [],
  };
  const latest = trace.latest ?? created;
  item.updatedAt = latest.wall;
  item.updatedBy = latest.node;
  const creation = creationStamp(item as unknown as CartItem);
  const stamps = {} as Record<MergeField, Hlc>;
  for (const field of MERGE_FIELDS) {
    const known = trace.fields[field];
    // Availability starts unknown and is recorded only once a page says (history-entry.ts; items added
    // before it was kept have no entry for it at all): with no reading at or before the moment it was
    // unknown, never the first reading after.
    const earliest = field === 'availability' ? undefined : trace.earliest[field];
    item[field] = known ? known.value : earliest ? earliest.value : FIELD_DEFAULTS[field];
    stamps[field] = known ? known.stamp : creation;
  }
  return withFieldStamps(item as unknown as CartItem, stamps);
}
