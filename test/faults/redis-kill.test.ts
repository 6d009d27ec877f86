/**
 * Redis killed (`kill -9`) under two gateway instances that share it, then started again on its own files
 * (append-only file on, as docs/sync-server.md advises for production): while it is gone the gateways
 * answer 503 with Retry-After, never hang or 5xx otherwise; once it is back, sessions made before work on
 * both instances, the live channel's fan-out carries changes across instances again, and sign-in limits
 * count again (docs/faults.md).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { startRedis } from '../support/processes.ts';
import { recordFaultRun } from './ledger.ts';

let redis: ChildProcess | null = null;
let redisPort: number;
let redisDir: string;
let first: RunningSyncServer;
let second: RunningSyncServer;
let a: GatewayClient;
let b: GatewayClient;
const dirs: string[] = [];

const startRedisHere = () => startRedis(redisPort, { dir: redisDir });

const tempDir = async (name: string) => {
  const dir = await mkdtemp(path.join(tmpdir(), `tote-${name}-`));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  redisPort = await freePort();
  redisDir = await tempDir('redis');
  redis = await startRedisHere();
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  first = await startSyncServer({ dataDir: await tempDir('redis-kill-a'), port: 0, gatewayPort: 0, redisUrl });
  second = await startSyncServer({
    dataDir: await tempDir('redis-kill-b'), couchUrl: first.url, admin: { name: first.admin.name, password: first.admin.password },
    shopper: { name: first.shopper.name, password: first.shopper.password }, gatewayPort: 0, redisUrl, backupIntervalMs: 0,
  });
  a = gatewayClient(first.gateway.url, first.gateway.cert);
  b = gatewayClient(second.gateway.url, second.gateway.cert);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await second?.stop();
  await first?.stop();
  redis?.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('Redis killed under two gateways, then started again', () => {
  it('answers 503 while it is gone, and afterwards sessions, the live fan-out and limits work across instances', async () => {
    const shopper = await a.signUp('redis.kill@example.com', 'correct horse battery', 'phone');
    const write = (client: GatewayClient, id: string) => client.request('POST', `/${shopper.dbName}/_bulk_docs`, { token: shopper.token, body: { docs: [{ _id: id, title: 'x' }] } });
    expect((await write(b, 'before')).status).toBe(201); // the session made on A works on B
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // past the append-only file's fsync

    redis!.kill('SIGKILL');
    await new Promise((resolve) => redis!.once('exit', resolve));
    for (const client of [a, b]) {
      const started = Date.now();
      const answer = await client.request('GET', '/_tote/session', { token: shopper.token });
      expect(answer.status, JSON.stringify(answer.body)).toBe(503);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(String(answer.body.reason)).toMatch(/try again/i);
      expect(Date.now() - started).toBeLessThan(10_000);
    }

    redis = await startRedisHere();
    // The gateways reconnect by themselves (ioredis backs off up to 2 s).
    await expect.poll(async () => (await a.request('GET', '/_tote/session', { token: shopper.token })).status, { timeout: 15_000 }).toBe(200);
    await expect.poll(async () => (await b.request('GET', '/_tote/session', { token: shopper.token })).status, { timeout: 15_000 }).toBe(200);

    // The live fan-out: another device's socket on B hears of a write through A.
    const signedIn = await b.logIn('redis.kill@example.com', 'correct horse battery', 'laptop');
    expect(signedIn.status).toBe(200);
    const laptop = await b.live((signedIn.body as { token: string }).token);
    await laptop.next('ready');
    expect((await write(a, 'after')).status).toBe(201);
    expect(await laptop.next('changed', 10_000)).toMatchObject({ type: 'changed', db: shopper.dbName });
    laptop.close();

    // Limits count again, across instances: wrong passwords on A and B add up.
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) statuses.push((await (attempt % 2 ? a : b).logIn('redis.kill@example.com', 'wrong password')).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);

    // Both writes are on the server, once, read through either gateway.
    const held = await Promise.all([a, b].map(async (client) => {
      const answer = await client.request<{ rows: { id: string }[] }>('GET', `/${shopper.dbName}/_all_docs`, { token: shopper.token });
      return answer.body.rows.map((row) => row.id);
    }));
    const lost = Math.max(...held.map((ids) => ['before', 'after'].filter((id) => !ids.includes(id)).length));
    recordFaultRun({ kind: 'redis-kill', faults: 1, changesWritten: 2, lost, duplicated: 0, notConverged: held[0]!.join() === held[1]!.join() ? 0 : 1, crashes: 0 });
    expect(held).toEqual([['after', 'before'], ['after', 'before']]);
  }, 120_000);
});
