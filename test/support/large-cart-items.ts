/**
 * The items of a large test cart, the same on every run: 40 shops, ten kinds of product (each word in
 * exactly a tenth of the titles), a variant on a third, a note on a tenth, every seventh item cheaper
 * now than when added. Item i is `item-<i>`, all in the cart list.
 */
import type { CartItem } from '@tote/core';

export const LARGE_CART_NOUNS = ['kettle', 'lantern', 'teapot', 'blanket', 'skillet', 'notebook', 'backpack', 'umbrella', 'candle', 'sweater'] as const;
const ADJECTIVES = ['Red', 'Oak', 'Linen', 'Copper', 'Wool', 'Glass', 'Steel', 'Cotton', 'Bamboo', 'Stone', 'Cedar'];
const START = Date.UTC(2026, 9, 1);
export const LARGE_CART_DEVICE = 'phone-of-the-shopper';

export function largeCartItem(i: number): CartItem {
  const shop = `shop-${String(i % 40).padStart(2, '0')}.example`;
  const addedPriceMinor = 500 + ((i * 7919) % 20_000);
  const priceMinor = i % 7 === 0 ? addedPriceMinor - 100 : addedPriceMinor;
  const at = START + i * 60_000;
  return {
    id: `item-${i}`, listId: 'cart', url: `https://${shop}/p/${i}`, shop,
    title: `${ADJECTIVES[i % ADJECTIVES.length]} ${LARGE_CART_NOUNS[i % LARGE_CART_NOUNS.length]} no. ${i}`,
    priceMinor, currency: 'EUR', imageUrl: null, variant: i % 3 === 0 ? 'Blue / M' : null, quantity: 1,
    note: i % 10 === 5 ? 'a present for Anna' : '', addedAt: at, addedBy: LARGE_CART_DEVICE, updatedAt: at, updatedBy: LARGE_CART_DEVICE,
    addedPriceMinor, priceHistory: i % 7 === 0 ? [{ at: at + 1000, priceMinor }] : [], deleted: false,
  };
}
