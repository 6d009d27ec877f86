import { describe, expect, it } from 'vitest';
import { stamp, cartCommands, type CartCommand } from './cart-actions.ts';
import { cartReducer, changedItems } from './cart-reducer.ts';
import { BOUGHT_LIST_ID, initialCartState, type CartState } from './cart-types.ts';
import { selectItems } from './cart-selectors.ts';
import { meta, product } from '../test/fixtures.ts';

function run(state: CartState, command: CartCommand, overrides = {}) {
  return cartReducer(state, stamp(command, meta(overrides)));
}

const loaded = cartReducer(initialCartState, { type: 'sync/loaded', docs: [] });

describe('cartReducer', () => {
  it('adds a product as a new item stamped with time and device', () => {
    const next = run(loaded, cartCommands.add(product(), { quantity: 2 }), { newId: 'x1', at: 500, device: 'laptop' });
    expect(next.items.x1).toMatchObject({
      id: 'x1', listId: 'cart', title: 'Red kettle', quantity: 2, addedAt: 500, addedBy: 'laptop',
      updatedAt: 500, updatedBy: 'laptop', deleted: false, note: '',
    });
  });

  it('adding the same product and variant again raises the quantity instead of duplicating', () => {
    const once = run(loaded, cartCommands.add(product()), { newId: 'x1' });
    const twice = run(once, cartCommands.add(product({ priceMinor: 2499 })), { newId: 'x2' });
    expect(Object.keys(twice.items)).toEqual(['x1']);
    expect(twice.items.x1).toMatchObject({ quantity: 2, priceMinor: 2499 });
    const otherVariant = run(twice, cartCommands.add(product({ variant: 'Blue' })), { newId: 'x3' });
    expect(Object.keys(otherVariant.items)).toEqual(['x1', 'x3']);
  });

  it('never mutates the previous state and freezes the new one', () => {
    const before = run(loaded, cartCommands.add(product()), { newId: 'x1' });
    const snapshot = JSON.stringify(before);
    const after = run(before, cartCommands.setQuantity('x1', 7));
    expect(JSON.stringify(before)).toBe(snapshot);
    expect(after.items.x1?.quantity).toBe(7);
    expect(Object.isFrozen(after)).toBe(true);
    expect(Object.isFrozen(after.items)).toBe(true);
    expect(Object.isFrozen(after.items.x1)).toBe(true);
    expect(() => { (after.items.x1 as { quantity: number }).quantity = 1; }).toThrow();
  });

  it('is deterministic: same state and action give equal results', () => {
    const action = stamp(cartCommands.add(product()), meta({ newId: 'same', at: 9 }));
    expect(cartReducer(loaded, action)).toEqual(cartReducer(loaded, action));
  });

  it('removes softly, so the removal can sync and meet concurrent edits', () => {
    const added = run(loaded, cartCommands.add(product()), { newId: 'x1' });
    const removed = run(added, cartCommands.remove('x1'), { at: 99, device: 'phone' });
    expect(removed.items.x1).toMatchObject({ deleted: true, updatedAt: 99, updatedBy: 'phone' });
    expect(changedItems(added, removed).map((item) => item.id)).toEqual(['x1']);
  });

  it('moves between lists and sets notes', () => {
    const added = run(loaded, cartCommands.add(product()), { newId: 'x1' });
    const moved = run(added, cartCommands.move('x1', 'saved'));
    expect(moved.items.x1?.listId).toBe('saved');
    const noted = run(moved, cartCommands.setNote('x1', 'gift'));
    expect(noted.items.x1?.note).toBe('gift');
  });

  it('clears one list and leaves the other alone', () => {
    let state = run(loaded, cartCommands.add(product()), { newId: 'a' });
    state = run(state, cartCommands.add(product({ url: 'https://b.example/x' })), { newId: 'b' });
    state = run(state, cartCommands.move('b', 'saved'));
    const cleared = run(state, cartCommands.clearList('cart'));
    expect(cleared.items.a?.deleted).toBe(true);
    expect(cleared.items.b?.deleted).toBe(false);
    expect(changedItems(state, cleared).map((item) => item.id)).toEqual(['a']);
  });

  it('brings back removed items as they were, except one whose product is in the list again', () => {
    let state = run(loaded, cartCommands.add(product(), { quantity: 3 }), { newId: 'a' });
    state = run(state, cartCommands.add(product({ url: 'https://shop.example/p/mug', title: 'Mug' })), { newId: 'b' });
    state = run(state, cartCommands.add(product({ url: 'https://shop.example/p/lamp', title: 'Lamp' }), { listId: 'saved' }), { newId: 'c' });
    const cleared = run(state, cartCommands.clearList('cart'));
    const mugAgain = run(cleared, cartCommands.add(product({ url: 'https://shop.example/p/mug', title: 'Mug' })), { newId: 'd' });
    const back = run(mugAgain, cartCommands.bringBack(['a', 'b', 'c', 'unknown']), { at: 9000, device: 'phone' });
    expect(back.items.a).toMatchObject({ deleted: false, quantity: 3, updatedAt: 9000, updatedBy: 'phone' });
    expect(back.items.b?.deleted).toBe(true); // the mug added again stays the one line
    expect(changedItems(mugAgain, back).map((item) => item.id)).toEqual(['a']);
    expect(run(back, cartCommands.bringBack(['a', 'c']))).toBe(back);
  });

  it('ignores commands for unknown or removed items and returns the same state', () => {
    const added = run(loaded, cartCommands.add(product()), { newId: 'x1' });
    const removed = run(added, cartCommands.remove('x1'));
    expect(run(removed, cartCommands.setQuantity('x1', 3))).toBe(removed);
    expect(run(removed, cartCommands.setQuantity('nope', 3))).toBe(removed);
    expect(run(added, cartCommands.setQuantity('x1', 1))).toBe(added); // unchanged quantity: no write
  });

  it('takes documents received from the database, dropping storage metadata, and skips identical ones', () => {
    const added = run(loaded, cartCommands.add(product()), { newId: 'x1' });
    const doc = { ...added.items.x1!, _rev: '1-abc', _meta: { lwt: 1 } };
    expect(cartReducer(added, { type: 'sync/received', docs: [doc] })).toBe(added);
    const remote = { ...doc, quantity: 5, updatedBy: 'phone' };
    const next = cartReducer(added, { type: 'sync/received', docs: [remote] });
    expect(next.items.x1?.quantity).toBe(5);
    expect(next.items.x1).not.toHaveProperty('_rev');
  });

  it('applies the shopper\'s corrections to captured fields, and only real changes', () => {
    const added = run(loaded, cartCommands.add(product()), { newId: 'x1' });
    const edited = run(added, cartCommands.edit('x1', { title: 'Red kettle 1.7 l', priceMinor: 2799 }), { at: 77 });
    expect(edited.items.x1).toMatchObject({ title: 'Red kettle 1.7 l', priceMinor: 2799, updatedAt: 77, addedPriceMinor: 2999 });
    expect(run(edited, cartCommands.edit('x1', { title: 'Red kettle 1.7 l' }))).toBe(edited);
  });

  it('records prices seen on the product page, keeps the price at adding, and bounds the history', () => {
    const added = run(loaded, cartCommands.add(product()), { newId: 'x1' });
    const url = added.items.x1!.url;
    const seen = run(added, cartCommands.priceSeen(url, 2499, 'EUR'), { at: 5 });
    expect(seen.items.x1).toMatchObject({ priceMinor: 2499, addedPriceMinor: 2999, priceHistory: [{ at: 5, priceMinor: 2499 }] });
    expect(run(seen, cartCommands.priceSeen(url, 2499, 'EUR'))).toBe(seen); // same price again: nothing to record
    expect(run(seen, cartCommands.priceSeen(url, 100, 'USD'))).toBe(seen); // another currency is not comparable
    let state = seen;
    for (let i = 0; i < 30; i += 1) state = run(state, cartCommands.priceSeen(url, 2000 + i, 'EUR'), { at: 10 + i });
    expect(state.items.x1?.priceHistory).toHaveLength(20);
    expect(state.items.x1?.priceHistory.at(-1)).toEqual({ at: 39, priceMinor: 2029 });
  });

  it('keeps whether the page said the product can be ordered: at adding, adding again and at a later reading', () => {
    const added = run(loaded, cartCommands.add(product({ availability: 'out_of_stock' })), { newId: 'x1' });
    expect(added.items.x1?.availability).toBe('out_of_stock');
    const unknown = run(loaded, cartCommands.add(product()), { newId: 'x2' });
    expect('availability' in unknown.items.x2!).toBe(false); // unknown is no field at all
    // Adding again from a page that does not say keeps what was known; one that says replaces it.
    expect(run(added, cartCommands.add(product())).items.x1?.availability).toBe('out_of_stock');
    expect(run(added, cartCommands.add(product({ availability: 'in_stock' }))).items.x1?.availability).toBe('in_stock');
    const url = added.items.x1!.url;
    // Price watch: the same price with another availability is a change; without one, the price alone.
    const back = run(added, cartCommands.priceSeen(url, 2999, 'EUR', 'in_stock'), { at: 7 });
    expect(back.items.x1).toMatchObject({ availability: 'in_stock', priceMinor: 2999, priceHistory: [], updatedAt: 7 });
    expect(run(back, cartCommands.priceSeen(url, 2999, 'EUR', 'in_stock'))).toBe(back);
    expect(run(back, cartCommands.priceSeen(url, 2999, 'EUR'))).toBe(back);
    expect(run(back, cartCommands.priceSeen(url, 2500, 'EUR')).items.x1).toMatchObject({ availability: 'in_stock', priceMinor: 2500 });
    // A sold-out page that shows no price still says so; the price and its history stay as they were.
    const soldOut = run(back, cartCommands.priceSeen(url, null, 'unknown', 'out_of_stock'), { at: 9 });
    expect(soldOut.items.x1).toMatchObject({ availability: 'out_of_stock', priceMinor: 2999, priceHistory: [], updatedAt: 9 });
    expect(run(soldOut, cartCommands.priceSeen(url, null, 'unknown', 'out_of_stock'))).toBe(soldOut);
  });
});

