/**
 * The dashboard's calls to the gateway it is served by (same origin): sign-in with the existing
 * `POST /_tote/login`, then the admin routes with `Authorization: Bearer <token>`. The token is kept in
 * this tab's sessionStorage only (gone when the tab closes; never a cookie, so no other site can use it).
 * Every failure is an `AdminError` whose message says what happened and what to do.
 */

export interface AnalyticsSummary {
  readonly from: string;
  readonly to: string;
  readonly kAnonymity: number;
  readonly funnel: readonly { readonly step: string; readonly count: number }[];
  readonly counts: Readonly<Record<string, number>>;
  readonly abandonment: Readonly<Record<string, number | null>>;
  readonly active: { readonly devices: number; readonly shoppers: number };
  readonly addsBySource: Readonly<Record<string, number>>;
  readonly days: readonly ({ readonly day: string } & Readonly<Record<string, number | string>>)[];
  readonly topShops: readonly ({ readonly shop: string } & Readonly<Record<string, number | string>>)[];
  /** Devices' cart operation times over the range, in ms (docs/analytics.md, "Monitoring"); absent from older gateways. */
  readonly latency?: readonly { readonly operation: string; readonly figures: { readonly count: number; readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number } | null }[];
}

export interface LatencyRow {
  readonly route: string;
  readonly count: number;
  readonly failed: number;
  readonly meanMs: number;
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
  readonly dependencies: Readonly<Record<string, string>>;
  readonly liveLagP95Ms: number | null;
}

export type AdminErrorCode = 'not_admin' | 'signed_out' | 'refused' | 'unreachable' | 'limited' | 'failed';

export class AdminError extends Error {
  constructor(readonly code: AdminErrorCode, message: string) {
    super(message);
    this.name = 'AdminError';
  }
}

export const NOT_ADMIN = 'This account is not an admin account, so it cannot see the dashboard. Sign in with an admin account.';
const SIGNED_OUT = 'Your session has ended. Sign in again to see the dashboard.';
const UNREACHABLE = 'The sync server did not answer. Check that it is running, then try again.';

const TOKEN_KEY = 'tote.admin.token';

export interface AdminApi {
  readonly signedIn: boolean;
  signIn(name: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  analytics(from: string, to: string): Promise<AnalyticsSummary>;
  /** The same range as CSV, with the file name the server gives it. */
  analyticsCsv(from: string, to: string): Promise<{ blob: Blob; fileName: string }>;
  metrics(): Promise<MetricsSummary>;
  /**
   * The admin is active: slides the session's expiry (`POST /_tote/session/renew`), at most every five
   * minutes. Called on the admin's own actions only, never by the timed reads, so an open tab left alone
   * is signed out when its session times out, as a shopper's device is.
   */
  active(): Promise<void>;
}

const RENEW_EVERY_MS = 5 * 60_000;

async function reasonOf(response: Response): Promise<string | null> {
  const body = (await response.json().catch(() => null)) as { reason?: unknown } | null;
  return typeof body?.reason === 'string' ? body.reason : null;
}

export function adminApi(storage: Storage, fetchFn: typeof fetch = (input, init) => fetch(input, init)): AdminApi {
  let token = storage.getItem(TOKEN_KEY);
  let renewedAt = Date.now();
  const forget = () => {
    token = null;
    storage.removeItem(TOKEN_KEY);
  };

  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    let response: Response;
    try {
      response = await fetchFn(path, { ...init, headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers } });
    } catch {
      throw new AdminError('unreachable', UNREACHABLE);
    }
    if (response.ok) return response;
    const reason = await reasonOf(response);
    if (response.status === 401) {
      forget();
      throw new AdminError('signed_out', path.endsWith('/login') ? (reason ?? 'Name or password is incorrect.') : SIGNED_OUT);
    }
    if (response.status === 403) {
      forget();
      throw new AdminError('not_admin', NOT_ADMIN);
    }
    if (response.status === 429) throw new AdminError('limited', reason ?? 'Too many attempts: wait a minute, then try again.');
    if (response.status === 400) throw new AdminError('refused', reason ?? 'The server refused this request.');
    throw new AdminError('failed', reason ?? `The server could not answer (status ${response.status}). Try again in a moment.`);
  };
  const range = (from: string, to: string, format: 'json' | 'csv') =>
    `/_tote/admin/analytics?${new URLSearchParams({ from, to, format }).toString()}`;

  return {
    get signedIn() {
      return token !== null;
    },
    async signIn(name, password) {
      forget();
      const response = await call('/_tote/login', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password, device: 'Admin dashboard' }),
      });
      const answer = (await response.json()) as { token: string; account: { role: string } };
      token = answer.token;
      if (answer.account.role !== 'admin') {
        // A shopper's or support account's session is of no use here: ended at once, never kept.
        await call('/_tote/logout', { method: 'POST' }).catch(() => undefined);
        forget();
        throw new AdminError('not_admin', NOT_ADMIN);
      }
      storage.setItem(TOKEN_KEY, token);
      renewedAt = Date.now();
    },
    async signOut() {
      if (token) await call('/_tote/logout', { method: 'POST' }).catch(() => undefined);
      forget();
    },
    async analytics(from, to) {
      return (await (await call(range(from, to, 'json'))).json()) as AnalyticsSummary;
    },
    async analyticsCsv(from, to) {
      const response = await call(range(from, to, 'csv'), { headers: { accept: 'text/csv' } });
      const fileName = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `tote-analytics-${from}-${to}.csv`;
      return { blob: await response.blob(), fileName };
    },
    async metrics() {
      return (await (await call('/_tote/admin/metrics')).json()) as MetricsSummary;
    },
    async active() {
      if (!token || Date.now() - renewedAt < RENEW_EVERY_MS) return;
      renewedAt = Date.now();
      await call('/_tote/session/renew', { method: 'POST' });
    },
  };
}

/** Today and `days - 1` days before it, as UTC days (the days devices file their figures under). */
export function lastDays(days: number, now = Date.now()): { from: string; to: string } {
  const day = (at: number) => new Date(at).toISOString().slice(0, 10);
  return { from: day(now - (days - 1) * 86_400_000), to: day(now) };
}
