/**
 * Lists of one's own (docs/cart-manager.md, "Lists"): the reducer, the boundary checks, and how items,
 * queries and files see them.
 */
import { describe, expect, it } from 'vitest';
import { isToteError } from '../errors.ts';
import { conflictLogActions, conflictLogReducer, initialConflictLog, overrideNotice } from '../merge/conflict-log.ts';
import { mergeItem } from '../merge/field-merge.ts';
import { noticeViews } from '../merge/notice-view.ts';
import { stampAt } from '../merge/hlc.ts';
import { stampChange } from '../merge/item-clocks.ts';
import { meta, product } from '../test/fixtures.ts';
import { stamp, cartCommands, type CartCommand } from './cart-actions.ts';
import { queryCart } from './cart-query.ts';
import { cartReducer, changedItems } from './cart-reducer.ts';
import { selectDeletedListItems, selectItems } from './cart-selectors.ts';
import { readCartCsv } from './cart-csv-import.ts';
import { exportCsv, exportJson, parseCartExport, planImport } from './cart-transfer.ts';
import { initialCartState, LIST_RECORD, type CartState } from './cart-types.ts';
import { validateCommand, validateStoredItem } from './cart-validation.ts';

let at = 1_000;
/** A command as the store runs it: checked against the current lists, stamped, reduced. */
function run(state: CartState, command: CartCommand, newId = `n${at}`): CartState {
  at += 1;
  return cartReducer(state, stamp(validateCommand(command, state.lists), meta({ at, newId })));
}
function refused(state: CartState, command: CartCommand): string {
  try {
    validateCommand(command, state.lists);
  } catch (error) {
    if (isToteError(error, 'INVALID_INPUT')) return error.message;
    throw error;
  }
  throw new Error('not refused');
}
const names = (state: CartState) => state.lists.map((list) => list.name);
const titlesOf = (state: CartState, name: string) =>
  queryCart(state, { listId: state.lists.find((list) => list.name === name)!.id }).items.map((item) => item.title);
const loaded = cartReducer(initialCartState, { type: 'sync/loaded', docs: [] });

