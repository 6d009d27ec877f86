import { describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { isToteError } from '../errors.ts';
import { mergeItem, type FieldConflict } from './field-merge.ts';
import { formatHlc, parseHlc } from './hlc.ts';
import { fieldStamps, type ClockedItem } from './item-clocks.ts';
import { Device, MINUTE, SECOND, T, withoutFieldClocks } from './test/devices.ts';

/** The usual start: the laptop added the kettle, both devices synced it. */
function start() {
  const laptop = new Device('laptop');
  const phone = new Device('phone');
  const base = laptop.add(T);
  phone.see(base, T + SECOND);
  return { laptop, phone, base };
}

function fields(conflicts: readonly FieldConflict[]) {
  return conflicts.map((conflict) => conflict.field);
}

describe('mergeItem: rules', () => {
  it('keeps changes to different fields of one item from both devices', () => {
    const { laptop, phone, base } = start();
    const local = laptop.change(base, cartCommands.setQuantity(base.id, 3), T + MINUTE);
    const remote = phone.change(base, cartCommands.setNote(base.id, 'for Anna'), T + 2 * MINUTE);
    const { merged, conflicts } = mergeItem(base, local, remote);
    expect(merged).toMatchObject({ quantity: 3, note: 'for Anna', deleted: false, updatedBy: 'phone' });
    expect(conflicts).toEqual([]);
  });

  it('availability: the later reading wins without a notice; a version that never read it does not take a reading away', () => {
    const { laptop, phone, base } = start();
    const url = base.url;
    const local = laptop.change(base, cartCommands.priceSeen(url, base.priceMinor!, base.currency, 'in_stock'), T + MINUTE);
    const remote = phone.change(base, cartCommands.priceSeen(url, base.priceMinor!, base.currency, 'out_of_stock'), T + 2 * MINUTE);
    const both = mergeItem(base, local, remote);
    expect(both.merged.availability).toBe('out_of_stock');
    expect(fields(both.conflicts)).not.toContain('availability');
    // A version written by a device that does not know the field (the version before availability) is
    // the base with the phone's later change, and no availability: the laptop's reading stays.
    const { availability, ...unaware } = phone.change(base, cartCommands.setQuantity(base.id, 4), T + 3 * MINUTE);
    void availability;
    for (const [a, b] of [[local, unaware], [unaware, local]] as const) {
      const { merged } = mergeItem(local, a, b);
      expect(merged).toMatchObject({ availability: 'in_stock', quantity: 4 });
      expect(merged.fieldClocks?.availability).toBe(local.fieldClocks?.availability);
    }
  });

  it('same field on two devices: the later change wins and the other value is reported', () => {
    const { laptop, phone, base } = start();
    const local = laptop.change(base, cartCommands.setQuantity(base.id, 3), T + MINUTE);
    const remote = phone.change(base, cartCommands.setQuantity(base.id, 5), T + 2 * MINUTE);
    const { merged, conflicts } = mergeItem(base, local, remote);
    expect(merged.quantity).toBe(5);
    expect(merged.fieldClocks?.quantity).toBe(remote.fieldClocks?.quantity);
    expect(conflicts).toEqual([{
      id: `${base.id}|quantity|${remote.fieldClocks?.quantity}|${local.fieldClocks?.quantity}`,
      itemId: base.id, title: 'Red kettle', currency: 'EUR', field: 'quantity',
      kind: 'same-field', resolution: 'later-wins',
      winner: { value: 5, stamp: remote.fieldClocks?.quantity, device: 'phone' },
      loser: { value: 3, stamp: local.fieldClocks?.quantity, device: 'laptop' },
    }]);
  });

  it('quantity follows the same rule: the later change wins, the two are not added', () => {
    const { laptop, phone, base } = start();
    const local = laptop.change(base, cartCommands.setQuantity(base.id, 2), T + MINUTE);
    const remote = phone.change(base, cartCommands.setQuantity(base.id, 4), T + 2 * MINUTE);
    expect(mergeItem(base, local, remote).merged.quantity).toBe(4);
  });

  it('the same change on both devices is not a conflict', () => {
    const { laptop, phone, base } = start();
    const local = laptop.change(base, cartCommands.move(base.id, 'saved'), T + MINUTE);
    const remote = phone.change(base, cartCommands.move(base.id, 'saved'), T + 2 * MINUTE);
    const { merged, conflicts } = mergeItem(base, local, remote);
    expect(merged.listId).toBe('saved');
    expect(merged.fieldClocks?.listId).toBe(remote.fieldClocks?.listId);
    expect(conflicts).toEqual([]);
  });

  it('a change and its undo on one device still counts as a change (3 → 5 → 3 against 7)', () => {
    const { laptop, phone, base } = start();
    const raised = laptop.change(base, cartCommands.setQuantity(base.id, 5), T + MINUTE);
    const local = laptop.change(raised, cartCommands.setQuantity(base.id, 1), T + 3 * MINUTE);
    const remote = phone.change(base, cartCommands.setQuantity(base.id, 7), T + 2 * MINUTE);
    const { merged, conflicts } = mergeItem(base, local, remote);
    expect(merged.quantity).toBe(1);
    expect(conflicts).toMatchObject([{ field: 'quantity', winner: { value: 1 }, loser: { value: 7 } }]);
  });

  it('a change the other device had not touched wins whatever the clocks say', () => {
    // The phone's clock is an hour fast, so its stamps are later; it changed only the note.
    const laptop = new Device('laptop');
    const phone = new Device('phone', 60 * MINUTE);
    const base = phone.add(T);
    laptop.see(base, T + SECOND);
    const local = laptop.change(base, cartCommands.setQuantity(base.id, 3), T + MINUTE);
    const remote = phone.change(base, cartCommands.setNote(base.id, 'gift'), T + 2 * MINUTE);
    expect(mergeItem(base, local, remote).merged).toMatchObject({ quantity: 3, note: 'gift' });
  });

  it('corrections from capture (price, currency, name) merge field by field', () => {
    const { laptop, phone, base } = start();
    const local = laptop.change(base, cartCommands.edit(base.id, { title: 'Kettle, red' }), T + MINUTE);
    const remote = phone.change(base, cartCommands.priceSeen(base.url, 2499, 'EUR'), T + 2 * MINUTE);
    const { merged, conflicts } = mergeItem(base, local, remote);
    expect(merged).toMatchObject({ title: 'Kettle, red', priceMinor: 2499, addedPriceMinor: 2999 });
    expect(merged.priceHistory).toEqual([{ at: T + 2 * MINUTE, priceMinor: 2499 }]);
    expect(conflicts).toEqual([]);
  });

  it('keeps every price either device saw', () => {
    const { laptop, phone, base } = start();
    const local = laptop.change(base, cartCommands.priceSeen(base.url, 2499, 'EUR'), T + MINUTE);
    const remote = phone.change(base, cartCommands.priceSeen(base.url, 2799, 'EUR'), T + 2 * MINUTE);
    const { merged, conflicts } = mergeItem(base, local, remote);
    expect(merged.priceHistory).toEqual([{ at: T + MINUTE, priceMinor: 2499 }, { at: T + 2 * MINUTE, priceMinor: 2799 }]);
    expect(merged.priceMinor).toBe(2799);
    expect(fields(conflicts)).toEqual(['priceMinor']);
  });

  it('refuses to merge versions of different items', () => {
    const { laptop, base } = start();
    const other = laptop.add(T + MINUTE, { url: 'https://shop.example/p/toaster' });
    let error: unknown;
    try { mergeItem(base, base, other); } catch (caught) { error = caught; }
    expect(isToteError(error, 'INVALID_INPUT')).toBe(true);
  });
});

describe('mergeItem: delete vs edit', () => {
  it('an item removed on one device and edited on the other is kept, with a notice (both orders)', () => {
    const { laptop, phone, base } = start();
    const removed = laptop.change(base, cartCommands.remove(base.id), T + 2 * MINUTE);
    const edited = phone.change(base, cartCommands.setNote(base.id, 'blue one'), T + MINUTE);
    for (const [local, remote] of [[removed, edited], [edited, removed]] as const) {
      const { merged, conflicts } = mergeItem(base, local, remote);
      expect(merged).toMatchObject({ deleted: false, note: 'blue one' });
      expect(conflicts).toEqual([expect.objectContaining({
        field: 'deleted', kind: 'delete-vs-edit', resolution: 'delete-vs-edit-kept',
        winner: { value: false, stamp: edited.fieldClocks?.note, device: 'phone' },
        loser: { value: true, stamp: removed.fieldClocks?.deleted, device: 'laptop' },
      })]);
    }
  });

  it('a purchase meets an edit it had not seen as a removal does: kept, with a notice, in the editing device\'s list, never in the hidden "bought" list', () => {
    const { laptop, phone, base } = start();
    const bought = laptop.change(base, cartCommands.markBought(base.id), T + 2 * MINUTE);
    const saved = phone.change(base, cartCommands.move(base.id, 'saved'), T + MINUTE);
    expect(bought).toMatchObject({ deleted: true, listId: 'bought' });
    for (const [local, remote] of [[bought, saved], [saved, bought]] as const) {
      const { merged, conflicts } = mergeItem(base, local, remote);
      expect(merged).toMatchObject({ deleted: false, listId: 'saved' });
      expect(fields(conflicts)).toEqual(['deleted']);
    }
    // The move made after the purchase: the same, and no notice names the hidden list.
    const movedLater = phone.change(base, cartCommands.move(base.id, 'saved'), T + 3 * MINUTE);
    for (const [local, remote] of [[bought, movedLater], [movedLater, bought]] as const) {
      const { merged, conflicts } = mergeItem(base, local, remote);
      expect(merged).toMatchObject({ deleted: false, listId: 'saved' });
      expect(fields(conflicts)).toEqual(['deleted']);
    }
    const noted = phone.change(base, cartCommands.setNote(base.id, 'blue one'), T + MINUTE);
    expect(mergeItem(base, bought, noted).merged).toMatchObject({ deleted: false, listId: 'cart', note: 'blue one' });
    // A purchase that saw every change stands.
    expect(mergeItem(base, bought, base).merged).toMatchObject({ deleted: true, listId: 'bought' });
  });

  it('is kept even when the removal is later and even without an ancestor', () => {
    const { laptop, phone, base } = start();
    const edited = phone.change(base, cartCommands.setQuantity(base.id, 2), T + MINUTE);
    const removed = laptop.change(base, cartCommands.remove(base.id), T + 10 * MINUTE);
    for (const [local, remote] of [[removed, edited], [edited, removed]] as const) {
      const { merged, conflicts } = mergeItem(null, local, remote);
      expect(merged).toMatchObject({ deleted: false, quantity: 2 });
      expect(fields(conflicts)).toEqual(['deleted']);
    }
  });

  it('a removal that saw every change stands', () => {
    const { laptop, phone, base } = start();
    const edited = phone.change(base, cartCommands.setNote(base.id, 'blue one'), T + MINUTE);
    laptop.see(edited, T + 2 * MINUTE);
    const removed = laptop.change(edited, cartCommands.remove(base.id), T + 3 * MINUTE);
    for (const ancestor of [edited, null]) {
      expect(mergeItem(ancestor, removed, edited)).toMatchObject({ merged: { deleted: true }, conflicts: [] });
      expect(mergeItem(ancestor, edited, removed)).toMatchObject({ merged: { deleted: true }, conflicts: [] });
    }
  });

  it('a removal stands over the removing device\'s own earlier changes, even against an older ancestor (a device stopped before it noted its push)', () => {
    const { laptop, phone, base } = start();
    // The laptop removes, brings back with a new note, then removes again; its ancestor is still the first removal.
    const removed = laptop.change(base, cartCommands.remove(base.id), T + MINUTE);
    const broughtBack = laptop.change(laptop.change(removed, cartCommands.bringBack([base.id]), T + 2 * MINUTE), cartCommands.setNote(base.id, 'blue one'), T + 3 * MINUTE);
    const removedAgain = laptop.change(broughtBack, cartCommands.remove(base.id), T + 4 * MINUTE);
    for (const [local, remote] of [[removedAgain, broughtBack], [broughtBack, removedAgain]] as const) {
      expect(mergeItem(removed, local, remote)).toMatchObject({ merged: { deleted: true, note: 'blue one' }, conflicts: [] });
      expect(mergeItem(null, local, remote)).toMatchObject({ merged: { deleted: true }, conflicts: [] });
    }
    // Brought back by the laptop after its removal, against an ancestor from before both: kept, nothing to tell.
    for (const [local, remote] of [[removed, broughtBack], [broughtBack, removed]] as const) {
      expect(mergeItem(base, local, remote)).toMatchObject({ merged: { deleted: false, note: 'blue one' }, conflicts: [] });
    }
    // The same bring-back made on the phone, which the laptop had not seen, still keeps the item.
    phone.see(removed, T + MINUTE + SECOND);
    const phoneBack = phone.change(removed, cartCommands.bringBack([base.id]), T + 2 * MINUTE);
    const laptopAgain = laptop.change(laptop.change(removed, cartCommands.bringBack([base.id]), T + 2 * MINUTE + SECOND), cartCommands.remove(base.id), T + 4 * MINUTE);
    expect(mergeItem(removed, laptopAgain, phoneBack)).toMatchObject({ merged: { deleted: false }, conflicts: [{ kind: 'delete-vs-edit' }] });
  });

  it('removed on both devices stays removed, and shows no notices', () => {
    const { laptop, phone, base } = start();
    const local = laptop.change(laptop.change(base, cartCommands.setQuantity(base.id, 3), T + MINUTE), cartCommands.remove(base.id), T + 2 * MINUTE);
    const remote = phone.change(phone.change(base, cartCommands.setQuantity(base.id, 5), T + MINUTE), cartCommands.remove(base.id), T + 3 * MINUTE);
    expect(mergeItem(base, local, remote)).toMatchObject({ merged: { deleted: true, quantity: 5 }, conflicts: [] });
  });
});

describe('mergeItem: one device\'s own changes', () => {
  it('a field one device changed twice takes the later change without a notice, against any ancestor', () => {
    const { laptop, base } = start();
    const three = laptop.change(base, cartCommands.setQuantity(base.id, 3), T + MINUTE);
    const five = laptop.change(three, cartCommands.setQuantity(base.id, 5), T + 2 * MINUTE);
    for (const ancestor of [base, null]) {
      for (const [local, remote] of [[three, five], [five, three]] as const) {
        expect(mergeItem(ancestor, local, remote)).toMatchObject({ merged: { quantity: 5 }, conflicts: [] });
      }
    }
  });
});

describe('mergeItem: clocks', () => {
  it('skewed clocks: a device 10 minutes behind wins when it changes the field after seeing the other change', () => {
    const laptop = new Device('laptop');
    const phone = new Device('phone', -10 * MINUTE);
    const base = laptop.add(T);
    phone.see(base, T + SECOND);
    const laptopVersion = laptop.change(base, cartCommands.setQuantity(base.id, 3), T + MINUTE);
    phone.see(laptopVersion, T + 2 * MINUTE);
    const phoneVersion = phone.change(laptopVersion, cartCommands.setQuantity(base.id, 5), T + 3 * MINUTE);
    // The phone's wall clock says its change was made 8 minutes before the laptop's.
    expect(phoneVersion.updatedAt).toBeLessThan(laptopVersion.updatedAt);
    // Comparing wall times (the whole-document rule before field clocks) would keep the laptop's version.
    expect(laptopVersion.updatedAt).toBeGreaterThan(phoneVersion.updatedAt);
    for (const ancestor of [laptopVersion, base, null]) {
      expect(mergeItem(ancestor, laptopVersion, phoneVersion).merged.quantity).toBe(5);
      expect(mergeItem(ancestor, phoneVersion, laptopVersion).merged.quantity).toBe(5);
    }
  });

  it('without an ancestor, field stamps decide; a field never changed on one side is not a conflict', () => {
    const { laptop, phone, base } = start();
    const local = laptop.change(base, cartCommands.setQuantity(base.id, 3), T + MINUTE);
    const remote = phone.change(base, cartCommands.setNote(base.id, 'gift'), T + 2 * MINUTE);
    const { merged, conflicts } = mergeItem(null, local, remote);
    expect(merged).toMatchObject({ quantity: 3, note: 'gift' });
    expect(conflicts).toEqual([]);
    const both = mergeItem(null, local, phone.change(remote, cartCommands.setQuantity(base.id, 6), T + 3 * MINUTE));
    expect(both.merged.quantity).toBe(6);
    expect(fields(both.conflicts)).toEqual(['quantity']);
  });

  it('documents written before field clocks merge by value against the ancestor, by last change without one', () => {
    const { base } = start();
    const legacy = (changes: Partial<ClockedItem>, at: number, by: string): ClockedItem =>
      withoutFieldClocks({ ...base, ...changes, updatedAt: at, updatedBy: by });
    const ancestor = legacy({}, T, 'laptop');
    const local = legacy({ quantity: 3 }, T + MINUTE, 'laptop');
    const remote = legacy({ note: 'gift' }, T + 2 * MINUTE, 'phone');
    const merged = mergeItem(ancestor, local, remote);
    expect(merged.merged).toMatchObject({ quantity: 3, note: 'gift' });
    expect(merged.conflicts).toEqual([]);
    expect(merged.merged.fieldClocks).toBeDefined();
    const guessed = mergeItem(null, local, remote);
    expect(guessed.merged).toMatchObject({ quantity: 1, note: 'gift' });
    // The old whole-document rule, but every value it replaced is reported.
    expect(guessed.conflicts).toMatchObject([
      { field: 'quantity', winner: { value: 1, device: 'phone' }, loser: { value: 3, device: 'laptop' } },
      { field: 'note', winner: { value: 'gift', device: 'phone' }, loser: { value: '', device: 'laptop' } },
    ]);
  });

  it('a damaged stamp counts as the creation stamp instead of stopping the merge', () => {
    const { laptop, phone, base } = start();
    const local = laptop.change(base, cartCommands.setQuantity(base.id, 3), T + MINUTE);
    const remote = { ...phone.change(base, cartCommands.setQuantity(base.id, 5), T + 2 * MINUTE), fieldClocks: { quantity: 'not a stamp' } };
    expect(mergeItem(null, local, remote).merged.quantity).toBe(3);
  });
});

describe('mergeItem: commutative, idempotent, deterministic', () => {
  const laptop = new Device('laptop');
  const phone = new Device('phone', -10 * MINUTE);
  const base = laptop.add(T);
  phone.see(base, T + SECOND);
  const at = (minutes: number) => T + minutes * MINUTE;
  const l = (command: Parameters<Device['change']>[1], minutes: number, from = base) => laptop.change(from, command, at(minutes));
  const p = (command: Parameters<Device['change']>[1], minutes: number, from = base) => phone.change(from, command, at(minutes));
  const id = base.id;

  const cases: [string, ClockedItem | null, ClockedItem, ClockedItem][] = [
    ['unchanged', base, base, base],
    ['different fields', base, l(cartCommands.setQuantity(id, 3), 1), p(cartCommands.setNote(id, 'gift'), 2)],
    ['same field', base, l(cartCommands.setQuantity(id, 3), 1), p(cartCommands.setQuantity(id, 5), 2)],
    ['same field, same value', base, l(cartCommands.setNote(id, 'x'), 1), p(cartCommands.setNote(id, 'x'), 2)],
    ['several fields', base, l(cartCommands.edit(id, { title: 'A', variant: 'Blue' }), 1), p(cartCommands.edit(id, { title: 'B', imageUrl: null }), 2)],
    ['move vs move', base, l(cartCommands.move(id, 'saved'), 1), p(cartCommands.move(id, 'wishlist'), 1)],
    ['delete vs edit', base, l(cartCommands.remove(id), 3), p(cartCommands.setNote(id, 'keep'), 1)],
    ['delete vs nothing', base, l(cartCommands.remove(id), 3), base],
    ['delete vs delete', base, l(cartCommands.remove(id), 3), p(cartCommands.remove(id), 4)],
    ['prices seen', base, l(cartCommands.priceSeen(base.url, 2499, 'EUR'), 1), p(cartCommands.priceSeen(base.url, 2799, 'EUR'), 2)],
    ['no ancestor, same field', null, l(cartCommands.setQuantity(id, 3), 1), p(cartCommands.setQuantity(id, 5), 2)],
    ['no ancestor, delete vs edit', null, l(cartCommands.remove(id), 3), p(cartCommands.setQuantity(id, 2), 1)],
    ['no field clocks', withoutFieldClocks(base), withoutFieldClocks(l(cartCommands.setQuantity(id, 3), 1)), withoutFieldClocks(p(cartCommands.setQuantity(id, 4), 2))],
    ['no field clocks, no ancestor', null, withoutFieldClocks(l(cartCommands.setNote(id, 'a'), 1)), withoutFieldClocks(p(cartCommands.setNote(id, 'b'), 2))],
  ];

  it.each(cases)('%s: merge(a, x, y) equals merge(a, y, x), documents and conflicts', (_name, ancestor, x, y) => {
    const one = mergeItem(ancestor, x, y);
    const other = mergeItem(ancestor, y, x);
    expect(other.merged).toEqual(one.merged);
    expect(JSON.stringify(other.merged)).toBe(JSON.stringify(one.merged));
    expect(other.conflicts).toEqual(one.conflicts);
  });

  it.each(cases)('%s: merging a result again with itself or either input changes nothing', (_name, ancestor, x, y) => {
    const { merged } = mergeItem(ancestor, x, y);
    expect(mergeItem(ancestor, merged, merged)).toEqual({ merged, conflicts: [] });
    expect(mergeItem(ancestor, merged, x).merged).toEqual(merged);
    expect(mergeItem(ancestor, y, merged).merged).toEqual(merged);
    expect(mergeItem(merged, merged, merged).merged).toEqual(merged);
  });

  it.each(cases)('%s: the result is frozen, plain data, and the same on every run', (_name, ancestor, x, y) => {
    const { merged, conflicts } = mergeItem(ancestor, x, y);
    expect(Object.isFrozen(merged)).toBe(true);
    expect(Object.isFrozen(merged.fieldClocks)).toBe(true);
    expect(JSON.parse(JSON.stringify({ merged, conflicts }))).toEqual({ merged, conflicts });
    expect(mergeItem(ancestor, x, y)).toEqual({ merged, conflicts });
  });

  it('stamps on the result are the winning changes\' stamps', () => {
    const x = l(cartCommands.setQuantity(id, 3), 1);
    const y = p(cartCommands.setNote(id, 'gift'), 2);
    const stamps = fieldStamps(mergeItem(base, x, y).merged);
    expect(formatHlc(stamps.quantity)).toBe(x.fieldClocks?.quantity);
    expect(formatHlc(stamps.note)).toBe(y.fieldClocks?.note);
    expect(parseHlc(formatHlc(stamps.title))).toEqual(fieldStamps(base).title);
  });
});
