/**
 * A small client for CouchDB's HTTP API as a server admin, used for provisioning. It speaks the
 * Apache CouchDB 3.x contract (https://docs.couchdb.org/en/stable/api/) and falls back to the
 * single-node `/_config` of pouchdb-server where CouchDB has `/_node/_local/_config`.
 */
import type { Credentials } from './config.ts';

export class CouchError extends Error {
  override readonly name = 'CouchError';
  constructor(readonly status: number, readonly reason: string, readonly path: string) {
    super(`CouchDB answered ${status} (${reason}) for ${path}`);
  }
}

export interface CouchAdmin {
  readonly url: string;
  request<T = unknown>(method: string, path: string, body?: unknown, okStatuses?: readonly number[]): Promise<{ status: number; body: T }>;
  setConfig(section: string, key: string, value: string): Promise<void>;
}

export function basicAuth({ name, password }: Credentials): string {
  return `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
}

export function couchAdmin(url: string, admin: Credentials | null): CouchAdmin {
  let configBase: string | null = null;
  const request: CouchAdmin['request'] = async (method, path, body, okStatuses = []) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (admin) headers.authorization = basicAuth(admin);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : null;
    if (!response.ok && !okStatuses.includes(response.status)) {
      throw new CouchError(response.status, parsed?.reason ?? parsed?.error ?? response.statusText, path);
    }
    return { status: response.status, body: parsed };
  };
  return {
    url,
    request,
    async setConfig(section, key, value) {
      if (configBase === null) {
        const probe = await request('GET', '/_node/_local/_config/couchdb', undefined, [400, 404]);
        configBase = probe.status === 200 ? '/_node/_local/_config' : '/_config';
      }
      await request('PUT', `${configBase}/${section}/${encodeURIComponent(key)}`, value);
    },
  };
}
