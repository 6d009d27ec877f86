/**
 * The one reading of a request target (docs/sync-server.md, "One reading of every path"). The gateway
 * parses the raw target once into decoded path segments and query parameters, decides on those
 * (access.ts) and builds the upstream URL from them alone (`upstreamTarget`), never from the raw string.
 * So the path the access rules saw is, byte for byte, the path CouchDB gets.
 *
 * A target that could be read two ways is refused (400) instead of guessed at:
 * - anything but RFC 3986 path characters in the raw path: `\`, spaces, quotes, `<>{}|^`` ` ``, raw
 *   non-ASCII bytes, control characters; `;` (a parameter separator to some servers);
 * - empty segments (`//`) and dot segments (`.`, `..`, also encoded as `%2e`);
 * - percent-encoding that is broken (`%zz`, `%4`), that encodes characters never needing it (letters,
 *   digits, `-._~`: `%2e`, `%41`), that decodes to invalid or overlong UTF-8 (`%c0%af`), or to `/`, `\`,
 *   `%` (double encoding), control characters or NUL;
 * - look-alikes of `/` and `\` (U+2215, U+2044, U+FF0F, U+29F8, U+FF3C, U+FE68) in a decoded segment;
 * - a query string with control characters, `#`, broken percent-encoding, or a parameter named twice.
 *
 * Pure: no I/O, no clock. `WHATWG URL` is never used here: it turns `\` into `/` and resolves `..`
 * (FACTS.md, "URLs, paths and proxies"), which is exactly the second reading this module exists to rule out.
 */

export interface RequestTarget {
  /** Decoded path segments: `/userdb-61/_local/x` → `['userdb-61', '_local', 'x']`; `/` → `[]`. */
  readonly segments: readonly string[];
  /** `/_utils/` rather than `/_utils`: kept, since some servers answer the two differently (Fauxton redirects). */
  readonly trailingSlash: boolean;
  /** Decoded query parameters, in order. */
  readonly query: readonly (readonly [string, string])[];
}

export type TargetReading =
  | { readonly ok: true; readonly target: RequestTarget }
  | { readonly ok: false; readonly reason: string };

/** Longest raw target the gateway reads (CouchDB's own limit on a request line is about 8 KB). */
export const MAX_TARGET_LENGTH = 8192;

// RFC 3986 pchar without `;` (sub-delims minus ";"), and "/" between segments; "%" checked separately.
const RAW_PATH = /^[A-Za-z0-9\-._~!$&'()*+,=:@%/]*$/;
const RAW_QUERY = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/?[\]{}"|^`<>\\ ]*$/;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const SLASH_LOOKALIKES = /[\u2215\u2044\uFF0F\u29F8\uFF3C\uFE68\u29F5\u2216]/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Percent-decodes one raw piece strictly; null when it is broken or decodes to invalid UTF-8. */
function decodeStrict(raw: string, allowPlus: boolean): { text: string; encodedUnreserved: boolean } | null {
  const bytes: number[] = [];
  let encodedUnreserved = false;
  for (let index = 0; index < raw.length; index += 1) {
    const char = raw[index]!;
    if (char === '%') {
      const hex = raw.slice(index + 1, index + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      const byte = Number.parseInt(hex, 16);
      if (byte < 0x80 && UNRESERVED.test(String.fromCharCode(byte))) encodedUnreserved = true;
      bytes.push(byte);
      index += 2;
    } else if (allowPlus && char === '+') {
      bytes.push(0x20);
    } else {
      const code = char.charCodeAt(0);
      if (code > 0x7f) return null;
      bytes.push(code);
    }
  }
  try {
    // fatal: invalid sequences, overlong forms (%c0%af) and lone surrogates throw
    return { text: utf8.decode(new Uint8Array(bytes)), encodedUnreserved };
  } catch {
    return null;
  }
}

const refuse = (reason: string): TargetReading => ({ ok: false, reason });

/** Reads a raw request target (`request.url` as the client sent it). */
export function readTarget(raw: string): TargetReading {
  if (raw.length > MAX_TARGET_LENGTH) return refuse('This address is too long.');
  if (!raw.startsWith('/')) return refuse('This address is not a path.');
  const queryAt = raw.indexOf('?');
  const rawPath = queryAt < 0 ? raw : raw.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? '' : raw.slice(queryAt + 1);
  if (!RAW_PATH.test(rawPath)) return refuse('This address contains characters that are not allowed in a path (such as \\, ;, spaces or control characters).');

  const segments: string[] = [];
  let trailingSlash = false;
  const pieces = rawPath === '/' ? [] : rawPath.slice(1).split('/');
  for (const [index, piece] of pieces.entries()) {
    // A trailing slash (`/db/`) names the same thing as without it; any other empty segment is refused.
    if (piece === '' && index === pieces.length - 1 && index > 0) {
      trailingSlash = true;
      break;
    }
    if (piece === '') return refuse('This address has an empty path segment (//).');
    const decoded = decodeStrict(piece, false);
    if (decoded === null) return refuse('This address has broken percent-encoding or invalid UTF-8.');
    if (decoded.encodedUnreserved) return refuse('This address percent-encodes letters, digits or "-._~", which never need it.');
    const text = decoded.text;
    if (text === '.' || text === '..') return refuse('This address has a dot segment (. or ..).');
    if (text.includes('/') || text.includes('\\')) return refuse('This address has an encoded / or \\ in a path segment.');
    if (text.includes('%')) return refuse('This address is percent-encoded twice.');
    if (CONTROL.test(text)) return refuse('This address contains control characters.');
    if (SLASH_LOOKALIKES.test(text)) return refuse('This address contains a character that looks like / or \\.');
    segments.push(text);
  }

  const query: [string, string][] = [];
  if (rawQuery !== '') {
    if (!RAW_QUERY.test(rawQuery)) return refuse('This address has characters that are not allowed in a query.');
    for (const pair of rawQuery.split('&')) {
      if (pair === '') continue;
      const equals = pair.indexOf('=');
      const name = decodeStrict(equals < 0 ? pair : pair.slice(0, equals), true);
      const value = decodeStrict(equals < 0 ? '' : pair.slice(equals + 1), true);
      if (name === null || value === null) return refuse('This address has a query with broken percent-encoding or invalid UTF-8.');
      if (CONTROL.test(name.text) || CONTROL.test(value.text)) return refuse('This address has a query with control characters.');
      // CouchDB reads the first of repeated parameters, other servers the last or all: one of each only.
      if (query.some(([seen]) => seen === name.text)) return refuse(`This address names the query parameter "${name.text}" twice.`);
      query.push([name.text, value.text]);
    }
  }
  return { ok: true, target: { segments, trailingSlash, query } };
}

/** Encodes one path segment for CouchDB: everything but unreserved characters and `:@` is percent-encoded. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%3A/g, ':').replace(/%40/g, '@').replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The upstream target built from a reading: segments encoded one by one, the query serialised afresh
 * (`query` without its `?`, empty when there is none).
 */
export function upstreamTarget(target: RequestTarget): { readonly path: string; readonly query: string } {
  return {
    path: `/${target.segments.map(encodeSegment).join('/')}${target.trailingSlash ? '/' : ''}`,
    query: target.query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&'),
  };
}

/** The value of a query parameter (each is named at most once), or null. */
export function queryValue(target: RequestTarget, name: string): string | null {
  return target.query.find(([key]) => key === name)?.[1] ?? null;
}
