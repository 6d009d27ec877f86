/**
 * A guard against accidental quadratic work, not a benchmark (that lives under bench/): a 1000-item
 * cart with 30 days of history (20 000 changes) rebuilt and restored 29 days back, with a generous bound.
 */
import { describe, expect, it } from 'vitest';
import { cartAt } from './cart-at.ts';
import { planRestore } from './restore.ts';
import { largeHistory } from './test/large-history.ts';
import { DAY } from './test/recording-cart.ts';

describe('history at scale', () => {
  it('rebuilds and restores a 1000-item cart 29 days back in well under 2 s', () => {
    const { docs, entries, clock, now } = largeHistory();
    expect(entries.length).toBe(20_000);
    const started = performance.now();
    const then = cartAt(entries, now - 29 * DAY);
    const plan = planRestore(docs, entries, now - 29 * DAY, { at: now, clock });
    const elapsed = performance.now() - started;
    expect(Object.keys(then).length).toBe(1000);
    expect(plan.writes.length).toBeGreaterThan(500);
    expect(elapsed).toBeLessThan(2000);
  });
});
