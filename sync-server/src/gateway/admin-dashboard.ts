/**
 * The admin dashboard (docs/analytics.md, "The admin dashboard"; docs/operations.md): a static bundle
 * (`admin/`, Svelte 5 + Vite, built by `npm run build`) served at `/_tote/admin/`, and the JSON summary of
 * the gateway's own metrics it charts, `GET /_tote/admin/metrics`.
 *
 * - The page and its assets hold no figure and no secret: anyone may load them. Every figure comes from
 *   routes that need an admin's session (`Authorization: Bearer`, from `POST /_tote/login`): the
 *   dashboard keeps that token in the tab's sessionStorage, never in a cookie, so no other site can
 *   make a browser use it.
 * - A strict Content-Security-Policy: scripts, styles and connections from the gateway itself only, no
 *   inline script or style, no frames. Hashed assets (`assets/<name>-<hash>.<ext>`) are cached for a
 *   year as immutable; the page itself is never cached, so a new build shows at the next load.
 * - Without a build the gateway still works: the page answers 503 saying to run `npm run build`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { summariseMetrics, type MetricJson } from './metrics-summary.ts';

export const ADMIN_PAGE = '/_tote/admin/';
export const ADMIN_ASSETS = '/_tote/admin/assets/';

export const ADMIN_CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'", "connect-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'", "object-src 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.woff2': 'font/woff2', '.json': 'application/json', '.map': 'application/json',
};
/** One file name, as Vite names its output: no folder, no dot first. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tote admin: not built</title></head>
<body><main><h1>The admin dashboard is not built</h1>
<p>This server has no dashboard to show yet. In the project's folder, run <code>npm run build</code>, then reload this page.</p>
<p>Everything else on this server works as usual.</p></main></body></html>
`;

export interface AdminDashboardOptions {
  /** The built bundle (`admin/dist`); none, or a folder without `index.html`, gets the 503 page. */
  readonly dir: string | null;
  readonly registry: Registry;
  readonly now: () => number;
  /** The gateway's session check: the caller's admin session, or a 401/403 GatewayError. */
  readonly requireAdmin: (request: FastifyRequest) => void;
}

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR';

export function registerAdminDashboard(app: FastifyInstance, { dir, registry, now, requireAdmin }: AdminDashboardOptions): void {
  app.get('/_tote/admin', async (_request, reply) => reply.code(308).header('location', ADMIN_PAGE).send());

  app.get(ADMIN_PAGE, async (_request, reply) => {
    void reply.header('content-security-policy', ADMIN_CONTENT_SECURITY_POLICY).header('cache-control', 'no-store');
    try {
      if (!dir) throw Object.assign(new Error('no dashboard folder'), { code: 'ENOENT' });
      const page = await readFile(path.join(dir, 'index.html'));
      return reply.type('text/html; charset=utf-8').send(page);
    } catch (error) {
      if (!missing(error)) throw error;
      return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    }
  });

  app.get<{ Params: { file: string } }>(`${ADMIN_ASSETS}:file`, async (request, reply) => {
    const { file } = request.params;
    const type = TYPES[path.extname(file)];
    if (!dir || !ASSET_NAME.test(file) || !type) return reply.code(404).header('cache-control', 'no-store').send({ error: 'not_found', reason: 'No such file of the admin dashboard.' });
    try {
      const body = await readFile(path.join(dir, 'assets', file));
      return reply.header('content-security-policy', ADMIN_CONTENT_SECURITY_POLICY).header('cache-control', 'public, max-age=31536000, immutable').type(type).send(body);
    } catch (error) {
      if (!missing(error)) throw error;
      return reply.code(404).header('cache-control', 'no-store').send({ error: 'not_found', reason: 'No such file of the admin dashboard: reload the page after a new build.' });
    }
  });

  app.get('/_tote/admin/metrics', async (request) => {
    requireAdmin(request);
    return summariseMetrics(await registry.getMetricsAsJSON() as unknown as MetricJson[], now());
  });
}
