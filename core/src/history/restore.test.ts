import { describe, expect, it } from 'vitest';
import { isToteError } from '../errors.ts';
import { mergeItem } from '../merge/field-merge.ts';
import { compare, tick } from '../merge/hlc.ts';
import { fieldStamps, latestStamp, MERGE_FIELDS, stampChange } from '../merge/item-clocks.ts';
import { cartAt, type ClockedItems } from './cart-at.ts';
import { planRestore } from './restore.ts';
import { randomCommand } from './test/random-commands.ts';
import { DAY, HOUR, kettleAndLamp, MINUTE, randomSource, RecordingCart, shopperView, T0, visibleView } from './test/recording-cart.ts';

/** The shopper's fields only (no field clocks): what a restore and its undo must give back. */
function fields(items: ClockedItems) {
  const view = shopperView(items);
  for (const item of Object.values(view)) delete item.fieldClocks;
  return view;
}

describe('planRestore', () => {
  it('brings back what was removed since, removes what was added since, as one change stamped after everything', () => {
    const { cart, kettle, lamp } = kettleAndLamp();
    const before = cart.docs;
    const plan = planRestore(before, cart.entries, T0 + DAY + HOUR, { at: cart.time, clock: cart.clock });
    expect({ changed: plan.changed, removed: plan.removed, broughtBack: plan.broughtBack }).toEqual({ changed: 0, removed: 1, broughtBack: 1 });
    cart.applyRestore(plan);
    expect(cart.docs[kettle]).toMatchObject({ deleted: false, quantity: 3 });
    expect(cart.docs[lamp]).toMatchObject({ deleted: true, note: 'for Anna' });
    // Every field the restore wrote is stamped later than anything the cart held, so it syncs and wins.
    const newest = Object.values(before).map(latestStamp).reduce((a, b) => (compare(a, b) > 0 ? a : b));
    for (const doc of plan.writes) {
      for (const field of MERGE_FIELDS) {
        if (doc[field] !== before[doc.id]![field]) expect(compare(fieldStamps(doc)[field], newest)).toBe(1);
      }
    }
    expect(plan.undoAt).toBeGreaterThanOrEqual(newest.wall);
    expect(plan.undoAt).toBeLessThan(plan.stamp.wall);
  });

  it('wins on another device over an older change made there meanwhile, with a notice', () => {
    const { cart, lamp } = kettleAndLamp();
    const ancestor = cart.docs[lamp]!;
    // On the phone, before it sees the restore: a note on the lamp.
    const phoneClock = tick({ ...cart.clock, node: 'phone' }, cart.time);
    const onPhone = stampChange(ancestor, { ...ancestor, note: 'gift' }, phoneClock);
    // The restore, a minute later on the laptop: back to before the lamp had a note.
    const plan = planRestore(cart.docs, cart.entries, T0 + 2 * DAY + HOUR, { at: cart.time + MINUTE, clock: cart.clock });
    const restored = plan.writes.find((doc) => doc.id === lamp)!;
    const { merged, conflicts } = mergeItem(ancestor, restored, onPhone);
    expect(merged).toMatchObject({ deleted: false, note: '' });
    expect(conflicts).toMatchObject([{ field: 'note', winner: { value: '' }, loser: { value: 'gift' } }]);
  });

  it('changes nothing when the cart already stands as it did', () => {
    const { cart } = kettleAndLamp();
    const plan = planRestore(cart.docs, cart.entries, cart.time - MINUTE, { at: cart.time, clock: cart.clock });
    expect(plan.writes).toEqual([]);
    expect(plan.entries).toEqual([]);
  });

  it('refuses a moment older than the kept window, or in the future, with a sentence for the shopper', () => {
    const { cart } = kettleAndLamp();
    const at = T0 + 40 * DAY;
    const refusal = (t: number) => {
      try {
        planRestore(cart.docs, cart.entries, t, { at, clock: cart.clock });
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const tooOld = refusal(at - 30 * DAY - 1);
    expect(isToteError(tooOld, 'INVALID_INPUT')).toBe(true);
    expect((tooOld as Error).message).toMatch(/^Tote keeps 30 days of history; /);
    expect(refusal(at - 30 * DAY)).toBeUndefined();
    expect(isToteError(refusal(at + MINUTE), 'INVALID_INPUT')).toBe(true);
    expect(isToteError(refusal(Number.NaN), 'INVALID_INPUT')).toBe(true);
  });

  // Restore then undo, over random 30-day histories: the undo gives back exactly the cart before the restore.
  it.each([11, 12, 13, 14])('a restore is exact and its undo gives back the cart before it (seed %i)', (seed) => {
    const random = randomSource(seed);
    const cart = new RecordingCart('laptop');
    while (cart.time < T0 + 30 * DAY) {
      cart.dispatch(randomCommand(random, cart.docs));
      cart.time += random.chance(0.05) ? 0 : 1 + random.int(3 * 60 * MINUTE);
    }
    for (let round = 0; round < 3; round += 1) {
      const before = cart.docs;
      const to = cart.time - random.int(30 * DAY);
      const plan = planRestore(before, cart.entries, to, { at: cart.time, clock: cart.clock });
      cart.applyRestore(plan);
      // The shopper sees the cart of that moment (the price when added is kept, as it never changes back).
      const seen = (items: ClockedItems) => {
        const view = visibleView(items);
        for (const item of Object.values(view)) {
          delete item.fieldClocks;
          delete item.addedPriceMinor;
        }
        return view;
      };
      expect(seen(cart.docs), `seed ${seed}: restore to ${to}`).toEqual(seen(cartAt(cart.entries, to)));

      cart.time += 1 + random.int(HOUR);
      const undo = planRestore(cart.docs, cart.entries, plan.undoAt, { at: cart.time, clock: cart.clock });
      cart.applyRestore(undo);
      expect(fields(cart.docs), `seed ${seed}: undo of restore to ${to}`).toEqual(fields(before));
      expect(cart.docs).not.toEqual(before); // new stamps: the undo is a change of its own
      cart.time += 1 + random.int(HOUR);
      cart.dispatch(randomCommand(random, cart.docs));
    }
  });
});
