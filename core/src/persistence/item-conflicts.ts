/**
 * What happens when two devices changed the same item: the replication calls this on the device that
 * pushes second, with the server's version (realMasterState), this device's (newDocumentState) and the
 * server version this device last saw (assumedMasterState: the common ancestor).
 *
 * The versions are merged field by field against the ancestor (merge/field-merge.ts, docs/merge.md):
 * changes to different fields both survive, the later change of one field wins by the hybrid logical
 * clock, and an item removed on one device while edited on another is kept. Every field where one
 * change replaced another is reported to `onConflicts`, so the shopper is told and can bring it back.
 */
import type { RxConflictHandler } from 'rxdb';
import { sameItem } from '../cart/cart-reducer.ts';
import type { CartItem } from '../cart/cart-types.ts';
import { mergeItem, type FieldConflict } from '../merge/field-merge.ts';
import type { ClockedItem } from '../merge/item-clocks.ts';

/** The whole-document rule of versions before field clocks: still what breaks a tie between equal stamps. */
export function laterOf(a: CartItem, b: CartItem): CartItem {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt ? a : b;
  return a.updatedBy >= b.updatedBy ? a : b;
}

export type ConflictListener = (conflicts: readonly FieldConflict[]) => void;

export function createItemConflictHandler(onConflicts: ConflictListener = () => undefined): RxConflictHandler<ClockedItem> {
  return {
    // Called for every pulled document: compare only the item's own fields, cheaply.
    isEqual: (a, b) => sameItem(a, b) && Boolean(a._deleted) === Boolean(b._deleted),
    resolve: async ({ assumedMasterState, realMasterState, newDocumentState }) => {
      const { merged, conflicts } = mergeItem(assumedMasterState ?? null, newDocumentState, realMasterState);
      if (conflicts.length > 0) onConflicts(conflicts);
      return { ...merged, _deleted: false };
    },
  };
}
