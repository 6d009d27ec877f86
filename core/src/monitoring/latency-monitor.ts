/**
 * How long this device's cart operations take (docs/analytics.md, "Monitoring"): each operation's times
 * go into an HDR histogram (hdr-histogram-js, the port of Gil Tene's HdrHistogram), one since this start
 * and one per day, so the Diagnostics panel can say p50, p95, p99 and the slowest, and the daily
 * aggregates can carry each day's histograms in the library's compressed encoding.
 *
 * What is timed:
 * - a cart command, from `dispatch` until its write is committed on this device, by group (add, edit,
 *   move, remove, bulk, list, import);
 * - the cart's load at start (database opened and read);
 * - the sync round trip: a local write until the replication says the server took it;
 * - a capture (a shop page read into a product), as the extension reports it.
 *
 * Recording allocates nothing: a histogram's counts are one fixed array, made on an operation's first
 * time of the day. A time is kept in microseconds with two significant digits (1 % resolution) up to
 * 10 minutes; a longer one counts as 10 minutes. Nothing about what was done is kept: no ids, titles,
 * shops or prices, only how long.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

export const TIMED_OPERATIONS = Object.freeze(['add', 'edit', 'move', 'remove', 'bulk', 'list', 'import', 'load', 'sync', 'capture'] as const);
export type TimedOperation = (typeof TIMED_OPERATIONS)[number];

/** The longest time kept: 10 minutes, in microseconds. */
export const MAX_LATENCY_US = 600_000_000;
/** One operation's histogram of one day is sent only up to this length of its encoding (the server's bound). */
export const MAX_LATENCY_CHARS = 2048;
/** Days kept for sending at most (today and the days before it not sent yet). */
export const LATENCY_DAYS_KEPT = 8;

/** A high-resolution, monotonic time in milliseconds (`performance.now()`); tests pass their own. */
export interface Stopwatch {
  now(): number;
}
export const systemStopwatch: Stopwatch = { now: () => globalThis.performance.now() };

/** One operation's figures, in milliseconds. */
export interface LatencyFigures {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface LatencyReport {
  /** When this start began (ms since the epoch). */
  readonly since: number;
  /** Today (UTC, by this device's clock): YYYY-MM-DD. */
  readonly today: string;
  /** Per operation: since this start, and today (including earlier starts' times sent or kept for today). */
  readonly operations: readonly { readonly operation: TimedOperation; readonly sinceStart: LatencyFigures | null; readonly today: LatencyFigures | null }[];
}

/** One day's histograms as they travel: per operation timed that day, the compressed base64 encoding. */
export interface DayLatency {
  readonly day: string;
  readonly latency: Readonly<Partial<Record<TimedOperation, string>>>;
}

export interface LatencyMonitor {
  readonly stopwatch: Stopwatch;
  /** Records the time from `startedAt` (a `stopwatch.now()`) until now. */
  record(operation: TimedOperation, startedAt: number): void;
  /** Records a time measured elsewhere (the extension's capture), in milliseconds. */
  recordMs(operation: TimedOperation, ms: number): void;
  /** A local write of a document started at `startedAt`: its sync round trip ends when `synced(id)` says the server took it. */
  written(id: string, startedAt: number): void;
  /** The server took the document: its round trip is recorded (once, for the oldest write not yet confirmed). */
  synced(id: string): void;
  report(): LatencyReport;
  /** Every day kept, oldest first, encoded (what the daily aggregates carry). */
  days(): DayLatency[];
  /** Adds an earlier start's histograms of a day (kept by the shell between starts), so a day's figures survive a restart. */
  restore(days: readonly DayLatency[]): void;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Writes waiting for the server at most: past it the oldest are no longer timed (a long offline spell). */
const MAX_PENDING = 5_000;

export function newLatencyHistogram(): Histogram {
  return build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: MAX_LATENCY_US, numberOfSignificantValueDigits: 2, autoResize: false });
}

/** A histogram from its encoding; a ToteError-free null when it is not one this monitor could have made. */
export function decodeLatency(encoded: string): Histogram | null {
  try {
    const histogram = decodeFromCompressedBase64(encoded, 32, false);
    if (histogram.maxValue > MAX_LATENCY_US) return null;
    const bounded = newLatencyHistogram();
    bounded.add(histogram);
    return bounded;
  } catch {
    return null;
  }
}

export const encodeLatency = (histogram: Histogram): string => encodeIntoCompressedBase64(histogram);

const us = (value: number) => Math.round(value) / 1000;
export function figuresOf(histogram: Histogram | undefined): LatencyFigures | null {
  if (!histogram || histogram.totalCount === 0) return null;
  // A percentile is the top of its bucket (1 % wide): never shown above the slowest time itself.
  const max = histogram.maxValue;
  const at = (percentile: number) => us(Math.min(max, histogram.getValueAtPercentile(percentile)));
  return { count: histogram.totalCount, p50: at(50), p95: at(95), p99: at(99), max: us(max) };
}

