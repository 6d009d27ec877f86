/**
 * `/_tote/metrics` from the outside (docs/operations.md): the real sync server, scraped over HTTPS as
 * Prometheus would, with the scrape token or an admin's session, and its text read by a Prometheus
 * text-format parser (prom2javascript, which refuses a line it cannot read). Requests a shopper makes move the metrics, and no label names a shopper. The alert
 * rules (`deploy/prometheus/alerts.yml`) are read as YAML and name only metrics the gateway exports.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getMetricsFromIterator, type PromMetrics } from 'prom2javascript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRAPE_TOKEN = randomBytes(32).toString('base64url');

let server: RunningSyncServer;
let client: GatewayClient;
let dataDir: string;
let adminToken: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-metrics-'));
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0, metricsToken: SCRAPE_TOKEN }, { rateLimits: { loginFailuresPerPair: 2 } });
  client = gatewayClient(server.gateway.url, server.gateway.cert);
  const admin = await client.logIn(server.admin.name, server.admin.password, 'admin console');
  expect(admin.status).toBe(200);
  adminToken = (admin.body as { token: string }).token;
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function scrape(): Promise<{ text: string; families: PromMetrics }> {
  const answer = await client.request<string>('GET', '/_tote/metrics', { headers: { authorization: `Bearer ${SCRAPE_TOKEN}`, accept: 'text/plain' } });
  expect(answer.status).toBe(200);
  // prom2javascript reads no NaN, which Prometheus reads in any case: prom-client's event-loop gauges are NaN
  // until the loop has been sampled. Only those are left out.
  const lines = answer.body.split('\n');
  const nan = lines.filter((line) => /\sNaN$/i.test(line));
  for (const line of nan) expect(line).toMatch(/^nodejs_eventloop_lag_[a-z0-9_]*seconds(\{[^}]*\})? NaN$/i);
  return { text: answer.body, families: await getMetricsFromIterator(lines.filter((line) => !nan.includes(line))[Symbol.iterator]()) };
}

/** One sample of any type: a value, or a histogram's buckets, count and sum. */
interface Sample { readonly labels: Record<string, string>; readonly value?: number; readonly count?: number; readonly sum?: number }
const samples = (families: PromMetrics, name: string): Sample[] => (families[name]?.data ?? []) as Sample[];
const matches = (sample: Sample, labels: Record<string, string>) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value);
/** A counter's or gauge's value, or a histogram's count, summed over the samples with these labels (0 when none). */
function value(families: PromMetrics, name: string, labels: Record<string, string> = {}): number {
  return samples(families, name).filter((sample) => matches(sample, labels)).reduce((total, sample) => total + (sample.count ?? sample.value ?? 0), 0);
}

describe('/_tote/metrics', () => {
  it('answers the scrape token and admin accounts, and nobody else', async () => {
    expect((await client.request('GET', '/_tote/metrics')).status).toBe(401);
    expect((await client.request('GET', '/_tote/metrics', { headers: { authorization: `Bearer ${SCRAPE_TOKEN.slice(1)}x` } })).status).toBe(401);
    const shopper = await client.signUp('metrics.reader@example.com', 'correct horse battery');
    expect((await client.request('GET', '/_tote/metrics', { token: shopper.token })).status).toBe(403);
    const basic = `Basic ${Buffer.from(`${server.admin.name}:${server.admin.password}`).toString('base64')}`;
    expect((await client.request('GET', '/_tote/metrics', { headers: { authorization: basic } })).status).toBe(403);
    expect((await client.request('POST', '/_tote/metrics', { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } })).status).not.toBe(200);

    const asAdmin = await client.request<string>('GET', '/_tote/metrics', { token: adminToken });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const { families } = await scrape();
    // prom-client's process metrics beside the gateway's own
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(families[name], name).toBeDefined();
    }
    expect(value(families, 'tote_dependency_up', { dependency: 'couchdb' })).toBe(1);
    expect(samples(families, 'tote_dependency_up').some((sample) => sample.labels.dependency === 'redis')).toBe(false);
  });

  it('moves with the requests shoppers make, and names none of them', async () => {
    const before = (await scrape()).families;
    const name = 'metrics.mover@example.com';
    const password = 'battery staple horse';
    const first = await client.signUp(name, password, 'laptop');
    const login = await client.logIn(name, password, 'phone');
    expect(login.status).toBe(200);
    const second = login.body as { token: string; session: { id: string } };
    const [laptop, phone] = [await client.live(first.token), await client.live(second.token)];
    await laptop.next('ready');
    await phone.next('ready');
    const write = await client.request('POST', `/${first.dbName}/_bulk_docs`, { token: first.token, body: { docs: [{ _id: 'item-1', title: 'Copper kettle' }] } });
    expect(write.status).toBe(201);
    await phone.next('changed');
    expect((await client.request('GET', `/${first.dbName}/_changes?since=0`, { token: second.token })).status).toBe(200);
    // Two wrong passwords, then the pair waits: the third is refused by the limit.
    for (let attempt = 0; attempt < 2; attempt += 1) expect((await client.logIn(name, 'wrong password!')).status).toBe(401);
    expect((await client.logIn(name, 'wrong password!')).status).toBe(429);

    const { families: after, text } = await scrape();
    // No label names a shopper, a database, a session or a token; nor does anything else in the text.
    for (const secret of [name, first.dbName, first.token, second.token, second.session.id, first.sessionId, 'Copper kettle']) {
      expect(text, secret).not.toContain(secret);
    }
    const routes = new Set(samples(after, 'tote_http_request_duration_seconds').map((sample) => sample.labels.route!));
    for (const route of routes) expect(route).toMatch(/^(couch:[a-z_-]+|unmatched|[a-z]+(\/[a-z:]+)*)$/);
    const moved = (metric: string, labels: Record<string, string> = {}) => value(after, metric, labels) - value(before, metric, labels);
    expect(moved('tote_http_request_duration_seconds', { route: 'signup', method: 'POST', status: '201' })).toBe(1);
    expect(moved('tote_http_request_duration_seconds', { route: 'login', method: 'POST', status: '200' })).toBe(1);
    expect(moved('tote_http_request_duration_seconds', { route: 'login', method: 'POST', status: '401' })).toBe(2);
    expect(moved('tote_http_request_duration_seconds', { route: 'couch:_bulk_docs', method: 'POST', status: '201' })).toBe(1);
    expect(moved('tote_http_request_duration_seconds', { route: 'couch:_changes', method: 'GET', status: '200' })).toBe(1);
    expect(moved('tote_couch_request_duration_seconds', { route: 'couch:_bulk_docs', status: '201' })).toBe(1);
    expect(moved('tote_couch_request_duration_seconds', { route: 'couch:_changes', status: '200' })).toBe(1);
    expect(moved('tote_http_errors_total', { kind: 'unauthorized' })).toBe(2);
    expect(moved('tote_http_errors_total', { kind: 'too_many_requests' })).toBe(1);
    expect(moved('tote_rate_limited_total', { limit: 'pair' })).toBe(1);
    expect(moved('tote_live_notify_lag_seconds')).toBe(1);
    expect(value(after, 'tote_live_connections')).toBe(2);
    expect(value(after, 'tote_active_sessions')).toBeGreaterThanOrEqual(2);
    // The histogram's sum is time: the write took some, and less than the whole test.
    const bulk = samples(after, 'tote_http_request_duration_seconds').find((sample) => matches(sample, { route: 'couch:_bulk_docs', status: '201' }))!;
    expect(bulk.sum).toBeGreaterThan(0);
    expect(bulk.sum).toBeLessThan(30);


    laptop.close();
    phone.close();
    await expect.poll(async () => value((await scrape()).families, 'tote_live_connections')).toBe(0);
  });
});

