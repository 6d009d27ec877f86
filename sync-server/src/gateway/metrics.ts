/**
 * The gateway's metrics for Prometheus (prom-client), at `GET /_tote/metrics` for the scrape token
 * (`TOTE_METRICS_TOKEN`) or an admin account's session (access.ts, `decideMetrics`). Every metric and its
 * labels: docs/operations.md. Labels are route kinds and error kinds (route-kind.ts), methods, statuses
 * and dependency names: never a path, a database, an account's name or a session.
 *
 * Each gateway has a registry of its own (tests run several in one process); the process metrics
 * (`process_*`, `nodejs_*`) are prom-client's defaults, in that registry too.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { decideMetrics, type Caller } from './access.ts';
import { GatewayError } from './errors.ts';
import type { Readiness } from './health.ts';
import { RateLimited } from './rate-limits.ts';
import { noteFailure, routeKind } from './route-kind.ts';

export const METRICS_ROUTE = '/_tote/metrics';

/** A session counts as active this long after its last request to this gateway. */
export const ACTIVE_SESSION_MS = 5 * 60_000;

export interface MetricsOptions {
  /** Prometheus's bearer token; null: only admin accounts' sessions may read the metrics. */
  readonly scrapeToken: string | null;
  /** Devices connected to the live channel of this gateway. */
  readonly liveConnections: () => number;
  /** Whether CouchDB (and Redis, when configured) answer (health.ts). */
  readonly readiness: () => Promise<Readiness>;
  readonly now?: () => number;
}

export interface GatewayMetrics {
  readonly registry: Registry;
  /** Whether this request carries the scrape token (it is then no session, and is not looked up as one). */
  scraper(request: FastifyRequest): boolean;
  /** CouchDB answered a forwarded request: its status and how long it took, from forwarding to its headers. */
  upstream(request: FastifyRequest, status: number, seconds: number): void;
  /** A `changed` message went to a live device, `ms` after the write it tells of was answered. */
  liveNotified(ms: number): void;
  /** Adds the route and the hooks that count every request. */
  register(app: FastifyInstance): void;
}

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const digest = (text: string) => createHash('sha256').update(text).digest();

export function gatewayMetrics(options: MetricsOptions): GatewayMetrics {
  const now = options.now ?? Date.now;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const expected = options.scrapeToken === null ? null : digest(options.scrapeToken);
  const scrapers = new WeakSet<FastifyRequest>();
  const sessionsSeen = new Map<string, number>();
  let prunedAt = now();
  /** Forgets sessions idle for ACTIVE_SESSION_MS: at every scrape, and at least once a minute without one. */
  const pruneSessions = () => {
    prunedAt = now();
    for (const [id, at] of sessionsSeen) if (at < prunedAt - ACTIVE_SESSION_MS) sessionsSeen.delete(id);
  };

  const requests = new Histogram({
    name: 'tote_http_request_duration_seconds', help: 'Requests answered by the gateway, by route kind, method and status: time to the answer.',
    labelNames: ['route', 'method', 'status'], buckets: HTTP_BUCKETS, registers: [registry],
  });
  const errors = new Counter({
    name: 'tote_http_errors_total', help: 'Requests the gateway answered with an error of its own, by kind.',
    labelNames: ['kind'], registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'tote_rate_limited_total', help: 'Requests refused by a limit (429), by limit.',
    labelNames: ['limit'], registers: [registry],
  });
  const couchRequests = new Histogram({
    name: 'tote_couch_request_duration_seconds', help: 'Requests forwarded to CouchDB, by route kind and CouchDB\'s status: time to its answer.',
    labelNames: ['route', 'status'], buckets: HTTP_BUCKETS, registers: [registry],
  });
  const couchErrors = new Counter({
    name: 'tote_couch_errors_total', help: 'CouchDB failing the gateway: unreachable, timeout or error (a 5xx answer, or an error answer to the gateway\'s own work).',
    labelNames: ['kind'], registers: [registry],
  });
  const liveLag = new Histogram({
    name: 'tote_live_notify_lag_seconds', help: 'From a write\'s answer to the `changed` message sent to each other live device of the account.',
    buckets: LAG_BUCKETS, registers: [registry],
  });
  new Gauge({
    name: 'tote_live_connections', help: 'Devices connected to this gateway\'s live channel.', registers: [registry],
    collect() { this.set(options.liveConnections()); },
  });
  new Gauge({
    name: 'tote_active_sessions', help: `Sessions that made a request to this gateway in the last ${ACTIVE_SESSION_MS / 60_000} minutes.`, registers: [registry],
    collect() {
      pruneSessions();
      this.set(sessionsSeen.size);
    },
  });
  new Gauge({
    name: 'tote_dependency_up', help: 'Whether a dependency answers (1) or not (0): couchdb, and redis when configured.',
    labelNames: ['dependency'], registers: [registry],
    async collect() {
      const { dependencies } = await options.readiness();
      for (const [dependency, state] of Object.entries(dependencies)) this.set({ dependency }, state === 'up' ? 1 : 0);
    },
  });

  const COUCH_FAILURES: Record<string, string> = { couch_unreachable: 'unreachable', couch_timeout: 'timeout', couch_error: 'error' };

  return {
    registry,
    scraper(request) {
      if (expected === null || request.routeOptions.url !== METRICS_ROUTE) return false;
      const header = request.headers.authorization ?? '';
      if (!/^bearer /i.test(header)) return false;
      // Compared as digests: equal lengths, in constant time.
      const ok = timingSafeEqual(digest(header.slice(7).trim()), expected);
      if (ok) scrapers.add(request);
      return ok;
    },
    upstream(request, status, seconds) {
      couchRequests.observe({ route: routeKind(request), status: String(status) }, seconds);
      if (status >= 500) couchErrors.inc({ kind: 'error' });
    },
    liveNotified(ms) {
      liveLag.observe(Math.max(0, ms) / 1000);
    },
    register(app) {
      app.addHook('onError', async (request, _reply, error) => {
        noteFailure(request, error);
        if (error instanceof RateLimited) rateLimited.inc({ limit: error.limit });
      });
      app.addHook('onResponse', async (request, reply) => {
        const status = reply.statusCode;
        requests.observe({ route: routeKind(request), method: request.method, status: String(status) }, reply.elapsedTime / 1000);
        if (request.failure) {
          errors.inc({ kind: request.failure });
          const couch = COUCH_FAILURES[request.failure];
          if (couch) couchErrors.inc({ kind: couch });
        }
        const session = request.principal?.session;
        if (session) sessionsSeen.set(session.id, now());
        if (now() - prunedAt > 60_000) pruneSessions();
      });
      app.get(METRICS_ROUTE, async (request, reply) => {
        const caller: Caller = request.principal?.caller ?? { kind: 'anonymous' };
        const decision = decideMetrics(request.method, caller, request.principal?.session?.role ?? null, scrapers.has(request));
        if (!decision.allow) {
          throw new GatewayError(decision.status, decision.status === 401 ? 'unauthorized' : decision.status === 405 ? 'method_not_allowed' : 'forbidden', decision.reason);
        }
        return reply.header('content-type', registry.contentType).send(await registry.metrics());
      });
    },
  };
}
