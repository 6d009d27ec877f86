/**
 * API documentation generated from the gateway's route schemas (route-schemas.ts) by @fastify/swagger:
 * an OpenAPI 3.1 document of every `/_tote/*` route, for admins only at `GET /_tote/admin/openapi.json`
 * (docs/sync-server.md, "API documentation"). CouchDB's own API behind the proxy (`/*`, the access rules
 * of access.ts) is described in docs/sync-server.md, not here.
 *
 * Must be registered before the routes: each route's schema is attached as it is declared (onRoute),
 * and the plugin collects routes as they are declared.
 */
import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { routeSchema } from './route-schemas.ts';

export const OPENAPI_ROUTE = '/_tote/admin/openapi.json';

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  app.addHook('onRoute', (route) => {
    const schema = routeSchema(route.method, route.url ?? route.path);
    if (schema) route.schema = { ...schema, ...route.schema };
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tote sync gateway', version,
        description: 'The gateway\'s own routes: accounts, sessions, keys, the live channel, analytics, operations and admin. '
          + 'Sign in with `POST /_tote/login` and send `Authorization: Bearer <token>`. Errors are `{error, reason}`. '
          + 'CouchDB\'s replication API behind the gateway is described in docs/sync-server.md.',
      },
      components: { securitySchemes: { session: { type: 'http', scheme: 'bearer', description: 'The token from `POST /_tote/login`.' } } },
      security: [{ session: [] }],
      tags: ['accounts', 'sessions', 'keys', 'sync', 'analytics', 'support', 'admin', 'operations'].map((name) => ({ name })),
    },
    // Only the gateway's own routes, all of them: the CouchDB proxy (`/*`) is not an API of its own, and the
    // live channel is listed although @fastify/websocket hides WebSocket routes.
    transform: ({ schema, url }) => {
      if (!url.startsWith('/_tote/')) return { schema: { ...schema, hide: true }, url };
      const { hide: _hide, ...shown } = (schema ?? {}) as Record<string, unknown>;
      return { schema: shown, url };
    },
  });
}

/** The route itself: an admin's session only (`requireAdmin` throws 401/403 otherwise). */
export function registerOpenApiRoute(app: FastifyInstance, requireAdmin: (request: FastifyRequest) => void): void {
  app.get(OPENAPI_ROUTE, async (request) => {
    requireAdmin(request);
    return app.swagger();
  });
}
