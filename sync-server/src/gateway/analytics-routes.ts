/**
 * Shared analytics on the server (docs/analytics.md): devices whose shopper consented send one
 * aggregate per day; admins read the totals.
 *
 * - `POST /_tote/analytics` (a shopper's or guest's session): `{ device, days: [aggregate...] }`, each
 *   aggregate checked strictly (only known keys, whole counts, shops as host names) and the body capped
 *   at 256 KB (each day's operation times at most MAX_LATENCY_CHARS per operation, on at most
 *   MAX_LATENCY_DAYS days of a batch). A day is an upsert keyed by shopper, device and day, merged count by count with what is
 *   stored (the larger wins): a resend never counts twice, a late send completes a day.
 * - `GET /_tote/admin/analytics?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv]` (an admin's session): the
 *   funnel, abandonment rates, active devices and shoppers, adds by source, per-day figures, and the top
 *   shops, only those with events from at least K_ANONYMITY distinct shoppers in the range.
 *
 * What is stored names nobody: the shopper and the device are pseudonyms (HMAC-SHA-256 under a key
 * derived from the server admin's password, the same on every gateway instance, never stored), and an
 * aggregate carries no title, URL, price or item id. The database `tote-analytics` is reached with a
 * CouchDB user of its own, `tote-analytics`, its one member (least privilege, as shopper-couch-users.ts
 * does for carts): the routes never use the server admin's credentials, and no shopper's CouchDB user
 * can read it. Shoppers' requests through the proxy cannot name it either (access.ts: own databases only).
 */
import { createHmac } from 'node:crypto';
import { decodeLatency, encodeLatency, figuresOf, LATENCY_DAYS_KEPT, MAX_LATENCY_CHARS, newLatencyHistogram, TIMED_OPERATIONS, type LatencyFigures } from '@tote/core/latency-monitor';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Credentials } from '../config.ts';
import { couchAdmin, couchStatus, passwordWorks, unlessMissing, type CouchAdmin } from '../couch-admin.ts';
import { ensureDb } from '../shopper-dbs.ts';
import type { AuditLog } from './audit.ts';
import { GatewayError } from './errors.ts';

export const ANALYTICS_DB = 'tote-analytics';
export const ANALYTICS_COUCH_USER = 'tote-analytics';
/** A shop is shown only when at least this many distinct shoppers had events there in the range. */
export const K_ANONYMITY = 5;
export const MAX_ANALYTICS_BODY_BYTES = 256 * 1024;
/** Days of one batch that may carry operation times (the device keeps the last LATENCY_DAYS_KEPT). */
export const MAX_LATENCY_DAYS = LATENCY_DAYS_KEPT;
const MAX_DAYS = 62;
const MAX_SHOPS = 50;
const MAX_COUNT = 100_000;
const TOP_SHOPS = 20;
/** The longest range one summary reads. */
const MAX_RANGE_DAYS = 400;
const DAY_MS = 24 * 60 * 60 * 1000;

// The device's vocabulary (core/src/analytics/): what an aggregate may hold, and nothing else.
export const EVENT_KINDS = ['recognised', 'added', 'removed', 'quantityChanged', 'moved', 'priceSeen', 'priceDrop', 'checkout', 'bought', 'abandoned7', 'abandoned30'] as const;
export const SOURCES = ['page', 'popup', 'context-menu', 'shortcut', 'desktop', 'import', 'unknown'] as const;
export const SHOP_COUNTS = ['added', 'checkout', 'bought'] as const;
const FUNNEL = ['recognised', 'added', 'checkout', 'bought'] as const;
type Operation = (typeof TIMED_OPERATIONS)[number];

type Counts<K extends string> = Record<K, number>;
export interface StoredAggregate {
  _id: string;
  _rev?: string;
  day: string;
  shopper: string;
  device: string;
  counts: Counts<(typeof EVENT_KINDS)[number]>;
  sources: Counts<(typeof SOURCES)[number]>;
  shops: Record<string, Counts<(typeof SHOP_COUNTS)[number]>>;
  /** How long the device's cart operations took that day (docs/analytics.md, "Monitoring"): per operation, an encoded histogram. */
  latency?: Partial<Record<Operation, string>>;
}
type Aggregate = Pick<StoredAggregate, 'day' | 'counts' | 'sources' | 'shops' | 'latency'>;

