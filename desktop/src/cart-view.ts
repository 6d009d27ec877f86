/** Turns the cart state into what the cart manager shows: every list, its shops, and totals. */
import { formatMoney, selectByShop, totalsOf, type CartList, type CartState, type MoneyTotal, type ShopGroup } from '@tote/core';

export interface ListView {
  readonly list: CartList;
  /** The list an item moves to from here. */
  readonly other: CartList | null;
  readonly groups: readonly ShopGroup[];
  readonly totals: readonly MoneyTotal[];
  readonly count: number;
}

/** Each list's items are read and sorted once (a 10 000-item cart is redrawn on every change). */
export function listsView(state: CartState): ListView[] {
  return state.lists.map((list) => {
    const groups = selectByShop(state, list.id);
    const items = groups.flatMap((group) => group.items);
    return {
      list,
      other: state.lists.find((candidate) => candidate.id !== list.id) ?? null,
      groups,
      totals: totalsOf(items),
      count: groups.reduce((sum, group) => sum + group.quantity, 0),
    };
  });
}

/** "€104.70 + $12.00 + 1 without price": currencies are never added together. */
export function moneyText(totals: readonly MoneyTotal[], locale?: string): string {
  if (totals.length === 0) return '—';
  return totals.map((t) => formatMoney(t.amountMinor, t.currency, locale) + (t.unpricedItems ? ` + ${t.unpricedItems} without price` : '')).join(' + ');
}
