/**
 * The gateway's own metrics as the admin dashboard charts them (`GET /_tote/admin/metrics`, docs/operations.md,
 * "The admin dashboard"): the same registry `/_tote/metrics` exposes to Prometheus, folded into a small JSON
 * answer. Request latency per route kind (all methods and statuses together) with its p50 and p95 read from
 * the histogram's buckets as Prometheus's `histogram_quantile` reads them, live connections, active
 * sessions, errors by kind, limits hit, CouchDB's latency per route kind and the dependencies' state.
 * Labels are route kinds and error kinds, as in the metrics: nothing names a shopper. Pure.
 */

/** prom-client's `registry.getMetricsAsJSON()`, as far as it is read here. */
export interface MetricJson {
  readonly name: string;
  readonly type: string;
  readonly values: readonly { readonly value: number; readonly metricName?: string; readonly labels: Readonly<Record<string, string | number>> }[];
}

export interface LatencyRow {
  readonly route: string;
  readonly count: number;
  /** Answers with a 5xx status. */
  readonly failed: number;
  readonly meanMs: number;
  /** Upper estimates from the buckets (linear within a bucket); null without requests. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
}

export interface MetricsSummary {
  readonly at: number;
  readonly requests: readonly LatencyRow[];
  readonly couch: readonly LatencyRow[];
  readonly liveConnections: number;
  readonly activeSessions: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly rateLimited: Readonly<Record<string, number>>;
  readonly couchErrors: Readonly<Record<string, number>>;
  readonly dependencies: Readonly<Record<string, 'up' | 'down'>>;
  /** The sync lag the server sees (tote_live_notify_lag_seconds): its p95, null before any notice. */
  readonly liveLagP95Ms: number | null;
}

/** A quantile from cumulative buckets `[upper bound, count ≤ bound]`, as `histogram_quantile` computes it. */
export function bucketQuantile(q: number, buckets: readonly (readonly [number, number])[]): number | null {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      // In the +Inf bucket nothing better than the last finite bound can be said.
      if (!Number.isFinite(bound)) return lowerBound;
      return lowerBound + (bound - lowerBound) * ((rank - lowerCount) / Math.max(count - lowerCount, 1));
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}

const find = (metrics: readonly MetricJson[], name: string) => metrics.find((metric) => metric.name === name);
const bound = (le: string | number | undefined) => (le === '+Inf' || le === undefined ? Infinity : Number(le));

/** One row per value of `by`, over every other label; sorted by count, busiest first. */
function latency(metric: MetricJson | undefined, by: string): LatencyRow[] {
  if (!metric) return [];
  const rows = new Map<string, { count: number; sum: number; failed: number; buckets: Map<number, number> }>();
  const row = (key: string) => {
    let found = rows.get(key);
    if (!found) rows.set(key, found = { count: 0, sum: 0, failed: 0, buckets: new Map() });
    return found;
  };
  for (const value of metric.values) {
    const key = String(value.labels[by] ?? '');
    const entry = row(key);
    if (value.metricName?.endsWith('_bucket')) {
      const le = bound(value.labels.le);
      entry.buckets.set(le, (entry.buckets.get(le) ?? 0) + value.value);
    } else if (value.metricName?.endsWith('_sum')) entry.sum += value.value;
    else if (value.metricName?.endsWith('_count')) {
      entry.count += value.value;
      if (Number(value.labels.status) >= 500) entry.failed += value.value;
    }
  }
  const ms = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 10_000) / 10);
  return [...rows.entries()].filter(([, entry]) => entry.count > 0).map(([route, entry]) => {
    const buckets = [...entry.buckets.entries()];
    return {
      route, count: entry.count, failed: entry.failed, meanMs: Math.round((entry.sum / entry.count) * 10_000) / 10,
      p50Ms: ms(bucketQuantile(0.5, buckets)), p95Ms: ms(bucketQuantile(0.95, buckets)),
    };
  }).sort((a, b) => b.count - a.count || (a.route < b.route ? -1 : 1));
}

const byLabel = (metric: MetricJson | undefined, label: string): Record<string, number> =>
  Object.fromEntries((metric?.values ?? []).filter((value) => value.value > 0).map((value) => [String(value.labels[label]), value.value]));
const gauge = (metric: MetricJson | undefined) => metric?.values[0]?.value ?? 0;

export function summariseMetrics(metrics: readonly MetricJson[], at: number): MetricsSummary {
  const lag = find(metrics, 'tote_live_notify_lag_seconds');
  const lagBuckets = (lag?.values ?? []).filter((value) => value.metricName?.endsWith('_bucket')).map((value) => [bound(value.labels.le), value.value] as const);
  const lagP95 = bucketQuantile(0.95, lagBuckets);
  return {
    at,
    requests: latency(find(metrics, 'tote_http_request_duration_seconds'), 'route'),
    couch: latency(find(metrics, 'tote_couch_request_duration_seconds'), 'route'),
    liveConnections: gauge(find(metrics, 'tote_live_connections')),
    activeSessions: gauge(find(metrics, 'tote_active_sessions')),
    errors: byLabel(find(metrics, 'tote_http_errors_total'), 'kind'),
    rateLimited: byLabel(find(metrics, 'tote_rate_limited_total'), 'limit'),
    couchErrors: byLabel(find(metrics, 'tote_couch_errors_total'), 'kind'),
    dependencies: Object.fromEntries((find(metrics, 'tote_dependency_up')?.values ?? []).map((value) => [String(value.labels.dependency), value.value === 1 ? 'up' : 'down'])),
    liveLagP95Ms: lagP95 === null ? null : Math.round(lagP95 * 10_000) / 10,
  };
}
