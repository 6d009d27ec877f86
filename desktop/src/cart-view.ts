/** Turns the cart state into what the cart manager shows: every list, its shops, and totals. */
import { formatMoney, selectByShop, selectItemCount, selectTotals, type CartList, type CartState, type MoneyTotal, type ShopGroup } from '@tote/core';

export interface ListView {
  readonly list: CartList;
  /** The list an item moves to from here. */
  readonly other: CartList | null;
  readonly groups: readonly ShopGroup[];
  readonly totals: readonly MoneyTotal[];
  readonly count: number;
}

export function listsView(state: CartState): ListView[] {
  return state.lists.map((list) => ({
    list,
    other: state.lists.find((candidate) => candidate.id !== list.id) ?? null,
    groups: selectByShop(state, list.id),
    totals: selectTotals(state, list.id),
    count: selectItemCount(state, list.id),
  }));
}

/** "€104.70 + $12.00 + 1 without price": currencies are never added together. */
export function moneyText(totals: readonly MoneyTotal[], locale?: string): string {
  if (totals.length === 0) return '—';
  return totals.map((t) => formatMoney(t.amountMinor, t.currency, locale) + (t.unpricedItems ? ` + ${t.unpricedItems} without price` : '')).join(' + ');
}
