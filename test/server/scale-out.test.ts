/**
 * Two gateway instances in front of one CouchDB, sharing a real Redis (`REDIS_URL`): sessions, the live
 * channel's fan-out and sign-in limits hold across instances. Driven from the outside over TLS.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRateLimits, freePort, startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { startRedis } from '../support/processes.ts';

let redis: ChildProcess | null = null;
let redisUrl: string;
let first: RunningSyncServer | null = null;
let second: RunningSyncServer | null = null;
let a: GatewayClient;
let b: GatewayClient;
const dirs: string[] = [];

const tempDir = async (name: string) => {
  const dir = await mkdtemp(path.join(tmpdir(), `tote-${name}-`));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  const port = await freePort();
  redis = await startRedis(port);
  redisUrl = `redis://127.0.0.1:${port}`;
  first = await startSyncServer({ dataDir: await tempDir('scale-a'), port: 0, gatewayPort: 0, redisUrl });
  // The second instance provisions the first one's CouchDB: same admin, same shopper (another shopper
  // password would rewrite the first one's), its own certificate.
  second = await startSyncServer({
    dataDir: await tempDir('scale-b'), port: 0, gatewayPort: 0, couchUrl: first.url, redisUrl,
    admin: { name: first.admin.name, password: first.admin.password },
    shopper: { name: first.shopper.name, password: first.shopper.password },
  });
  a = gatewayClient(first.gateway.url, first.gateway.cert);
  b = gatewayClient(second.gateway.url, second.gateway.cert);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await second?.stop();
  await first?.stop();
  if (redis && redis.exitCode === null) {
    const exited = new Promise((resolve) => redis!.once('exit', resolve));
    redis.kill('SIGTERM');
    await exited;
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const doc = (id: string) => ({ _id: id, title: 'Walnut desk', priceMinor: 12_900 });

describe('two gateway instances sharing Redis', () => {
  it('runs two instances in front of one CouchDB', () => {
    expect(second!.embedded).toBe(false);
    expect(second!.url).toBe(first!.url);
    expect(second!.gateway.port).not.toBe(first!.gateway.port);
  });

  it('accepts a session made on one instance on the other, and ends it on both at logout', async () => {
    const shopper = await a.signUp('scale.session@example.com', 'correct horse battery', 'phone');
    expect((await b.request('GET', `/${shopper.dbName}`, { token: shopper.token })).status).toBe(200);
    expect((await b.request('PUT', `/${shopper.dbName}/item-b`, { token: shopper.token, body: doc('item-b') })).status).toBe(201);
    const read = await a.request<{ title: string }>('GET', `/${shopper.dbName}/item-b`, { token: shopper.token });
    expect(read.status).toBe(200);
    expect(read.body.title).toBe('Walnut desk');

    const live = await a.live(shopper.token);
    await live.next('ready');
    expect((await b.request('POST', '/_tote/logout', { token: shopper.token })).status).toBe(204);
    const after = await a.request('GET', `/${shopper.dbName}`, { token: shopper.token });
    expect(after.status).toBe(401);
    expect(after.body.reason).toMatch(/sign in again/i);
    // the device connected to the other instance is told at once
    expect(await live.next('session-ended')).toMatchObject({ reason: 'signed-out' });
    expect((await live.closed).code).toBe(4401);
  });

  it('tells a device on one instance about a write through the other within 1 s, and who is online on both', async () => {
    const phone = await a.signUp('scale.live@example.com', 'correct horse battery', 'phone');
    const laptopLogin = await b.logIn('scale.live@example.com', 'correct horse battery', 'laptop');
    expect(laptopLogin.status).toBe(200);
    const laptop = laptopLogin.body as { token: string };

    const laptopLive = await b.live(laptop.token);
    await laptopLive.next('ready');
    const phoneLive = await a.live(phone.token);
    await phoneLive.next('ready');
    await expect.poll(() => {
      const latest = laptopLive.messages.filter((message) => message.type === 'devices').at(-1);
      return ((latest?.online ?? []) as { device: string }[]).map((device) => device.device).sort();
    }).toEqual(['laptop', 'phone']);
    expect(first!.gateway.liveConnections()).toBe(1);
    expect(second!.gateway.liveConnections()).toBe(1);

    const started = Date.now();
    const written = await a.request('POST', `/${phone.dbName}/_bulk_docs`, { token: phone.token, body: { docs: [doc('live-1')] } });
    expect(written.status).toBe(201);
    expect(await laptopLive.next('changed', 1000)).toMatchObject({ db: phone.dbName });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(phoneLive.messages.some((message) => message.type === 'changed')).toBe(false); // not told about its own write
    laptopLive.close();
    phoneLive.close();
  });

  it('tells devices on both instances about a restore by the server once each (docs/backups.md)', async () => {
    const laptop = await a.signUp('scale.restore@example.com', 'correct horse battery', 'laptop');
    expect((await a.request('POST', `/${laptop.dbName}/_bulk_docs`, { token: laptop.token, body: { docs: [doc('kept-1')] } })).status).toBe(201);
    // both instances back up: one of them writes today's backup, the other finds it there
    await Promise.all([first!.backups.run(), second!.backups.run()]);
    const phoneLogin = await b.logIn('scale.restore@example.com', 'correct horse battery', 'phone');
    const laptopLive = await a.live(laptop.token);
    const phoneLive = await b.live((phoneLogin.body as { token: string }).token);
    await laptopLive.next('ready');
    await phoneLive.next('ready');

    const day = new Date().toISOString().slice(0, 10);
    await second!.backups.restore('scale.restore@example.com', day, { actor: 'sam.support', reason: 'TICKET-77' });
    for (const live of [laptopLive, phoneLive]) {
      expect([(await live.next('changed')).db, (await live.next('changed')).db].sort()).toEqual([laptop.dbName, `${laptop.dbName}-history`]);
    }
    // each instance followed the signal, but the shared counter let only one publish it
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(laptopLive.messages.filter((message) => message.type === 'changed')).toEqual([]);
    expect(phoneLive.messages.filter((message) => message.type === 'changed')).toEqual([]);
    laptopLive.close();
    phoneLive.close();
  });

  it('counts failed sign-ins across instances: the 6th attempt from one address gets 429 with Retry-After on either', async () => {
    await a.signUp('scale.brute@example.com', 'the real password');
    const clients = [a, b, a, b, b];
    for (const [attempt, client] of clients.entries()) {
      expect((await client.logIn('scale.brute@example.com', `guess ${attempt}`)).status).toBe(401);
    }
    for (const client of [a, b]) {
      const blocked = await client.logIn('scale.brute@example.com', 'guess 6');
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect((await b.logIn('scale.brute@example.com', 'the real password')).status).toBe(429);
  });

  it('keeps the owner\'s known address signing in on both instances while failures from other addresses add up across them', async () => {
    const clients: GatewayClient[] = [];
    const at = (instance: RunningSyncServer, n: number) => {
      const client = gatewayClient(instance.gateway.url, instance.gateway.cert, { from: `127.0.0.${n}` });
      clients.push(client);
      return client;
    };
    try {
      await at(first!, 1).signUp('scale.owner@example.com', 'owner real password'); // made on a: 127.0.0.1 is known to it
      const statuses: number[] = [];
      for (let n = 2; n <= 13; n += 1) statuses.push((await at(n % 2 ? first! : second!, n).logIn('scale.owner@example.com', `guess ${n}`)).status);
      expect(statuses).toEqual([...Array(defaultRateLimits.loginFailuresPerAccount).fill(401), 429, 429]);
      expect((await at(second!, 1).logIn('scale.owner@example.com', 'owner real password')).status).toBe(200);
      for (const instance of [first!, second!]) {
        const unknown = await at(instance, 99).logIn('scale.owner@example.com', 'owner real password');
        expect(unknown.status).toBe(429);
        expect(unknown.body.reason).toMatch(/from elsewhere/);
      }
    } finally {
      for (const client of clients) await client.close();
    }
  });
});

describe('Redis unreachable at start', () => {
  it('stops the start with an error that names Redis\'s address and what to do', async () => {
    const unused = await freePort();
    const started = Date.now();
    const failure = startSyncServer({ dataDir: await tempDir('scale-noredis'), port: 0, gatewayPort: 0, redisUrl: `redis://127.0.0.1:${unused}` });
    await expect(failure).rejects.toThrow(new RegExp(`Redis at 127\\.0\\.0\\.1:${unused} could not be reached.*REDIS_URL`));
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
