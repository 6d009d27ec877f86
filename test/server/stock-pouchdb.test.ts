/**
 * A stock CouchDB client through the gateway: PouchDB 7 (http adapter over node-fetch, replication, a
 * memory database) with its default options, signed in with a shopper's session, replicates that
 * shopper's cart both ways, one-off and live, and is refused another shopper's cart. Against the real
 * sync server (embedded CouchDB behind the gateway).
 */
import https from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import PouchDB from 'pouchdb-core';
import PouchHttp from 'pouchdb-adapter-http';
import PouchMemory from 'pouchdb-adapter-memory';
import PouchReplication from 'pouchdb-replication';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';

PouchDB.plugin(PouchHttp).plugin(PouchMemory).plugin(PouchReplication);

let server: RunningSyncServer;
let client: GatewayClient;
let dataDir: string;
let agent: https.Agent;
let alice: { token: string; dbName: string };
let bob: { token: string; dbName: string };

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-stock-pouchdb-'));
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0 });
  client = gatewayClient(server.gateway.url, server.gateway.cert);
  // A Node program trusts a private certificate with NODE_EXTRA_CA_CERTS=<certificate file>, read once
  // when Node starts; this process is already running, so the gateway's certificate is given to PouchDB's
  // fetch (node-fetch) as an https.Agent instead. keepAlive as Node's own global agent has it: connections
  // are reused, which is what broke when the gateway passed CouchDB's `connection` headers on.
  agent = new https.Agent({ ca: server.gateway.cert, keepAlive: true });
  alice = await client.signUp('alice.pouchdb@example.com');
  bob = await client.signUp('bob.pouchdb@example.com');
  const written = await client.request('POST', `/${alice.dbName}/_bulk_docs`, { token: alice.token, body: { docs: [
    { _id: 'item-desk', title: 'Walnut desk', priceMinor: 12_900, quantity: 1 },
    { _id: 'item-lamp', title: 'Brass lamp', priceMinor: 4_500, quantity: 2 },
  ] } });
  expect(written.status).toBe(201);
  expect((await client.request('POST', `/${bob.dbName}/_bulk_docs`, { token: bob.token, body: { docs: [{ _id: 'bob-item', title: 'Oak chair' }] } })).status).toBe(201);
});

afterAll(async () => {
  agent?.destroy();
  await client?.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * The shopper's database on the gateway as PouchDB opens it: default options, plus PouchDB's documented
 * `fetch` option to send the session as `Authorization: Bearer <token>`.
 */
const remote = (dbName: string, token: string) => new PouchDB(`${server.gateway.url}/${dbName}`, {
  fetch: (url: string, options: { headers: { set(name: string, value: string): void } }) => {
    options.headers.set('Authorization', `Bearer ${token}`);
    return PouchDB.fetch(url, { ...options, agent });
  },
});

let localCount = 0;
const local = () => new PouchDB(`stock-pouchdb-${(localCount += 1)}`, { adapter: 'memory' });

describe('a stock PouchDB through the gateway', () => {
  it('pulls and pushes the shopper\'s cart once', async () => {
    const device = local();
    const cart = remote(alice.dbName, alice.token);
    const pulled = await device.replicate.from(cart);
    expect(pulled.ok).toBe(true);
    expect((await device.allDocs()).rows.map((row) => row.id)).toEqual(['item-desk', 'item-lamp']);

    const lamp = await device.get('item-lamp');
    await device.put({ ...lamp, quantity: 3 });
    await device.put({ _id: 'item-rug', title: 'Wool rug', priceMinor: 9_900, quantity: 1 });
    const pushed = await device.replicate.to(cart);
    expect(pushed).toMatchObject({ ok: true, docs_written: 2 });
    expect((await client.request('GET', `/${alice.dbName}/item-lamp`, { token: alice.token })).body).toMatchObject({ quantity: 3 });
    expect((await client.request('GET', `/${alice.dbName}/item-rug`, { token: alice.token })).body).toMatchObject({ title: 'Wool rug' });

    // Again: nothing new either way (the checkpoints in _local/ work through the gateway).
    expect(await device.replicate.from(cart)).toMatchObject({ ok: true, docs_written: 0 });
    expect(await device.replicate.to(cart)).toMatchObject({ ok: true, docs_written: 0 });
    await device.destroy();
  });

  it('syncs live both ways', async () => {
    const device = local();
    const errors: unknown[] = [];
    const sync = device.sync(remote(alice.dbName, alice.token), { live: true, retry: false }).on('error', (error) => errors.push(error));
    // On a loaded machine (the whole suite at once) the first round of requests can take seconds; the sync stops
    // at its first error (retry: false), so a poll that times out names the errors it met.
    const arrives = { timeout: 15_000, interval: 50 };
    const noErrors = () => { if (errors.length > 0) throw new Error(`the live sync stopped: ${JSON.stringify(errors)}`); };
    try {
      await expect.poll(async () => { noErrors(); return (await device.allDocs()).rows.length; }, arrives).toBeGreaterThanOrEqual(3);
      // Written elsewhere (another device through the gateway): arrives over the live feed.
      expect((await client.request('PUT', `/${alice.dbName}/item-vase`, { token: alice.token, body: { title: 'Glass vase', priceMinor: 2_500, quantity: 1 } })).status).toBe(201);
      await expect.poll(async () => (await device.get('item-vase').catch(() => null))?.title, arrives).toBe('Glass vase');
      // Written here: reaches the server.
      await device.put({ _id: 'item-mirror', title: 'Round mirror', priceMinor: 7_000, quantity: 1 });
      await expect.poll(async () => (await client.request('GET', `/${alice.dbName}/item-mirror`, { token: alice.token })).status, arrives).toBe(200);
      expect(errors).toEqual([]);
    } finally {
      sync.cancel();
      await device.destroy();
    }
  });

  it('is refused another shopper\'s cart, both ways, and learns nothing of it', async () => {
    const device = local();
    const stranger = remote(bob.dbName, alice.token);
    const pull = await device.replicate.from(stranger).then(() => null, (error: { status?: number }) => error);
    expect(pull?.status).toBe(403);
    await device.put({ _id: 'planted', title: 'Planted' });
    const push = await device.replicate.to(stranger).then(() => null, (error: { status?: number }) => error);
    expect(push?.status).toBe(403);
    expect((await device.allDocs()).rows.map((row) => row.id)).toEqual(['planted']);
    const bobs = await client.request<{ rows: { id: string }[] }>('GET', `/${bob.dbName}/_all_docs`, { token: bob.token });
    expect(bobs.body.rows.map((row) => row.id)).toEqual(['bob-item']);
    // Without a session at all: 401.
    const anonymous = new PouchDB(`${server.gateway.url}/${alice.dbName}`, { fetch: (url: string, options: object) => PouchDB.fetch(url, { ...options, agent }) });
    const refused = await device.replicate.from(anonymous).then(() => null, (error: { status?: number }) => error);
    expect(refused?.status).toBe(401);
    await device.destroy();
  });
});
