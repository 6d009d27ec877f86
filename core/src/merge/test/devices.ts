/**
 * Devices for merge tests: each has its own (possibly skewed) wall clock and HLC, changes items through
 * the real cart reducer, and stamps the fields it changed, as a device does once field clocks are wired
 * into the store. No mocks.
 */
import { cartCommands, stamp, type CartCommand } from '../../cart/cart-actions.ts';
import { cartReducer } from '../../cart/cart-reducer.ts';
import { initialCartState, type CartState } from '../../cart/cart-types.ts';
import { product } from '../../test/fixtures.ts';
import { createHlc, receive, tick, type Hlc } from '../hlc.ts';
import { latestStamp, stampChange, type ClockedItem } from '../item-clocks.ts';

export const T = Date.UTC(2026, 10, 1, 12, 0, 0);
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;

let ids = 0;

export class Device {
  clock: Hlc;
  /** Real time as this device's clock shows it: `skew` ms off the true time. */
  constructor(readonly id: string, readonly skew = 0) {
    this.clock = createHlc(id);
  }

  /** The device's wall clock at true time `at`. */
  now(at: number): number {
    return at + this.skew;
  }

  /** Adds a new item at true time `at`. */
  add(at: number, overrides: Parameters<typeof product>[0] = {}): ClockedItem {
    ids += 1;
    const state = this.run(initialCartState, cartCommands.add(product(overrides)), at, `item-${ids}`);
    return stampChange(null, Object.values(state.items)[0]!, this.clock);
  }

  /** Applies a cart command to one item at true time `at` and stamps the fields it changed. */
  change(item: ClockedItem, command: CartCommand, at: number): ClockedItem {
    const before: CartState = Object.freeze({ ...initialCartState, loaded: true, items: Object.freeze({ [item.id]: item }) });
    const after = this.run(before, command, at, 'unused');
    const changed = after.items[item.id]!;
    return changed === item ? item : stampChange(item, changed, this.clock);
  }

  /** The device pulls a version of an item: its clock moves past every stamp on it. */
  see(item: ClockedItem, at: number): ClockedItem {
    this.clock = receive(this.clock, latestStamp(item), this.now(at));
    return item;
  }

  private run(state: CartState, command: CartCommand, at: number, newId: string): CartState {
    this.clock = tick(this.clock, this.now(at));
    return cartReducer(state, stamp(command, { at: this.now(at), device: this.id, newId }));
  }
}

/** The item as a version without field clocks wrote it. */
export function withoutFieldClocks(item: ClockedItem): ClockedItem {
  const copy: Record<string, unknown> = { ...item };
  delete copy.fieldClocks;
  return copy as unknown as ClockedItem;
}
