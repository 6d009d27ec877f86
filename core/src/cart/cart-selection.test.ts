import { describe, expect, it } from 'vitest';
import { cartCommands, stamp, type CartCommand } from './cart-actions.ts';
import { cartReducer } from './cart-reducer.ts';
import { allShownSelected, clickItem, keepShown, NO_SELECTION, toggleAllShown } from './cart-selection.ts';
import { selectItems } from './cart-selectors.ts';
import { initialCartState, type CartState } from './cart-types.ts';
import { meta, product } from '../test/fixtures.ts';

const run = (state: CartState, command: CartCommand, newId?: string) => cartReducer(state, stamp(command, meta(newId ? { newId } : {})));
let state = cartReducer(initialCartState, { type: 'sync/loaded', docs: [] });
for (const id of ['a', 'b', 'c', 'd', 'e']) state = run(state, cartCommands.add(product({ url: `https://shop.example/${id}`, title: id })), id);
const shown = selectItems(state);
const selected = (selection: typeof NO_SELECTION) => [...selection.ids].sort();

describe('selection', () => {
  it('a click selects or unselects one item; shift-click selects the range from the last click', () => {
    let selection = clickItem(NO_SELECTION, 'b', shown);
    expect(selected(selection)).toEqual(['b']);
    selection = clickItem(selection, 'e', shown, true);
    expect(selected(selection)).toEqual(['b', 'c', 'd', 'e']);
    selection = clickItem(selection, 'c', shown, true); // c is selected: the range b..c is unselected
    expect(selected(selection)).toEqual(['d', 'e']);
    selection = clickItem(selection, 'd', shown);
    expect(selected(selection)).toEqual(['e']);
  });

  it('shift-click without an anchor is a plain click', () => {
    expect(selected(clickItem(NO_SELECTION, 'c', shown, true))).toEqual(['c']);
  });

  it('select all takes what is shown; again, none of it', () => {
    const some = shown.slice(1, 3);
    let selection = toggleAllShown(NO_SELECTION, some);
    expect(selected(selection)).toEqual(['b', 'c']);
    expect(allShownSelected(selection, some)).toBe(true);
    expect(allShownSelected(selection, shown)).toBe(false);
    selection = toggleAllShown(selection, some);
    expect(selected(selection)).toEqual([]);
  });

  it('drops items removed or moved away, and keeps the same selection when nothing went', () => {
    const selection = toggleAllShown(NO_SELECTION, shown);
    expect(keepShown(selection, state, 'cart')).toBe(selection);
    let next = run(state, cartCommands.removeMany(['a']));
    next = run(next, cartCommands.moveMany(['b'], 'saved'));
    expect(selected(keepShown(selection, next, 'cart'))).toEqual(['c', 'd', 'e']);
  });
});
