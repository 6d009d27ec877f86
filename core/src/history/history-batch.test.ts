import { describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { formatHlc, hlc, type Hlc } from '../merge/hlc.ts';
import { product } from '../test/fixtures.ts';
import { cartAt, type ClockedItems } from './cart-at.ts';
import { decodeBatch, encodeBatch } from './history-batch.ts';
import { historyEntry, mergeEntries, type HistoryEntry } from './history-entry.ts';
import { toHistoryRecord } from './history-record.ts';
import { planRestore } from './restore.ts';
import { randomCommand } from './test/random-commands.ts';
import { DAY, HOUR, MINUTE, randomSource, RecordingCart, shopperView, T0, visibleView } from './test/recording-cart.ts';

/** As a device stores them (store/history-log.ts): the entries of an hour in one batch, named by its first stamp, through JSON. */
function stored(entries: readonly HistoryEntry[]): { base: Hlc; batch: unknown }[] {
  const batches: { base: Hlc; entries: HistoryEntry[] }[] = [];
  for (const entry of entries) {
    const open = batches.at(-1);
    if (open && entry.stamp.wall >= open.base.wall && entry.stamp.wall < open.base.wall + HOUR && open.entries.length < 200) open.entries.push(entry);
    else batches.push({ base: entry.stamp, entries: [entry] });
  }
  return batches.map(({ base, entries: held }) => ({ base, batch: JSON.parse(JSON.stringify(encodeBatch(held, base))) as unknown }));
}

function read(batches: readonly { base: Hlc; batch: unknown }[]): HistoryEntry[] {
  return batches.flatMap(({ base, batch }) => {
    const entries = decodeBatch(batch, base);
    if (entries === null) throw new Error(`batch ${formatHlc(base)} does not read`);
    return entries;
  });
}

function thirtyDays(seed: number, device = 'laptop') {
  const random = randomSource(seed);
  const cart = new RecordingCart(device);
  while (cart.time < T0 + 30 * DAY) {
    cart.dispatch(randomCommand(random, cart.docs));
    // Minutes to hours apart; sometimes several changes within one millisecond (counters above 0).
    cart.time += random.chance(0.05) ? 0 : 1 + random.int(3 * 60 * MINUTE);
  }
  return { cart, random };
}

/** The shopper's fields only (no field clocks): what a restore and its undo must give back. */
function fields(items: ClockedItems) {
  const view = shopperView(items);
  for (const item of Object.values(view)) delete item.fieldClocks;
  return view;
}

describe('history batches', () => {
  it.each([21, 22])('give back every entry exactly, in fewer bytes than records (seed %i)', (seed) => {
    const { cart } = thirtyDays(seed);
    const batches = stored(cart.entries);
    expect(batches.length).toBeLessThan(cart.entries.length);
    expect(read(batches)).toEqual(cart.entries);
    const batchBytes = JSON.stringify(batches.map(({ batch }) => batch)).length;
    const recordBytes = JSON.stringify(cart.entries.map(toHistoryRecord)).length;
    expect(batchBytes).toBeLessThan(recordBytes * 0.8); // adds (a fifth of these changes) keep their title and URLs whole
  });

  it('names an item once, and stamps by difference: a quantity change is a few bytes', () => {
    const cart = new RecordingCart('9b8a7c6d5e4f4a3b');
    cart.dispatch(cartCommands.add(product()));
    const id = Object.keys(cart.docs)[0]!;
    for (let quantity = 2; quantity <= 4; quantity += 1) {
      cart.time += MINUTE;
      cart.dispatch(cartCommands.setQuantity(id, quantity));
    }
    const batch = encodeBatch(cart.entries, cart.entries[0]!.stamp);
    expect(batch[0]).toEqual([id]);
    expect(batch.slice(2)).toEqual([[0, MINUTE, { q: 2 }], [0, MINUTE, { q: 3 }], [0, MINUTE, { q: 4 }]]);
  });

  it('keeps counters, stamps out of order and another device\'s stamp', () => {
    const base = hlc(T0, 0, 'laptop');
    const entries = [
      { itemId: 'a', stamp: hlc(T0 + 5, 3, 'laptop') },
      { itemId: 'b', stamp: hlc(T0 - 2000, 0, 'laptop') },
      { itemId: 'a', stamp: hlc(T0 + 9, 1, 'phone') },
    ].map(({ itemId, stamp }) => historyEntry(itemId, stamp, { quantity: 2 }));
    const batch = JSON.parse(JSON.stringify(encodeBatch(entries, base))) as unknown[];
    expect(batch.slice(1)).toEqual([[0, 5, { q: 2 }, 3], [1, -2005, { q: 2 }], [0, 2009, { q: 2 }, 1, 'phone']]);
    expect(decodeBatch(batch, base)).toEqual(entries);
  });

  it('reads a damaged batch as null, whatever part is damaged', () => {
    const base = hlc(T0, 0, 'laptop');
    const good = [['k1'], [0, 0, { q: 2 }]];
    expect(decodeBatch(good, base)).toHaveLength(1);
    for (const damaged of [
      null, [], {}, [['k1'], 'x'], [[''], [0, 0, { q: 2 }]], [['k1'], [1, 0, { q: 2 }]], [['k1'], [0, 0.5, { q: 2 }]],
      [['k1'], [0, 0, { q: 'two' }]], [['k1'], [0, 0, [2]]], [['k1'], [0, -T0 - 1, { q: 2 }]], [['k1'], [0, 0, { q: 2 }, -1]],
      [['k1'], [0, 0, { q: 2 }, 0, '']], [['k1'], [0, 0, { q: 2 }, 0, 'phone', 'extra']], [['k1'], [0, 0]],
    ]) expect(decodeBatch(damaged, base), JSON.stringify(damaged)).toBeNull();
  });

  it('merges batches of two devices, and the same batch read at two points, into one history', () => {
    const { cart: laptop } = thirtyDays(31, 'laptop');
    const { cart: phone } = thirtyDays(32, 'phone');
    const laptopBatches = stored(laptop.entries);
    const phoneBatches = stored(phone.entries);
    // A batch seen before its last write (the server's earlier copy) beside the whole one.
    const last = laptopBatches.at(-1)!;
    const earlier = { base: last.base, batch: (last.batch as unknown[]).slice(0, -1) };
    const entries = mergeEntries(read([...phoneBatches, earlier]), read(laptopBatches));
    expect(entries).toHaveLength(laptop.entries.length + phone.entries.length);
    const random = randomSource(33);
    for (let check = 0; check < 60; check += 1) {
      const minute = T0 + random.int(30 * 24 * 60) * MINUTE;
      expect(shopperView(cartAt(entries, minute)), `minute ${minute}`).toEqual(shopperView({ ...laptop.docsAt(minute), ...phone.docsAt(minute) }));
    }
  });

  it.each([41, 42])('restore to a minute from batches, then undo it, gives back the cart exactly (seed %i)', (seed) => {
    const { cart, random } = thirtyDays(seed);
    // The restores' own entries are stored as batches too: the history is read back from batches each time.
    for (let round = 0; round < 3; round += 1) {
      const before = cart.docs;
      const to = T0 + DAY + random.int(28 * DAY) + random.int(60) * 1000;
      const plan = planRestore(before, read(stored(cart.entries)), to, { at: cart.time, clock: cart.clock });
      cart.applyRestore(plan);
      const seen = (items: ClockedItems) => {
        const view = visibleView(items);
        for (const item of Object.values(view)) {
          delete item.fieldClocks;
          delete item.addedPriceMinor;
        }
        return view;
      };
      expect(seen(cart.docs), `restore to ${to}`).toEqual(seen(cartAt(cart.entries, to)));
      cart.time += 1 + random.int(HOUR);
      const undo = planRestore(cart.docs, read(stored(cart.entries)), plan.undoAt, { at: cart.time, clock: cart.clock });
      cart.applyRestore(undo);
      expect(fields(cart.docs), `undo of restore to ${to}`).toEqual(fields(before));
      cart.time += 1 + random.int(HOUR);
    }
  });
});
