/** The sync server from the outside, over HTTP: provisioning, access rules, restarts. */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, couchAdmin, CouchError } from './couch-admin.ts';
import { ensureShopper } from './provision.ts';
import { startSyncServer, type RunningSyncServer } from './index.ts';

let dataDir: string;
let server: RunningSyncServer;
let firstStartMs: number;
const other = { name: 'other', password: 'other-secret' };

const as = (who: { name: string; password: string } | null) => (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => fetch(url, {
  method,
  headers: { 'content-type': 'application/json', ...(who ? { authorization: basicAuth(who) } : {}), ...headers },
  body: body === undefined ? undefined : JSON.stringify(body),
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isRunning(pid);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-sync-server-'));
  const started = Date.now();
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0 });
  firstStartMs = Date.now() - started;
});

afterAll(async () => {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('sync server', () => {
  it('starts on loopback, with its files inside the data folder', async () => {
    // How long it takes is reported, not asserted here: speed is measured under bench/.
    console.info(`sync-server: first start (fresh data folder, provisioning included) took ${firstStartMs} ms`);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.fauxtonUrl).toBe(`${server.url}/_utils/`);
    expect(server.couchDataDir).toBe(path.join(dataDir, 'couch'));
    expect((await stat(path.join(dataDir, 'couch', 'log.txt'))).isFile()).toBe(true);
    expect((await stat(path.join(dataDir, 'couch', 'config.json'))).isFile()).toBe(true);
    expect((await stat(path.join(dataDir, 'couch', server.shopper.dbName))).isDirectory()).toBe(true);
  });

  it('generates admin and shopper passwords once and keeps them private in the data folder', async () => {
    expect(server.admin.generated).toBe(true);
    expect(server.shopper.generated).toBe(true);
    expect(server.shopper.name).toBe('shopper');
    expect(server.shopper.dbName).toBe('userdb-73686f70706572');
    for (const [file, who] of [['admin.json', server.admin], ['shopper.json', server.shopper]] as const) {
      const where = path.join(dataDir, file);
      expect(JSON.parse(await readFile(where, 'utf8'))).toEqual({ name: who.name, password: who.password });
      expect((await stat(where)).mode & 0o077).toBe(0);
    }
    expect(server.admin.password).not.toBe(server.shopper.password);
  });

  it('lets the shopper read and write its own cart database', async () => {
    const shopper = as(server.shopper);
    const put = await shopper('PUT', `${server.shopper.dbUrl}/item-1`, { title: 'kettle' });
    expect(put.status).toBe(201);
    const got = await shopper('GET', `${server.shopper.dbUrl}/item-1`);
    expect(await got.json()).toMatchObject({ title: 'kettle' });
    const bulk = await shopper('POST', `${server.shopper.dbUrl}/_bulk_docs`, { docs: [{ _id: 'item-3', title: 'mug' }] });
    expect(bulk.status).toBe(201);
    const changes = await shopper('GET', `${server.shopper.dbUrl}/_changes?style=all_docs&include_docs=true`);
    expect(changes.status).toBe(200);
    expect(((await changes.json()) as { results: { id: string }[] }).results.map((row) => row.id).sort()).toEqual(['item-1', 'item-3']);
  });

  it('refuses anonymous access and wrong passwords with 401', async () => {
    for (const suffix of ['', '/item-1', '/_changes', '/_all_docs']) {
      expect((await as(null)('GET', `${server.shopper.dbUrl}${suffix}`)).status, suffix).toBe(401);
    }
    expect((await as(null)('PUT', `${server.shopper.dbUrl}/planted`, { x: 1 })).status).toBe(401);
    expect((await as({ name: 'shopper', password: 'wrong' })('GET', `${server.shopper.dbUrl}/item-1`)).status).toBe(401);
  });

  it('keeps shoppers apart: a second shopper can neither read nor write this cart', async () => {
    const provisioned = await ensureShopper(couchAdmin(server.url, server.admin), other);
    const otherDb = `${server.url}/${provisioned.dbName}`;
    const intruder = as(other);
    expect((await intruder('PUT', `${otherDb}/own`, { title: 'own' })).status).toBe(201);
    // pouchdb-server answers 401 to authenticated non-members where Apache CouchDB answers 403.
    for (const [method, suffix, body] of [
      ['GET', '', undefined], ['GET', '/item-1', undefined], ['GET', '/_all_docs?include_docs=true', undefined],
      ['POST', '/_all_docs', { keys: ['item-1'] }], ['GET', '/_changes?include_docs=true', undefined],
      ['PUT', '/item-2', { title: 'planted' }], ['DELETE', '/item-1?rev=1-x', undefined],
      ['GET', '/_security', undefined], ['PUT', '/_security', { members: { names: ['other'] } }],
    ] as const) {
      const response = await intruder(method, `${server.shopper.dbUrl}${suffix}`, body);
      expect([401, 403], `${method} ${suffix}`).toContain(response.status);
    }
    // _bulk_docs: pouchdb-server answers 201 with a per-document "unauthorized" error; CouchDB answers 403.
    const bulk = await intruder('POST', `${server.shopper.dbUrl}/_bulk_docs`, { docs: [{ _id: 'item-4', title: 'planted' }] });
    if (bulk.status === 201) expect(await bulk.json()).toEqual([expect.objectContaining({ id: 'item-4', error: expect.any(String) })]);
    else expect([401, 403]).toContain(bulk.status);
    for (const planted of ['item-2', 'item-4']) {
      expect((await as(server.shopper)('GET', `${server.shopper.dbUrl}/${planted}`)).status, planted).toBe(404);
    }
    // And the first shopper cannot read the second's cart either.
    expect([401, 403]).toContain((await as(server.shopper)('GET', `${otherDb}/own`)).status);
  });

  it('serves Fauxton', async () => {
    const response = await fetch(server.fauxtonUrl);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<html/i);
  });

  it('answers CORS preflights with credentials and the authorization header', async () => {
    const response = await fetch(`${server.shopper.dbUrl}/_changes`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('access-control-allow-origin')).toMatch(/^(\*|http:\/\/localhost:5173)$/);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it('provisions idempotently: a second run with the same configuration changes nothing', async () => {
    const couch = couchAdmin(server.url, server.admin);
    const before = await couch.db('_users').get('org.couchdb.user:shopper');
    const again = await ensureShopper(couch, server.shopper);
    expect(again.changed).toEqual({ user: false, db: false, security: false });
    const after = await couch.db('_users').get('org.couchdb.user:shopper');
    expect(after._rev).toBe(before._rev);
    expect(await couch.setConfig('cors', 'credentials', 'true')).toBe(false);
  });

  it('keeps data and credentials across a restart, leaving no process behind', async () => {
    const port = Number(new URL(server.url).port);
    const pid = server.pid as number;
    expect(isRunning(pid)).toBe(true);
    await server.stop();
    expect(await waitForExit(pid)).toBe(true);
    await server.stop(); // twice is fine

    const started = Date.now();
    server = await startSyncServer({ dataDir, port, gatewayPort: 0, corsOrigins: ['http://localhost:5173'] });
    console.info(`sync-server: restart on an existing data folder took ${Date.now() - started} ms`);
    expect(server.url).toBe(`http://127.0.0.1:${port}`);
    expect(server.admin.generated).toBe(false);
    expect(server.shopper.generated).toBe(false);
    const got = await as(server.shopper)('GET', `${server.shopper.dbUrl}/item-1`);
    expect(await got.json()).toMatchObject({ title: 'kettle' });
    expect((await as(other)('GET', `${server.url}/${'userdb-6f74686572'}/own`)).status).toBe(200);
    const security = await as(server.admin)('GET', `${server.shopper.dbUrl}/_security`);
    expect(await security.json()).toEqual({ admins: { names: [], roles: [] }, members: { names: ['shopper'], roles: [] } });
    // The new origin list is in force.
    const preflight = (origin: string) => fetch(`${server.shopper.dbUrl}/`, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect((await preflight('http://localhost:5173')).headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect((await preflight('http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses to start with admin credentials the server does not know, and stops what it started', async () => {
    const port = Number(new URL(server.url).port);
    await server.stop();
    const failing = startSyncServer({ dataDir, port, gatewayPort: 0, admin: { name: 'admin', password: 'not-the-one' } });
    await expect(failing).rejects.toThrow(CouchError);
    await expect(failing).rejects.toThrow(/does not accept "admin" as a server admin/);
    // Nothing listens on the port any more.
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    server = await startSyncServer({ dataDir, port, gatewayPort: 0 });
  });

  it('says clearly when the port is taken', async () => {
    const port = Number(new URL(server.url).port);
    const second = await mkdtemp(path.join(tmpdir(), 'tote-sync-server-'));
    try {
      await expect(startSyncServer({ dataDir: second, port, gatewayPort: 0 })).rejects.toThrow(/already in use/);
    } finally {
      await rm(second, { recursive: true, force: true });
    }
  });
});
