/**
 * Commands are what a shopper asks for; actions are commands stamped with when, where and (for new
 * items) which id. Both are plain serialisable objects: the extension's popup and content script send
 * commands to the background over messages, and the reducer only ever sees actions.
 */
import type { Availability, CartItem, CartList, ItemCorrections, ProductInput, TransferItem } from './cart-types.ts';

/**
 * Where an add came from (docs/analytics.md): the control on a shop's page, the extension's popup, its
 * context menu, its keyboard shortcut, the desktop app, or an import. Kept in history with the change.
 */
export const ADD_SOURCES = Object.freeze(['page', 'popup', 'context-menu', 'shortcut', 'desktop', 'import'] as const);
export type AddSource = (typeof ADD_SOURCES)[number];

export type CartCommand =
  | { readonly type: 'item/add'; readonly product: ProductInput; readonly listId?: string; readonly quantity?: number; readonly source?: AddSource }
  | { readonly type: 'item/setQuantity'; readonly id: string; readonly quantity: number }
  | { readonly type: 'item/remove'; readonly id: string }
  | { readonly type: 'item/move'; readonly id: string; readonly listId: string }
  | { readonly type: 'item/setNote'; readonly id: string; readonly note: string }
  | { readonly type: 'item/edit'; readonly id: string; readonly changes: ItemCorrections }
  /** The product's page was visited and showed this price (price watch), and whether it can be ordered when it said. */
  /** priceMinor null: the page showed no price (often so when sold out) but said whether it can be ordered. */
  | { readonly type: 'item/priceSeen'; readonly url: string; readonly priceMinor: number | null; readonly currency: string; readonly availability?: Availability | null }
  | { readonly type: 'list/clear'; readonly listId: string }
  /** Brings back removed items, as they were when removed (the undo of a clear or a removal). */
  | { readonly type: 'item/bringBack'; readonly ids: readonly string[] }
  /**
   * Adds the items of an export file in one change (cart-transfer.ts): an item already in the cart (the
   * same id, or the same product and variant in the same list) is left as it is.
   */
  | { readonly type: 'items/import'; readonly items: readonly TransferItem[]; readonly lists?: readonly CartList[] }
  /**
   * Takes back what an import added (the undo of `items/import`): `items` as the import wrote them, each
   * removed only while it is still so; an item changed since stays (docs/cart-manager.md).
   */
  | { readonly type: 'import/undo'; readonly items: readonly TransferItem[] }
  /**
   * Bulk edits of the items a shopper selected: each is one action, so one write, one history point and
   * one undo (docs/cart-manager.md). Ids of items removed meanwhile are passed over.
   */
  | { readonly type: 'items/move'; readonly ids: readonly string[]; readonly listId: string }
  | { readonly type: 'items/remove'; readonly ids: readonly string[] }
  | { readonly type: 'items/setQuantity'; readonly ids: readonly string[]; readonly quantity: number }
  /** Copies the items into another list: new lines with the same product and fields (new ids). */
  | { readonly type: 'items/copy'; readonly ids: readonly string[]; readonly listId: string }
  /**
   * The shopper's own lists (docs/cart-manager.md, "Lists"). A new list's id is `list-` + the action's
   * newId; `position` counts from 0 among the shopper's own lists (Cart and Saved for later stay first).
   * Deleting a list leaves its items as they are: they show under Cart until the list is brought back
   * (`list/restore`, the undo of a delete) or moved.
   */
  | { readonly type: 'list/create'; readonly name: string }
  | { readonly type: 'list/rename'; readonly id: string; readonly name: string }
  | { readonly type: 'list/reorder'; readonly id: string; readonly position: number }
  | { readonly type: 'list/delete'; readonly id: string }
  | { readonly type: 'list/restore'; readonly id: string }
  /** Each item back to its own quantity in one change: the undo of a bulk `items/setQuantity`. */
  | { readonly type: 'items/restoreQuantities'; readonly quantities: readonly ItemQuantity[] }
  /**
   * The shopper bought these items (docs/analytics.md, "Bought"): each leaves the cart, removed with its
   * list set to `bought` in the same change. One item or many: one write, one history point, one undo.
   */
  | { readonly type: 'items/markBought'; readonly ids: readonly string[] }
  /** The undo of `items/markBought`: the items come back into `listId`, as they were when marked. */
  | { readonly type: 'items/unmarkBought'; readonly ids: readonly string[]; readonly listId: string };