const invalid = (field: string, what: string): never => {
  throw new GatewayError(400, 'invalid_aggregate', `Usage figures were refused: ${field} ${what}. Nothing was stored.`);
};
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function checkCounts<K extends string>(value: unknown, keys: readonly K[], field: string): Counts<K> {
  if (!isObject(value)) return invalid(field, 'must be an object');
  const out = Object.fromEntries(keys.map((key) => [key, 0])) as Counts<K>;
  for (const [key, count] of Object.entries(value)) {
    if (!(keys as readonly string[]).includes(key)) invalid(`${field}.${key.slice(0, 40)}`, 'is not a known figure');
    if (!Number.isSafeInteger(count) || (count as number) < 0 || (count as number) > MAX_COUNT) invalid(`${field}.${key}`, `must be a whole number from 0 to ${MAX_COUNT}`);
    out[key as K] = count as number;
  }
  return out;
}

const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const validDay = (day: unknown): day is string => typeof day === 'string' && DAY.test(day) && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day;

/** One day as a device sends it, checked; anything else is refused whole. */
export function checkAggregate(value: unknown, field: string, today: number): Aggregate {
  if (!isObject(value)) return invalid(field, 'must be an object');
  const extra = Object.keys(value).find((key) => !['day', 'counts', 'sources', 'shops', 'latency'].includes(key));
  if (extra !== undefined) invalid(`${field}.${extra.slice(0, 40)}`, 'is not a known field');
  if (!validDay(value.day)) return invalid(`${field}.day`, 'must be a date (YYYY-MM-DD)');
  const at = Date.parse(`${value.day}T00:00:00Z`);
  // A device's clock may be a day or so off; figures from further ahead, or older than a year, are not believable.
  if (at > today + 2 * DAY_MS || at < today - 366 * DAY_MS) invalid(`${field}.day`, 'is too far from today');
  const shops: Record<string, Counts<(typeof SHOP_COUNTS)[number]>> = {};
  if (!isObject(value.shops)) return invalid(`${field}.shops`, 'must be an object');
  const domains = Object.keys(value.shops);
  if (domains.length > MAX_SHOPS) invalid(`${field}.shops`, `may name at most ${MAX_SHOPS} shops`);
  for (const domain of domains) {
    if (!HOST.test(domain)) invalid(`${field}.shops`, 'must be named by host name only');
    shops[domain] = checkCounts(value.shops[domain], SHOP_COUNTS, `${field}.shops.${domain}`);
  }
  return {
    day: value.day, counts: checkCounts(value.counts, EVENT_KINDS, `${field}.counts`), sources: checkCounts(value.sources, SOURCES, `${field}.sources`), shops,
    ...(value.latency === undefined ? {} : { latency: checkLatency(value.latency, `${field}.latency`) }),
  };
}

/**
 * A day's operation times: known operations only, each a histogram in the library's encoding of at most
 * MAX_LATENCY_CHARS characters that decodes, holds at most MAX_COUNT times, none past the device's
 * bound. Stored re-encoded from what was decoded (nothing else of the sent text is kept).
 */
export function checkLatency(value: unknown, field: string): Partial<Record<Operation, string>> {
  if (!isObject(value)) return invalid(field, 'must be an object');
  const out: Partial<Record<Operation, string>> = {};
  for (const [operation, encoded] of Object.entries(value)) {
    if (!(TIMED_OPERATIONS as readonly string[]).includes(operation)) invalid(`${field}.${operation.slice(0, 40)}`, 'is not a known operation');
    if (typeof encoded !== 'string' || encoded.length > MAX_LATENCY_CHARS || !/^[A-Za-z0-9+/]+=*$/.test(encoded)) {
      invalid(`${field}.${operation}`, `must be an encoded histogram of at most ${MAX_LATENCY_CHARS} characters`);
    }
    const histogram = decodeLatency(encoded as string);
    if (!histogram || histogram.totalCount > MAX_COUNT) return invalid(`${field}.${operation}`, 'is not a histogram of operation times');
    out[operation as Operation] = encodeLatency(histogram);
  }
  return out;
}

export function checkBatch(body: unknown, today: number): { device: string; days: Aggregate[] } {
  if (!isObject(body)) return invalid('the body', 'must be a JSON object');
  const extra = Object.keys(body).find((key) => key !== 'device' && key !== 'days');
  if (extra !== undefined) invalid(extra.slice(0, 40), 'is not a known field');
  if (typeof body.device !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(body.device)) invalid('device', 'must be the device\'s id');
  if (!Array.isArray(body.days) || body.days.length === 0 || body.days.length > MAX_DAYS) return invalid('days', `must list 1 to ${MAX_DAYS} days`);
  const days = body.days.map((day, i) => checkAggregate(day, `days[${i}]`, today));
  if (new Set(days.map((day) => day.day)).size !== days.length) invalid('days', 'must name each day once');
  if (days.filter((day) => day.latency).length > MAX_LATENCY_DAYS) invalid('days', `may carry operation times on at most ${MAX_LATENCY_DAYS} days`);
  return { device: body.device as string, days };
}

