import { describe, expect, it } from 'vitest';
import { isToteError } from '../errors.ts';
import { DEFAULT_LISTS } from './cart-types.ts';
import { validateCommand } from './cart-validation.ts';
import { product } from '../test/fixtures.ts';

function refusal(command: unknown) {
  try {
    validateCommand(command, DEFAULT_LISTS);
  } catch (error) {
    if (isToteError(error, 'INVALID_INPUT')) return error;
    throw error;
  }
  throw new Error('expected the command to be refused');
}

describe('validateCommand', () => {
  it('normalises a product: whitespace collapsed, shop from the URL without www', () => {
    const command = validateCommand({ type: 'item/add', product: { ...product(), shop: undefined,
      url: 'https://www.Shop.example/p?id=1', title: '  Red\n\tkettle  ' } }, DEFAULT_LISTS);
    expect(command).toMatchObject({ listId: 'cart', quantity: 1, product: { title: 'Red kettle', shop: 'shop.example' } });
  });

  it('keeps script in a product name as plain text and caps its length', () => {
    const command = validateCommand({ type: 'item/add', product: product({ title: `<img src=x onerror=alert(1)>${'a'.repeat(400)}` }) }, DEFAULT_LISTS);
    expect(command.type === 'item/add' && command.product.title.startsWith('<img src=x onerror=alert(1)>')).toBe(true);
    expect(command.type === 'item/add' && command.product.title.length).toBe(300);
  });

  it.each([
    [{ type: 'item/add', product: product({ url: 'javascript:alert(1)' }) }, 'url'],
    [{ type: 'item/add', product: product({ imageUrl: 'data:image/png;base64,AAAA' }) }, 'imageUrl'],
    [{ type: 'item/add', product: product({ title: '   ' }) }, 'title'],
    [{ type: 'item/add', product: product({ priceMinor: 12.5 }) }, 'priceMinor'],
    [{ type: 'item/add', product: product({ currency: 'euro' }) }, 'currency'],
    [{ type: 'item/add', product: product(), listId: 'nope' }, 'listId'],
    [{ type: 'item/setQuantity', id: 'a', quantity: 0 }, 'quantity'],
    [{ type: 'item/setQuantity', id: 'a', quantity: 10_000 }, 'quantity'],
    [{ type: 'item/setQuantity', id: 'a', quantity: '3' }, 'quantity'],
    [{ type: 'item/remove', id: '' }, 'id'],
    [{ type: 'drop/tables' }, 'type'],
    [{ type: 'item/edit', id: 'a', changes: { imageUrl: 'javascript:alert(1)' } }, 'imageUrl'],
    [{ type: 'item/edit', id: 'a', changes: { priceMinor: -1 } }, 'priceMinor'],
    [{ type: 'item/priceSeen', url: 'https://a.example/', priceMinor: 100, currency: 'unknown' }, 'priceMinor'],
    [{ type: 'item/bringBack', ids: 'a' }, 'ids'],
    [{ type: 'item/bringBack', ids: ['a', 7] }, 'id'],
    [{ type: 'item/bringBack', ids: Array.from({ length: 10_001 }, (_, i) => `i${i}`) }, 'ids'],
    [null, 'type'],
  ])('refuses %j with a readable message (field %s)', (command, field) => {
    const error = refusal(command);
    expect(error.details?.field).toBe(field);
    expect(error.message).toMatch(/^[A-Z].*\.$/);
  });
});
