/**
 * An item's prices over time, as its chart shows them (docs/cart-manager.md, "Item details"): the price
 * seen when it was added, then every price the product's page showed since (item/priceSeen keeps the
 * changes only), each marked as a drop or a rise against the price before it.
 */
import type { CartItem } from './cart-types.ts';

export interface PriceMark {
  readonly at: number;
  readonly priceMinor: number;
  /** 'added': the price seen when added; 'drop' / 'rise': lower / higher than the price before it. */
  readonly kind: 'added' | 'drop' | 'rise' | 'same';
}

export function priceMarks(item: Pick<CartItem, 'addedAt' | 'addedPriceMinor' | 'priceHistory'>): PriceMark[] {
  const marks: PriceMark[] = [];
  if (item.addedPriceMinor !== null) marks.push({ at: item.addedAt, priceMinor: item.addedPriceMinor, kind: 'added' });
  for (const point of item.priceHistory) {
    const before = marks[marks.length - 1];
    const kind = before === undefined || point.priceMinor === before.priceMinor ? 'same' : point.priceMinor < before.priceMinor ? 'drop' : 'rise';
    marks.push({ at: point.at, priceMinor: point.priceMinor, kind });
  }
  return marks;
}
