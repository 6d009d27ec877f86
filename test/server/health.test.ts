/**
 * `/_tote/health` and `/_tote/ready` while the sync server's dependencies die and come back
 * (docs/operations.md): the real server with a real Redis (REDIS_URL), the embedded CouchDB killed with
 * `kill -9` and started again on its data, Redis killed with `kill -9` and started again. The process
 * stays alive (health 200) throughout; readiness says which dependency is down (503) and recovers by
 * itself when it is back, and so do the metric the alert rules read and the shoppers' requests.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startEmbeddedCouch, startSyncServer, type EmbeddedCouch, type RunningSyncServer } from '@tote/sync-server';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { startRedis } from '../support/processes.ts';

const SCRAPE_TOKEN = randomBytes(32).toString('base64url');

let server: RunningSyncServer;
let client: GatewayClient;
let dataDir: string;
let redisPort: number;
let redis: ChildProcess | null = null;
let couchAgain: EmbeddedCouch | null = null;

interface ReadyAnswer { status: string; dependencies: Record<string, string>; reason?: string }

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-health-'));
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0, redisUrl: `redis://127.0.0.1:${redisPort}`, metricsToken: SCRAPE_TOKEN });
  client = gatewayClient(server.gateway.url, server.gateway.cert);
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  await couchAgain?.stop();
  redis?.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const health = () => client.request<{ status: string }>('GET', '/_tote/health');
const ready = () => client.request<ReadyAnswer>('GET', '/_tote/ready');
/** One sample (`name{labels}`), scraped as Prometheus would with the scrape token (which needs no session, so no Redis). */
async function metric(sample: string): Promise<number | null> {
  const answer = await client.request<string>('GET', '/_tote/metrics', { headers: { authorization: `Bearer ${SCRAPE_TOKEN}`, accept: 'text/plain' } });
  if (answer.status !== 200) return null;
  const line = answer.body.split('\n').find((each) => each.startsWith(`${sample} `));
  return line === undefined ? null : Number(line.split(' ')[1]);
}
const dependencyUp = (dependency: string) => metric(`tote_dependency_up{dependency="${dependency}"}`);

describe('health and readiness', () => {
  it('are both up with CouchDB and Redis answering, for anyone', async () => {
    expect(await health()).toMatchObject({ status: 200, body: { status: 'ok' } });
    const answer = await ready();
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ready', dependencies: { couchdb: 'up', redis: 'up' } });
    expect(await dependencyUp('redis')).toBe(1);
  });

  it('says CouchDB is down while it is killed, and recovers when it is back', async () => {
    const shopper = await client.signUp('health.couch@example.com');
    const couchPort = Number(new URL(server.url).port);
    process.kill(server.pid!, 'SIGKILL');
    expect(await server.exited).toBeNull();

    expect(await health()).toMatchObject({ status: 200, body: { status: 'ok' } });
    // A check is reused for a second: within that, the answer may still be the one from before the kill.
    await expect.poll(async () => (await ready()).status).toBe(503);
    const down = await ready();
    expect(down.headers.get('retry-after')).toBe('5');
    expect(down.body.dependencies).toEqual({ couchdb: 'down', redis: 'up' });
    expect(down.body.reason).toMatch(/couchdb/);
    expect(await dependencyUp('couchdb')).toBe(0);
    // What a device's sync gets meanwhile: "unavailable for a moment", with when to try again.
    const meanwhile = await client.request('GET', `/${shopper.dbName}`, { token: shopper.token });
    expect(meanwhile.status).toBe(503);
    expect(meanwhile.headers.get('retry-after')).toBe('5');
    const duringSignIn = await client.logIn('health.couch@example.com', 'wrong password for this', 'health');
    expect(duringSignIn.status).toBe(503);
    expect(await metric('tote_couch_errors_total{kind="unreachable"}')).toBeGreaterThanOrEqual(1);
    expect(await metric('tote_http_errors_total{kind="couch_unreachable"}')).toBeGreaterThanOrEqual(1);

    couchAgain = await startEmbeddedCouch({ dataDir, port: couchPort });
    await expect.poll(async () => (await ready()).status).toBe(200);
    expect((await ready()).body.dependencies).toEqual({ couchdb: 'up', redis: 'up' });
    expect(await dependencyUp('couchdb')).toBe(1);
    expect((await client.request('GET', `/${shopper.dbName}`, { token: shopper.token })).status).toBe(200);
  });

  it('says Redis is down while it is killed, stays alive, and recovers when it is back', async () => {
    redis!.kill('SIGKILL');
    await new Promise((resolve) => redis!.once('exit', resolve));

    await expect.poll(async () => (await ready()).status).toBe(503);
    const down = await ready();
    expect(down.body.dependencies).toEqual({ couchdb: 'up', redis: 'down' });
    expect(down.body.reason).toMatch(/redis/);
    expect(await health()).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await dependencyUp('redis')).toBe(0);

    redis = await startRedis(redisPort);
    await expect.poll(async () => (await ready()).status, { timeout: 20_000 }).toBe(200);
    expect((await ready()).body.dependencies).toEqual({ couchdb: 'up', redis: 'up' });
    expect(await dependencyUp('redis')).toBe(1);
    // Sessions lived in the throw-away Redis: a new account signs up and is served again.
    const shopper = await client.signUp('health.redis@example.com');
    expect((await client.request('GET', `/${shopper.dbName}`, { token: shopper.token })).status).toBe(200);
  });
});