describe('bulk edits', () => {
  const three = () => {
    let state = run(loaded, cartCommands.add(product({ url: 'https://shop.example/a', title: 'A' })), { newId: 'a' });
    state = run(state, cartCommands.add(product({ url: 'https://shop.example/b', title: 'B' })), { newId: 'b' });
    state = run(state, cartCommands.add(product({ url: 'https://shop.example/c', title: 'C' }), { listId: 'saved' }), { newId: 'c' });
    return state;
  };

  it('moves many items in one action, stamped alike, passing over unknown ids and those already there', () => {
    const before = three();
    const after = run(before, cartCommands.moveMany(['a', 'b', 'c', 'gone'], 'saved'), { at: 9_000, device: 'phone' });
    expect(['a', 'b', 'c'].map((id) => after.items[id]!.listId)).toEqual(['saved', 'saved', 'saved']);
    expect(changedItems(before, after).map((item) => item.id).sort()).toEqual(['a', 'b']);
    expect(changedItems(before, after).every((item) => item.updatedAt === 9_000 && item.updatedBy === 'phone')).toBe(true);
    expect(after.items.c).toBe(before.items.c);
  });

  it('removes many in one action, and bringing them back restores every one as it was', () => {
    const before = three();
    const removed = run(before, cartCommands.removeMany(['a', 'c']));
    expect(Object.values(removed.items).filter((item) => !item.deleted).map((item) => item.id)).toEqual(['b']);
    const back = run(removed, cartCommands.bringBack(['a', 'c']));
    expect(Object.values(back.items).filter((item) => !item.deleted).map((item) => [item.id, item.listId])).toEqual([['a', 'cart'], ['b', 'cart'], ['c', 'saved']]);
  });

  it('sets the quantity of many; an action that changes nothing returns the same state', () => {
    const before = three();
    const after = run(before, cartCommands.setQuantityOfMany(['a', 'b'], 4));
    expect([after.items.a!.quantity, after.items.b!.quantity, after.items.c!.quantity]).toEqual([4, 4, 1]);
    expect(run(after, cartCommands.setQuantityOfMany(['a', 'b'], 4))).toBe(after);
    expect(run(after, cartCommands.moveMany(['gone'], 'saved'))).toBe(after);
  });
});

