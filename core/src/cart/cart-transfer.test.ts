import { describe, expect, it } from 'vitest';
import { isToteError } from '../errors.ts';
import { cartCommands, stamp, type CartCommand } from './cart-actions.ts';
import { cartReducer } from './cart-reducer.ts';
import { selectItems } from './cart-selectors.ts';
import {
  csvCell, exportCart, exportCsv, exportJson, importSummary, parseCartExport, planImport, planUndoImport, undoImportSummary,
} from './cart-transfer.ts';
import { initialCartState, type CartState } from './cart-types.ts';
import { validateCommand } from './cart-validation.ts';
import { meta, product } from '../test/fixtures.ts';

const loaded = cartReducer(initialCartState, { type: 'sync/loaded', docs: [] });
const run = (state: CartState, command: CartCommand, overrides = {}) =>
  cartReducer(state, stamp(validateCommand(command, state.lists), meta(overrides)));

/** A cart with a noted, repriced kettle (now out of stock) in the cart and a mug saved for later. */
function sample(): CartState {
  let state = run(loaded, cartCommands.add(product({ variant: 'Red / 1.7 l' }), { quantity: 2 }), { newId: 'k1', at: 1000 });
  state = run(state, cartCommands.setNote('k1', 'For the "new" flat, ask about, delivery'));
  state = run(state, cartCommands.priceSeen('https://shop.example/p/red-kettle', 2499, 'EUR', 'out_of_stock'), { at: 2000 });
  state = run(state, cartCommands.add(product({ url: 'https://mugs.example/m', title: '=HYPERLINK("x")', priceMinor: null, imageUrl: null }), { listId: 'saved' }), { newId: 'm1', at: 3000 });
  return state;
}

function errorOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (isToteError(error)) return error;
    throw error;
  }
  throw new Error('expected a ToteError');
}

