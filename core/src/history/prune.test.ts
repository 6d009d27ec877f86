import { describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { ToteError } from '../errors.ts';
import { product } from '../test/fixtures.ts';
import { cartAt } from './cart-at.ts';
import { HISTORY_KEEP_MS } from './history-entry.ts';
import { historySize } from './history-record.ts';
import { prune } from './prune.ts';
import { planRestore } from './restore.ts';
import { randomCommand } from './test/random-commands.ts';
import { DAY, MINUTE, randomSource, RecordingCart, shopperView, T0 } from './test/recording-cart.ts';

function shop(seed: number, days: number): RecordingCart {
  const random = randomSource(seed);
  const cart = new RecordingCart('laptop');
  while (cart.time < T0 + days * DAY) {
    cart.dispatch(randomCommand(random, cart.docs));
    cart.time += random.chance(0.05) ? 0 : 1 + random.int(3 * 60 * MINUTE);
  }
  return cart;
}

describe('prune', () => {
  it.each([21, 22, 23])('keeps every moment of the window exactly restorable (seed %i)', (seed) => {
    const cart = shop(seed, 75);
    const now = cart.time;
    const pruned = prune(cart.entries, now);
    expect(pruned.length).toBeLessThan(cart.entries.length * 0.6);
    const random = randomSource(seed);
    for (let check = 0; check < 25; check += 1) {
      const t = now - HISTORY_KEEP_MS + (check === 0 ? 0 : random.int(HISTORY_KEEP_MS));
      const full = shopperView(cartAt(cart.entries, t));
      const kept = shopperView(cartAt(pruned, t));
      // Every item rebuilt from the pruned history is exact; the ones it no longer holds were removed
      // before the window and stayed removed.
      for (const [id, item] of Object.entries(kept)) expect(item, `seed ${seed}, ${id} at ${t}`).toEqual(full[id]);
      for (const id of Object.keys(full)) if (!(id in kept)) expect(full[id]!.deleted).toBe(true);
      const meta = { at: now, clock: cart.clock };
      expect(planRestore(cart.docs, pruned, t, meta)).toEqual(planRestore(cart.docs, cart.entries, t, meta));
    }
    // Pruning again changes nothing.
    expect(prune(pruned, now)).toEqual(pruned);
  });

  it('refuses to restore to a moment older than the window', () => {
    const cart = shop(24, 40);
    const pruned = prune(cart.entries, cart.time);
    expect(() => planRestore(cart.docs, pruned, cart.time - 31 * DAY, { at: cart.time, clock: cart.clock }))
      .toThrow(expect.objectContaining({ constructor: ToteError, code: 'INVALID_INPUT', message: expect.stringMatching(/^Tote keeps 30 days of history; /) }));
  });

  it('drops an item removed before the window and not touched since; keeps what an item still in the cart needs', () => {
    const cart = new RecordingCart();
    cart.dispatch(cartCommands.add(product()));
    cart.dispatch(cartCommands.add(product({ url: 'https://shop.example/p/lamp', title: 'Desk lamp' })));
    const [kettle, lamp] = Object.keys(cart.docs) as [string, string];
    for (let day = 1; day <= 5; day += 1) {
      cart.time += DAY;
      cart.dispatch(cartCommands.setQuantity(kettle, day + 1));
    }
    cart.dispatch(cartCommands.setNote(kettle, 'for Anna'));
    cart.dispatch(cartCommands.remove(lamp));
    const now = cart.time + 40 * DAY;
    const pruned = prune(cart.entries, now);
    expect(pruned.every((entry) => entry.itemId === kettle)).toBe(true);
    // The entry that added it, the latest quantity and the note (one change set both, same millisecond).
    expect(pruned.map((entry) => Object.keys(entry.changes).sort())).toEqual([
      ['currency', 'deleted', 'imageUrl', 'listId', 'note', 'priceMinor', 'quantity', 'title', 'variant'], ['quantity'], ['note'],
    ]);
    expect(shopperView(cartAt(pruned, now - HISTORY_KEEP_MS))).toEqual({ [kettle]: shopperView(cart.docs)[kettle] });
  });

  it('keeps history bounded: pruned daily, it holds the window plus a few entries per item', () => {
    const random = randomSource(25);
    const cart = new RecordingCart('laptop');
    let entries = cart.entries.slice();
    let largest = 0;
    for (let day = 1; day <= 80; day += 1) {
      const from = cart.entries.length;
      while (cart.time < T0 + day * DAY) {
        cart.dispatch(randomCommand(random, cart.docs));
        cart.time += 1 + random.int(2 * 60 * MINUTE);
      }
      entries = prune([...entries, ...cart.entries.slice(from)], cart.time);
      largest = Math.max(largest, historySize(entries));
    }
    const inWindow = cart.entries.filter((entry) => entry.stamp.wall >= cart.time - HISTORY_KEEP_MS).length;
    const items = Object.keys(cart.docs).length;
    expect(entries.length).toBeLessThanOrEqual(inWindow + 10 * items);
    expect(historySize(entries)).toBeLessThan(historySize(cart.entries) / 2);
    expect(largest).toBeLessThan(historySize(cart.entries));
  });
});
