/**
 * The gateway's API documentation (docs/sync-server.md, "API documentation"), from the outside: the real
 * sync server over HTTPS. An admin reads an OpenAPI document that a validator of the OpenAPI schemas
 * accepts and that lists every `/_tote/*` route the gateway serves, each described; nobody else reads
 * it. The schemas only document: routes refuse and answer as their own checks always did. Without a built
 * dashboard the gateway still works, and its page says what to run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';

let server: RunningSyncServer;
let client: GatewayClient;
let dataDir: string;
let adminToken: string;

interface OpenApi { openapi: string; paths: Record<string, Record<string, { summary?: string; responses?: Record<string, unknown> }>> }

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-openapi-'));
  // No dashboard build: the page must say so, and nothing else may change.
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0 }, { adminUiDir: null });
  client = gatewayClient(server.gateway.url, server.gateway.cert);
  adminToken = ((await client.logIn(server.admin.name, server.admin.password, 'admin console')).body as { token: string }).token;
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('API documentation', () => {
  it('is an OpenAPI 3.1 document listing every /_tote route the gateway serves, each described', async () => {
    const answer = await client.request<OpenApi>('GET', '/_tote/admin/openapi.json', { token: adminToken });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const validator = new Validator();
    const result = await validator.validate(answer.body as unknown as Record<string, unknown>);
    expect(result.errors ?? [], JSON.stringify(result.errors)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');

    const served = server.gateway.routes
      .filter((route) => route.url.startsWith('/_tote'))
      .flatMap((route) => route.method.split(',').filter((method) => method !== 'HEAD').map((method) => ({ method: method.toLowerCase(), path: route.url.replace(/:(\w+)/g, '{$1}') })));
    // The routes this test knows the gateway must have, so an empty list cannot pass.
    for (const known of ['post /_tote/login', 'get /_tote/admin/analytics', 'post /_tote/analytics', 'get /_tote/metrics', 'get /_tote/live', 'get /_tote/admin/openapi.json', 'delete /_tote/sessions/{id}']) {
      expect(served.map((route) => `${route.method} ${route.path}`)).toContain(known);
    }
    const { paths } = answer.body;
    for (const { method, path: url } of served) {
      const operation = paths[url]?.[method];
      expect(operation, `${method.toUpperCase()} ${url} is documented`).toBeDefined();
      expect(operation!.summary, `${method.toUpperCase()} ${url} has a summary`).toMatch(/\w/);
      expect(Object.keys(operation!.responses ?? {}).length, `${method.toUpperCase()} ${url} names its answers`).toBeGreaterThan(0);
    }
    // Nothing else: the CouchDB proxy behind the gateway is not listed.
    const listed = Object.entries(paths).flatMap(([url, operations]) => Object.keys(operations).map((method) => `${method} ${url}`));
    expect(listed.sort()).toEqual(served.map((route) => `${route.method} ${route.path}`).sort());
  });

  it('is for admins only: 401 without a session, 403 for shoppers and support staff', async () => {
    expect((await client.request('GET', '/_tote/admin/openapi.json')).status).toBe(401);
    const shopper = await client.logIn(server.shopper.name, server.shopper.password);
    const shopperToken = (shopper.body as { token: string }).token;
    const refused = await client.request('GET', '/_tote/admin/openapi.json', { token: shopperToken });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).not.toContain('openapi');
    const made = await client.request('POST', '/_tote/admin/accounts', { token: adminToken, body: { name: 'helpdesk-openapi', password: 'support password 1', role: 'support' } });
    expect(made.status).toBe(201);
    const support = (await client.logIn('helpdesk-openapi', 'support password 1')).body as { token: string };
    expect((await client.request('GET', '/_tote/admin/openapi.json', { token: support.token })).status).toBe(403);
    // The dashboard's metrics summary: the same rule.
    expect((await client.request('GET', '/_tote/admin/metrics')).status).toBe(401);
    expect((await client.request('GET', '/_tote/admin/metrics', { token: shopperToken })).status).toBe(403);
    expect((await client.request('GET', '/_tote/admin/metrics', { token: support.token })).status).toBe(403);
    expect((await client.request('GET', '/_tote/admin/metrics', { token: adminToken })).status).toBe(200);
  });

  it('changes nothing routes accept or answer: their own checks still decide, with their own reasons', async () => {
    // A schema validator would have answered these with its own words (e.g. "body/name must be string").
    const login = await client.request('POST', '/_tote/login', { body: { name: 5, password: 'x' } });
    expect(login.status).toBe(400);
    expect(login.body).toEqual({ error: 'bad_request', reason: 'Send a name and a password.' });
    const signup = await client.request('POST', '/_tote/signup', { body: { name: 'openapi-shopper', password: 'short' } });
    expect(signup.body).toEqual({ error: 'bad_request', reason: 'The password must be at least 8 characters long.' });
    const shopper = (await client.logIn(server.shopper.name, server.shopper.password)).body as { token: string };
    const batch = await client.request('POST', '/_tote/analytics', { token: shopper.token, body: { device: 'd1', days: [], extra: 1 } });
    expect(batch.status).toBe(400);
    expect(batch.body).toMatchObject({ error: 'invalid_aggregate', reason: expect.stringContaining('extra is not a known field') });
    const timeout = await client.request('PATCH', '/_tote/account', { token: shopper.token, body: { sessionTimeoutMinutes: '30' } });
    expect(timeout.body).toEqual({ error: 'bad_request', reason: 'The session timeout must be a whole number of minutes from 15 to 120.' });
    // Answers keep every field (a response schema would have dropped what it does not list).
    const session = await client.request<{ session: Record<string, unknown>; account: Record<string, unknown> }>('GET', '/_tote/session', { token: shopper.token });
    expect(Object.keys(session.body.session).sort()).toEqual(['createdAt', 'device', 'dbName', 'expiresAt', 'guest', 'id', 'name', 'renewedAt', 'role', 'timeoutMs'].sort());
    expect(JSON.stringify(session.body)).not.toContain(shopper.token);
  });
});

describe('the admin dashboard without a build', () => {
  it('answers 503 with what to run, under the strict policy, while everything else works', async () => {
    // `/_tote/admin` leads to the page (fetch follows the 308).
    const redirected = await client.request<string>('GET', '/_tote/admin');
    expect(redirected.status).toBe(503);
    expect(redirected.body).toContain('npm run build');
    const page = await client.request<string>('GET', '/_tote/admin/', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).toContain('npm run build');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect((await client.request('GET', '/_tote/admin/assets/index-abc123.js')).status).toBe(404);
    expect((await client.request('GET', '/_tote/admin/assets/..%2Fpackage.json')).status).toBe(404);
    expect((await client.request('GET', '/_tote/health')).status).toBe(200);
    expect((await client.request('GET', '/_tote/admin/analytics', { token: adminToken })).status).toBe(200);
  });
});