describe('JSON export and import', () => {
  it('carries every field a shopper sees, and imports into an empty cart as the same cart', () => {
    const state = sample();
    const file = parseCartExport(exportJson(state, 5000));
    expect(file.items).toHaveLength(2);
    expect(file.items[0]).toMatchObject({ id: 'k1', variant: 'Red / 1.7 l', quantity: 2, note: 'For the "new" flat, ask about, delivery',
      priceMinor: 2499, addedPriceMinor: 2999, priceHistory: [{ at: 2000, priceMinor: 2499 }], addedAt: 1000, availability: 'out_of_stock' });
    expect('availability' in file.items[1]!).toBe(false); // unknown: not in the file
    const plan = planImport(loaded, file.items);
    expect(plan).toMatchObject({ added: ['k1', 'm1'], already: 0 });
    const fresh = run(loaded, plan.command, { device: 'laptop', at: 9000 });
    const strip = (s: CartState) => selectItems(s).map(({ addedBy, updatedAt, updatedBy, ...rest }) => (void addedBy, void updatedAt, void updatedBy, rest));
    expect(strip(fresh)).toEqual(strip(state));
    expect(selectItems(fresh)[1]).toMatchObject({ listId: 'saved', updatedBy: 'laptop' });
    expect(selectItems(fresh)[0]?.availability).toBe('out_of_stock');
  });

  it('adds nothing the second time, nor into the cart it came from', () => {
    const state = sample();
    const { items } = exportCart(state, 5000);
    expect(planImport(state, items)).toMatchObject({ added: [], already: 2 });
    const once = run(loaded, cartCommands.importItems(items));
    expect(run(once, cartCommands.importItems(items)).items).toBe(once.items);
  });

  it('counts a product already in the same list as already there, and brings back an item removed since', () => {
    const state = sample();
    const { items } = exportCart(state, 5000);
    const other = run(loaded, cartCommands.add(product({ variant: 'Red / 1.7 l' })), { newId: 'other' });
    expect(planImport(other, items)).toMatchObject({ added: ['m1'], already: 1 });
    const removed = run(state, cartCommands.remove('m1'));
    expect(planImport(removed, items)).toMatchObject({ added: ['m1'], already: 1 });
  });

  it('is undone by removing exactly what it added', () => {
    const state = sample();
    const { items } = exportCart(state, 5000);
    const kept = run(loaded, cartCommands.add(product({ url: 'https://shop.example/p/other' })), { newId: 'own' });
    const plan = planImport(kept, items);
    const imported = run(kept, plan.command);
    expect(planUndoImport(imported, plan.undo)).toEqual({ removed: ['k1', 'm1'], kept: 0 });
    const undone = run(imported, plan.undo);
    expect(selectItems(undone).map((item) => item.id)).toEqual(['own']);
  });

  it('leaves on undo the imported items changed since (quantity, list, name, note), and says how many it kept', () => {
    let state = loaded;
    for (let i = 0; i < 6; i += 1) state = run(state, cartCommands.add(product({ url: `https://shop.example/p/${i}`, title: `Thing ${i}` })), { newId: `t${i}` });
    const { items } = exportCart(state, 5000);
    const plan = planImport(loaded, items);
    let imported = run(loaded, plan.command, { at: 9000 });
    imported = run(imported, cartCommands.setQuantity('t0', 3), { at: 9100 });
    imported = run(imported, cartCommands.move('t1', 'saved'), { at: 9200 });
    imported = run(imported, cartCommands.edit('t2', { title: 'Thing two, renamed' }), { at: 9300 });
    imported = run(imported, cartCommands.setNote('t3', 'for Anna'), { at: 9400 });
    // Changed and changed back: as the import wrote it again, so it goes.
    imported = run(imported, cartCommands.setQuantity('t4', 2), { at: 9500 });
    imported = run(imported, cartCommands.setQuantity('t4', 1), { at: 9600 });

    const undo = planUndoImport(imported, plan.undo);
    expect(undo).toEqual({ removed: ['t4', 't5'], kept: 4 });
    expect(undoImportSummary(undo)).toBe('Import undone: 2 items removed. 4 items changed since the import were kept.');
    const undone = run(imported, plan.undo);
    expect(selectItems(undone).map((item) => [item.id, item.quantity, item.listId])).toEqual([
      ['t0', 3, 'cart'], ['t1', 1, 'saved'], ['t2', 1, 'cart'], ['t3', 1, 'cart']]);
    expect(selectItems(undone).find((item) => item.id === 't2')?.title).toBe('Thing two, renamed');
  });

  it('says what undoing did', () => {
    expect(undoImportSummary({ removed: ['a', 'b'], kept: 0 })).toBe('Import undone: 2 items removed.');
    expect(undoImportSummary({ removed: ['a'], kept: 1 })).toBe('Import undone: 1 item removed. 1 item changed since the import was kept.');
    expect(undoImportSummary({ removed: [], kept: 2 })).toBe('Nothing removed: the imported items were changed or removed since. 2 items changed since the import were kept.');
  });

  it('refuses an undo that is not a list of items, with a typed error', () => {
    expect(errorOf(() => validateCommand({ type: 'import/undo', ids: ['k1'] } as never, loaded.lists))).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'items' } });
  });

  it('says what it did', () => {
    expect(importSummary({ added: Array(12).fill('x'), already: 3 })).toBe('12 items added, 3 already in your cart.');
    expect(importSummary({ added: ['x'], already: 0 })).toBe('1 item added.');
    expect(importSummary({ added: [], already: 4 })).toBe('Nothing added: all 4 items are already in your cart.');
  });

  it('refuses a file that is not JSON, not a Tote export, or from a newer Tote, with a typed error', () => {
    expect(errorOf(() => parseCartExport('List,Name\r\n'))).toMatchObject({ code: 'INVALID_FILE', details: { reason: 'malformed' } });
    expect(errorOf(() => parseCartExport('{"items":[]}'))).toMatchObject({ code: 'INVALID_FILE', details: { reason: 'foreign' } });
    expect(errorOf(() => parseCartExport('[1,2]'))).toMatchObject({ code: 'INVALID_FILE', details: { reason: 'foreign' } });
    expect(errorOf(() => parseCartExport('{"format":"tote-cart","version":2,"items":[]}'))).toMatchObject({ details: { reason: 'version' } });
    expect(errorOf(() => parseCartExport('{"format":"tote-cart","version":1}'))).toMatchObject({ details: { reason: 'malformed' } });
  });

  it('validates every item as a capture would, naming the item and the field', () => {
    const good = exportCart(sample(), 5000);
    const broken = (patch: Record<string, unknown>) => JSON.stringify({ ...good, items: [good.items[0], { ...good.items[1], ...patch }] });
    const cases: [Record<string, unknown>, string][] = [
      [{ priceMinor: -5 }, 'priceMinor'], [{ currency: 'euro' }, 'currency'], [{ imageUrl: 'javascript:alert(1)' }, 'imageUrl'],
      [{ url: 'file:///etc/passwd' }, 'url'], [{ quantity: 0 }, 'quantity'], [{ title: '  ' }, 'title'], [{ id: '' }, 'id'],
      [{ addedAt: -1 }, 'addedAt'], [{ priceHistory: [{ at: 1, priceMinor: 1.5 }] }, 'priceHistory'], [{ note: 42 }, 'note'],
      [{ availability: 'sold out' }, 'availability'],
    ];
    for (const [patch, field] of cases) {
      const error = errorOf(() => parseCartExport(broken(patch)));
      expect(error).toMatchObject({ code: 'INVALID_FILE', details: { reason: 'item', item: 1, field } });
      expect(error.message).toMatch(/^Item 2 .*cannot be imported: .* Nothing was imported\.$/);
    }
  });

  it('cleans text as a capture does and puts an item of an unknown list in the Cart', () => {
    const good = exportCart(sample(), 5000);
    const file = parseCartExport(JSON.stringify({ ...good, items: [{ ...good.items[0], title: ' Kettle\u0007  red ', shop: 'evil.example', listId: 'gone' }] }));
    expect(file.items[0]).toMatchObject({ title: 'Kettle red', shop: 'shop.example', listId: 'cart' });
  });

  it('the import command is checked at the boundary too', () => {
    expect(() => validateCommand({ type: 'items/import', items: [{ id: 'x' }] }, loaded.lists)).toThrow();
    expect(() => validateCommand({ type: 'items/import', items: 'all' }, loaded.lists)).toThrow();
  });
});

describe('CSV export', () => {
  it('has one row per item with RFC 4180 quoting and CRLF lines', () => {
    const csv = exportCsv(sample());
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('List,Name,Shop,Variant,Quantity,Price,Currency,Price when added,Note,Link,Image,Added,Availability');
    expect(lines[1]).toBe('Cart,Red kettle,shop.example,Red / 1.7 l,2,24.99,EUR,29.99,"For the ""new"" flat, ask about, delivery",'
      + 'https://shop.example/p/red-kettle,https://shop.example/img/kettle.jpg,1970-01-01T00:00:01.000Z,Out of stock');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
  });

  it('never starts a cell with something a spreadsheet runs as a formula', () => {
    expect(exportCsv(sample()).split('\r\n')[2]).toContain(`Saved for later,"'=HYPERLINK(""x"")",mugs.example`);
    for (const cell of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1']) expect(csvCell(cell).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('a=1')).toBe('a=1');
  });
});
