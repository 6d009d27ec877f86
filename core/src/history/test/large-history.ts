/** A large cart history built fast (documents stamped directly, without the reducer), for scale checks. */
import { tick, type Hlc } from '../../merge/hlc.ts';
import { stampChange, type ClockedItem } from '../../merge/item-clocks.ts';
import { entriesForWrite, type HistoryEntry } from '../history-entry.ts';
import { DAY, randomSource, T0 } from './recording-cart.ts';

/** `items` items added at the start, then `changes` changes (quantity, note, removal, bringing back)
 * spread evenly over 30 days: items + changes entries in all. */
export function largeHistory(items = 1000, changes = 19_000) {
  const random = randomSource(7);
  let clock: Hlc = { wall: 0, counter: 0, node: 'laptop' };
  const docs: Record<string, ClockedItem> = {};
  const entries: HistoryEntry[] = [];
  const write = (before: ClockedItem | null, after: ClockedItem) => {
    const doc = stampChange(before, after, clock);
    docs[doc.id] = doc;
    entries.push(...entriesForWrite(before, doc));
  };
  for (let i = 0; i < items; i += 1) {
    clock = tick(clock, T0 + i);
    write(null, {
      id: `item-${i}`, listId: 'cart', url: `https://shop.example/p/${i}`, shop: 'shop.example', title: `Product ${i}`,
      priceMinor: 1000 + i, currency: 'EUR', imageUrl: null, variant: null, quantity: 1, note: '', addedAt: T0 + i,
      addedBy: 'laptop', updatedAt: T0 + i, updatedBy: 'laptop', addedPriceMinor: 1000 + i, priceHistory: [], deleted: false,
    });
  }
  const step = (30 * DAY) / changes;
  for (let n = 0; n < changes; n += 1) {
    const at = T0 + Math.round(n * step) + 1000;
    clock = tick(clock, at);
    const before = docs[`item-${random.int(items)}`]!;
    const roll = random.next();
    const patch = roll < 0.5 ? { quantity: (before.quantity % 9) + 1 } : roll < 0.8 ? { note: `note ${n}` } : { deleted: !before.deleted };
    write(before, { ...before, ...patch, updatedAt: at });
  }
  return { docs, entries, clock, now: T0 + 30 * DAY };
}
