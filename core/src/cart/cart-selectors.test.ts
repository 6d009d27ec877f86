import { describe, expect, it } from 'vitest';
import { cartCommands, stamp, type CartCommand } from './cart-actions.ts';
import { cartReducer } from './cart-reducer.ts';
import { newPriceDrops, selectByShop, selectItemCount, selectItems, selectPriceDrops, selectTotals } from './cart-selectors.ts';
import { initialCartState, type CartState } from './cart-types.ts';
import { formatMoney, minorDigits } from './money.ts';
import { meta, product } from '../test/fixtures.ts';

function build(commands: CartCommand[]): CartState {
  return commands.reduce((state, command, index) => cartReducer(state, stamp(command, meta({ newId: `i${index}`, at: index }))),
    cartReducer(initialCartState, { type: 'sync/loaded', docs: [] }));
}

const state = build([
  cartCommands.add(product({ url: 'https://b-shop.example/1', shop: 'b-shop.example', priceMinor: 1000 }), { quantity: 3 }),
  cartCommands.add(product({ url: 'https://a-shop.example/1', shop: 'a-shop.example', priceMinor: 250, currency: 'USD' })),
  cartCommands.add(product({ url: 'https://a-shop.example/2', shop: 'a-shop.example', priceMinor: 100 })),
  cartCommands.add(product({ url: 'https://a-shop.example/3', shop: 'a-shop.example', priceMinor: null })),
  cartCommands.add(product({ url: 'https://a-shop.example/4', shop: 'a-shop.example', priceMinor: 999 })),
  cartCommands.remove('i4'),
  cartCommands.add(product({ url: 'https://c.example/1', shop: 'c.example' }), { listId: 'saved' }),
]);

describe('selectors', () => {
  it('groups items by shop, shops sorted, removed items hidden', () => {
    const groups = selectByShop(state, 'cart');
    expect(groups.map((group) => group.shop)).toEqual(['a-shop.example', 'b-shop.example']);
    expect(groups[0]?.items.map((item) => item.id)).toEqual(['i1', 'i2', 'i3']);
  });

  it('subtotals per shop and currency, never adding different currencies, counting unpriced items', () => {
    const [a, b] = selectByShop(state, 'cart');
    expect(a?.subtotals).toEqual([
      { currency: 'EUR', amountMinor: 100, unpricedItems: 1 },
      { currency: 'USD', amountMinor: 250, unpricedItems: 0 },
    ]);
    expect(b?.subtotals).toEqual([{ currency: 'EUR', amountMinor: 3000, unpricedItems: 0 }]);
    expect(selectTotals(state, 'cart')).toEqual([
      { currency: 'EUR', amountMinor: 3100, unpricedItems: 1 },
      { currency: 'USD', amountMinor: 250, unpricedItems: 0 },
    ]);
  });

  it('counts quantities per list', () => {
    expect(selectItemCount(state, 'cart')).toBe(6);
    expect(selectItemCount(state, 'saved')).toBe(1);
    expect(selectItems(state).length).toBe(5);
  });

  it('formats money by each currency\'s minor units', () => {
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('KWD')).toBe(3);
    expect(formatMoney(129999, 'EUR', 'en-US')).toBe('€1,299.99');
    expect(formatMoney(1200, 'JPY', 'en-US')).toBe('¥1,200');
    expect(formatMoney(1250, 'unknown', 'en-US')).toBe('12.50');
  });

  it('finds price drops below the price at adding, and the ones an action just caused', () => {
    const url = state.items.i0!.url;
    const cheaper = cartReducer(state, stamp(cartCommands.priceSeen(url, 900, 'EUR'), meta({ at: 50 })));
    expect(selectPriceDrops(cheaper).map((item) => item.id)).toEqual(['i0']);
    expect(newPriceDrops([cheaper.items.i0!], state).map((item) => item.id)).toEqual(['i0']);
    const dearer = cartReducer(cheaper, stamp(cartCommands.priceSeen(url, 950, 'EUR'), meta({ at: 60 })));
    expect(newPriceDrops([dearer.items.i0!], cheaper)).toEqual([]);
    expect(selectPriceDrops(state)).toEqual([]);
  });
});
