import { describe, expect, it } from 'vitest';
import { cartCommands, stamp, type CartCommand } from './cart-actions.ts';
import { cartReducer } from './cart-reducer.ts';
import { selectCartTotals } from './cart-totals.ts';
import { initialCartState, type CartState } from './cart-types.ts';
import { meta, product } from '../test/fixtures.ts';

const loaded = cartReducer(initialCartState, { type: 'sync/loaded', docs: [] });
const run = (state: CartState, command: CartCommand) => cartReducer(state, stamp(command, meta()));

describe('selectCartTotals', () => {
  it('totals each currency apart, with each shop\'s subtotal, largest first, unknown prices counted', () => {
    let state = run(loaded, cartCommands.add(product({ url: 'https://a.example/1', shop: 'a.example', priceMinor: 1000 }), { quantity: 3 }));
    state = run(state, cartCommands.add(product({ url: 'https://b.example/1', shop: 'b.example', priceMinor: 5000 })));
    state = run(state, cartCommands.add(product({ url: 'https://a.example/2', shop: 'a.example', priceMinor: null })));
    state = run(state, cartCommands.add(product({ url: 'https://c.example/1', shop: 'c.example', priceMinor: 1200, currency: 'USD' }), { quantity: 2 }));
    state = run(state, cartCommands.add(product({ url: 'https://d.example/1', shop: 'd.example', priceMinor: 999 }), { listId: 'saved' }));
    const removed = run(state, cartCommands.add(product({ url: 'https://e.example/1', shop: 'e.example', priceMinor: 7 })));
    const id = Object.values(removed.items).find((item) => item.shop === 'e.example')!.id;
    state = run(removed, cartCommands.remove(id));
    expect(selectCartTotals(state, 'cart')).toEqual([
      { currency: 'EUR', amountMinor: 8000, quantity: 5, unpricedItems: 1, shops: [
        { shop: 'b.example', amountMinor: 5000, quantity: 1, unpricedItems: 0 },
        { shop: 'a.example', amountMinor: 3000, quantity: 4, unpricedItems: 1 },
      ] },
      { currency: 'USD', amountMinor: 2400, quantity: 2, unpricedItems: 0, shops: [{ shop: 'c.example', amountMinor: 2400, quantity: 2, unpricedItems: 0 }] },
    ]);
    expect(selectCartTotals(state)[0]).toMatchObject({ currency: 'EUR', amountMinor: 8999 });
    expect(selectCartTotals(loaded)).toEqual([]);
  });

  it('follows each change: a quantity raised raises its shop and its currency', () => {
    const state = run(loaded, cartCommands.add(product({ priceMinor: 250 })));
    const id = Object.keys(state.items)[0]!;
    expect(selectCartTotals(run(state, cartCommands.setQuantity(id, 4)), 'cart')[0]).toMatchObject({ amountMinor: 1000, shops: [{ amountMinor: 1000 }] });
  });
});
