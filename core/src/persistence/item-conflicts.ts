/**
 * What happens when two devices changed the same item: the replication calls this on the device that
 * pushes second. Both versions are plain item documents.
 *
 * Policy: the change made later (by the item's updatedAt, tie broken by device id so every device picks
 * the same) wins as a whole. This is the "last writer wins" rule of docs/sync.md.
 */
import type { RxConflictHandler } from 'rxdb';
import { sameItem, toCartItem } from '../cart/cart-reducer.ts';
import type { CartItem } from '../cart/cart-types.ts';

export function laterOf(a: CartItem, b: CartItem): CartItem {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt ? a : b;
  return a.updatedBy >= b.updatedBy ? a : b;
}

export const itemConflictHandler: RxConflictHandler<CartItem> = {
  // Called for every pulled document: compare only the item's own fields, cheaply.
  isEqual: (a, b) => sameItem(a, b) && Boolean(a._deleted) === Boolean(b._deleted),
  resolve: async ({ realMasterState, newDocumentState }) => {
    const winner = laterOf(realMasterState, newDocumentState);
    return { ...toCartItem(winner), _deleted: false };
  },
};