describe('lists of one\'s own', () => {
  it('creates a list after Cart and Saved for later, stored as one list record and no item', () => {
    const before = loaded;
    const after = run(before, cartCommands.createList('  Gifts   for  Mum '), 'a1');
    expect(names(after)).toEqual(['Cart', 'Saved for later', 'Gifts for Mum']);
    expect(after.lists[2]).toEqual({ id: 'list-a1', name: 'Gifts for Mum', own: true });
    const written = changedItems(before, after);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ id: 'list-a1', listId: LIST_RECORD, title: 'Gifts for Mum', quantity: 1, deleted: false });
    expect(after.items).toEqual({});
    expect(selectItems(after)).toEqual([]);
    // The record passes the check every pulled document goes through.
    expect(() => validateStoredItem({ ...written[0] })).not.toThrow();
  });

  it('refuses an empty, too long or clashing name, case and accents ignored, with a sentence', () => {
    const one = run(loaded, cartCommands.createList('Gifts'), 'a1');
    expect(refused(one, cartCommands.createList('   '))).toBe('Give the list a name.');
    expect(refused(one, cartCommands.createList('x'.repeat(61)))).toMatch(/at most 60 characters/);
    expect(refused(one, cartCommands.createList('gifts'))).toBe('You already have a list called "Gifts". Choose another name.');
    expect(refused(one, cartCommands.createList('CART'))).toBe('You already have a list called "Cart". Choose another name.');
    expect(refused(one, cartCommands.createList('saved for later'))).toMatch(/Saved for later/);
    const cafe = run(one, cartCommands.createList('Café'), 'a2');
    expect(refused(cafe, cartCommands.createList('cafe'))).toMatch(/"Café"/);
    expect(() => run(one, cartCommands.createList('x'.repeat(60)))).not.toThrow();
  });

  it('renames a list; Cart and Saved for later cannot be renamed or deleted, nor a list renamed into a clash', () => {
    let state = run(loaded, cartCommands.createList('Gifts'), 'a1');
    state = run(state, cartCommands.createList('Garden'), 'a2');
    state = run(state, cartCommands.renameList('list-a1', 'Birthday gifts'));
    expect(names(state)).toEqual(['Cart', 'Saved for later', 'Birthday gifts', 'Garden']);
    expect(refused(state, cartCommands.renameList('list-a1', 'garden'))).toMatch(/already have a list called "Garden"/);
    expect(refused(state, cartCommands.renameList('cart', 'Basket'))).toBe('Cart and Saved for later cannot be renamed.');
    expect(refused(state, cartCommands.deleteList('saved'))).toBe('Cart and Saved for later cannot be deleted.');
    expect(refused(state, cartCommands.renameList('list-gone', 'X'))).toMatch(/no longer exists/);
    // Renaming to its own name in other case is allowed.
    expect(names(run(state, cartCommands.renameList('list-a2', 'GARDEN')))).toContain('GARDEN');
  });

  it('reorders a list to a position among one\'s own lists, writing only the records whose place changed', () => {
    let state = loaded;
    for (const [id, name] of [['a', 'One'], ['b', 'Two'], ['c', 'Three']] as const) state = run(state, cartCommands.createList(name), id);
    const before = state;
    state = run(state, cartCommands.reorderList('list-c', 0));
    expect(names(state).slice(2)).toEqual(['Three', 'One', 'Two']);
    expect(changedItems(before, state).map((record) => record.id).sort()).toEqual(['list-a', 'list-b', 'list-c']);
    const down = run(state, cartCommands.reorderList('list-three-missing'.replace('-three-missing', '-a'), 99));
    expect(names(down).slice(2)).toEqual(['Three', 'Two', 'One']);
    expect(refused(state, cartCommands.reorderList('list-a', -1))).toMatch(/not a place/);
  });

  it('deleting a list shows its items under Cart at once; bringing it back returns exactly them', () => {
    let state = run(loaded, cartCommands.createList('Garden'), 'g');
    state = run(state, cartCommands.add(product({ url: 'https://shop.example/rake', title: 'Rake' }), { listId: 'list-g' }), 'rake');
    state = run(state, cartCommands.add(product({ url: 'https://shop.example/mug', title: 'Mug' })), 'mug');
    expect(queryCart(state, { listId: 'list-g' }).items.map((item) => item.title)).toEqual(['Rake']);
    const before = state;
    state = run(state, cartCommands.deleteList('list-g'));
    expect(changedItems(before, state)).toHaveLength(1); // the list record only: one small write
    expect(names(state)).toEqual(['Cart', 'Saved for later']);
    expect(queryCart(state, { listId: 'cart' }).items.map((item) => item.title).sort()).toEqual(['Mug', 'Rake']);
    expect(selectItems(state, 'cart')).toHaveLength(2);
    expect(selectDeletedListItems(state)).toEqual([{ listId: 'list-g', name: 'Garden', ids: ['rake'] }]);
    // "Keep in Cart" moves them there for good.
    const kept = run(state, cartCommands.moveMany(['rake'], 'cart'));
    expect(selectDeletedListItems(kept)).toEqual([]);
    expect(names(run(kept, cartCommands.restoreList('list-g')))).toContain('Garden');
    expect(queryCart(run(kept, cartCommands.restoreList('list-g')), { listId: 'list-g' }).items).toEqual([]);
    state = run(state, cartCommands.restoreList('list-g'));
    expect(selectDeletedListItems(state)).toEqual([]);
    expect(names(state)).toEqual(['Cart', 'Saved for later', 'Garden']);
    expect(queryCart(state, { listId: 'list-g' }).items.map((item) => item.title)).toEqual(['Rake']);
    expect(queryCart(state, { listId: 'cart' }).items.map((item) => item.title)).toEqual(['Mug']);
  });

  it('an item of a list this device does not know yet shows under Cart until the list arrives', () => {
    const item = { ...run(loaded, cartCommands.add(product({ title: 'Rake' })), 'rake').items.rake!, listId: 'list-far' };
    const state = cartReducer(loaded, { type: 'sync/received', docs: [item] });
    expect(queryCart(state, { listId: 'cart' }).items.map((found) => found.id)).toEqual(['rake']);
    const record = changedItems(loaded, run(loaded, cartCommands.createList('Garden'), 'far'))[0]!;
    const arrived = cartReducer(state, { type: 'sync/received', docs: [record] });
    expect(queryCart(arrived, { listId: 'cart' }).items).toEqual([]);
    expect(queryCart(arrived, { listId: 'list-far' }).items.map((found) => found.id)).toEqual(['rake']);
  });

  it('copies selected items into another list as new lines, leaving the originals and lines already there', () => {
    let state = run(loaded, cartCommands.createList('Gifts'), 'g');
    state = run(state, cartCommands.add(product({ url: 'https://shop.example/a', title: 'A' })), 'a');
    state = run(state, cartCommands.add(product({ url: 'https://shop.example/b', title: 'B' }), { quantity: 3 }), 'b');
    state = run(state, cartCommands.add(product({ url: 'https://shop.example/b', title: 'B' }), { listId: 'list-g' }), 'bg');
    state = run(state, cartCommands.setNote('a', 'blue one'));
    state = run(state, cartCommands.copyMany(['a', 'b'], 'list-g'), 'copy');
    expect(queryCart(state, { listId: 'list-g' }).items.map((item) => [item.title, item.quantity, item.note])).toEqual([['B', 1, ''], ['A', 1, 'blue one']]);
    expect(queryCart(state, { listId: 'cart' }).items.map((item) => item.title)).toEqual(['A', 'B']);
    expect(state.items['copy-0']).toMatchObject({ listId: 'list-g', title: 'A' });
    expect(refused(state, cartCommands.copyMany(['a'], 'list-nope'))).toBe('That list does not exist.');
  });

  it('export carries the lists; import into another cart creates them, or uses a list of the same name', () => {
    let state = run(loaded, cartCommands.createList('Garden'), 'g');
    state = run(state, cartCommands.add(product({ url: 'https://shop.example/rake', title: 'Rake' }), { listId: 'list-g' }), 'rake');
    const file = parseCartExport(exportJson(state, 5));
    expect(file.lists.map((list) => list.name)).toEqual(['Garden']); // its own lists: Cart and Saved for later are everywhere

    const plan = planImport(loaded, file.items, file.lists);
    expect(plan.added).toEqual(['rake']);
    const fresh = run(loaded, plan.command);
    expect(names(fresh)).toEqual(['Cart', 'Saved for later', 'Garden']);
    expect(queryCart(fresh, { listId: 'list-g' }).items.map((item) => item.title)).toEqual(['Rake']);
    // Twice: nothing more, no second list.
    const again = run(fresh, planImport(fresh, file.items, file.lists).command);
    expect(names(again)).toEqual(names(fresh));
    expect(selectItems(again)).toHaveLength(1);

    // A cart with its own "garden" list (another id): the import uses it.
    const other = run(loaded, cartCommands.createList('garden'), 'mine');
    const into = run(other, planImport(other, file.items, file.lists).command);
    expect(names(into)).toEqual(['Cart', 'Saved for later', 'garden']);
    expect(queryCart(into, { listId: 'list-mine' }).items.map((item) => item.title)).toEqual(['Rake']);
  });

  it('merges two devices\' changes to a list by the item rules: later rename wins; a delete meets a rename and the list stays, with a notice', () => {
    const created = run(loaded, cartCommands.createList('Holiday'), 'h');
    const base = stampChange(null, created.listRecords['list-h']!, stampAt(at, 'laptop'));
    const renamedOn = (device: string, name: string, when: number) =>
      stampChange(base, { ...base, title: name, updatedAt: when, updatedBy: device }, stampAt(when, device));
    const laptop = renamedOn('laptop', 'Summer holiday', at + 10);
    const phone = renamedOn('phone', 'Ski trip', at + 20);
    expect(mergeItem(base, laptop, phone).merged.title).toBe('Ski trip');
    expect(mergeItem(base, phone, laptop).merged.title).toBe('Ski trip');

    const deleted = stampChange(base, { ...base, deleted: true, updatedAt: at + 30, updatedBy: 'phone' }, stampAt(at + 30, 'phone'));
    const { merged, conflicts } = mergeItem(base, laptop, deleted);
    expect(merged).toMatchObject({ title: 'Summer holiday', deleted: false });
    expect(conflicts.map((conflict) => [conflict.kind, conflict.title])).toEqual([['delete-vs-edit', 'Summer holiday']]);
    const state = cartReducer(loaded, { type: 'sync/received', docs: [merged] });
    expect(names(state)).toEqual(['Cart', 'Saved for later', 'Summer holiday']);
    // The notice names the list, and its button deletes the list after all.
    const log = conflictLogReducer(initialConflictLog, conflictLogActions.recorded(conflicts, 0));
    expect(noticeViews(log, 'laptop', 'this computer', { phone: 'Phone' })[0]).toMatchObject({
      text: 'The list "Summer holiday" was deleted on Phone while this computer changed it, so it was kept.',
      overrideLabel: 'Delete the list after all',
    });
    const notice = log.notices[0]!;
    expect(overrideNotice(notice, stampAt(at + 40, 'laptop'), at + 40).override.command).toEqual(cartCommands.deleteList('list-h'));
  });

  it('a CSV names lists by name: a known one is used, a new one is created once, a bad one puts the item in Cart', () => {
    let state = run(loaded, cartCommands.createList('Garden'), 'g');
    state = run(state, cartCommands.createList('Gifts'), 'gi');
    state = run(state, cartCommands.add(product({ url: 'https://shop.example/rake', title: 'Rake' }), { listId: 'list-g' }), 'rake');
    state = run(state, cartCommands.add(product({ url: 'https://shop.example/scarf', title: 'Scarf' }), { listId: 'list-gi' }), 'scarf');
    const csv = exportCsv(state);
    const other = run(loaded, cartCommands.createList('GARDEN'), 'mine');
    let ids = 0;
    const file = readCartCsv(csv, () => `id${(ids += 1)}`, other.lists);
    expect(file.lists.map((list) => list.name)).toEqual(['Gifts']);
    const into = run(other, planImport(other, file.items, file.lists).command);
    expect(names(into)).toEqual(['Cart', 'Saved for later', 'GARDEN', 'Gifts']);
    expect(titlesOf(into, 'GARDEN')).toEqual(['Rake']);
    expect(titlesOf(into, 'Gifts')).toEqual(['Scarf']);
    // The same CSV again: no new list, nothing added.
    const again = readCartCsv(csv, () => `id${(ids += 1)}`, into.lists);
    expect(again.lists).toEqual([]);
    expect(planImport(into, again.items, again.lists).added).toEqual([]);
    // A list name over 60 characters: the item comes into Cart.
    const long = readCartCsv(`Name,Link,List\nLamp,https://a.example/x,${'x'.repeat(61)}\n`, () => 'lamp', loaded.lists);
    expect([long.lists, long.items[0]?.listId]).toEqual([[], 'cart']);
  });

  it('keeps at most 100 lists, Cart and Saved for later included', () => {
    let state = loaded;
    for (let i = 0; i < 98; i += 1) state = run(state, cartCommands.createList(`List ${i}`), `l${i}`);
    expect(state.lists).toHaveLength(100);
    expect(refused(state, cartCommands.createList('One more'))).toMatch(/at most 100 lists/);
  });
});
