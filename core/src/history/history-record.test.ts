import { describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { product } from '../test/fixtures.ts';
import { entrySize, fromHistoryRecord, historySize, toHistoryRecord } from './history-record.ts';
import { MINUTE, RecordingCart } from './test/recording-cart.ts';

// Item and device ids are UUIDs, as the shells make them (randomUUID).
const ITEM = '3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c';
const DEVICE = '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

function typicalChanges() {
  const cart = new RecordingCart(DEVICE);
  cart.dispatch(cartCommands.add(product({
    url: `https://www.example-shop.com/products/${'kettle-1-7-litre-stainless-steel-'.padEnd(42, 'x')}`,
    title: 'Electric kettle 1.7 l, stainless steel, rapid boil, blue'.padEnd(60, '.'),
    imageUrl: 'https://cdn.example-shop.com/img/kettle-blue-640.jpg', variant: 'Blue', shop: 'example-shop.com',
  })));
  const added = Object.values(cart.docs)[0]!;
  const id = added.id;
  cart.time += MINUTE;
  cart.dispatch(cartCommands.setQuantity(id, 2));
  cart.time += MINUTE;
  cart.dispatch(cartCommands.setNote(id, 'for Anna, the blue one'));
  cart.time += MINUTE;
  cart.dispatch(cartCommands.remove(id));
  // Entries name the item by its id: rename it to a UUID like the store's.
  return cart.entries.map((entry) => fromHistoryRecord({ ...toHistoryRecord(entry), i: ITEM })!);
}

describe('history records', () => {
  it('round-trip every entry exactly', () => {
    for (const entry of typicalChanges()) expect(fromHistoryRecord(JSON.parse(JSON.stringify(toHistoryRecord(entry))))).toEqual(entry);
  });

  it('are small: a typical change well under 300 bytes', () => {
    const [add, quantity, note, removal] = typicalChanges().map(entrySize) as [number, number, number, number];
    expect(quantity).toBeLessThan(120);
    expect(note).toBeLessThan(150);
    expect(removal).toBeLessThan(120);
    expect(add).toBeLessThan(500);
    expect(historySize(typicalChanges())).toBe(add + quantity + note + removal);
  });

  it('keep the price when added only where it differs from the price', () => {
    const [add] = typicalChanges();
    expect(toHistoryRecord(add!)).not.toHaveProperty('a');
    const dropped = fromHistoryRecord({ ...toHistoryRecord(add!), a: 3499 })!;
    expect(dropped.origin?.addedPriceMinor).toBe(3499);
    expect(toHistoryRecord(dropped)).toHaveProperty('a', 3499);
  });

  it('a damaged record reads as null (set aside, not thrown)', () => {
    const [, quantity] = typicalChanges();
    const good = toHistoryRecord(quantity!);
    for (const damaged of [null, 'x', {}, { ...good, s: 'not a stamp' }, { ...good, i: '' }, { ...good, q: '2' }, { ...good, d: 1 }, { ...good, u: 'https://x', h: 5 }]) {
      expect(fromHistoryRecord(damaged)).toBeNull();
    }
  });

  it('count bytes of UTF-8, not characters', () => {
    const [, , note] = typicalChanges();
    const ascii = entrySize(note!);
    const accented = entrySize({ ...note!, changes: { note: 'für Anna, the blue one 🎁'.slice(0, 22) } });
    expect(accented).toBe(ascii + 1);
    expect(entrySize({ ...note!, changes: { note: 'for Anna, the blue 🎁' } })).toBe(ascii + 4 - 3);
  });
});
