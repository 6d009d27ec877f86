/**
 * Merging two versions of one item, field by field, against the version both started from (the common
 * ancestor). Pure, deterministic and commutative: mergeItem(a, x, y) and mergeItem(a, y, x) give the
 * same document and the same conflicts, and merging a result again with either input changes nothing.
 * Rules and examples: docs/merge.md.
 *
 * Nothing is dropped silently: every field where one device's change replaced another's is returned as a
 * FieldConflict (the shopper's notice, with the losing value so it can be brought back).
 */
import type { CartItem, PricePoint } from '../cart/cart-types.ts';
import { BOUGHT_LIST_ID, CART_LIST_ID, PRICE_HISTORY_LIMIT } from '../cart/cart-types.ts';
import { ToteError } from '../errors.ts';
import { compare, formatHlc, maxHlc, type Hlc } from './hlc.ts';
import {
  creationStamp, fieldStamps, hasFieldClocks, latestStamp, MERGE_FIELDS, withFieldStamps,
  type ClockedItem, type FieldStamps, type FieldValue, type MergeField,
} from './item-clocks.ts';

/** 'same-field': both devices changed one field. 'delete-vs-edit': one removed the item, the other changed it. */
export type ConflictKind = 'same-field' | 'delete-vs-edit';
/** 'later-wins': the change with the later stamp was kept. 'delete-vs-edit-kept': the item was kept, not removed. */
export type ConflictResolution = 'later-wins' | 'delete-vs-edit-kept';

export interface ConflictSide {
  readonly value: FieldValue;
  /** The stamp of the change (formatHlc). */
  readonly stamp: string;
  /** The device that made it. */
  readonly device: string;
}

export interface FieldConflict {
  /** Stable: the same conflict found twice, or on two devices, has the same id. */
  readonly id: string;
  readonly itemId: string;
  /** The item's merged title and currency, for the notice. */
  readonly title: string;
  readonly currency: string;
  /** For 'delete-vs-edit', 'deleted'. */
  readonly field: MergeField;
  readonly kind: ConflictKind;
  readonly resolution: ConflictResolution;
  /** What the item has now. For 'delete-vs-edit', value false and the edit that kept the item. */
  readonly winner: ConflictSide;
  /** What was replaced. For 'delete-vs-edit', value true and the removal. */
  readonly loser: ConflictSide;
}

export interface ItemMerge {
  readonly merged: ClockedItem;
  /** In MERGE_FIELDS order. Empty when the merged item is removed: there is nothing left to show. */
  readonly conflicts: readonly FieldConflict[];
}

interface Version {
  readonly doc: ClockedItem;
  readonly stamps: FieldStamps;
  readonly creation: Hlc;
  readonly clocked: boolean;
}

interface Outcome {
  readonly value: FieldValue;
  readonly stamp: Hlc;
  /** The change that lost, when one did. */
  readonly loser?: { readonly value: FieldValue; readonly stamp: Hlc };
}

function version(doc: ClockedItem): Version {
  return { doc, stamps: fieldStamps(doc), creation: creationStamp(doc), clocked: hasFieldClocks(doc) };
}

/**
 * Did this version change the field since the ancestor? A different value always counts. With field
 * clocks a later stamp counts too, so changing a value and back (3 → 5 → 3) is still a change. Without
 * them the stamp is the whole document's and says nothing about this field.
 */
function changedSince(ancestor: Version, side: Version, field: MergeField): boolean {
  if (ancestor.doc[field] !== side.doc[field]) return true;
  return side.clocked && compare(side.stamps[field], ancestor.stamps[field]) > 0;
}

/** Without an ancestor, a field still at its creation stamp was provably never changed on that side. */
function changedEver(side: Version, field: MergeField): boolean {
  return compare(side.stamps[field], side.creation) !== 0;
}

/** Later stamp first; equal stamps (one device, one moment: only a damaged document) by value, so the
 * choice never depends on which version is called local. */
function later(field: MergeField, x: Version, y: Version): [Version, Version] {
  const order = compare(x.stamps[field], y.stamps[field]) || (JSON.stringify(x.doc[field]) > JSON.stringify(y.doc[field]) ? 1 : -1);
  return order > 0 ? [x, y] : [y, x];
}

function take(field: MergeField, winner: Version, loser?: Version): Outcome {
  return loser
    ? { value: winner.doc[field], stamp: winner.stamps[field], loser: { value: loser.doc[field], stamp: loser.stamps[field] } }
    : { value: winner.doc[field], stamp: winner.stamps[field] };
}

/**
 * A version with no availability at its creation stamp never set it: it was written by a device that
 * does not know the field (a version before availability), or the page never said. This version never
 * unsets availability except by a restore, which stamps it. So such a version never takes away a
 * reading the other has (docs/cart-manager.md, "Availability", rule 6).
 */
function neverReadAvailability(side: Version): boolean {
  return side.doc.availability === undefined && compare(side.stamps.availability, side.creation) === 0;
}

