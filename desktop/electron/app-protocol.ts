/**
 * The desktop app's own origin, `app://tote` (DESKTOP_APP_ORIGIN, the one the sync server's gateway
 * admits by default): main.ts registers the scheme as privileged (standard, secure, fetch, CORS) and hands
 * every request to `serveAppRequest`, which answers only with files inside the renderer's build folder.
 *
 * Why a scheme of its own and not `loadFile`: a `file://` page has an opaque origin (`Origin: null` or
 * `file://`), which a server cannot admit without admitting every local file, and it can read other local
 * files. https://www.electronjs.org/docs/latest/tutorial/security#18-avoid-usage-of-the-file-protocol-and-prefer-usage-of-custom-protocols
 *
 * Pure Node (no Electron): tested in desktop/electron/app-protocol.test.ts against real files and symlinks.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { DESKTOP_APP_HOST, DESKTOP_APP_ORIGIN, DESKTOP_APP_SCHEME } from '@tote/core/desktop-origin';

export { DESKTOP_APP_HOST, DESKTOP_APP_ORIGIN, DESKTOP_APP_SCHEME };

/** The renderer's entry page, as the window loads it and as the key store's sender check expects it. */
export const APP_INDEX_URL = `${DESKTOP_APP_ORIGIN}/index.html`;

/** What registerSchemesAsPrivileged is given (before `ready`): https://www.electronjs.org/docs/latest/api/protocol */
export const APP_SCHEME_PRIVILEGES = Object.freeze({
  standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: false, bypassCSP: false,
});

/**
 * The policy sent with every page (the index.html meta tag says the same; a page gets the stricter of both).
 * connect-src: any HTTPS sync server the shopper enters, its live channel, and the plain-HTTP loopback page
 * a local sync server offers to tell a certificate problem from an unreachable server.
 */
export const APP_CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self' 'unsafe-inline'",
  "img-src 'self' https: data:", "font-src 'self'", "connect-src https: wss: http://127.0.0.1:* http://localhost:*",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'", "object-src 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.wasm': 'application/wasm', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
};

export type AppFileDecision =
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'refused'; readonly status: 400 | 404; readonly reason: string };

const refused = (status: 400 | 404, reason: string): AppFileDecision => ({ kind: 'refused', status, reason });

/**
 * Which file of `distDir` answers `requestUrl`, decided on the raw path before anything is decoded, so no
 * spelling reaches outside: `..` and `.` segments (also `%2e`), encoded or back slashes, NUL, drive letters
 * and absolute paths are refused outright (the renderer never asks for them), and a path that resolves,
 * through symlinks, outside the folder's real location is refused too.
 */
export async function resolveAppFile(distDir: string, requestUrl: string): Promise<AppFileDecision> {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/i.exec(requestUrl);
  if (!match || match[1]!.toLowerCase() !== DESKTOP_APP_SCHEME || match[2]!.toLowerCase() !== DESKTOP_APP_HOST) {
    return refused(404, 'not the app\'s origin');
  }
  const rawPath = match[3] || '/';
  if (/[\\\0]|%(2f|5c|00)/i.test(rawPath)) return refused(400, 'encoded or back slash in the path');
  const segments: string[] = [];
  for (const raw of rawPath.split('/').slice(1)) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return refused(400, 'malformed percent-encoding');
    }
    if (segment === '.' || segment === '..' || /^[a-z]:/i.test(segment) || /[\\/\0]/.test(segment)) return refused(400, 'dot segment, drive or separator in the path');
    segments.push(segment);
  }
  if (segments.length === 0 || segments[segments.length - 1] === '') segments.splice(-1, 1, 'index.html');
  if (segments.some((segment) => segment === '')) return refused(400, 'empty path segment');

  const root = path.resolve(distDir);
  const file = path.join(root, ...segments);
  if (!inside(root, file)) return refused(400, 'outside the app');
  let realRoot: string;
  let realFile: string;
  try {
    [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
  } catch {
    return refused(404, 'no such file');
  }
  if (!inside(realRoot, realFile)) return refused(404, 'a link out of the app');
  return { kind: 'file', file: realFile };
}

function inside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The answer `protocol.handle` gives: the file with its type and the app's CSP, or a bare error status. */
export async function serveAppRequest(distDir: string, requestUrl: string, method = 'GET'): Promise<Response> {
  if (method !== 'GET' && method !== 'HEAD') return new Response(null, { status: 405 });
  const decision = await resolveAppFile(distDir, requestUrl);
  if (decision.kind === 'refused') return new Response(null, { status: decision.status });
  let body: Buffer;
  try {
    body = await readFile(decision.file);
  } catch {
    return new Response(null, { status: 404 });
  }
  return new Response(method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers: {
      'content-type': TYPES[path.extname(decision.file).toLowerCase()] ?? 'application/octet-stream',
      'content-security-policy': APP_CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    },
  });
}
