import { describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { product } from '../test/fixtures.ts';
import { cartAt } from './cart-at.ts';
import { mergeEntries } from './history-entry.ts';
import { planRestore } from './restore.ts';
import { randomCommand } from './test/random-commands.ts';
import { DAY, MINUTE, randomSource, RecordingCart, shopperView, T0 } from './test/recording-cart.ts';

describe('cartAt', () => {
  it('shows each item as it stood: not yet added, changed, removed', () => {
    const cart = new RecordingCart();
    cart.dispatch(cartCommands.add(product()));
    const id = Object.keys(cart.docs)[0]!;
    cart.time += MINUTE;
    cart.dispatch(cartCommands.setQuantity(id, 3));
    cart.time += MINUTE;
    cart.dispatch(cartCommands.setNote(id, 'for Anna'));
    cart.time += MINUTE;
    cart.dispatch(cartCommands.remove(id));

    expect(cartAt(cart.entries, T0 - 1)).toEqual({});
    expect(cartAt(cart.entries, T0)[id]).toMatchObject({ quantity: 1, note: '', deleted: false, fieldClocks: {} });
    expect(cartAt(cart.entries, T0 + MINUTE + 30_000)[id]).toMatchObject({ quantity: 3, note: '', deleted: false });
    expect(cartAt(cart.entries, T0 + 2 * MINUTE)[id]).toMatchObject({ quantity: 3, note: 'for Anna', deleted: false });
    expect(cartAt(cart.entries, T0 + 3 * MINUTE)[id]).toMatchObject({ quantity: 3, note: 'for Anna', deleted: true, updatedAt: T0 + 3 * MINUTE });
  });

  it('orders changes of one millisecond by their stamps, and reads entries in any order, duplicates included', () => {
    const cart = new RecordingCart();
    cart.dispatch(cartCommands.add(product()));
    const id = Object.keys(cart.docs)[0]!;
    cart.time += MINUTE;
    cart.dispatch(cartCommands.setQuantity(id, 3));
    cart.dispatch(cartCommands.setQuantity(id, 5)); // same millisecond: the counter orders them
    const shuffled = [...cart.entries].reverse();
    expect(cartAt([...shuffled, ...cart.entries], T0 + MINUTE)[id]!.quantity).toBe(5);
    expect(shopperView(cartAt(shuffled, T0 + MINUTE))).toEqual(shopperView(cart.docs));
  });

  // The exactness property: random shopping (and restores) through the real reducer over 30 days; the
  // cart rebuilt from history at any minute equals the cart the reducer held at that minute.
  it.each([1, 2, 3])('rebuilds exactly the cart the reducer held at any minute of 30 days (seed %i)', (seed) => {
    const random = randomSource(seed);
    const cart = new RecordingCart('laptop');
    let restores = 0;
    while (cart.time < T0 + 30 * DAY) {
      if (restores < 5 && cart.time > T0 + 2 * DAY && random.chance(0.01)) {
        const to = T0 + random.int(cart.time - T0);
        cart.applyRestore(planRestore(cart.docs, cart.entries, to, { at: cart.time, clock: cart.clock }));
        restores += 1;
      } else {
        cart.dispatch(randomCommand(random, cart.docs));
      }
      // Mostly minutes to hours apart; sometimes several changes within one millisecond.
      cart.time += random.chance(0.05) ? 0 : 1 + random.int(3 * 60 * MINUTE);
    }
    expect(cart.entries.length).toBeGreaterThan(300);
    expect(restores).toBeGreaterThan(0);
    const entries = mergeEntries(cart.entries);
    for (let check = 0; check < 150; check += 1) {
      const minute = T0 + random.int(30 * 24 * 60) * MINUTE;
      expect(shopperView(cartAt(entries, minute)), `seed ${seed}, minute ${minute}`).toEqual(shopperView(cart.docsAt(minute)));
    }
    expect(shopperView(cartAt(entries, cart.time))).toEqual(shopperView(cart.docs));
  });
});