/** Every field but `deleted`. */
function mergeField(field: MergeField, ancestor: Version | null, local: Version, remote: Version): Outcome {
  if (field === 'availability' && neverReadAvailability(local) !== neverReadAvailability(remote)) {
    return take(field, neverReadAvailability(local) ? remote : local);
  }
  // Same value on both sides: nothing to decide. The later stamp is kept so the result is the same
  // whichever side is local.
  if (local.doc[field] === remote.doc[field]) return { value: local.doc[field], stamp: maxHlc(local.stamps[field], remote.stamps[field]) };
  const localChanged = ancestor ? changedSince(ancestor, local, field) : changedEver(local, field);
  const remoteChanged = ancestor ? changedSince(ancestor, remote, field) : changedEver(remote, field);
  // Only one side changed the field: that change wins, whatever the clocks say (it saw the other value).
  if (localChanged && !remoteChanged) return take(field, local);
  if (remoteChanged && !localChanged) return take(field, remote);
  // Both changed it (or, without an ancestor, neither can be shown to be older): the later stamp wins
  // and the other value is reported, so the shopper can bring it back in one action.
  const [winner, loser] = later(field, local, remote);
  // One device changed it twice (its later change made over its earlier one): no notice, nothing was lost to another device.
  if (sawOwnChange(winner.stamps[field], loser.stamps[field])) return take(field, winner);
  return take(field, winner, loser);
}

/** Whether the change stamped `earlier` was made on the same device as the one stamped `later`, and before it: that device saw it. */
function sawOwnChange(later: Hlc, earlier: Hlc): boolean {
  return later.node === earlier.node && compare(earlier, later) < 0;
}

interface DeletedOutcome extends Outcome {
  /** Set when the item was kept although one side removed it: the edit that kept it and the removal. */
  readonly kept?: { readonly edit: Hlc; readonly removal: Hlc };
}

/** The `deleted` field: a removal never silently discards an edit the removing device had not seen. */
function mergeDeleted(ancestor: Version | null, local: Version, remote: Version): DeletedOutcome {
  if (local.doc.deleted === remote.doc.deleted) {
    return { value: local.doc.deleted, stamp: maxHlc(local.stamps.deleted, remote.stamps.deleted) };
  }
  const [removing, keeping] = local.doc.deleted ? [local, remote] : [remote, local];
  // The item was already removed when both started, and one side brought it back: that is the change.
  if (ancestor && !changedSince(ancestor, removing, 'deleted')) return take('deleted', keeping);
  // The removing device brought it back later itself: it saw its removal, nothing to tell.
  if (sawOwnChange(keeping.stamps.deleted, removing.stamps.deleted)) return take('deleted', keeping);
  // Edits on the keeping side that the removing side had not seen: with an ancestor, any change since it;
  // without, any field whose stamp is later than the removing side's stamp for that field.
  // A change the removing device made itself before the removal was seen by it, whatever the ancestor says
  // (a device stopped between a push and noting it keeps an older ancestor: docs/merge.md, rule 7).
  const unseen = MERGE_FIELDS.filter((field) => !sawOwnChange(removing.stamps.deleted, keeping.stamps[field]) && (ancestor
    ? changedSince(ancestor, keeping, field)
    : compare(keeping.stamps[field], removing.stamps[field]) > 0));
  // Delete-vs-edit: keep the item (and tell the shopper). The removal can be repeated in one action.
  if (unseen.length > 0) {
    const edit = unseen.map((field) => keeping.stamps[field]).reduce(maxHlc);
    return { ...take('deleted', keeping), kept: { edit, removal: removing.stamps.deleted } };
  }
  // The other side changed nothing the removal had not seen: the removal stands.
  return take('deleted', removing);
}

/** Fields fixed when the item was added. Both sides agree unless a document was damaged; then the
 * earlier-added version is taken, so the choice is the same on every device. */
function identityOf(x: ClockedItem, y: ClockedItem): ClockedItem {
  const key = (item: CartItem) => JSON.stringify([item.url, item.shop, item.addedBy, item.addedPriceMinor ?? null]);
  if (x.addedAt !== y.addedAt) return x.addedAt < y.addedAt ? x : y;
  return key(x) <= key(y) ? x : y;
}

/** The last change of the two (updatedAt, then updatedBy): what "last changed" shows after a merge. */
function lastChangeOf(x: ClockedItem, y: ClockedItem): ClockedItem {
  if (x.updatedAt !== y.updatedAt) return x.updatedAt > y.updatedAt ? x : y;
  return x.updatedBy >= y.updatedBy ? x : y;
}

/** Every price either device saw, oldest first, the newest PRICE_HISTORY_LIMIT kept. Observations are
 * facts, not choices: none is dropped for another device's. */
function mergePriceHistory(x: readonly PricePoint[] = [], y: readonly PricePoint[] = []): PricePoint[] {
  const points = new Map<string, PricePoint>();
  for (const point of [...x, ...y]) points.set(`${point.at}:${point.priceMinor}`, point);
  return [...points.values()]
    .sort((a, b) => a.at - b.at || a.priceMinor - b.priceMinor)
    .slice(-PRICE_HISTORY_LIMIT);
}