/** One item's quantity, for `items/restoreQuantities`. */
export interface ItemQuantity {
  readonly id: string;
  readonly quantity: number;
}

export interface ActionMeta {
  /** When the shopper did it (the device clock, ms since epoch). */
  readonly at: number;
  /** Which device did it. */
  readonly device: string;
  /** The id a new item gets (used by item/add only). */
  readonly newId: string;
}

/** A shopper's command, stamped. */
export type CommandAction = CartCommand & { readonly meta: ActionMeta };

/** Documents read from the local database: at start-up, or after a local or remote write. */
export type SyncAction =
  | { readonly type: 'sync/loaded'; readonly docs: readonly CartItem[] }
  | { readonly type: 'sync/received'; readonly docs: readonly CartItem[] };

export type CartAction = CommandAction | SyncAction;

export function stamp(command: CartCommand, meta: ActionMeta): CommandAction {
  return Object.freeze({ ...command, meta: Object.freeze({ ...meta }) });
}

/** Action creators, so shells never spell action objects by hand. */
export const cartCommands = {
  add: (product: ProductInput, options: { listId?: string; quantity?: number; source?: AddSource } = {}): CartCommand =>
    ({ type: 'item/add', product, ...options }),
  setQuantity: (id: string, quantity: number): CartCommand => ({ type: 'item/setQuantity', id, quantity }),
  remove: (id: string): CartCommand => ({ type: 'item/remove', id }),
  move: (id: string, listId: string): CartCommand => ({ type: 'item/move', id, listId }),
  setNote: (id: string, note: string): CartCommand => ({ type: 'item/setNote', id, note }),
  clearList: (listId: string): CartCommand => ({ type: 'list/clear', listId }),
  bringBack: (ids: readonly string[]): CartCommand => ({ type: 'item/bringBack', ids }),
  edit: (id: string, changes: ItemCorrections): CartCommand => ({ type: 'item/edit', id, changes }),
  importItems: (items: readonly TransferItem[], lists?: readonly CartList[]): CartCommand =>
    ({ type: 'items/import', items, ...(lists && lists.length > 0 ? { lists } : {}) }),
  undoImport: (items: readonly TransferItem[]): CartCommand => ({ type: 'import/undo', items }),
  priceSeen: (url: string, priceMinor: number | null, currency: string, availability?: Availability | null): CartCommand =>
    ({ type: 'item/priceSeen', url, priceMinor, currency, ...(availability ? { availability } : {}) }),
  moveMany: (ids: readonly string[], listId: string): CartCommand => ({ type: 'items/move', ids, listId }),
  removeMany: (ids: readonly string[]): CartCommand => ({ type: 'items/remove', ids }),
  copyMany: (ids: readonly string[], listId: string): CartCommand => ({ type: 'items/copy', ids, listId }),
  createList: (name: string): CartCommand => ({ type: 'list/create', name }),
  renameList: (id: string, name: string): CartCommand => ({ type: 'list/rename', id, name }),
  reorderList: (id: string, position: number): CartCommand => ({ type: 'list/reorder', id, position }),
  deleteList: (id: string): CartCommand => ({ type: 'list/delete', id }),
  restoreList: (id: string): CartCommand => ({ type: 'list/restore', id }),
  setQuantityOfMany: (ids: readonly string[], quantity: number): CartCommand => ({ type: 'items/setQuantity', ids, quantity }),
  restoreQuantities: (quantities: readonly ItemQuantity[]): CartCommand => ({ type: 'items/restoreQuantities', quantities }),
  markBought: (id: string): CartCommand => ({ type: 'items/markBought', ids: [id] }),
  markBoughtMany: (ids: readonly string[]): CartCommand => ({ type: 'items/markBought', ids }),
  unmarkBought: (ids: readonly string[], listId: string): CartCommand => ({ type: 'items/unmarkBought', ids, listId }),
} as const;
