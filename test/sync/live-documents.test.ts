/**
 * Changes on the live channel, at the gateway (docs/sync.md, "Changes on the live channel"): a
 * shopper's accepted write reaches their other connected devices with the documents themselves, as
 * CouchDB now holds them, and never reaches anyone else's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';

let server: RunningSyncServer;
let client: GatewayClient;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-live-docs-'));
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0 }, { live: { warnBeforeMs: 60_000, checkEveryMs: 1000 } });
  client = gatewayClient(server.gateway.url, server.gateway.cert);
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** A sealed document as devices write it: only an envelope, which the gateway never opens. */
const sealed = (id: string, size = 40) => ({ _id: id, enc: `v1.${'A'.repeat(size)}.${id}` });

describe('changes on the live channel', () => {
  it('sends the written documents, with their new revisions, to the shopper\'s other devices only', async () => {
    const phone = await client.signUp('ada.livedocs@example.com', 'correct horse battery', 'phone');
    const laptop = (await client.logIn('ada.livedocs@example.com', 'correct horse battery', 'laptop')).body as { token: string };
    const stranger = await client.signUp('mallory.livedocs@example.com');
    const [phoneLive, laptopLive, strangerLive] = await Promise.all([client.live(phone.token), client.live(laptop.token), client.live(stranger.token)]);
    await Promise.all([phoneLive.next('ready'), laptopLive.next('ready'), strangerLive.next('ready')]);

    const first = await client.request<{ id: string; rev: string }[]>('POST', `/${phone.dbName}/_bulk_docs`, { token: phone.token, body: { docs: [sealed('item-1'), sealed('item-0')] } });
    expect(first.status).toBe(201);
    // CouchDB's answer is read by id: the embedded server answers a batch in an order of its own.
    const firstRev = first.body.find((row) => row.id === 'item-1')!.rev;
    // The second write: one update, one with a revision the server does not hold (refused as a conflict),
    // and a new document. Each names another document: two writes of one id in one request are taken in
    // an order the embedded server does not fix.
    const second = await client.request<{ id: string; ok?: boolean; rev?: string; error?: string }[]>('POST', `/${phone.dbName}/_bulk_docs`, {
      token: phone.token, body: { docs: [{ ...sealed('item-1', 50), _rev: firstRev }, { ...sealed('item-0', 60), _rev: '1-0000' }, sealed('item-2')] },
    });
    expect(Object.fromEntries(second.body.map((row) => [row.id, row.error ?? 'ok']))).toEqual({ 'item-1': 'ok', 'item-0': 'conflict', 'item-2': 'ok' });

    const one = await laptopLive.next('changed');
    expect(one).toMatchObject({ db: phone.dbName });
    const two = await laptopLive.next('changed');
    // Exactly what CouchDB now holds, revision included: what `_changes` would have fetched.
    const held = await Promise.all(['item-1', 'item-2'].map(async (id) => (await client.request('GET', `/${phone.dbName}/${id}`, { token: phone.token })).body));
    const byId = (docs: unknown) => [...(docs as { _id: string }[])].sort((a, b) => a._id.localeCompare(b._id));
    expect(byId(two.docs)).toEqual(byId(held));
    expect((one.docs as { _id: string; _rev: string }[]).find((doc) => doc._id === 'item-1')?._rev).toBe(firstRev);

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(phoneLive.messages.filter((message) => message.type === 'changed')).toEqual([]); // not its own write
    expect(strangerLive.messages.filter((message) => message.type === 'changed')).toEqual([]);
    for (const socket of [phoneLive, laptopLive, strangerLive]) socket.close();
  });

  it('sends the history database\'s documents too, and only a notice for a write above the size cap', async () => {
    const phone = await client.signUp('grace.livedocs@example.com', 'correct horse battery', 'phone');
    const laptop = (await client.logIn('grace.livedocs@example.com', 'correct horse battery', 'laptop')).body as { token: string };
    const laptopLive = await client.live(laptop.token);
    await laptopLive.next('ready');

    const history = `${phone.dbName}-history`;
    expect((await client.request('POST', `/${history}/_bulk_docs`, { token: phone.token, body: { docs: [sealed('h-1')] } })).status).toBe(201);
    const entry = await laptopLive.next('changed');
    expect(entry).toMatchObject({ db: history, docs: [{ _id: 'h-1', enc: sealed('h-1').enc }] });

    // Two documents of 40 KB: together above the 64 KB cap, so the notice goes alone and devices fetch them.
    const large = [sealed('big-1', 40_000), sealed('big-2', 40_000)];
    expect((await client.request('POST', `/${phone.dbName}/_bulk_docs`, { token: phone.token, body: { docs: large } })).status).toBe(201);
    const notice = await laptopLive.next('changed');
    expect(notice).toEqual({ type: 'changed', db: phone.dbName });
    laptopLive.close();
  });
});
