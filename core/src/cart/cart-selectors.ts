/** Selectors: derived views of the cart state. Removed items are never shown. */
import { shownListId, type CartItem, type CartState, type CurrencyCode } from './cart-types.ts';

export interface MoneyTotal {
  readonly currency: CurrencyCode;
  readonly amountMinor: number;
  /** Items in this currency whose price is unknown (not counted in the amount). */
  readonly unpricedItems: number;
}

export interface ShopGroup {
  readonly shop: string;
  readonly items: readonly CartItem[];
  readonly subtotals: readonly MoneyTotal[];
  readonly quantity: number;
}

/** Items still in the cart (optionally of one list), oldest first so lines do not jump around. */
export function selectItems(state: CartState, listId?: string): CartItem[] {
  return Object.values(state.items)
    .filter((item) => !item.deleted && (listId === undefined || shownListId(item, state.lists) === listId))
    .sort((a, b) => a.addedAt - b.addedAt || (a.id < b.id ? -1 : 1));
}

export function selectItem(state: CartState, id: string): CartItem | undefined {
  const item = state.items[id];
  return item && !item.deleted ? item : undefined;
}

/** Totals per currency: amounts in different currencies are never added together. */
export function totalsOf(items: readonly CartItem[]): MoneyTotal[] {
  const byCurrency = new Map<string, { amountMinor: number; unpricedItems: number }>();
  for (const item of items) {
    const total = byCurrency.get(item.currency) ?? { amountMinor: 0, unpricedItems: 0 };
    if (item.priceMinor === null) total.unpricedItems += 1;
    else total.amountMinor += item.priceMinor * item.quantity;
    byCurrency.set(item.currency, total);
  }
  return [...byCurrency].sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, total]) => Object.freeze({ currency, ...total }));
}

export function selectTotals(state: CartState, listId?: string): MoneyTotal[] {
  return totalsOf(selectItems(state, listId));
}

/** Items grouped by shop, shops in alphabetical order, each with its subtotals per currency. */
export function selectByShop(state: CartState, listId?: string): ShopGroup[] {
  const groups = new Map<string, CartItem[]>();
  for (const item of selectItems(state, listId)) {
    const group = groups.get(item.shop);
    if (group) group.push(item);
    else groups.set(item.shop, [item]);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([shop, items]) => Object.freeze({
    shop, items, subtotals: totalsOf(items), quantity: items.reduce((sum, item) => sum + item.quantity, 0),
  }));
}

/** Items whose price is now below the price the shopper saw when adding them. */
export function selectPriceDrops(state: CartState): CartItem[] {
  return selectItems(state).filter((item) => item.priceMinor !== null && item.addedPriceMinor !== null && item.priceMinor < item.addedPriceMinor);
}

/** Items an action just made cheaper than when they were added (for a price-drop notification). */
export function newPriceDrops(written: readonly CartItem[], before: CartState): CartItem[] {
  return written.filter((item) => {
    const previous = before.items[item.id];
    return item.priceMinor !== null && item.addedPriceMinor !== null && item.priceMinor < item.addedPriceMinor
      && previous !== undefined && (previous.priceMinor ?? Infinity) > item.priceMinor;
  });
}

export function selectItemCount(state: CartState, listId?: string): number {
  return selectItems(state, listId).reduce((sum, item) => sum + item.quantity, 0);
}

/** Items whose list was deleted (here or on another device), by that list: they show under Cart. */
export interface DeletedListItems {
  readonly listId: string;
  /** The deleted list's name. */
  readonly name: string;
  readonly ids: readonly string[];
}

/**
 * The items that show under Cart because their list was deleted (docs/cart-manager.md, "Lists" rule 6),
 * grouped by that list, in the order the lists were made. Items of a list not arrived yet are left out:
 * their list is on its way.
 */
export function selectDeletedListItems(state: CartState): readonly DeletedListItems[] {
  const cached = deletedListItems.get(state.items);
  if (cached && cached.records === state.listRecords) return cached.groups;
  const groups = new Map<string, string[]>();
  if (Object.values(state.listRecords).some((record) => record.deleted)) {
    for (const item of Object.values(state.items)) {
      if (item.deleted || !state.listRecords[item.listId]?.deleted) continue;
      const ids = groups.get(item.listId);
      if (ids) ids.push(item.id);
      else groups.set(item.listId, [item.id]);
    }
  }
  const found = Object.freeze([...groups].map(([listId, ids]) => Object.freeze({ listId, name: state.listRecords[listId]!.title, ids: Object.freeze(ids) }))
    .sort((a, b) => state.listRecords[a.listId]!.addedAt - state.listRecords[b.listId]!.addedAt));
  deletedListItems.set(state.items, { records: state.listRecords, groups: found });
  return found;
}

/** Per items object: the answer and the list records it was made with (a 10 000-item cart is not scanned on each redraw). */
const deletedListItems = new WeakMap<CartState['items'], { records: CartState['listRecords']; groups: readonly DeletedListItems[] }>();
