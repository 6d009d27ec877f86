import { describe, expect, it } from 'vitest';
import { isToteError } from '../errors.ts';
import { cartCommands, stamp, type CartCommand } from './cart-actions.ts';
import { parseCartCsv, parseCsvRows } from './cart-csv-import.ts';
import { cartReducer } from './cart-reducer.ts';
import { selectItems } from './cart-selectors.ts';
import { exportCsv, planImport } from './cart-transfer.ts';
import { initialCartState, type CartState } from './cart-types.ts';
import { validateCommand } from './cart-validation.ts';
import { meta, product } from '../test/fixtures.ts';

const loaded = cartReducer(initialCartState, { type: 'sync/loaded', docs: [] });
const run = (state: CartState, command: CartCommand) => cartReducer(state, stamp(validateCommand(command, state.lists), meta()));
let counter = 0;
const newId = () => `csv${++counter}`;

function errorOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (isToteError(error)) return error;
    throw error;
  }
  throw new Error('expected a ToteError');
}

describe('CSV import', () => {
  it('reads RFC 4180: quotes, doubled quotes, line breaks in cells, CRLF or LF, a byte order mark', () => {
    expect(parseCsvRows('\uFEFFa,"b, ""c""","d\r\ne"\r\nf,,g\nh')).toEqual([['a', 'b, "c"', 'd\r\ne'], ['f', '', 'g'], ['h']]);
    expect(errorOf(() => parseCsvRows('a,"b\r\n'))).toMatchObject({ code: 'INVALID_FILE', details: { reason: 'malformed' } });
  });

  it('reads back what the CSV export wrote, formula prefixes taken off, and adds nothing already in the cart', () => {
    let state = run(loaded, cartCommands.add(product({ variant: 'Red' }), { quantity: 2 }));
    state = run(state, cartCommands.setNote(Object.keys(state.items)[0]!, 'Line one, "two"'));
    state = run(state, cartCommands.add(product({ url: 'https://mugs.example/m', title: '=HYPERLINK("x")', priceMinor: 1200, currency: 'JPY', imageUrl: null, availability: 'out_of_stock' }), { listId: 'saved' }));
    const csv = exportCsv(state);
    expect(csv.split('\r\n')[2]).toMatch(/,Out of stock$/);
    const items = parseCartCsv(csv, newId);
    expect(items.map(({ id, priceHistory, ...rest }) => (void id, void priceHistory, rest))).toEqual(selectItems(state).map((item) => ({
      listId: item.listId, url: item.url, shop: item.shop, title: item.title, priceMinor: item.priceMinor, currency: item.currency,
      imageUrl: item.imageUrl, variant: item.variant, quantity: item.quantity, note: item.note, addedAt: item.addedAt, addedPriceMinor: item.addedPriceMinor,
      ...(item.availability ? { availability: item.availability } : {}),
    })));
    expect(items[1]).toMatchObject({ availability: 'out_of_stock' });
    expect(items[0]).not.toHaveProperty('availability');
    expect(planImport(state, items)).toMatchObject({ added: [], already: 2 });
    const fresh = run(loaded, planImport(loaded, items).command);
    expect(selectItems(fresh).map((item) => item.title)).toEqual(['Red kettle', '=HYPERLINK("x")']);
  });

  it('takes columns in any order, only Name and Link required, and refuses a foreign file or a bad row', () => {
    const items = parseCartCsv('Link,Name,Price,Currency\nhttps://a.example/x,Lamp,"12,5",eur\n', newId, undefined, 99);
    expect(items[0]).toMatchObject({ url: 'https://a.example/x', title: 'Lamp', priceMinor: 1250, currency: 'EUR', quantity: 1, listId: 'cart', addedAt: 99 });
    expect(errorOf(() => parseCartCsv('Product,Cost\nLamp,3\n', newId))).toMatchObject({ code: 'INVALID_FILE', details: { reason: 'foreign' } });
    const bad = errorOf(() => parseCartCsv('Name,Link,Price\nLamp,https://a.example/x,1\nMug,https://a.example/y,-4\n', newId));
    expect(bad).toMatchObject({ code: 'INVALID_FILE', details: { reason: 'item', item: 1, field: 'priceMinor' } });
    expect(bad.message).toBe('Row 3 of this file cannot be imported: The price cannot be below zero. Nothing was imported.');
    expect(errorOf(() => parseCartCsv('Name,Link\nLamp,javascript:alert(1)\n', newId))).toMatchObject({ details: { field: 'url' } });
    expect(parseCartCsv('Name,Link,Availability\nLamp,https://a.example/x,in stock\nMug,https://a.example/y,OUT_OF_STOCK\nCup,https://a.example/z,\n', newId)
      .map((item) => item.availability)).toEqual(['in_stock', 'out_of_stock', undefined]);
    const unknown = errorOf(() => parseCartCsv('Name,Link,Availability\nLamp,https://a.example/x,maybe\n', newId));
    expect(unknown).toMatchObject({ code: 'INVALID_FILE', details: { reason: 'item', item: 0, field: 'availability' } });
    expect(unknown.message).toContain('neither "In stock" nor "Out of stock"');
  });
});
