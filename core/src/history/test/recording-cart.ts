/**
 * A cart that records its history as the store will: each command goes through the real cart reducer
 * with a controllable clock, every item it changed is stamped with the device's hybrid logical clock
 * (`stampChange`, as the store writes it) and `entriesForWrite` records the change. After each change
 * it keeps the documents as they stood, so a test can ask what the cart was at any moment. No mocks.
 */
import { cartCommands, stamp, type CartCommand } from '../../cart/cart-actions.ts';
import { cartReducer, changedItems } from '../../cart/cart-reducer.ts';
import { initialCartState, type CartState } from '../../cart/cart-types.ts';
import { createHlc, maxHlc, tick, type Hlc } from '../../merge/hlc.ts';
import { stampChange, type ClockedItem } from '../../merge/item-clocks.ts';
import type { ClockedItems } from '../cart-at.ts';
import { entriesForWrite, type HistoryEntry } from '../history-entry.ts';
import type { RestorePlan } from '../restore.ts';
import { product } from '../../test/fixtures.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

export class RecordingCart {
  state: CartState = Object.freeze({ ...initialCartState, loaded: true });
  docs: ClockedItems = Object.freeze({});
  readonly entries: HistoryEntry[] = [];
  clock: Hlc;
  /** The documents after each change, with the time of the change (ascending). */
  readonly timeline: { readonly at: number; readonly docs: ClockedItems }[] = [];
  private ids = 0;

  constructor(readonly device = 'laptop', public time = T0) {
    this.clock = createHlc(device);
  }

  /** Runs a command now; returns how many items it changed. */
  dispatch(command: CartCommand): number {
    this.ids += 1;
    const action = stamp(command, { at: this.time, device: this.device, newId: `${this.device}-item-${this.ids}` });
    const before = this.state;
    const after = cartReducer(before, action);
    const written = changedItems(before, after);
    this.state = after;
    if (written.length === 0) return 0;
    const stored: ClockedItem[] = [];
    this.clock = tick(this.clock, this.time);
    const docs: Record<string, ClockedItem> = { ...this.docs };
    for (const item of written) {
      const previous = this.docs[item.id] ?? null;
      const doc = stampChange(previous, item, this.clock);
      docs[item.id] = doc;
      stored.push(doc);
      this.entries.push(...entriesForWrite(previous, doc));
    }
    // As in the store, what was written flows back into the state (cart-store.ts).
    this.state = cartReducer(this.state, { type: 'sync/received', docs: stored });
    this.commit(docs);
    return written.length;
  }

  /** Writes a restore's documents in one write, as the store will. */
  applyRestore(plan: RestorePlan): void {
    this.clock = maxHlc(this.clock, plan.stamp);
    const docs: Record<string, ClockedItem> = { ...this.docs };
    for (const doc of plan.writes) docs[doc.id] = doc;
    this.entries.push(...plan.entries);
    this.state = cartReducer(this.state, { type: 'sync/received', docs: plan.writes });
    this.commit(docs);
  }

  /** The documents as they stood at time t (after every change made at or before t). */
  docsAt(t: number): ClockedItems {
    let low = 0;
    let high = this.timeline.length; // first change after t
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.timeline[mid]!.at <= t) low = mid + 1;
      else high = mid;
    }
    return low === 0 ? {} : this.timeline[low - 1]!.docs;
  }

  private commit(docs: Record<string, ClockedItem>): void {
    this.docs = Object.freeze(docs);
    this.timeline.push({ at: this.clock.wall, docs: this.docs });
  }
}

/** What the shopper sees of an item, and its field clocks: every field but the price history and the
 * time and device of the last write (derived, not kept in history). */
export function shopperView(items: ClockedItems): Record<string, Record<string, unknown>> {
  const view: Record<string, Record<string, unknown>> = {};
  for (const [id, item] of Object.entries(items)) {
    const rest: Record<string, unknown> = { ...item };
    delete rest.priceHistory;
    delete rest.updatedAt;
    delete rest.updatedBy;
    view[id] = rest;
  }
  return view;
}

/** Only the items the shopper sees (not removed). */
export function visibleView(items: ClockedItems): Record<string, Record<string, unknown>> {
  const view = shopperView(items);
  for (const id of Object.keys(view)) if (view[id]!.deleted) delete view[id];
  return view;
}

/** A small deterministic random source (mulberry32), so a failing run can be replayed from its seed. */
export function randomSource(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (below: number) => Math.floor(next() * below),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
    chance: (p: number) => next() < p,
  };
}

/** The kettle (quantity 3 on day 1) and the lamp (added on day 2, noted on day 3); the kettle removed on day 3. */
export function kettleAndLamp() {
  const cart = new RecordingCart();
  cart.dispatch(cartCommands.add(product()));
  const kettle = Object.keys(cart.docs)[0]!;
  cart.time += DAY;
  cart.dispatch(cartCommands.setQuantity(kettle, 3));
  cart.time += DAY;
  cart.dispatch(cartCommands.add(product({ url: 'https://shop.example/p/lamp', title: 'Desk lamp' })));
  const lamp = Object.keys(cart.docs).find((id) => id !== kettle)!;
  cart.time += DAY;
  cart.dispatch(cartCommands.remove(kettle));
  cart.dispatch(cartCommands.setNote(lamp, 'for Anna'));
  cart.time += HOUR;
  return { cart, kettle, lamp };
}
