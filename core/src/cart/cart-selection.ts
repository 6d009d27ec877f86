/**
 * The items a shopper has selected for a bulk edit (docs/cart-manager.md, "Selecting"). Pure and
 * immutable: every function returns a new selection, or the same one when nothing changes.
 */
import { shownListId, type CartItem, type CartState } from './cart-types.ts';

export interface CartSelection {
  readonly ids: ReadonlySet<string>;
  /** The item clicked last without shift: a shift-click selects from here. */
  readonly anchor: string | null;
}

export const NO_SELECTION: CartSelection = Object.freeze({ ids: new Set<string>(), anchor: null });

/**
 * A click on an item's box. Without `range`, the item is selected or unselected and becomes the anchor.
 * With `range` (shift held), every item shown between the anchor and this one takes the state the
 * clicked box now shows; without an anchor still shown it is a plain click.
 */
export function clickItem(selection: CartSelection, id: string, shown: readonly CartItem[], range = false): CartSelection {
  const selecting = !selection.ids.has(id);
  const ids = new Set(selection.ids);
  const from = range && selection.anchor !== null ? shown.findIndex((item) => item.id === selection.anchor) : -1;
  const to = from === -1 ? -1 : shown.findIndex((item) => item.id === id);
  if (from === -1 || to === -1) {
    if (selecting) ids.add(id);
    else ids.delete(id);
    return Object.freeze({ ids, anchor: id });
  }
  for (let i = Math.min(from, to); i <= Math.max(from, to); i += 1) {
    if (selecting) ids.add(shown[i]!.id);
    else ids.delete(shown[i]!.id);
  }
  return Object.freeze({ ids, anchor: selection.anchor });
}

/** "Select all" over what is shown (the search and filters applied); when all are selected already, none. */
export function toggleAllShown(selection: CartSelection, shown: readonly CartItem[]): CartSelection {
  if (allShownSelected(selection, shown)) {
    const ids = new Set(selection.ids);
    for (const item of shown) ids.delete(item.id);
    return Object.freeze({ ids, anchor: null });
  }
  const ids = new Set(selection.ids);
  for (const item of shown) ids.add(item.id);
  return Object.freeze({ ids, anchor: selection.anchor });
}

export function allShownSelected(selection: CartSelection, shown: readonly CartItem[]): boolean {
  return shown.length > 0 && selection.ids.size >= shown.length && shown.every((item) => selection.ids.has(item.id));
}

/** Only the selected items still shown in the list: removed ones, moved away or from another device, drop out. */
export function keepShown(selection: CartSelection, state: CartState, listId: string): CartSelection {
  let ids: Set<string> | undefined;
  for (const id of selection.ids) {
    const item = state.items[id];
    if (item && !item.deleted && shownListId(item, state.lists) === listId) continue;
    ids ??= new Set(selection.ids);
    ids.delete(id);
  }
  return ids ? Object.freeze({ ids, anchor: selection.anchor !== null && ids.has(selection.anchor) ? selection.anchor : null }) : selection;
}
