import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { bucketQuantile, summariseMetrics, type MetricJson } from './metrics-summary.ts';

describe('bucketQuantile', () => {
  it('reads a quantile from cumulative buckets as histogram_quantile does', () => {
    // 10 requests: 4 up to 10 ms, 9 up to 100 ms, all up to 1 s.
    const buckets = [[0.01, 4], [0.1, 9], [1, 10], [Infinity, 10]] as const;
    expect(bucketQuantile(0.5, buckets)).toBeCloseTo(0.01 + 0.09 * (1 / 5));
    expect(bucketQuantile(0.95, buckets)).toBeCloseTo(0.1 + 0.9 * 0.5);
    expect(bucketQuantile(0.2, buckets)).toBeCloseTo(0.005);
  });

  it('says nothing without observations, and the last finite bound for the +Inf bucket', () => {
    expect(bucketQuantile(0.5, [[0.1, 0], [Infinity, 0]])).toBeNull();
    expect(bucketQuantile(0.99, [[0.1, 1], [Infinity, 10]])).toBe(0.1);
  });
});

describe('summariseMetrics', () => {
  it('folds the registry into latency per route kind, gauges, errors and dependencies', async () => {
    const registry = new Registry();
    const http = new Histogram({ name: 'tote_http_request_duration_seconds', help: 'h', labelNames: ['route', 'method', 'status'], buckets: [0.01, 0.1, 1], registers: [registry] });
    http.observe({ route: 'login', method: 'POST', status: '200' }, 0.05);
    http.observe({ route: 'login', method: 'POST', status: '401' }, 0.05);
    http.observe({ route: 'login', method: 'POST', status: '503' }, 0.5);
    http.observe({ route: 'health', method: 'GET', status: '200' }, 0.001);
    new Gauge({ name: 'tote_live_connections', help: 'g', registers: [registry] }).set(3);
    new Gauge({ name: 'tote_active_sessions', help: 'g', registers: [registry] }).set(5);
    const errors = new Counter({ name: 'tote_http_errors_total', help: 'c', labelNames: ['kind'], registers: [registry] });
    errors.inc({ kind: 'unauthorized' });
    errors.inc({ kind: 'couch_unreachable' }, 2);
    new Gauge({ name: 'tote_dependency_up', help: 'g', labelNames: ['dependency'], registers: [registry] }).set({ dependency: 'couchdb' }, 0);
    const summary = summariseMetrics(await registry.getMetricsAsJSON() as unknown as MetricJson[], 42);
    expect(summary.at).toBe(42);
    expect(summary.requests.map((row) => [row.route, row.count, row.failed])).toEqual([['login', 3, 1], ['health', 1, 0]]);
    expect(summary.requests[0]!.meanMs).toBeCloseTo(200, 0);
    // 3 requests, none up to 10 ms, 2 up to 100 ms: the median (1.5th) lies three quarters into 10-100 ms.
    expect(summary.requests[0]!.p50Ms).toBeCloseTo(10 + 90 * (1.5 / 2), 0);
    expect(summary.liveConnections).toBe(3);
    expect(summary.activeSessions).toBe(5);
    expect(summary.errors).toEqual({ unauthorized: 1, couch_unreachable: 2 });
    expect(summary.dependencies).toEqual({ couchdb: 'down' });
    expect(summary.liveLagP95Ms).toBeNull();
    expect(summary.couch).toEqual([]);
  });
});
