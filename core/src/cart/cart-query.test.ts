import { describe, expect, it } from 'vitest';
import { cartCommands, stamp, type CartCommand } from './cart-actions.ts';
import { queryCart, cartShops, searchText } from './cart-query.ts';
import { cartReducer } from './cart-reducer.ts';
import { initialCartState, type CartState } from './cart-types.ts';
import { meta, product } from '../test/fixtures.ts';

let at = 10_000;
function run(state: CartState, command: CartCommand, newId = `id-${at}`) {
  at += 1;
  return cartReducer(state, stamp(command, meta({ at, newId })));
}

const loaded = cartReducer(initialCartState, { type: 'sync/loaded', docs: [] });

function cart(): CartState {
  let state = loaded;
  state = run(state, cartCommands.add(product({ url: 'https://a.example/kettle', shop: 'a.example', title: 'Red Kettle', priceMinor: 3490 })), 'kettle');
  state = run(state, cartCommands.add(product({ url: 'https://b.example/mug', shop: 'b.example', title: 'Stoneware mug', priceMinor: 1290, variant: 'Blue / 350 ml' })), 'mug');
  state = run(state, cartCommands.add(product({ url: 'https://a.example/creme', shop: 'a.example', title: 'Crème brûlée set', priceMinor: null })), 'creme');
  state = run(state, cartCommands.add(product({ url: 'https://c.example/rug', shop: 'c.example', title: 'Wool rug', priceMinor: 9900 }), { listId: 'saved' }), 'rug');
  state = run(state, cartCommands.setNote('rug', 'For the hallway'));
  state = run(state, cartCommands.priceSeen('https://a.example/kettle', 2990, 'EUR'));
  return state;
}

const ids = (state: CartState, query: Parameters<typeof queryCart>[1]) => queryCart(state, query).items.map((item) => item.id);

