/** Shared test helpers for core unit tests (a fixed clock and product factory; no mocks). */
import type { ActionMeta } from '../cart/cart-actions.ts';
import type { ProductInput } from '../cart/cart-types.ts';
import type { Clock } from '../ports.ts';

export function product(overrides: Partial<ProductInput> = {}): ProductInput {
  return {
    url: 'https://shop.example/p/red-kettle',
    title: 'Red kettle',
    priceMinor: 2999,
    currency: 'EUR',
    imageUrl: 'https://shop.example/img/kettle.jpg',
    variant: null,
    shop: 'shop.example',
    ...overrides,
  };
}

export class ManualClock implements Clock {
  constructor(public time = Date.UTC(2026, 10, 1, 12, 0, 0)) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

let counter = 0;
export function meta(overrides: Partial<ActionMeta> = {}): ActionMeta {
  counter += 1;
  return { at: 1_000 + counter, device: 'device-a', newId: `item-${counter}`, ...overrides };
}
