/**
 * The server's own client for CouchDB: nano (https://github.com/apache/couchdb-nano, 10.x), the standard
 * CouchDB client, for every call the server makes on its own behalf (provisioning, accounts, the audit
 * log, backups, the support tool, the signals feed). Clients' proxied requests never go through it: the
 * gateway forwards those with reply-from (gateway.ts). It speaks the Apache CouchDB 3.x contract
 * (https://docs.couchdb.org/en/stable/api/) and falls back to the single-node `/_config` of
 * pouchdb-server where CouchDB has `/_node/_local/_config`.
 *
 * nano rejects with its own error shape (`statusCode`, `error`, `reason`), and with a bare Error when
 * nothing answered. Every call made through a `CouchAdmin` turns those into the two typed errors below,
 * so callers decide on `CouchError.status` and `CouchUnreachableError` as before.
 */
import { Agent as HttpAgent, STATUS_CODES } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import Nano, { type DocumentScope, type ServerScope } from 'nano';
import type { Credentials } from './config.ts';

/** CouchDB answered with an error status. `error`/`reason` are CouchDB's own fields when it sent JSON. */
export class CouchError extends Error {
  override readonly name = 'CouchError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`CouchDB answered ${status} ${error} (${reason}) to ${method} ${path}`);
  }
}

/** The server could not be reached at all (refused, reset, DNS, timeout). */
export class CouchUnreachableError extends Error {
  override readonly name = 'CouchUnreachableError';
  constructor(readonly url: string, options?: { cause?: unknown }) {
    super(`CouchDB at ${url} could not be reached: ${describeCause(options?.cause)}`, options);
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message;
  }
  return String(cause);
}

/** A database's `_security` object (nano has no call of its own for it). */
export interface SecurityObject {
  readonly admins: { readonly names: readonly string[]; readonly roles: readonly string[] };
  readonly members: { readonly names: readonly string[]; readonly roles: readonly string[] };
}

export interface CouchSession {
  readonly name: string | null;
  readonly roles: readonly string[];
}

export interface CouchAdmin {
  /** Base URL without a trailing slash and without credentials. */
  readonly url: string;
  /** nano's server scope (`db.create`, `db.destroy`, `db.get`, `relax`, ...), with typed errors. */
  readonly server: ServerScope;
  /** nano's scope of one database (`get`, `insert`, `bulk`, `list`, `changes`, `compact`, ...), with typed errors. */
  db<D = Record<string, unknown>>(name: string): DocumentScope<D>;
  /** Who CouchDB takes these credentials for (`GET /_session`); name null and no roles when anonymous. */
  session(): Promise<CouchSession>;
  /** Creates a database; false when it already existed (412). */
  createDb(name: string): Promise<boolean>;
  /** Deletes a database; one already gone is fine. */
  destroyDb(name: string): Promise<void>;
  getSecurity(db: string): Promise<Partial<SecurityObject>>;
  putSecurity(db: string, security: SecurityObject): Promise<void>;
  /** Reads a config value (`/_node/_local/_config/...` on CouchDB 3, `/_config/...` on pouchdb-server); null when unset. */
  getConfig(section: string, key: string): Promise<string | null>;
  /** Writes a config value, unless it already has that value. Returns whether it wrote. */
  setConfig(section: string, key: string, value: string): Promise<boolean>;
}

export function basicAuth({ name, password }: Credentials): string {
  return `Basic ${Buffer.from(`${name}:${password}`, 'utf8').toString('base64')}`;
}

/** The status of a CouchError, or null for anything else. */
export function couchStatus(error: unknown): number | null {
  return error instanceof CouchError ? error.status : null;
}

/** The call's result, or null when CouchDB answered 404 (a document or database that is not there). */
export async function unlessMissing<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (couchStatus(error) === 404) return null;
    throw error;
  }
}

interface NanoError {
  statusCode?: number;
  error?: string;
  reason?: string;
  message?: string;
  request?: { method?: string; url?: string };
}

/** nano's rejection as CouchError (CouchDB answered) or CouchUnreachableError (nothing answered). */
function typedError(error: unknown, base: string): unknown {
  if (error instanceof CouchError || error instanceof CouchUnreachableError) return error;
  const failure = (error ?? {}) as NanoError;
  if (typeof failure.statusCode === 'number') {
    const url = failure.request?.url ?? '';
    const path = url.replace(/^https?:\/\/[^/]*/, '') || '/';
    return new CouchError(
      failure.statusCode, failure.error ?? STATUS_CODES[failure.statusCode] ?? 'error',
      (failure.reason ?? failure.message ?? '').slice(0, 200), (failure.request?.method ?? 'GET').toUpperCase(), path,
    );
  }
  // nano's own refusal of a call made wrongly is a bug here, not an outage.
  if (failure.message === 'Invalid parameters') return error;
  const reason = String(failure.message ?? error).replace(/^error happened in your connection\. Reason: /, '');
  return new CouchUnreachableError(base, { cause: new Error(reason) });
}