/** Words in a PromQL expression that are not metric names. */
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/** The metric names an expression selects: strings, label matchers, ranges, groupings and functions taken out. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/(?<![\w:.])[A-Za-z_:][\w:]*(?![\w:]|\s*\()/g)]
    .map((match) => match[0])
    .filter((word) => !PROMQL_WORDS.has(word.toLowerCase()));
}

interface Rule { alert?: unknown; expr?: unknown; for?: unknown; labels?: Record<string, unknown>; annotations?: Record<string, unknown> }

describe('deploy/prometheus/alerts.yml', () => {
  it('is a well-formed rule file whose every metric /_tote/metrics exports', async () => {
    const file = parseYaml(await readFile(path.join(root, 'deploy/prometheus/alerts.yml'), 'utf8')) as { groups?: { name?: unknown; rules?: Rule[] }[] };
    expect(Array.isArray(file.groups) && file.groups.length > 0).toBe(true);
    const { families } = await scrape();
    const exported = new Set<string>();
    for (const [name, each] of Object.entries(families)) {
      exported.add(name);
      if (each.type === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) exported.add(`${name}${suffix}`);
    }
    const alerts = new Set<string>();
    const used = new Set<string>();
    for (const group of file.groups!) {
      expect(typeof group.name).toBe('string');
      expect(Array.isArray(group.rules) && group.rules.length > 0).toBe(true);
      for (const rule of group.rules!) {
        expect(rule.alert, JSON.stringify(rule)).toMatch(/^Tote[A-Z][A-Za-z]+$/);
        expect(alerts.has(rule.alert as string), `${String(rule.alert)} twice`).toBe(false);
        alerts.add(rule.alert as string);
        expect(typeof rule.expr).toBe('string');
        expect(rule.for).toMatch(/^\d+[smh]$/);
        expect(['page', 'warn']).toContain(rule.labels?.severity);
        expect(typeof rule.annotations?.summary).toBe('string');
        expect(typeof rule.annotations?.description).toBe('string');
        const expr = rule.expr as string;
        expect(expr.split('(').length, `${String(rule.alert)}: unbalanced parentheses`).toBe(expr.split(')').length);
        const names = metricNames(expr);
        expect(names.length, `${String(rule.alert)} names no metric`).toBeGreaterThan(0);
        for (const name of names) {
          expect(exported.has(name), `${String(rule.alert)}: ${name} is not exported by /_tote/metrics`).toBe(true);
          used.add(name);
        }
      }
    }
    // The five conditions an operator is paged or warned about.
    expect([...used]).toEqual(expect.arrayContaining([
      'tote_http_request_duration_seconds_count', 'tote_http_request_duration_seconds_bucket', 'tote_couch_errors_total', 'tote_dependency_up', 'tote_rate_limited_total',
    ]));
  });

  it('reads metric names out of PromQL, so a misspelt one would be caught', () => {
    expect(metricNames('sum by (instance) (rate(tote_x_total{status=~"5.."}[5m])) / sum(rate(tote_y_count[5m])) > 0.05'))
      .toEqual(['tote_x_total', 'tote_y_count']);
    expect(metricNames('histogram_quantile(0.95, sum by (le) (rate(a_bucket{route!~"couch:_changes|live"}[5m]))) > 1')).toEqual(['a_bucket']);
    expect(metricNames('min by (instance, dependency) (tote_dependency_up) == 0')).toEqual(['tote_dependency_up']);
  });
});
