import { describe, expect, it } from 'vitest';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { openCartDatabase } from '../persistence/cart-database.ts';
import { createCartStore } from '../store/cart-store.ts';
import { product } from '../test/fixtures.ts';
import { commandOperation } from './command-operation.ts';
import { createLatencyMonitor, decodeLatency, supportText, type Stopwatch } from './latency-monitor.ts';

const manualStopwatch = () => {
  const watch = { at: 0, now: () => watch.at };
  return watch as Stopwatch & { at: number };
};

describe('latency monitor', () => {
  it('gives each operation its count and percentiles, since start and for today', () => {
    const stopwatch = manualStopwatch();
    const monitor = createLatencyMonitor({ clock: { now: () => Date.parse('2026-12-02T10:00:00Z') }, stopwatch });
    for (let ms = 1; ms <= 100; ms += 1) {
      const started = stopwatch.now();
      stopwatch.at += ms;
      monitor.record('add', started);
    }
    const report = monitor.report();
    expect(report.today).toBe('2026-12-02');
    const add = report.operations.find((entry) => entry.operation === 'add')!;
    expect(add.sinceStart).toEqual(add.today);
    expect(add.sinceStart!.count).toBe(100);
    // Two significant digits: within 1 % of the true percentile.
    expect(add.sinceStart!.p50).toBeCloseTo(50, -0.3);
    expect(add.sinceStart!.p95).toBeGreaterThanOrEqual(94);
    expect(add.sinceStart!.p95).toBeLessThanOrEqual(96);
    expect(add.sinceStart!.p99).toBeGreaterThanOrEqual(98);
    expect(add.sinceStart!.max).toBeCloseTo(100, 0);
    expect(report.operations.find((entry) => entry.operation === 'remove')!.sinceStart).toBeNull();
  });

  it('starts a new day at midnight UTC and keeps the earlier days for sending', () => {
    let now = Date.parse('2026-12-01T23:59:00Z');
    const monitor = createLatencyMonitor({ clock: { now: () => now }, stopwatch: manualStopwatch() });
    monitor.recordMs('load', 120);
    now += 2 * 60_000;
    monitor.recordMs('load', 80);
    monitor.recordMs('sync', 300);
    const report = monitor.report();
    const load = report.operations.find((entry) => entry.operation === 'load')!;
    expect(load.sinceStart!.count).toBe(2);
    expect(load.today!.count).toBe(1);
    const days = monitor.days();
    expect(days.map((day) => day.day)).toEqual(['2026-12-01', '2026-12-02']);
    expect(Object.keys(days[1]!.latency).sort()).toEqual(['load', 'sync']);
    expect(decodeLatency(days[1]!.latency.sync!)!.totalCount).toBe(1);
  });

  it('times a write until the server took it, once, and restores a day kept from an earlier start', () => {
    const stopwatch = manualStopwatch();
    const clock = { now: () => Date.parse('2026-12-02T10:00:00Z') };
    const monitor = createLatencyMonitor({ clock, stopwatch });
    monitor.written('a', 0);
    monitor.written('a', 5); // a second write before the first is confirmed: the first is timed
    stopwatch.at = 40;
    monitor.synced('a');
    monitor.synced('a');
    monitor.synced('unknown');
    const sync = monitor.report().operations.find((entry) => entry.operation === 'sync')!.sinceStart!;
    expect(sync.count).toBe(1);
    expect(sync.max).toBeCloseTo(40, 0);

    const next = createLatencyMonitor({ clock, stopwatch });
    next.restore(monitor.days());
    next.restore([{ day: '2026-12-02', latency: { sync: 'not a histogram', unknown: 'x' } as never }]);
    const after = next.report().operations.find((entry) => entry.operation === 'sync')!;
    expect(after.sinceStart).toBeNull();
    expect(after.today!.count).toBe(1);
  });

  it('groups commands as the panel names them', () => {
    expect(commandOperation('item/add')).toBe('add');
    expect(commandOperation('item/setQuantity')).toBe('edit');
    expect(commandOperation('items/remove')).toBe('bulk');
    expect(commandOperation('list/rename')).toBe('list');
    expect(commandOperation('items/import')).toBe('import');
  });

  it('writes a support report with times and counts only', async () => {
    const monitor = createLatencyMonitor();
    const db = await openCartDatabase({ storage: getRxStorageMemory(), name: 'latency-monitor' });
    const store = createCartStore({ items: db.items, device: { id: 'laptop', name: 'Laptop' }, monitor });
    try {
      const { written } = await store.dispatch({ type: 'item/add', product: product({ url: 'https://shop.example/secret-product', title: 'Secret title', priceMinor: 1234 }) });
      await store.dispatch({ type: 'item/setQuantity', id: written[0]!.id, quantity: 3 });
      const report = monitor.report();
      expect(report.operations.find((entry) => entry.operation === 'add')!.sinceStart!.count).toBe(1);
      expect(report.operations.find((entry) => entry.operation === 'edit')!.sinceStart!.count).toBe(1);
      const text = supportText(report);
      expect(text).toMatch(/Add an item: since start 1× median/);
      expect(text).not.toMatch(/secret|shop\.example|12\.34|1234/i);
      expect(text).not.toContain(written[0]!.id);
    } finally {
      store.close();
      await db.close();
    }
  });
});

describe('latency figures', () => {
  it('never shows a percentile above the slowest time', () => {
    const monitor = createLatencyMonitor();
    monitor.recordMs('sync', 60);
    monitor.recordMs('sync', 294.4);
    const sync = monitor.report().operations.find((entry) => entry.operation === 'sync')!.sinceStart!;
    expect(sync.p99).toBeLessThanOrEqual(sync.max);
    expect(sync.p95).toBeLessThanOrEqual(sync.max);
  });
});
