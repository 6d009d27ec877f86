import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { cartCommands, stamp } from '../cart/cart-actions.ts';
import { cartReducer } from '../cart/cart-reducer.ts';
import { initialCartState } from '../cart/cart-types.ts';
import { ToteError } from '../errors.ts';
import { product } from '../test/fixtures.ts';
import { createUnreadableNotices } from './unreadable-notices.ts';

const cart = cartReducer({ ...initialCartState, loaded: true }, stamp(cartCommands.add(product({ title: 'Cast-iron teapot' })), { at: 1, device: 'laptop', newId: 'item-1' }));
const damaged = (documentId: string) => new ToteError('DECRYPT_FAILED', 'An item in your cart could not be read: it was changed or damaged on the way. Your other items are fine.', { documentId, reason: 'authentication' });

describe('notices about documents that could not be read', () => {
  it('names the item when this device keeps a copy, once per document, until dismissed', () => {
    const reports = new Subject<ToteError>();
    const notices = createUnreadableNotices(reports, () => cart);
    reports.next(damaged('item-1'));
    reports.next(damaged('item-1')); // the same document again (the next pull): one notice
    reports.next(damaged('item-9')); // none here: the error's own sentence
    expect(notices.getNotices().map(({ id, title }) => ({ id, title }))).toEqual([{ id: 'item-1', title: 'Cast-iron teapot' }, { id: 'item-9', title: null }]);
    expect(notices.getNotices()[0]!.message).toMatch(/^“Cast-iron teapot” could not be read from the sync server.*keeps the copy on this device/);
    expect(notices.getNotices()[1]!.message).toBe(damaged('item-9').message);
    notices.dismiss('item-1');
    expect(notices.getNotices().map((notice) => notice.id)).toEqual(['item-9']);
    reports.next(new ToteError('DECRYPT_FAILED', 'no id'));
    expect(notices.getNotices()).toHaveLength(1);
    notices.close();
  });

  it('tells of a row damaged on this device, and names the item once the server\'s copy took its place', () => {
    const reports = new Subject<ToteError>();
    const replaced = new Subject<{ id: string; title: string }>();
    const notices = createUnreadableNotices(reports, () => cart, replaced);
    const here = new ToteError('DECRYPT_FAILED', 'An item could not be read on this device: its saved copy was changed or damaged.', { documentId: 'item-1', where: 'device' });
    reports.next(here); // the cart holds item-1 (its copy came back meanwhile): still this device's damage, not the server's
    expect(notices.getNotices()).toEqual([{ id: 'item-1', title: null, message: here.message }]);
    replaced.next({ id: 'item-1', title: 'Cast-iron teapot' });
    expect(notices.getNotices()[0]!.title).toBe('Cast-iron teapot');
    expect(notices.getNotices()[0]!.message).toMatch(/^“Cast-iron teapot” could not be read on this device.*took the copy the sync server had/);
    replaced.next({ id: 'item-9', title: 'Never reported' }); // no notice: none made
    expect(notices.getNotices()).toHaveLength(1);
    notices.close();
  });
});
