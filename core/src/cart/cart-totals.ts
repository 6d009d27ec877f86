/**
 * Totals (docs/cart-manager.md, "Totals"): what the shopper would pay, per currency, and within each
 * currency what each shop comes to. Amounts in different currencies are never added together, and an
 * item without a known price is counted, never priced at zero.
 */
import { selectItems } from './cart-selectors.ts';
import type { CartState, CurrencyCode } from './cart-types.ts';

export interface ShopSubtotal {
  readonly shop: string;
  readonly amountMinor: number;
  /** Units (quantities added up) from this shop in this currency. */
  readonly quantity: number;
  /** Items of this shop in this currency whose price is unknown (not in the amount). */
  readonly unpricedItems: number;
}

export interface CurrencyTotal {
  readonly currency: CurrencyCode;
  readonly amountMinor: number;
  readonly quantity: number;
  readonly unpricedItems: number;
  /** Shops, largest amount first (then by name). */
  readonly shops: readonly ShopSubtotal[];
}

/** Totals per currency (alphabetical) of a list, or of every list, with per-shop subtotals. */
export function selectCartTotals(state: CartState, listId?: string): CurrencyTotal[] {
  const byCurrency = new Map<string, Map<string, { amountMinor: number; quantity: number; unpricedItems: number }>>();
  for (const item of selectItems(state, listId)) {
    const shops = byCurrency.get(item.currency) ?? new Map();
    byCurrency.set(item.currency, shops);
    const subtotal = shops.get(item.shop) ?? { amountMinor: 0, quantity: 0, unpricedItems: 0 };
    shops.set(item.shop, subtotal);
    subtotal.quantity += item.quantity;
    if (item.priceMinor === null) subtotal.unpricedItems += 1;
    else subtotal.amountMinor += item.priceMinor * item.quantity;
  }
  return [...byCurrency].sort(([a], [b]) => a.localeCompare(b)).map(([currency, shops]) => {
    const subtotals = [...shops].map(([shop, s]) => Object.freeze({ shop, ...s }))
      .sort((a, b) => b.amountMinor - a.amountMinor || a.shop.localeCompare(b.shop));
    return Object.freeze({
      currency,
      amountMinor: subtotals.reduce((sum, s) => sum + s.amountMinor, 0),
      quantity: subtotals.reduce((sum, s) => sum + s.quantity, 0),
      unpricedItems: subtotals.reduce((sum, s) => sum + s.unpricedItems, 0),
      shops: Object.freeze(subtotals),
    });
  });
}