describe('marking bought (docs/analytics.md, "Bought")', () => {
  const three = [['x1', 'Kettle'], ['x2', 'Mug'], ['x3', 'Rug']].reduce((state, [newId, title]) =>
    run(state, cartCommands.add(product({ url: `https://shop.example/${title}`, title })), { newId }), loaded);

  it('takes the items out of the cart in one change, filed under "bought" with the price, quantity and time kept', () => {
    const bought = run(three, cartCommands.markBoughtMany(['x1', 'x2', 'gone']), { at: 900, device: 'phone' });
    expect(selectItems(bought).map((item) => item.title)).toEqual(['Rug']);
    expect(bought.items.x1).toMatchObject({ deleted: true, listId: BOUGHT_LIST_ID, priceMinor: 2999, quantity: 1, updatedAt: 900, updatedBy: 'phone' });
    expect(changedItems(three, bought).map((item) => item.id)).toEqual(['x1', 'x2']);
    // A removed item is not bought again.
    const removed = run(three, cartCommands.remove('x3'));
    expect(run(removed, cartCommands.markBought('x3'))).toBe(removed);
  });

  it('is undone by bringing the items back into their list, as they were; only bought items come back', () => {
    const bought = run(run(three, cartCommands.markBought('x1')), cartCommands.remove('x2'));
    const undone = run(bought, cartCommands.unmarkBought(['x1', 'x2'], 'saved'), { at: 1200 });
    expect(undone.items.x1).toMatchObject({ deleted: false, listId: 'saved', title: 'Kettle', updatedAt: 1200 });
    expect(undone.items.x2?.deleted).toBe(true);
  });
});
