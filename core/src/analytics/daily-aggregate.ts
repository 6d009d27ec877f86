/**
 * A device's day in numbers: what it sends, with the shopper's consent, instead of events. Counts per
 * event kind (the funnel steps are kinds), adds by source, and per shop (by host name only) the adds,
 * checkouts and purchases. No titles, URLs, prices, item ids or times. Spec: docs/analytics.md.
 *
 * A day is a UTC day of the clock of the device that made the change: a device whose clock is wrong
 * files its changes under the wrong day, but never twice. Pure.
 */
import { ADD_SOURCES } from '../cart/cart-actions.ts';
import { decodeLatency, type TimedOperation } from '../monitoring/latency-monitor.ts';
import { EVENT_KINDS, type AddSourceOrUnknown, type AnalyticsEvent, type EventKind } from './analytics-events.ts';

export const AGGREGATE_SOURCES = Object.freeze([...ADD_SOURCES, 'unknown'] as const);
/** What is counted per shop. */
export const SHOP_COUNTS = Object.freeze(['added', 'checkout', 'bought'] as const satisfies readonly EventKind[]);
export type ShopCount = (typeof SHOP_COUNTS)[number];
/** Shops per device and day at most: past it, the shops with the fewest events are left out (counts stay whole). */
export const MAX_SHOPS_PER_DAY = 50;

export interface DailyAggregate {
  /** YYYY-MM-DD (UTC). */
  readonly day: string;
  readonly counts: Readonly<Record<EventKind, number>>;
  readonly sources: Readonly<Record<AddSourceOrUnknown, number>>;
  /** By shop host name ("www." left out). */
  readonly shops: Readonly<Record<string, Readonly<Record<ShopCount, number>>>>;
  /** How long this device's cart operations took that day: per operation timed, an encoded HDR histogram (latency-monitor.ts). */
  readonly latency?: Readonly<Partial<Record<TimedOperation, string>>>;
}

/** A day with nothing counted (a day whose only figures are operation times). */
export function emptyAggregate(day: string): DailyAggregate {
  return Object.freeze({ day, counts: Object.freeze(zeros(EVENT_KINDS)), sources: Object.freeze(zeros(AGGREGATE_SOURCES)), shops: Object.freeze({}) });
}

export function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The host name a shop is counted under: lower case, without "www.". */
export function shopDomain(shop: string): string {
  return shop.toLowerCase().replace(/^www\./, '').replace(/\.$/, '');
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;

/** The events `device` made, one aggregate per day that has any, oldest day first. */
export function dailyAggregates(events: readonly AnalyticsEvent[], device: string): DailyAggregate[] {
  const days = new Map<string, { counts: Record<EventKind, number>; sources: Record<AddSourceOrUnknown, number>; shops: Map<string, Record<ShopCount, number>> }>();
  const seen = new Set<string>();
  for (const found of events) {
    if (found.device !== device || seen.has(found.id)) continue;
    seen.add(found.id);
    const day = dayOf(found.at);
    let entry = days.get(day);
    if (!entry) days.set(day, entry = { counts: zeros(EVENT_KINDS), sources: zeros(AGGREGATE_SOURCES), shops: new Map() });
    entry.counts[found.kind] += 1;
    if (found.kind === 'added') entry.sources[found.source ?? 'unknown'] += 1;
    if ((SHOP_COUNTS as readonly string[]).includes(found.kind)) {
      const domain = shopDomain(found.shop);
      let shop = entry.shops.get(domain);
      if (!shop) entry.shops.set(domain, shop = zeros(SHOP_COUNTS));
      shop[found.kind as ShopCount] += 1;
    }
  }
  return [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, { counts, sources, shops }]) => {
    const busiest = [...shops.entries()]
      .sort(([a, x], [b, y]) => (y.added + y.checkout + y.bought) - (x.added + x.checkout + x.bought) || (a < b ? -1 : 1))
      .slice(0, MAX_SHOPS_PER_DAY);
    return Object.freeze({ day, counts: Object.freeze(counts), sources: Object.freeze(sources), shops: Object.freeze(Object.fromEntries(busiest)) });
  });
}

/** Two aggregates of one device and day as one: each count the larger (a count of a day never goes down). */
export function mergeAggregates(a: DailyAggregate, b: DailyAggregate): DailyAggregate {
  const max = <K extends string>(x: Readonly<Record<K, number>>, y: Readonly<Record<K, number>>): Record<K, number> => {
    const out = { ...x } as Record<K, number>;
    for (const key of Object.keys(y) as K[]) out[key] = Math.max(out[key] ?? 0, y[key]);
    return out;
  };
  const shops: Record<string, Record<ShopCount, number>> = {};
  for (const domain of new Set([...Object.keys(a.shops), ...Object.keys(b.shops)])) {
    shops[domain] = max(a.shops[domain] ?? zeros(SHOP_COUNTS), b.shops[domain] ?? zeros(SHOP_COUNTS));
  }
  // A day's histogram of one operation only grows: the one with more times is the later one.
  const latency: Partial<Record<TimedOperation, string>> = { ...a.latency };
  for (const [operation, encoded] of Object.entries(b.latency ?? {}) as [TimedOperation, string][]) {
    const before = latency[operation];
    if (!before || (decodeLatency(encoded)?.totalCount ?? 0) >= (decodeLatency(before)?.totalCount ?? 0)) latency[operation] = encoded;
  }
  return Object.freeze({
    day: a.day, counts: max(a.counts, b.counts), sources: max(a.sources, b.sources), shops,
    ...(Object.keys(latency).length > 0 ? { latency: Object.freeze(latency) } : {}),
  });
}

/** Whether two aggregates say the same. */
export function sameAggregate(a: DailyAggregate, b: DailyAggregate): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(aggregate: DailyAggregate): unknown {
  const sorted = (record: Readonly<Record<string, unknown>>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    day: aggregate.day, counts: sorted(aggregate.counts), sources: sorted(aggregate.sources),
    shops: Object.fromEntries(Object.entries(aggregate.shops).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sorted(v)])),
    latency: sorted(aggregate.latency ?? {}),
  };
}