describe('queryCart', () => {
  it('searches title, shop, note and variant, in any case and without accents, every word', () => {
    const state = cart();
    expect(ids(state, { text: 'KETTLE' })).toEqual(['kettle']);
    expect(ids(state, { text: 'creme brulee' })).toEqual(['creme']);
    expect(ids(state, { text: 'hallway' })).toEqual(['rug']);
    expect(ids(state, { text: 'blue 350' })).toEqual(['mug']);
    expect(ids(state, { text: 'a.example' })).toEqual(['kettle', 'creme']);
    expect(ids(state, { text: 'red mug' })).toEqual([]);
    expect(ids(state, { text: '   ' })).toEqual(['kettle', 'mug', 'creme', 'rug']);
  });

  it('sorts by added, price (unknown last both ways), shop, name and price drop', () => {
    const state = cart();
    expect(ids(state, {})).toEqual(['kettle', 'mug', 'creme', 'rug']);
    expect(ids(state, { descending: true })).toEqual(['rug', 'creme', 'mug', 'kettle']);
    expect(ids(state, { sort: 'price' })).toEqual(['mug', 'kettle', 'rug', 'creme']);
    expect(ids(state, { sort: 'price', descending: true })).toEqual(['rug', 'kettle', 'mug', 'creme']);
    expect(ids(state, { sort: 'shop' })).toEqual(['kettle', 'creme', 'mug', 'rug']);
    expect(ids(state, { sort: 'name' })).toEqual(['creme', 'kettle', 'mug', 'rug']);
    expect(ids(state, { sort: 'priceDrop' })[0]).toBe('kettle');
  });

  it('filters by list, shop and dropped price, and says how many the filters let through', () => {
    const state = cart();
    expect(ids(state, { listId: 'cart' })).toEqual(['kettle', 'mug', 'creme']);
    expect(ids(state, { listId: 'saved' })).toEqual(['rug']);
    expect(ids(state, { shop: 'a.example' })).toEqual(['kettle', 'creme']);
    expect(ids(state, { listId: 'cart', shop: 'c.example' })).toEqual([]);
    expect(ids(state, { dropped: true })).toEqual(['kettle']);
    expect(queryCart(state, { listId: 'cart', text: 'mug' })).toMatchObject({ inScope: 3 });
    expect(cartShops(state)).toEqual(['a.example', 'b.example', 'c.example']);
    expect(cartShops(state, 'saved')).toEqual(['c.example']);
  });

  it('filters to unavailable items: out of stock only, never unknown; follows a later reading; combines with the others', () => {
    let state = cart();
    expect(ids(state, { unavailable: true })).toEqual([]); // nothing known yet: nothing is unavailable
    state = run(state, cartCommands.add(product({ url: 'https://b.example/lamp', shop: 'b.example', title: 'Desk lamp', availability: 'out_of_stock' })), 'lamp');
    state = run(state, cartCommands.add(product({ url: 'https://a.example/tray', shop: 'a.example', title: 'Tea tray', availability: 'in_stock' })), 'tray');
    state = run(state, cartCommands.priceSeen('https://a.example/kettle', 2990, 'EUR', 'out_of_stock'));
    expect(ids(state, { unavailable: true })).toEqual(['kettle', 'lamp']);
    expect(ids(state, { unavailable: true, shop: 'b.example' })).toEqual(['lamp']);
    expect(ids(state, { unavailable: true, dropped: true })).toEqual(['kettle']);
    expect(ids(state, { unavailable: true, listId: 'saved' })).toEqual([]);
    expect(queryCart(state, { unavailable: true, text: 'lamp' })).toMatchObject({ inScope: 2 });
    // Back in stock: it leaves the filter at once.
    state = run(state, cartCommands.priceSeen('https://a.example/kettle', 2990, 'EUR', 'in_stock'));
    expect(ids(state, { unavailable: true })).toEqual(['lamp']);
    expect(ids(state, { unavailable: true, text: 'desk' })).toEqual(['lamp']);
  });

  it('follows state changes: edited, moved, removed and new items', () => {
    let state = cart();
    expect(ids(state, { text: 'kettle' })).toEqual(['kettle']);
    state = run(state, cartCommands.edit('kettle', { title: 'Green teapot' }));
    expect(ids(state, { text: 'kettle' })).toEqual([]);
    expect(ids(state, { text: 'teapot' })).toEqual(['kettle']);
    state = run(state, cartCommands.moveMany(['kettle', 'mug'], 'saved'));
    expect(ids(state, { listId: 'saved' })).toEqual(['kettle', 'mug', 'rug']);
    expect(ids(state, { listId: 'cart' })).toEqual(['creme']);
    state = run(state, cartCommands.removeMany(['rug']));
    expect(ids(state, { text: 'hallway' })).toEqual([]);
    expect(cartShops(state, 'saved')).toEqual(['a.example', 'b.example']);
    state = run(state, cartCommands.bringBack(['rug']));
    expect(ids(state, { text: 'hallway' })).toEqual(['rug']);
    state = run(state, cartCommands.add(product({ url: 'https://d.example/lamp', title: 'Desk lamp', shop: 'd.example' })), 'lamp');
    expect(ids(state, { text: 'lamp' })).toEqual(['lamp']);
  });

  it('gives the same answer however the search was typed (narrowing, backspace, a new word)', () => {
    const state = cart();
    const typed = ['s', 'st', 'sto', 'ston', 'sto', 'st', 's', 's ', 's b', 's bl', 'x', ''];
    for (const text of typed) {
      const fresh = cartReducer(initialCartState, { type: 'sync/loaded', docs: Object.values(state.items) });
      expect(ids(state, { text })).toEqual(ids(fresh, { text }));
    }
  });

  it('answers the same for a state met before (memoised by identity) and leaves the state untouched', () => {
    const state = cart();
    const snapshot = JSON.stringify(state);
    const first = queryCart(state, { text: 'a', sort: 'name' });
    expect(queryCart(state, { text: 'a', sort: 'name' }).items).toBe(first.items);
    expect(JSON.stringify(state)).toBe(snapshot);
  });

  it('normalises text once: lower case, no accents, single spaces', () => {
    expect(searchText('  Crème\tBRÛLÉE  set ')).toBe('creme brulee set');
  });
});

describe('queryCart on 10 000 items', () => {
  it('answers as a plain scan would, after typing on and after bulk changes', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      id: `p${i}`, listId: i % 2 ? 'cart' : 'saved', url: `https://s${i % 40}.example/p/${i}`, shop: `s${i % 40}.example`,
      title: `Product ${i} ${i % 7 === 0 ? 'kettle' : 'mug'}`, priceMinor: i, currency: 'EUR', imageUrl: null, variant: null,
      quantity: 1, note: '', addedAt: i, addedBy: 'd', updatedAt: i, updatedBy: 'd', addedPriceMinor: i, priceHistory: [], deleted: false,
    }));
    let state = cartReducer(initialCartState, { type: 'sync/loaded', docs: items });
    expect(queryCart(state, { text: 'kettle' }).items).toHaveLength(1429);
    expect(queryCart(state, { text: 'kettle 70' }).items.map((item) => item.id)).toEqual(
      items.filter((item) => item.title.includes('kettle') && item.title.includes('70')).map((item) => item.id));
    state = run(state, cartCommands.moveMany(['p0', 'p7', 'p14'], 'cart'));
    // Multiples of 14 were in Saved for later (715 of them); two moved to the cart (p7 was there already).
    expect(queryCart(state, { listId: 'saved', text: 'kettle' }).items).toHaveLength(713);
    state = run(state, cartCommands.setQuantityOfMany(['p1', 'p3'], 4));
    expect(queryCart(state, { text: 'product 1 ' }).items.find((item) => item.id === 'p1')?.quantity).toBe(4);
  });
});