/**
 * `clock` tells the day (the Clock port's shape, ms since the epoch); `stopwatch` times. This file imports
 * nothing else of the core: the sync server reads the same histograms with it (`@tote/core/latency-monitor`).
 */
export function createLatencyMonitor({ clock = { now: () => Date.now() }, stopwatch = systemStopwatch }: { clock?: { now(): number }; stopwatch?: Stopwatch } = {}): LatencyMonitor {
  const since = clock.now();
  const sinceStart = new Map<TimedOperation, Histogram>();
  const byDay = new Map<string, Map<TimedOperation, Histogram>>();
  // The day is worked out again only when the clock passes its end (no Date per recording).
  let day = '';
  let dayEnd = -Infinity;
  let today = new Map<TimedOperation, Histogram>();
  const pending = new Map<string, number>();

  const dayMap = (name: string) => {
    let map = byDay.get(name);
    if (!map) {
      byDay.set(name, map = new Map());
      for (const old of [...byDay.keys()].sort().slice(0, -LATENCY_DAYS_KEPT)) byDay.delete(old);
    }
    return map;
  };
  const histogramIn = (map: Map<TimedOperation, Histogram>, operation: TimedOperation) => {
    let histogram = map.get(operation);
    if (!histogram) map.set(operation, histogram = newLatencyHistogram());
    return histogram;
  };
  const todayMap = () => {
    const now = clock.now();
    if (now >= dayEnd || now < dayEnd - DAY_MS) {
      day = new Date(now).toISOString().slice(0, 10);
      dayEnd = Date.parse(`${day}T00:00:00Z`) + DAY_MS;
      today = dayMap(day);
    }
    return today;
  };

  const recordUs = (operation: TimedOperation, micros: number) => {
    const value = Math.min(MAX_LATENCY_US, Math.max(1, Math.round(micros)));
    histogramIn(sinceStart, operation).recordValue(value);
    histogramIn(todayMap(), operation).recordValue(value);
  };

  return {
    stopwatch,
    record(operation, startedAt) {
      recordUs(operation, (stopwatch.now() - startedAt) * 1000);
    },
    recordMs(operation, ms) {
      if (Number.isFinite(ms) && ms >= 0) recordUs(operation, ms * 1000);
    },
    written(id, startedAt) {
      if (pending.has(id)) return; // the first write not yet confirmed is the one timed
      if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
      pending.set(id, startedAt);
    },
    synced(id) {
      const startedAt = pending.get(id);
      if (startedAt === undefined) return;
      pending.delete(id);
      recordUs('sync', (stopwatch.now() - startedAt) * 1000);
    },
    report() {
      const todays = todayMap();
      return {
        since, today: day,
        operations: TIMED_OPERATIONS.map((operation) => ({ operation, sinceStart: figuresOf(sinceStart.get(operation)), today: figuresOf(todays.get(operation)) })),
      };
    },
    days() {
      todayMap();
      return [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, map]) => ({
        day: name,
        latency: Object.fromEntries([...map.entries()].filter(([, h]) => h.totalCount > 0).map(([operation, h]) => [operation, encodeLatency(h)])),
      }));
    },
    restore(days) {
      for (const { day: name, latency } of days) {
        for (const [operation, encoded] of Object.entries(latency)) {
          if (!(TIMED_OPERATIONS as readonly string[]).includes(operation) || typeof encoded !== 'string') continue;
          const histogram = decodeLatency(encoded);
          if (histogram) histogramIn(dayMap(name), operation as TimedOperation).add(histogram);
        }
      }
    },
  };
}

/** Milliseconds as a support person reads them: "0.42 ms", "12 ms", "1.3 s". */
export function durationText(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export const OPERATION_NAMES: Readonly<Record<TimedOperation, string>> = Object.freeze({
  add: 'Add an item', edit: 'Change an item', move: 'Move an item', remove: 'Remove an item', bulk: 'Change several items',
  list: 'Change a list', import: 'Import items', load: 'Open the cart', sync: 'Reach the sync server', capture: 'Read a shop page',
});

/** The plain-text report "Copy for support" copies: times and counts only, no titles, URLs, prices or ids. */
export function supportText(report: LatencyReport): string {
  const line = (figures: LatencyFigures | null) => (figures
    ? `${figures.count}× median ${durationText(figures.p50)}, p95 ${durationText(figures.p95)}, p99 ${durationText(figures.p99)}, slowest ${durationText(figures.max)}`
    : 'not done');
  const lines = [`Tote diagnostics since ${new Date(report.since).toISOString().slice(0, 16).replace('T', ' ')} UTC (today ${report.today})`];
  for (const { operation, sinceStart, today } of report.operations) {
    lines.push(`${OPERATION_NAMES[operation]}: since start ${line(sinceStart)}; today ${line(today)}`);
  }
  return `${lines.join('\n')}\n`;
}
