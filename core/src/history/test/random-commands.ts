/** Random shopper commands over a small catalogue, for randomised history tests. */
import { cartCommands, type CartCommand } from '../../cart/cart-actions.ts';
import type { ClockedItems } from '../cart-at.ts';
import { product } from '../../test/fixtures.ts';
import type { randomSource } from './recording-cart.ts';

type Random = ReturnType<typeof randomSource>;

const PAGES = Array.from({ length: 30 }, (_, i) => `https://shop${i % 4}.example/p/product-${i}`);
const VARIANTS = [null, 'Blue / M', 'Red'];
const NOTES = ['', 'for Anna', 'blue one', 'gift', 'ask about size'];
/** What a page says of availability: often nothing (unknown). */
const AVAILABILITIES = [null, null, 'in_stock', 'out_of_stock'] as const;

export function randomCommand(random: Random, docs: ClockedItems): CartCommand {
  const live = Object.values(docs).filter((item) => !item.deleted);
  const roll = random.next();
  if (live.length === 0 || roll < 0.22) {
    // Drawn in the same order as before availability was added, so every seed makes the same carts;
    // availability is derived from values already drawn.
    const url = random.pick(PAGES);
    const n = random.int(3);
    const priceMinor = random.chance(0.1) ? null : 100 + random.int(5000);
    const variant = random.pick(VARIANTS);
    const listId = random.chance(0.8) ? 'cart' : 'saved';
    const quantity = 1 + random.int(3);
    return cartCommands.add(product({ url, title: `Product ${url.slice(-2)} ${n}`, priceMinor, variant, shop: undefined,
      availability: AVAILABILITIES[(n + quantity + (priceMinor ?? 0)) % AVAILABILITIES.length] }), { listId, quantity });
  }
  const item = random.pick(live);
  if (roll < 0.42) return cartCommands.setQuantity(item.id, 1 + random.int(9));
  if (roll < 0.55) return cartCommands.setNote(item.id, random.pick(NOTES));
  if (roll < 0.65) return cartCommands.remove(item.id);
  if (roll < 0.73) return cartCommands.move(item.id, item.listId === 'cart' ? 'saved' : 'cart');
  if (roll < 0.83) return cartCommands.edit(item.id, random.chance(0.5) ? { title: `Renamed ${random.int(5)}` } : { priceMinor: 100 + random.int(5000), variant: random.pick(VARIANTS) });
  if (roll < 0.97) {
    const price = 100 + random.int(5000);
    return cartCommands.priceSeen(item.url, price, item.currency, AVAILABILITIES[price % AVAILABILITIES.length]);
  }
  return cartCommands.clearList(random.chance(0.5) ? 'saved' : 'cart');
}
