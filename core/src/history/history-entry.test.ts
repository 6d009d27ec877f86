import { describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { product } from '../test/fixtures.ts';
import { formatHlc, tick } from '../merge/hlc.ts';
import { creationStamp, stampChange } from '../merge/item-clocks.ts';
import { entriesForWrite, historyEntryId, mergeEntries } from './history-entry.ts';
import { MINUTE, RecordingCart, T0 } from './test/recording-cart.ts';

describe('entriesForWrite', () => {
  it('a new item: one entry at its creation stamp with its origin and every field', () => {
    const cart = new RecordingCart();
    cart.dispatch(cartCommands.add(product({ variant: 'Blue' })));
    const item = Object.values(cart.docs)[0]!;
    expect(cart.entries).toEqual([{
      id: `${item.id}:${formatHlc(creationStamp(item))}`, itemId: item.id, stamp: creationStamp(item),
      origin: { url: item.url, shop: 'shop.example', addedPriceMinor: 2999 },
      changes: { listId: 'cart', title: 'Red kettle', priceMinor: 2999, currency: 'EUR', imageUrl: item.imageUrl, variant: 'Blue', quantity: 1, note: '', deleted: false },
    }]);
  });

  it('a change: only the fields it set, under the stamp they were given; a removal is deleted: true', () => {
    const cart = new RecordingCart();
    cart.dispatch(cartCommands.add(product()));
    const id = Object.keys(cart.docs)[0]!;
    cart.time += MINUTE;
    cart.dispatch(cartCommands.edit(id, { title: 'Kettle', variant: 'Red' }));
    cart.dispatch(cartCommands.remove(id));
    expect(cart.entries.slice(1).map(({ id: entryId, stamp, changes }) => ({ entryId, stamp, changes }))).toEqual([
      { entryId: historyEntryId(id, { wall: T0 + MINUTE, counter: 0, node: 'laptop' }), stamp: { wall: T0 + MINUTE, counter: 0, node: 'laptop' }, changes: { title: 'Kettle', variant: 'Red' } },
      { entryId: historyEntryId(id, { wall: T0 + MINUTE, counter: 1, node: 'laptop' }), stamp: { wall: T0 + MINUTE, counter: 1, node: 'laptop' }, changes: { deleted: true } },
    ]);
  });

  it('a write that moves no field stamp records nothing (a price seen again only extends price history)', () => {
    const cart = new RecordingCart();
    cart.dispatch(cartCommands.add(product()));
    const item = Object.values(cart.docs)[0]!;
    const seenAgain = stampChange(item, { ...item, priceHistory: [{ at: T0, priceMinor: 2999 }] }, tick(cart.clock, T0 + MINUTE));
    expect(entriesForWrite(item, seenAgain)).toEqual([]);
  });

  it('the same change recorded on two devices is one entry; partial recordings unite', () => {
    const laptop = new RecordingCart('laptop');
    laptop.dispatch(cartCommands.add(product()));
    const id = Object.keys(laptop.docs)[0]!;
    laptop.time += MINUTE;
    laptop.dispatch(cartCommands.setQuantity(id, 3));
    laptop.dispatch(cartCommands.setNote(id, 'for Anna'));
    laptop.time += MINUTE;
    laptop.dispatch(cartCommands.setQuantity(id, 4));
    // The phone had the item as first added, then receives the current document: it carries the note
    // change and the second quantity change (the first was overwritten before the phone saw it).
    const onPhone = entriesForWrite(laptop.timeline[0]!.docs[id]!, laptop.docs[id]!);
    expect(onPhone.map((entry) => entry.changes)).toEqual([{ quantity: 4 }, { note: 'for Anna' }]);
    expect(onPhone.every((entry) => laptop.entries.some((own) => own.id === entry.id))).toBe(true);
    expect(mergeEntries(laptop.entries, onPhone, laptop.entries)).toEqual(laptop.entries);
    // A recording of the creation that saw only some fields unites with the full one.
    const [added] = laptop.entries;
    const partial = { ...added!, changes: { title: 'Red kettle' } };
    expect(mergeEntries([partial], [added!])).toEqual([added]);
  });
});