/**
 * nano's scopes with every returned promise's failure typed. `use`/`scope` give wrapped scopes too;
 * the changes reader is left as nano made it (its events carry nano's errors; server-signals.ts).
 */
function withTypedErrors<T extends object>(target: T, base: string): T {
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key);
      if (key === 'changesReader' || key === 'config' || key === 'server') return value;
      if (typeof value === 'function') {
        return (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(object, args);
          if (result instanceof Promise) return result.catch((error: unknown) => { throw typedError(error, base); });
          if ((key === 'use' || key === 'scope') && result && typeof result === 'object') return withTypedErrors(result, base);
          return result;
        };
      }
      if (value && typeof value === 'object') return withTypedErrors(value, base);
      return value;
    },
  });
}

/**
 * Connections are kept open between calls, but an idle one is closed after 4 s: before the 5 s after
 * which Node servers (the embedded pouchdb-server) close it themselves, so a call never goes out on a
 * connection the server is closing ("socket hang up"). Node's agent also honours a shorter
 * `Keep-Alive: timeout=` hint, but only when a timeout is set. Idle connections keep no process alive.
 */
const agentOptions = { keepAlive: true, timeout: 4_000, maxSockets: 64 };
const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };

/**
 * A client with these credentials (null: anonymous). `timeoutMs` bounds each request (a long-polled feed
 * needs a client of its own with a longer one). Credentials go in a header, never in the URL, so nano's
 * logs and errors never carry them; environment proxies are ignored (CouchDB is on loopback or a private
 * network, and Node's fetch, used before, ignored them too).
 */
export function couchAdmin(url: string, admin: Credentials | null, options: { timeoutMs?: number } = {}): CouchAdmin {
  const base = url.replace(/\/+$/, '');
  const nano = Nano({
    url: base,
    parseUrl: false,
    requestDefaults: {
      timeout: options.timeoutMs ?? 10_000,
      headers: admin ? { authorization: basicAuth(admin) } : {},
      proxy: false,
      agent: base.startsWith('https:') ? agents.https : agents.http,
    } as Nano.RequestDefaultsOptions,
  });
  const server = withTypedErrors(nano, base);
  let configBase: Promise<string> | null = null;

  // CouchDB 3 answers /_node/_local/_config; pouchdb-server has no /_node and answers /_config.
  const configPath = async (section: string, key: string) => {
    configBase ??= server.relax({ path: '_node/_local/_config/couchdb' })
      .then(() => '_node/_local/_config', (error: unknown) => {
        if ([400, 404, 405].includes(couchStatus(error) ?? 0)) return '_config';
        configBase = null;
        throw error;
      });
    return `${await configBase}/${encodeURIComponent(section)}/${encodeURIComponent(key)}`;
  };

  const getConfig: CouchAdmin['getConfig'] = async (section, key) => {
    const found: unknown = await unlessMissing(server.relax({ path: await configPath(section, key) }));
    return found === null || found === undefined ? null : String(found);
  };

  return {
    url: base,
    server,
    db: <D>(name: string) => server.use<D>(name),
    async session() {
      const { userCtx } = await server.session();
      return { name: userCtx?.name ?? null, roles: userCtx?.roles ?? [] };
    },
    async createDb(name) {
      try {
        await server.db.create(name);
        return true;
      } catch (error) {
        if (couchStatus(error) === 412) return false;
        throw error;
      }
    },
    async destroyDb(name) {
      await unlessMissing(server.db.destroy(name));
    },
    async getSecurity(db) {
      return ((await server.relax({ db, path: '_security' })) ?? {}) as Partial<SecurityObject>;
    },
    async putSecurity(db, security) {
      await server.relax({ db, path: '_security', method: 'PUT', body: security });
    },
    getConfig,
    async setConfig(section, key, value) {
      if ((await getConfig(section, key)) === value) return false;
      await server.relax({ path: await configPath(section, key), method: 'PUT', body: value });
      return true;
    },
  };
}

/** Whether CouchDB signs these credentials in (a wrong password: 401 on CouchDB, anonymous on pouchdb-server). */
export async function passwordWorks(url: string, credentials: Credentials): Promise<boolean> {
  const session = await couchAdmin(url, credentials).session().catch((error: unknown) => {
    if (couchStatus(error) === 401) return null;
    throw error;
  });
  return session?.name === credentials.name;
}
