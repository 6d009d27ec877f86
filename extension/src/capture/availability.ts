/**
 * Whether a page says its product can be ordered, from the schema.org ItemAvailability a shop's markup
 * names (https://schema.org/ItemAvailability) or OpenGraph's `product:availability` ("in stock",
 * "out of stock", "preorder", "available for order", "discontinued"). Spec: docs/capture.md and
 * docs/cart-manager.md ("Availability").
 *
 * Anything the shopper can order now or later counts as `in_stock` (limited, pre-order, back-order,
 * made to order, online or in store only); sold out, out of stock and discontinued as `out_of_stock`.
 * A value that says neither (Reserved, pending, a word Tote does not know) is unknown: null, never a guess.
 */
import type { Availability } from '@tote/core';

const IN_STOCK = new Set(['instock', 'instoreonly', 'onlineonly', 'limitedavailability', 'preorder', 'presale', 'backorder',
  'madetoorder', 'availablefororder', 'available']);
const OUT_OF_STOCK = new Set(['outofstock', 'soldout', 'discontinued', 'oos', 'unavailable']);

/** "InStock", "https://schema.org/OutOfStock" (already shortened by availabilityName), "out of stock" → the item's availability, or null. */
export function availabilityOf(name: string | null | undefined): Availability | null {
  if (typeof name !== 'string') return null;
  const word = name.trim().replace(/^https?:\/\/(schema|data-vocabulary)\.org\//i, '').replace(/^schema:/i, '')
    .toLowerCase().replace(/[\s_-]+/g, '');
  if (IN_STOCK.has(word)) return 'in_stock';
  if (OUT_OF_STOCK.has(word)) return 'out_of_stock';
  return null;
}