const maxOf = <K extends string>(a: Counts<K>, b: Counts<K>): Counts<K> => {
  const out = { ...a };
  for (const key of Object.keys(b) as K[]) out[key] = Math.max(out[key] ?? 0, b[key]);
  return out;
};

/** What is stored and what arrived, as one: each count the larger (docs/analytics.md rule 6). */
export function mergeStored(stored: Aggregate | null, next: Aggregate): Aggregate {
  if (!stored) return next;
  const shops = { ...stored.shops };
  for (const [domain, counts] of Object.entries(next.shops)) shops[domain] = shops[domain] ? maxOf(shops[domain], counts) : counts;
  // A device's day of times only grows: per operation the histogram with more times is the later one.
  const latency = { ...stored.latency };
  for (const [operation, encoded] of Object.entries(next.latency ?? {}) as [Operation, string][]) {
    const before = latency[operation];
    if (!before || (decodeLatency(encoded)?.totalCount ?? 0) >= (decodeLatency(before)?.totalCount ?? 0)) latency[operation] = encoded;
  }
  return {
    day: next.day, counts: maxOf(stored.counts, next.counts), sources: maxOf(stored.sources, next.sources), shops,
    ...(Object.keys(latency).length > 0 ? { latency } : {}),
  };
}

/** Every device's and day's histograms added, per operation: the figures over the range (ms). */
export function latencyOver(docs: readonly Pick<StoredAggregate, 'latency'>[]): { readonly operation: Operation; readonly figures: LatencyFigures | null }[] {
  const sums = new Map<Operation, ReturnType<typeof newLatencyHistogram>>();
  for (const doc of docs) {
    for (const [operation, encoded] of Object.entries(doc.latency ?? {}) as [Operation, string][]) {
      const histogram = decodeLatency(encoded);
      if (!histogram || !(TIMED_OPERATIONS as readonly string[]).includes(operation)) continue;
      let sum = sums.get(operation);
      if (!sum) sums.set(operation, sum = newLatencyHistogram());
      sum.add(histogram);
    }
  }
  return TIMED_OPERATIONS.map((operation) => ({ operation, figures: figuresOf(sums.get(operation)) }));
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const anyCount = (doc: Aggregate) => Object.values(doc.counts).some((count) => count > 0);

export interface AnalyticsSummary {
  readonly from: string;
  readonly to: string;
  readonly funnel: readonly { readonly step: string; readonly count: number }[];
  readonly counts: Readonly<Record<string, number>>;
  /** Items abandoned after 7 / 30 days per item added, or null when nothing was added. */
  readonly abandonment: { readonly after7Days: number | null; readonly after30Days: number | null };
  readonly active: { readonly devices: number; readonly shoppers: number };
  readonly addsBySource: Readonly<Record<string, number>>;
  readonly days: readonly { readonly day: string; readonly added: number; readonly checkout: number; readonly bought: number; readonly removed: number; readonly devices: number; readonly shoppers: number }[];
  /** Only shops with events from at least `kAnonymity` distinct shoppers in the range. */
  readonly topShops: readonly { readonly shop: string; readonly shoppers: number; readonly added: number; readonly checkout: number; readonly bought: number }[];
  readonly kAnonymity: number;
  /** Devices' operation times over the range, all devices' histograms added (docs/analytics.md, "Monitoring"). */
  readonly latency: readonly { readonly operation: string; readonly figures: LatencyFigures | null }[];
}

/** The totals over stored aggregates (already limited to the range). Pure. */
export function summarise(docs: readonly StoredAggregate[], from: string, to: string): AnalyticsSummary {
  const active = docs.filter(anyCount);
  const counts = Object.fromEntries(EVENT_KINDS.map((kind) => [kind, sum(docs.map((doc) => doc.counts[kind] ?? 0))])) as Record<string, number>;
  const rate = (n: number) => (counts.added ? n / counts.added! : null);
  const byDay = new Map<string, StoredAggregate[]>();
  for (const doc of docs) byDay.set(doc.day, [...(byDay.get(doc.day) ?? []), doc]);
  const shops = new Map<string, { shoppers: Set<string>; added: number; checkout: number; bought: number }>();
  for (const doc of docs) {
    for (const [domain, figures] of Object.entries(doc.shops)) {
      let shop = shops.get(domain);
      if (!shop) shops.set(domain, shop = { shoppers: new Set(), added: 0, checkout: 0, bought: 0 });
      if (figures.added + figures.checkout + figures.bought > 0) shop.shoppers.add(doc.shopper);
      shop.added += figures.added;
      shop.checkout += figures.checkout;
      shop.bought += figures.bought;
    }
  }
  return {
    from, to, kAnonymity: K_ANONYMITY, latency: latencyOver(docs),
    funnel: FUNNEL.map((step) => ({ step, count: counts[step]! })),
    counts,
    abandonment: { after7Days: rate(counts.abandoned7!), after30Days: rate(counts.abandoned30!) },
    active: { devices: new Set(active.map((doc) => `${doc.shopper}/${doc.device}`)).size, shoppers: new Set(active.map((doc) => doc.shopper)).size },
    addsBySource: Object.fromEntries(SOURCES.map((source) => [source, sum(docs.map((doc) => doc.sources[source] ?? 0))])),
    days: [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, list]) => {
      const on = list.filter(anyCount);
      return {
        day, added: sum(list.map((doc) => doc.counts.added)), checkout: sum(list.map((doc) => doc.counts.checkout)), bought: sum(list.map((doc) => doc.counts.bought)),
        removed: sum(list.map((doc) => doc.counts.removed)), devices: new Set(on.map((doc) => `${doc.shopper}/${doc.device}`)).size, shoppers: new Set(on.map((doc) => doc.shopper)).size,
      };
    }),
    topShops: [...shops.entries()]
      .filter(([, shop]) => shop.shoppers.size >= K_ANONYMITY)
      .map(([shop, { shoppers, added, checkout, bought }]) => ({ shop, shoppers: shoppers.size, added, checkout, bought }))
      .sort((a, b) => b.added - a.added || b.bought - a.bought || (a.shop < b.shop ? -1 : 1))
      .slice(0, TOP_SHOPS),
  };
}

