/**
 * Headers a proxy must not pass on (RFC 9110 §7.6.1): hop-by-hop headers belong to one connection, the
 * client's to the gateway or CouchDB's to the gateway, never to the next one. Passing CouchDB's
 * `connection: keep-alive` and `transfer-encoding` on to clients broke stock CouchDB clients (PouchDB over
 * node-fetch: "Client Error"). `server` and `x-powered-by` tell attackers what runs behind the gateway.
 */

type Headers = Record<string, string | string[] | number | undefined>;

/** Hop-by-hop headers by name; every `proxy-*` header is one too, and so is any named in `Connection`. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings',
]);

/** What the software behind the gateway calls itself: never sent. */
export const IDENTIFYING: ReadonlySet<string> = new Set(['server', 'x-powered-by']);

/** Header names listed in a `Connection` header (comma-separated, any case). */
export function connectionListed(value: Headers[string]): string[] {
  const text = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : '';
  return text.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
}

function without(headers: Headers, drop: (name: string) => boolean): Headers {
  const listed = new Set(connectionListed(headers.connection ?? headers.Connection));
  const kept: Headers = {};
  for (const [key, value] of Object.entries(headers)) {
    const name = key.toLowerCase();
    if (HOP_BY_HOP.has(name) || name.startsWith('proxy-') || listed.has(name) || drop(name)) continue;
    kept[key] = value;
  }
  return kept;
}

/** An upstream answer's headers as the gateway passes them on: no hop-by-hop headers, no `server` or `x-powered-by`. */
export function answerHeaders<T extends Headers>(headers: T): T {
  return without(headers, (name) => IDENTIFYING.has(name)) as T;
}

/** The request headers CouchDB may get from a client; credentials are the gateway's to set (access.ts, `forward`). */
const FORWARDED_REQUEST = new Set(['accept', 'content-type', 'content-length', 'if-match', 'if-none-match', 'x-couch-full-commit']);

/**
 * A client request's headers as the gateway forwards them: only those CouchDB needs, so no hop-by-hop
 * header, no `expect` (the gateway has already answered `100-continue` itself; undici refuses to send it,
 * which answered a large upload with 502), and no credentials or cookies of the client's.
 */
export function forwardedRequestHeaders<T extends Headers>(headers: T): T {
  return Object.fromEntries(Object.entries(headers).filter(([name, value]) => FORWARDED_REQUEST.has(name.toLowerCase()) && value !== undefined)) as T;
}

/**
 * Whether an answer must not be stored by browsers or caches: every answer but Fauxton's own files and
 * the admin dashboard's hashed assets (admin-dashboard.ts sets their caching). The account routes hand
 * out tokens, secrets and key records; CouchDB's answers carry carts, and to admins the whole server
 * (`_config`, `_users`).
 */
export function noStore(url: string): boolean {
  const path = url.split('?')[0]!;
  return !(path === '/_utils' || path.startsWith('/_utils/') || path.startsWith('/_tote/admin/assets/'));
}
