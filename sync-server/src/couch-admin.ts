/**
 * A small client for CouchDB's HTTP API as a server admin, used for provisioning (global fetch, Basic
 * auth; no nano). It speaks the Apache CouchDB 3.x contract (https://docs.couchdb.org/en/stable/api/)
 * and falls back to the single-node `/_config` of pouchdb-server where CouchDB has `/_node/_local/_config`.
 */
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

export interface CouchResponse<T> {
  readonly status: number;
  readonly body: T;
}

export interface CouchAdmin {
  /** Base URL without a trailing slash and without credentials. */
  readonly url: string;
  /**
   * One request; `path` starts with `/` and is already encoded. Error statuses throw CouchError unless
   * listed in `okStatuses`. Bodies that are not JSON come back as text.
   */
  request<T = unknown>(method: string, path: string, body?: unknown, okStatuses?: readonly number[]): Promise<CouchResponse<T>>;
  /** Reads a config value (`/_node/_local/_config/...` on CouchDB 3, `/_config/...` on pouchdb-server); null when unset. */
  getConfig(section: string, key: string): Promise<string | null>;
  /** Writes a config value, unless it already has that value. Returns whether it wrote. */
  setConfig(section: string, key: string, value: string): Promise<boolean>;
}

export function basicAuth({ name, password }: Credentials): string {
  return `Basic ${Buffer.from(`${name}:${password}`, 'utf8').toString('base64')}`;
}

interface CouchErrorBody {
  error?: string;
  reason?: string;
}

export function couchAdmin(url: string, admin: Credentials | null, options: { timeoutMs?: number } = {}): CouchAdmin {
  const base = url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  let configBase: Promise<string> | null = null;

  const request: CouchAdmin['request'] = async <T>(method: string, path: string, body?: unknown, okStatuses: readonly number[] = []) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (admin) headers.authorization = basicAuth(admin);
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${base}${path}`, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      throw new CouchUnreachableError(base, { cause });
    }
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (an HTML error page, Fauxton): keep the text
    }
    if (!response.ok && !okStatuses.includes(response.status)) {
      const info = (parsed && typeof parsed === 'object' ? parsed : {}) as CouchErrorBody;
      throw new CouchError(response.status, info.error ?? response.statusText, info.reason ?? (typeof parsed === 'string' ? parsed.slice(0, 200) : ''), method, path);
    }
    return { status: response.status, body: parsed as T };
  };

  // CouchDB 3 answers /_node/_local/_config; pouchdb-server has no /_node and answers /_config.
  const configPath = (section: string, key: string) => {
    configBase ??= request('GET', '/_node/_local/_config/couchdb', undefined, [400, 404, 405])
      .then((probe) => (probe.status === 200 ? '/_node/_local/_config' : '/_config'))
      .catch((error: unknown) => { configBase = null; throw error; });
    return configBase.then((prefix) => `${prefix}/${encodeURIComponent(section)}/${encodeURIComponent(key)}`);
  };

  const getConfig: CouchAdmin['getConfig'] = async (section, key) => {
    const found = await request<unknown>('GET', await configPath(section, key), undefined, [404]);
    return found.status === 200 && found.body !== null ? String(found.body) : null;
  };

  return {
    url: base,
    request,
    getConfig,
    async setConfig(section, key, value) {
      if ((await getConfig(section, key)) === value) return false;
      await request('PUT', await configPath(section, key), value);
      return true;
    },
  };
}
