import { describe, expect, it } from 'vitest';
import { cartCommands, cartReducer, initialCartState, stamp, type CartCommand } from '@tote/core';
import { listsView, moneyText } from './cart-view.ts';

const product = (url: string, priceMinor: number | null, currency = 'EUR') => ({ url, title: url, priceMinor, currency, imageUrl: null, variant: null });

function build(commands: CartCommand[]) {
  return commands.reduce((state, command, i) => cartReducer(state, stamp(command, { at: i, device: 'd', newId: `i${i}` })),
    cartReducer(initialCartState, { type: 'sync/loaded', docs: [] }));
}

describe('listsView', () => {
  it('shows every list with its shops and totals, and where items move to', () => {
    const state = build([
      cartCommands.add(product('https://a.example/1', 1000), { quantity: 2 }),
      cartCommands.add(product('https://b.example/1', 500, 'USD')),
      cartCommands.add(product('https://a.example/2', null), { listId: 'saved' }),
    ]);
    const [cart, saved] = listsView(state);
    expect(cart?.list.name).toBe('Cart');
    expect(cart?.other?.id).toBe('saved');
    expect(cart?.groups.map((g) => g.shop)).toEqual(['a.example', 'b.example']);
    expect(cart?.count).toBe(3);
    expect(moneyText(cart!.totals, 'en-US')).toBe('€20.00 + $5.00');
    expect(saved?.other?.id).toBe('cart');
    expect(moneyText(saved!.totals, 'en-US')).toBe('€0.00 + 1 without price');
    expect(moneyText([], 'en-US')).toBe('—');
  });
});
