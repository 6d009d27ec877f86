/** Random shopper commands over a small catalogue, for randomised history tests. */
import { cartCommands, type CartCommand } from '../../cart/cart-actions.ts';
import type { ClockedItems } from '../cart-at.ts';
import { product } from '../../test/fixtures.ts';
import type { randomSource } from './recording-cart.ts';

type Random = ReturnType<typeof randomSource>;

const PAGES = Array.from({ length: 30 }, (_, i) => `https://shop${i % 4}.example/p/product-${i}`);
const VARIANTS = [null, 'Blue / M', 'Red'];
const NOTES = ['', 'for Anna', 'blue one', 'gift', 'ask about size'];

export function randomCommand(random: Random, docs: ClockedItems): CartCommand {
  const live = Object.values(docs).filter((item) => !item.deleted);
  const roll = random.next();
  if (live.length === 0 || roll < 0.22) {
    const url = random.pick(PAGES);
    return cartCommands.add(product({ url, title: `Product ${url.slice(-2)} ${random.int(3)}`, priceMinor: random.chance(0.1) ? null : 100 + random.int(5000),
      variant: random.pick(VARIANTS), shop: undefined }), { listId: random.chance(0.8) ? 'cart' : 'saved', quantity: 1 + random.int(3) });
  }
  const item = random.pick(live);
  if (roll < 0.42) return cartCommands.setQuantity(item.id, 1 + random.int(9));
  if (roll < 0.55) return cartCommands.setNote(item.id, random.pick(NOTES));
  if (roll < 0.65) return cartCommands.remove(item.id);
  if (roll < 0.73) return cartCommands.move(item.id, item.listId === 'cart' ? 'saved' : 'cart');
  if (roll < 0.83) return cartCommands.edit(item.id, random.chance(0.5) ? { title: `Renamed ${random.int(5)}` } : { priceMinor: 100 + random.int(5000), variant: random.pick(VARIANTS) });
  if (roll < 0.97) return cartCommands.priceSeen(item.url, 100 + random.int(5000), item.currency);
  return cartCommands.clearList(random.chance(0.5) ? 'saved' : 'cart');
}
