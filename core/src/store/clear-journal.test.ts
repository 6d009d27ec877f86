import { describe, expect, it } from 'vitest';
import { cartReducer } from '../cart/cart-reducer.ts';
import { stamp } from '../cart/cart-actions.ts';
import { initialCartState } from '../cart/cart-types.ts';
import { formatHlc, hlc } from '../merge/hlc.ts';
import { stampChange, type ClockedItem } from '../merge/item-clocks.ts';
import { meta, product } from '../test/fixtures.ts';
import { clearEntry, createClearJournal, planClearReplay } from './clear-journal.ts';

function item(url: string, at: number): ClockedItem {
  const state = cartReducer(initialCartState, stamp({ type: 'item/add', product: product({ url }) }, meta({ at, device: 'laptop', newId: url })));
  return stampChange(null, state.items[url]!, hlc(at, 0, 'laptop'));
}

describe('finishing a stored clear (planClearReplay)', () => {
  const kettle = item('https://shop.example/kettle', 1000);
  const mug = item('https://shop.example/mug', 1100);
  const lamp = item('https://shop.example/lamp', 1200);
  const clear = hlc(5000, 0, 'laptop');
  const entry = clearEntry('clear-1', clear, 5000, 'laptop', [kettle, mug, lamp]);

  it('removes each item still as the clear saw it, stamped by the clear', () => {
    const { writes, kept } = planClearReplay(entry, (id) => ({ [kettle.id]: kettle, [mug.id]: mug })[id]);
    expect(kept).toEqual([]);
    expect(writes.map(({ document }) => [document.id, document.deleted, document.updatedAt, document.fieldClocks?.deleted]))
      .toEqual([[kettle.id, true, 5000, formatHlc(clear)], [mug.id, true, 5000, formatHlc(clear)]]);
    expect(writes[0]!.previous).toBe(kettle);
  });

  it('keeps an item changed since, even by an earlier stamp, and reports it; leaves removed items alone', () => {
    // The phone's note was made before the clear by the clocks, but the laptop had not seen it.
    const noted = stampChange(kettle, { ...kettle, note: 'the blue one' }, hlc(4000, 0, 'phone'));
    const removed = stampChange(mug, { ...mug, deleted: true }, hlc(4500, 0, 'phone'));
    const { writes, kept } = planClearReplay(entry, (id) => ({ [kettle.id]: noted, [mug.id]: removed, [lamp.id]: lamp })[id]);
    expect(writes.map(({ document }) => document.id)).toEqual([lamp.id]);
    expect(kept).toMatchObject([{
      itemId: kettle.id, kind: 'delete-vs-edit', resolution: 'delete-vs-edit-kept',
      winner: { value: false, device: 'phone' }, loser: { value: true, device: 'laptop', stamp: formatHlc(clear) },
    }]);
  });
});

describe('the journal (createClearJournal)', () => {
  it('keeps entries in order, removes them by key, and leaves out a damaged entry', async () => {
    const docs = new Map<string, unknown>();
    const db = {
      getLocal: async (id: string) => (docs.has(id) ? { get: (field: string) => (docs.get(id) as Record<string, unknown>)[field] } : null),
      upsertLocal: async (id: string, data: object) => docs.set(id, structuredClone(data)),
    } as unknown as Parameters<typeof createClearJournal>[0];
    const entry = (key: string) => clearEntry(key, hlc(5000, 0, 'laptop'), 5000, 'laptop', [item(`https://shop.example/${key}`, 1000)]);
    const journal = createClearJournal(db);
    await Promise.all([journal.add(entry('a')), journal.add(entry('b')), journal.add(entry('c'))]);
    await journal.remove('b');
    expect((await journal.read()).map((e) => e.key)).toEqual(['a', 'c']);
    docs.set('clear-journal', { entries: [entry('a'), { key: 'broken', stamp: 'not a stamp', at: 1, device: 'x', items: [] }, 'junk'] });
    expect((await createClearJournal(db).read()).map((e) => e.key)).toEqual(['a']);
  });
});
