import { describe, expect, it } from 'vitest';
import { createLatencyMonitor, decodeLatency } from '@tote/core/latency-monitor';
import { GatewayError } from './errors.ts';
import { checkBatch, K_ANONYMITY, mergeStored, summarise, summaryCsv, type StoredAggregate } from './analytics-routes.ts';

const TODAY = Date.UTC(2026, 11, 2, 12);
const day = (overrides: Record<string, unknown> = {}) => ({ day: '2026-12-02', counts: { added: 2, bought: 1 }, sources: { page: 2 }, shops: { 'shop.example': { added: 2, bought: 1 } }, ...overrides });

function stored(shopper: string, device: string, shops: Record<string, number>, dayName = '2026-12-02'): StoredAggregate {
  const batch = checkBatch({ device, days: [day({ day: dayName, shops: Object.fromEntries(Object.entries(shops).map(([shop, added]) => [shop, { added }])) })] }, TODAY);
  return { _id: `${dayName}:${shopper}:${device}`, shopper, device, ...batch.days[0]! };
}

describe('checkBatch', () => {
  it('takes a well-formed batch, missing counts as 0', () => {
    const { days } = checkBatch({ device: 'laptop', days: [day()] }, TODAY);
    expect(days[0]!.counts).toMatchObject({ added: 2, bought: 1, removed: 0 });
    expect(days[0]!.sources).toMatchObject({ page: 2, popup: 0 });
  });

  it.each([
    [{ device: 'laptop', days: [day({ url: 'https://shop.example/p/1' })] }, 'days[0].url'],
    [{ device: 'laptop', days: [day({ counts: { added: -1 } })] }, 'days[0].counts.added'],
    [{ device: 'laptop', days: [day({ shops: { 'Shop Example': { added: 1 } } })] }, 'days[0].shops'],
    [{ device: 'laptop', days: [day({ day: '2027-01-01' })] }, 'days[0].day'],
    [{ device: 'laptop', days: [day(), day()] }, 'days'],
    [{ device: 'lap top', days: [day()] }, 'device'],
    [{ device: 'laptop', days: [] }, 'days'],
  ])('refuses %j naming %s', (body, field) => {
    let caught: unknown;
    try {
      checkBatch(body, TODAY);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).status).toBe(400);
    expect((caught as GatewayError).reason).toContain(field);
  });
});

describe('summarise', () => {
  it('shows a shop only with events from at least K_ANONYMITY distinct shoppers; devices of one shopper count once', () => {
    const docs = [
      ...Array.from({ length: K_ANONYMITY }, (_, i) => stored(`s${i}`, 'd', { 'popular.example': 1, ...(i < K_ANONYMITY - 1 ? { 'rare.example': 1 } : {}) })),
      stored('s0', 'other-device', { 'rare.example': 3 }),
    ];
    const summary = summarise(docs, '2026-12-01', '2026-12-02');
    expect(summary.topShops.map((shop) => [shop.shop, shop.shoppers, shop.added])).toEqual([['popular.example', K_ANONYMITY, K_ANONYMITY]]);
    expect(summary.active).toEqual({ devices: K_ANONYMITY + 1, shoppers: K_ANONYMITY });
    expect(summary.abandonment).toEqual({ after7Days: 0, after30Days: 0 });
    expect(summaryCsv(summary)).not.toContain('rare.example');
  });

  it('a resend merges count by count: never twice, never less', () => {
    const first = stored('s', 'd', { 'shop.example': 2 });
    const again = mergeStored(first, first);
    expect(again.counts).toEqual(first.counts);
    const partial = { ...first, counts: { ...first.counts, added: 1, removed: 3 } };
    expect(mergeStored(first, partial).counts).toMatchObject({ added: 2, removed: 3 });
  });
});

describe('operation times (latency)', () => {
  const times = (...ms: number[]) => {
    const monitor = createLatencyMonitor({ clock: { now: () => TODAY } });
    for (const each of ms) monitor.recordMs('add', each);
    return monitor.days()[0]!.latency.add!;
  };

  it('takes known operations as encoded histograms and refuses anything else whole', () => {
    const { days } = checkBatch({ device: 'laptop', days: [day({ latency: { add: times(5, 10, 20) } })] }, TODAY);
    expect(decodeLatency(days[0]!.latency!.add!)!.totalCount).toBe(3);
    for (const [latency, field] of [
      [{ title: times(5) }, 'days[0].latency.title'],
      [{ add: 'https://shop.example/p/1' }, 'days[0].latency.add'],
      [{ add: 'AAAA' }, 'days[0].latency.add'],
      [{ add: 'A'.repeat(3000) }, 'days[0].latency.add'],
      [{ add: 12 }, 'days[0].latency.add'],
      ['fast', 'days[0].latency'],
    ] as const) {
      let caught: unknown;
      try {
        checkBatch({ device: 'laptop', days: [day({ latency })] }, TODAY);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(GatewayError);
      expect((caught as GatewayError).reason).toContain(field);
    }
  });

  it('a resend of a day does not double its times; a later send of the day replaces it; devices add up', () => {
    const first = { ...stored('s', 'd', { 'shop.example': 1 }), latency: { add: times(10, 20) } };
    const again = mergeStored(first, first);
    expect(decodeLatency(again.latency!.add!)!.totalCount).toBe(2);
    const later = mergeStored(first, { ...first, latency: { add: times(10, 20, 400) } });
    expect(decodeLatency(later.latency!.add!)!.totalCount).toBe(3);
    // An older, smaller send arriving late does not take the day back.
    expect(decodeLatency(mergeStored({ ...first, ...later }, first).latency!.add!)!.totalCount).toBe(3);

    const other = { ...stored('t', 'e', { 'shop.example': 1 }), latency: { add: times(30, 40, 50, 60, 70) } };
    const summary = summarise([{ ...first, ...later }, other], '2026-12-01', '2026-12-02');
    const add = summary.latency.find((row) => row.operation === 'add')!.figures!;
    expect(add.count).toBe(8);
    expect(add.max).toBeCloseTo(400, -1);
    expect(add.p50).toBeGreaterThanOrEqual(30);
    expect(add.p50).toBeLessThanOrEqual(40.5);
    expect(summary.latency.find((row) => row.operation === 'sync')!.figures).toBeNull();
    expect(summaryCsv(summary)).toMatch(/latency:add,count,8/);
  });
});
