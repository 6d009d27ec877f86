import { describe, expect, it } from 'vitest';
import { cartCommands, stamp } from './cart-actions.ts';
import { cartReducer } from './cart-reducer.ts';
import { DEFAULT_LISTS, initialCartState } from './cart-types.ts';
import { formOf, itemFormChanges, parseMoneyInput } from './item-form.ts';
import { meta, product } from '../test/fixtures.ts';

const loaded = cartReducer(initialCartState, { type: 'sync/loaded', docs: [] });
const item = cartReducer(loaded, stamp(cartCommands.add(product()), meta({ newId: 'k1' }))).items.k1!;

function refusal(form: Partial<ReturnType<typeof formOf>>) {
  try {
    itemFormChanges(item, { ...formOf(item), ...form }, DEFAULT_LISTS);
  } catch (error) {
    return error as { code: string; message: string; details: { field: string } };
  }
  throw new Error('expected a refusal');
}

describe('item details form', () => {
  it('shows the item as typed text and changes nothing when nothing was changed', () => {
    expect(formOf(item)).toEqual({ title: 'Red kettle', price: '29.99', currency: 'EUR', imageUrl: 'https://shop.example/img/kettle.jpg',
      variant: '', quantity: '1', note: '', listId: 'cart' });
    expect(itemFormChanges(item, formOf(item), DEFAULT_LISTS)).toEqual([]);
  });

  it('turns every changed field into the existing command for it', () => {
    const commands = itemFormChanges(item, { title: 'Kettle, red', price: '24,50', currency: 'gbp', imageUrl: '', variant: '1.7 l',
      quantity: '3', note: 'Gift', listId: 'saved' }, DEFAULT_LISTS);
    expect(commands).toEqual([
      { type: 'item/edit', id: 'k1', changes: { title: 'Kettle, red', priceMinor: 2450, currency: 'GBP', imageUrl: null, variant: '1.7 l' } },
      { type: 'item/setQuantity', id: 'k1', quantity: 3 },
      { type: 'item/setNote', id: 'k1', note: 'Gift' },
      { type: 'item/move', id: 'k1', listId: 'saved' },
    ]);
  });

  it('reads prices in the currency\'s own minor units', () => {
    expect(parseMoneyInput('1 200', 'JPY')).toBe(1200);
    expect(parseMoneyInput('12.5', 'EUR')).toBe(1250);
    expect(parseMoneyInput('1.234', 'KWD')).toBe(1234);
    expect(parseMoneyInput('', 'EUR')).toBeNull();
  });

  it('refuses bad input with a message that says what to type, naming the field', () => {
    expect(refusal({ price: '-3' })).toMatchObject({ code: 'INVALID_INPUT', message: 'The price cannot be below zero.', details: { field: 'priceMinor' } });
    expect(refusal({ price: 'twelve' }).details.field).toBe('priceMinor');
    expect(refusal({ price: '12.999' }).message).toContain('2 decimals at most');
    expect(refusal({ currency: 'XYZ' })).toMatchObject({ details: { field: 'currency' } });
    expect(refusal({ currency: 'XYZ' }).message).toContain('"XYZ" is not a currency Tote knows');
    expect(refusal({ imageUrl: 'javascript:alert(1)' })).toMatchObject({ details: { field: 'imageUrl' } });
    expect(refusal({ quantity: '0' })).toMatchObject({ details: { field: 'quantity' } });
    expect(refusal({ quantity: '2.5' })).toMatchObject({ details: { field: 'quantity' } });
    expect(refusal({ title: '   ' })).toMatchObject({ details: { field: 'title' } });
    expect(refusal({ listId: 'nowhere' })).toMatchObject({ details: { field: 'listId' } });
  });
});