function side(value: FieldValue, stamp: Hlc): ConflictSide {
  return Object.freeze({ value, stamp: formatHlc(stamp), device: stamp.node });
}

function conflict(merged: CartItem, field: MergeField, kind: ConflictKind, resolution: ConflictResolution,
  winner: ConflictSide, loser: ConflictSide): FieldConflict {
  return Object.freeze({
    id: `${merged.id}|${field}|${winner.stamp}|${loser.stamp}`,
    itemId: merged.id, title: merged.title, currency: merged.currency, field, kind, resolution, winner, loser,
  });
}

/**
 * The notice for a field where one change replaced another's value outside a merge of two versions (a
 * restore finished after a restart, store/restore-journal.ts): the later stamp holds the field (rule 6).
 */
export function replacedValue(item: CartItem, field: MergeField, winner: { value: FieldValue; stamp: Hlc },
  loser: { value: FieldValue; stamp: Hlc }): FieldConflict {
  return conflict(item, field, 'same-field', 'later-wins', side(winner.value, winner.stamp), side(loser.value, loser.stamp));
}

/**
 * The notice for an item kept although a removal stamped `removal` meant to remove it: the item was
 * changed after the removing device last saw it (rule 7). The edit is the item's latest change.
 */
export function keptOverRemoval(item: ClockedItem, removal: Hlc): FieldConflict {
  return conflict(item, 'deleted', 'delete-vs-edit', 'delete-vs-edit-kept', side(false, latestStamp(item)), side(true, removal));
}

/**
 * Merges two versions of one item. `ancestor` is the version both started from (for the replication:
 * the server version the pushing device last saw), or null when unknown; then the field stamps alone decide.
 */
export function mergeItem(ancestor: ClockedItem | null, local: ClockedItem, remote: ClockedItem): ItemMerge {
  if (local.id !== remote.id || (ancestor !== null && ancestor.id !== local.id)) {
    throw new ToteError('INVALID_INPUT', 'Only versions of the same item can be merged.', { field: 'id' });
  }
  const base = ancestor ? version(ancestor) : null;
  const l = version(local);
  const r = version(remote);

  const outcomes = {} as Record<MergeField, Outcome>;
  for (const field of MERGE_FIELDS) if (field !== 'deleted') outcomes[field] = mergeField(field, base, l, r);
  const deleted = mergeDeleted(base, l, r);
  outcomes.deleted = deleted;
  // A purchase (removed and filed under "bought") that an edit it had not seen keeps in the cart (rule 7):
  // the item stays in the list the editing device had it in, never in the hidden "bought" list, and the
  // delete-vs-edit notice alone tells of it: no notice names the hidden list (docs/analytics.md, B6).
  // Both devices decide the same, so they agree.
  if (deleted.value === false && (outcomes.listId.value === BOUGHT_LIST_ID || outcomes.listId.loser?.value === BOUGHT_LIST_ID)) {
    const back = [l, r].map((side) => side.doc.listId).find((listId) => listId !== BOUGHT_LIST_ID) ?? CART_LIST_ID;
    outcomes.listId = { value: back, stamp: maxHlc(l.stamps.listId, r.stamps.listId) };
  }

  const identity = identityOf(local, remote);
  const last = lastChangeOf(local, remote);
  const values = Object.fromEntries(MERGE_FIELDS.map((field) => [field, outcomes[field].value]));
  const item = {
    ...identity, ...values,
    updatedAt: last.updatedAt, updatedBy: last.updatedBy,
    priceHistory: mergePriceHistory(local.priceHistory, remote.priceHistory),
  } as CartItem;
  const stamps = Object.fromEntries(MERGE_FIELDS.map((field) => [field, outcomes[field].stamp])) as Record<MergeField, Hlc>;
  const merged = withFieldStamps(item, stamps);

  // A removed item shows no notices: both sides removed it, or the removal saw every change.
  if (merged.deleted) return Object.freeze({ merged, conflicts: Object.freeze([]) });
  const conflicts: FieldConflict[] = [];
  for (const field of MERGE_FIELDS) {
    const { value, stamp, loser } = outcomes[field];
    // Availability is what a shop's page said, not a shopper's choice: the later reading replaces an
    // earlier one without a notice (docs/cart-manager.md, "Availability"); the shopper has nothing to pick.
    if (field !== 'deleted' && field !== 'availability' && loser) {
      conflicts.push(conflict(merged, field, 'same-field', 'later-wins', side(value, stamp), side(loser.value, loser.stamp)));
    }
  }
  if (deleted.kept) {
    conflicts.push(conflict(merged, 'deleted', 'delete-vs-edit', 'delete-vs-edit-kept', side(false, deleted.kept.edit), side(true, deleted.kept.removal)));
  }
  return Object.freeze({ merged, conflicts: Object.freeze(conflicts) });
}
