import { describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { cartReducer } from '../cart/cart-reducer.ts';
import { initialCartState, type CartItem, type CartState } from '../cart/cart-types.ts';
import { describeGuestMerge, planGuestMerge } from './guest-merge.ts';

/** Items as the device holds them after the account's cart arrived next to the guest's. */
function stateWith(lines: { id: string; slug: string; variant?: string | null; quantity: number; listId?: string }[]): CartState {
  const docs: CartItem[] = lines.map((line, index) => ({
    id: line.id, listId: line.listId ?? 'cart', url: `https://shop.example/p/${line.slug}`, shop: 'shop.example', title: `Product ${line.slug}`,
    priceMinor: 1000, currency: 'EUR', imageUrl: null, variant: line.variant ?? null, quantity: line.quantity, note: '',
    addedAt: index + 1, addedBy: 'd', updatedAt: index + 1, updatedBy: 'd', addedPriceMinor: 1000, priceHistory: [], deleted: false,
  }));
  return cartReducer(initialCartState, { type: 'sync/loaded', docs });
}

describe('planGuestMerge', () => {
  it('sums quantities of the same product and variant and removes the guest copy', () => {
    const state = stateWith([
      { id: 'a1', slug: 'kettle', quantity: 2 }, { id: 'g1', slug: 'kettle', quantity: 3 },
      { id: 'g2', slug: 'mug', quantity: 1 },
    ]);
    const plan = planGuestMerge(state, new Set(['g1', 'g2']));
    expect(plan.commands).toEqual([cartCommands.setQuantity('a1', 5), cartCommands.remove('g1')]);
    expect(plan.report).toEqual({ added: ['Product mug'], combined: [{ title: 'Product kettle', account: 2, guest: 3, result: 5 }] });
    expect(describeGuestMerge(plan.report)).toMatch(/1 item from this device added.*"Product kettle" was in both: quantity now 5/);
  });

  it('keeps the larger quantity when the shopper chose so', () => {
    const state = stateWith([{ id: 'a1', slug: 'kettle', quantity: 4 }, { id: 'g1', slug: 'kettle', quantity: 3 }]);
    expect(planGuestMerge(state, new Set(['g1']), 'larger').commands).toEqual([cartCommands.remove('g1')]);
  });

  it('treats other variants and other lists as different lines', () => {
    const state = stateWith([
      { id: 'a1', slug: 'shirt', variant: 'M', quantity: 1 }, { id: 'g1', slug: 'shirt', variant: 'L', quantity: 1 },
      { id: 'g2', slug: 'shirt', variant: 'M', quantity: 1, listId: 'saved' },
    ]);
    const plan = planGuestMerge(state, new Set(['g1', 'g2']));
    expect(plan.commands).toEqual([]);
    expect(plan.report.added).toHaveLength(2);
  });

  it('caps a sum at the largest quantity a line can hold', () => {
    const state = stateWith([{ id: 'a1', slug: 'screw', quantity: 9000 }, { id: 'g1', slug: 'screw', quantity: 5000 }]);
    expect(planGuestMerge(state, new Set(['g1'])).commands[0]).toEqual(cartCommands.setQuantity('a1', 9999));
  });
});