const csvCell = (value: string | number | null) => {
  const text = value === null ? '' : String(value);
  return /[",\n\r]/.test(text) || /^[=+\-@\t]/.test(text) ? `"${text.replace(/^([=+\-@\t])/, "'$1").replace(/"/g, '""')}"` : text;
};

/** The summary as CSV: one `section,name,value` row per figure (a spreadsheet opens it as it is). */
export function summaryCsv(summary: AnalyticsSummary): string {
  const rows: (string | number | null)[][] = [['section', 'name', 'value'], ['range', 'from', summary.from], ['range', 'to', summary.to]];
  for (const { step, count } of summary.funnel) rows.push(['funnel', step, count]);
  for (const [kind, count] of Object.entries(summary.counts)) rows.push(['events', kind, count]);
  rows.push(['abandonment', 'after7Days', summary.abandonment.after7Days], ['abandonment', 'after30Days', summary.abandonment.after30Days]);
  rows.push(['active', 'devices', summary.active.devices], ['active', 'shoppers', summary.active.shoppers]);
  for (const [source, count] of Object.entries(summary.addsBySource)) rows.push(['addsBySource', source, count]);
  for (const day of summary.days) for (const key of ['added', 'checkout', 'bought', 'removed', 'devices', 'shoppers'] as const) rows.push([`day:${day.day}`, key, day[key]]);
  for (const shop of summary.topShops) for (const key of ['shoppers', 'added', 'checkout', 'bought'] as const) rows.push([`shop:${shop.shop}`, key, shop[key]]);
  for (const { operation, figures } of summary.latency) {
    if (figures) for (const key of ['count', 'p50', 'p95', 'p99', 'max'] as const) rows.push([`latency:${operation}`, key, figures[key]]);
  }
  return `${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** The analytics database's own CouchDB user: derived password, as for shoppers (shopper-couch-users.ts). */
async function ensureAnalyticsUser(couch: CouchAdmin, admin: Credentials): Promise<Credentials> {
  const credentials = { name: ANALYTICS_COUCH_USER, password: createHmac('sha256', admin.password).update('tote analytics couch user v1').digest('base64url') };
  const id = `org.couchdb.user:${credentials.name}`;
  const users = couch.db<{ _id: string; _rev?: string; name: string; type: 'user'; roles: string[]; password?: string }>('_users');
  if (!(await passwordWorks(couch.url, credentials))) {
    const current = await unlessMissing(users.get(id));
    await users.insert({ _id: id, ...(current?._rev ? { _rev: current._rev } : {}), name: credentials.name, type: 'user', roles: [], password: credentials.password }, id)
      .catch((error: unknown) => {
        if (couchStatus(error) !== 409) throw error; // another gateway instance wrote the same user
      });
  }
  const security = { admins: { names: [], roles: ['_admin'] }, members: { names: [credentials.name], roles: [] } };
  if (!(await ensureDb(couch, ANALYTICS_DB, security))) await couch.putSecurity(ANALYTICS_DB, security);
  return credentials;
}

export interface AnalyticsRouteOptions {
  readonly couch: CouchAdmin;
  readonly admin: Credentials;
  readonly audit: AuditLog;
  readonly now: () => number;
  /** The gateway's session check: the caller's session, or a 401/403 GatewayError. */
  readonly requireSession: (request: FastifyRequest, roles?: readonly ('shopper' | 'support' | 'admin')[]) => { name: string; role: string; device: string };
}

export async function registerAnalytics(app: FastifyInstance, { couch, admin, audit, now, requireSession }: AnalyticsRouteOptions): Promise<void> {
  const credentials = await ensureAnalyticsUser(couch, admin);
  const db = couchAdmin(couch.url, credentials).db<StoredAggregate>(ANALYTICS_DB);
  const pseudonymKey = createHmac('sha256', admin.password).update('tote analytics pseudonyms v1').digest();
  const pseudonym = (...parts: string[]) => createHmac('sha256', pseudonymKey).update(parts.join('\0')).digest('base64url').slice(0, 22);

  /** The batch's days, each merged with what is stored (rule 10), in one read and one write; days another send changed meanwhile are merged again. */
  async function upsert(shopper: string, device: string, days: readonly Aggregate[]): Promise<void> {
    let pending = days;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 5) throw new GatewayError(409, 'conflict', 'Usage figures of this device were being stored by another send. Please try again.');
      const ids = pending.map((day) => `${day.day}:${shopper}:${device}`);
      const found = await db.fetch({ keys: ids });
      const docs = pending.map((day, i) => {
        const row = found.rows[i] as { doc?: StoredAggregate | null } | undefined;
        const stored = row?.doc ?? null;
        return { _id: ids[i]!, ...(stored?._rev ? { _rev: stored._rev } : {}), shopper, device, ...mergeStored(stored, day) };
      });
      const results = await db.bulk({ docs });
      const refused = results.filter((result) => result.error && result.error !== 'conflict');
      if (refused.length > 0) throw new Error(`CouchDB refused ${refused.length} usage documents: ${refused[0]!.error}`);
      const conflicted = new Set(results.filter((result) => result.error === 'conflict').map((result) => result.id));
      pending = pending.filter((_, i) => conflicted.has(ids[i]!));
    }
  }

  app.post('/_tote/analytics', {
    bodyLimit: MAX_ANALYTICS_BODY_BYTES,
    onRequest: async (request) => {
      if (Number(request.headers['content-length'] ?? 0) > MAX_ANALYTICS_BODY_BYTES) {
        throw new GatewayError(413, 'too_large', `Usage figures are limited to ${MAX_ANALYTICS_BODY_BYTES / 1024} KB per send. Nothing was stored.`);
      }
    },
  }, async (request, reply) => {
    const session = requireSession(request, ['shopper']);
    const batch = checkBatch(request.body, now());
    const shopper = pseudonym('shopper', session.name);
    const device = pseudonym('device', session.name, batch.device);
    await upsert(shopper, device, batch.days);
    return reply.code(200).send({ ok: true, days: batch.days.length });
  });

  app.get<{ Querystring: { from?: string; to?: string; format?: string } }>('/_tote/admin/analytics', async (request, reply) => {
    const staff = requireSession(request, ['admin']);
    const today = new Date(now()).toISOString().slice(0, 10);
    const to = request.query.to ?? today;
    const from = request.query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10);
    if (!validDay(from) || !validDay(to)) throw new GatewayError(400, 'bad_request', 'from and to must be dates (YYYY-MM-DD).');
    if (from > to) throw new GatewayError(400, 'bad_request', 'from must not be after to.');
    if (Date.parse(to) - Date.parse(from) > MAX_RANGE_DAYS * DAY_MS) throw new GatewayError(400, 'bad_request', `A range may span at most ${MAX_RANGE_DAYS} days.`);
    const format = request.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new GatewayError(400, 'bad_request', 'format must be json or csv.');
    const rows = await db.list({ include_docs: true, startkey: `${from}:`, endkey: `${to}:\ufff0` });
    const docs = rows.rows.flatMap((row) => (row.doc && !row.id.startsWith('_') ? [row.doc] : []));
    const summary = summarise(docs, from, to);
    audit.append({ at: now(), actor: staff.name, role: staff.role, device: staff.device, action: 'admin.analytics-read', target: null, detail: { from, to, format } });
    if (format === 'csv') {
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="tote-analytics-${from}-${to}.csv"`).send(summaryCsv(summary));
    }
    return summary;
  });
}
