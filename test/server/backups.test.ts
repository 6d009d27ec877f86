/**
 * Daily backups (docs/backups.md) on the real sync server (embedded CouchDB behind the TLS gateway),
 * with the server's clock under the test's control: one backup per day, unchanged shoppers skipped,
 * 30 days kept, stored exactly as written (ciphertext stays ciphertext), out of every shopper's reach,
 * and restored as the newest revisions with the shopper's devices told at once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackupError, couchAdmin, dayOf, unlessMissing, listBackups, readBackup, startSyncServer, type AuditEntry, type CouchAdmin, type RunningSyncServer,
} from '@tote/sync-server';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';

const DAY = 24 * 3600_000;
const START = Date.parse('2026-11-26T10:00:00Z');
let offset = 0;
const now = () => START + offset;

let server: RunningSyncServer;
let client: GatewayClient;
let couch: CouchAdmin;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-backups-'));
  // No automatic runs: the test runs them on its own clock.
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0, backupIntervalMs: 0 }, {
    now, rateLimits: { signupsPerAddressPerHour: 1000 },
  });
  client = gatewayClient(server.gateway.url, server.gateway.cert);
  couch = couchAdmin(server.url, server.admin);
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const shopperOf = (name: string, dbName: string) => ({ name, dbName });
const write = async (token: string, db: string, docs: Record<string, unknown>[]) => {
  const answer = await client.request<{ ok?: boolean }[]>('POST', `/${db}/_bulk_docs`, { token, body: { docs } });
  expect(answer.status).toBe(201);
  expect(answer.body.every((row) => row.ok)).toBe(true);
};
const backupDays = async (name: string, dbName: string) => (await listBackups(couch, shopperOf(name, dbName))).map((backup) => backup.day);
const auditEntries = async (action: string): Promise<AuditEntry[]> => {
  await server.gateway.flushAudit();
  const rows = await couch.db<AuditEntry>('tote-audit').list({ include_docs: true });
  return rows.rows.map((row) => row.doc!).filter((entry) => entry.action === action);
};

describe('daily backups', () => {
  it('backs up each shopper whose data changed, once a day, skips guests and unchanged shoppers, and keeps 30 days', async () => {
    const alice = await client.signUp('alice.backups@example.com');
    const bob = await client.signUp('bob.backups@example.com');
    const guest = (await client.request<{ token: string; account: { dbName: string } }>('POST', '/_tote/guest', { body: {} })).body;
    await write(alice.token, alice.dbName, [{ _id: 'a1', title: 'Walnut desk' }, { _id: 'a2', title: 'Desk lamp' }]);
    await write(alice.token, `${alice.dbName}-history`, [{ _id: '0mvxs3yao0000:laptop', i: 'a1' }]);
    await write(bob.token, bob.dbName, [{ _id: 'b1', title: 'Kettle' }]);
    await write(guest.token, guest.account.dbName, [{ _id: 'g1', title: 'Guest thing' }]);

    const first = await server.backups.run();
    // alice and bob; the configured shopper has written nothing; the guest is not a shopper to back up
    expect(first).toMatchObject({ day: '2026-11-26', shoppers: 3, backedUp: 2, unchanged: 1, pruned: 0, failed: 0 });
    expect(await server.backups.run()).toMatchObject({ backedUp: 0, unchanged: 3 });
    const [backup] = await listBackups(couch, shopperOf('alice.backups@example.com', alice.dbName));
    expect(backup).toMatchObject({ day: '2026-11-26', docs: 3, takenAt: now() });
    expect(backup!.databases.map((db) => [db.role, db.name, db.docs])).toEqual([['cart', alice.dbName, 2], ['history', `${alice.dbName}-history`, 1]]);
    expect(backup!.bytes).toBeGreaterThan(0);
    expect(await unlessMissing(couch.server.db.get(`${guest.account.dbName}-backups`))).toBeNull();

    // The same day again, changed: today's backup is replaced, still one for the day.
    await write(alice.token, alice.dbName, [{ _id: 'a3', title: 'Chair' }]);
    expect(await server.backups.run()).toMatchObject({ backedUp: 1, unchanged: 2 });
    expect(await backupDays('alice.backups@example.com', alice.dbName)).toEqual(['2026-11-26']);
    expect((await listBackups(couch, shopperOf('alice.backups@example.com', alice.dbName)))[0]!.docs).toBe(4);

    // 34 more days; alice changes something every day, bob never again.
    for (let day = 1; day <= 34; day += 1) {
      offset += DAY;
      const doc = await couch.db(alice.dbName).get('a1');
      await couch.db(alice.dbName).insert({ _rev: doc._rev, title: `Walnut desk, day ${day}` }, 'a1');
      const run = await server.backups.run();
      expect(run.failed).toBe(0);
      expect(run.backedUp, `day ${day}`).toBe(day === 30 ? 2 : 1);
    }
    const kept = await backupDays('alice.backups@example.com', alice.dbName);
    expect(kept).toHaveLength(30);
    expect(kept[0]).toBe(dayOf(now() - 29 * DAY));
    expect(kept.at(-1)).toBe(dayOf(now()));
    expect(await unlessMissing(couch.db(`${alice.dbName}-backups`).get('2026-11-26'))).toBeNull();
    // bob changed nothing: his one backup was refreshed before it would have aged out, so he keeps one
    expect(await backupDays('bob.backups@example.com', bob.dbName)).toEqual([dayOf(START + 30 * DAY)]);
    const { content } = await readBackup(couch, shopperOf('bob.backups@example.com', bob.dbName), dayOf(START + 30 * DAY));
    expect(content.databases[bob.dbName]!.map((doc) => doc._id)).toEqual(['b1']);

    const runs = await auditEntries('backup.run');
    expect(runs.length).toBe(37);
    expect(runs.at(-1)).toMatchObject({ actor: 'system', detail: { backedUp: 1, failed: 0 } });
    expect(JSON.stringify(runs)).not.toMatch(/Walnut|Kettle|Desk lamp/);
  });

  it('keeps documents exactly as stored: sealed ones as ciphertext, deleted ones too', async () => {
    const carol = await client.signUp('carol.backups@example.com');
    const sealed = [
      { _id: 'item-1', id: 'item-1', enc: 'AXq3lY0d1k0vR5dXo9pQ2m7tW8cJ4gB6nZ1yH5eK3rU0sL9aF2iV7oT4wE8qN1xC', fp: 'Vb2kL9mQ4rT7wZ1cX5nY8pA3sD6fG0hJ' },
      { _id: 'item-2', id: 'item-2', enc: 'ATz8Kp2mN5qR9vW3yB6eH1jL4oS7uX0aD3gF6iK9nQ2tY5wZ8bE1hM4pR7sV0xC3', fp: 'Nc5vB8mK1lJ4hG7fD0sA3pO6iU9yT2rE' },
    ];
    await write(carol.token, carol.dbName, sealed);
    const gone = await client.request<{ rev: string }>('PUT', `/${carol.dbName}/item-3`, { token: carol.token, body: { id: 'item-3', enc: 'AQgone', fp: 'fpgone' } });
    expect((await client.request('DELETE', `/${carol.dbName}/item-3?rev=${gone.body.rev}`, { token: carol.token })).status).toBe(200);
    offset += DAY;
    await server.backups.run();

    // The attachment as CouchDB keeps it: gzip of exactly the stored documents, latest revisions.
    const raw = await fetch(`${server.url}/${carol.dbName}-backups/${dayOf(now())}/backup.json.gz`, {
      headers: { authorization: `Basic ${Buffer.from(`${server.admin.name}:${server.admin.password}`).toString('base64')}` },
    });
    expect(raw.headers.get('content-type')).toBe('application/gzip');
    const stored = JSON.parse(gunzipSync(Buffer.from(await raw.arrayBuffer())).toString('utf8')) as { databases: Record<string, Record<string, unknown>[]> };
    const live = await couch.db(carol.dbName).list({ include_docs: true });
    const backedUp = stored.databases[carol.dbName]!;
    expect(backedUp.filter((doc) => !doc._deleted)).toEqual(live.rows.map((row) => row.doc));
    expect(backedUp.find((doc) => doc._id === 'item-3')).toMatchObject({ _deleted: true });
    expect(backedUp.filter((doc) => !doc._deleted).every((doc) => Object.keys(doc).sort().join() === '_id,_rev,enc,fp,id')).toBe(true);
  });

  it('compacts the live databases after a backup: an older revision\'s body is gone from the server', async () => {
    const dora = await client.signUp('dora.backups@example.com');
    const first = await client.request<{ rev: string }>('PUT', `/${dora.dbName}/item-1`, { token: dora.token, body: { id: 'item-1', title: 'Plain copy from before encryption' } });
    await client.request('PUT', `/${dora.dbName}/item-1`, { token: dora.token, body: { _rev: first.body.rev, id: 'item-1', enc: 'AQsealed', fp: 'fp1' } });
    const oldRevision = () => unlessMissing(couch.db<{ title?: string }>(dora.dbName).get('item-1', { rev: first.body.rev }));
    expect((await oldRevision())?.title).toBe('Plain copy from before encryption');
    offset += DAY;
    await server.backups.run();
    await expect.poll(async () => oldRevision()).toBeNull();
  });

  it('is out of every shopper\'s reach through the gateway, their own backups included', async () => {
    const dave = await client.signUp('dave.backups@example.com');
    const erin = await client.signUp('erin.backups@example.com');
    await write(dave.token, dave.dbName, [{ _id: 'd1', title: 'Record player' }]);
    await server.backups.run();
    const day = dayOf(now());
    expect(await couch.db(`${dave.dbName}-backups`).get(day)).toMatchObject({ _id: day });
    for (const token of [dave.token, erin.token]) {
      for (const [method, route, body] of [
        ['GET', ''], ['GET', '/_all_docs?include_docs=true'], ['GET', '/_changes?include_docs=true'], ['GET', `/${day}`],
        ['GET', `/${day}?attachments=true`], ['GET', `/${day}/backup.json.gz`], ['POST', '/_bulk_get', { docs: [{ id: day }] }],
        ['POST', '/_all_docs', { keys: [day] }], ['PUT', '/planted', { x: 1 }], ['DELETE', ''], ['PUT', ''],
      ] as [string, string, unknown?][]) {
        const answer = await client.request(method, `/${dave.dbName}-backups${route}`, { token, body });
        expect(answer.status, `${method} ${route}`).toBe(403);
        expect(JSON.stringify(answer.body)).not.toContain('Record player');
      }
      expect((await client.request('GET', '/tote-signals/_changes', { token })).status).toBe(403);
    }
  });
});

describe('the schedule', () => {
  it('runs by itself at start and then every interval (TOTE_BACKUP_INTERVAL_MS)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tote-backups-schedule-'));
    const scheduled = await startSyncServer({ dataDir: dir, port: 0, gatewayPort: 0, backupIntervalMs: 400 });
    try {
      const admin = couchAdmin(scheduled.url, scheduled.admin);
      const shopper = { name: scheduled.shopper.name, dbName: scheduled.shopper.dbName };
      await admin.db(shopper.dbName).insert({ title: 'Teapot' }, 'item-1');
      await expect.poll(async () => (await listBackups(admin, shopper)).map((backup) => backup.docs), { timeout: 15_000 }).toEqual([1]);
      await admin.db(shopper.dbName).insert({ title: 'Cups' }, 'item-2');
      await expect.poll(async () => (await listBackups(admin, shopper)).map((backup) => backup.docs), { timeout: 15_000 }).toEqual([2]);
    } finally {
      await scheduled.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('restoring a backup', () => {
  it('writes the day\'s documents back as the newest revisions, leaves newer ones, tells connected devices and audits who and why', async () => {
    const frank = await client.signUp('frank.backups@example.com', 'correct horse battery', 'laptop');
    const history = `${frank.dbName}-history`;
    await write(frank.token, frank.dbName, [{ _id: 'f1', quantity: 1 }, { _id: 'f2', quantity: 2 }]);
    await write(frank.token, history, [{ _id: '0mvxs3yao0000:laptop', i: 'f1' }]);
    offset += DAY;
    const day = dayOf(now());
    await server.backups.run();

    // After the backup: f1 changed twice, f2 deleted, f3 added; a history entry removed, one added.
    const cart = couch.db(frank.dbName);
    const f1 = await cart.get('f1');
    const f1b = await cart.insert({ _rev: f1._rev, quantity: 5 }, 'f1');
    await cart.insert({ _rev: f1b.rev, quantity: 6 }, 'f1');
    const f2 = await cart.get('f2');
    await cart.destroy('f2', f2._rev);
    await cart.insert({ quantity: 3 }, 'f3');
    const historyDb = couch.db(history);
    const h1 = await historyDb.get('0mvxs3yao0000:laptop');
    await historyDb.destroy('0mvxs3yao0000:laptop', h1._rev);
    await historyDb.insert({ i: 'f3' }, '0mvxt00000000:phone');

    // A second device of frank's, connected to the live channel.
    const phone = await client.logIn('frank.backups@example.com', 'correct horse battery', 'phone');
    const live = await client.live(phone.body.token as string);
    await live.next('ready');

    const result = await server.backups.restore('Frank.Backups@example.com', day, { actor: 'sam.support', reason: 'TICKET-4711 cart emptied by mistake' });
    expect(result).toEqual({
      shopper: 'frank.backups@example.com', day,
      databases: [{ name: frank.dbName, written: 2, unchanged: 0, newer: 1 }, { name: history, written: 1, unchanged: 0, newer: 1 }],
    });
    const changed = [await live.next('changed'), await live.next('changed')].map((message) => message.db).sort();
    expect(changed).toEqual([frank.dbName, history].sort());
    live.close();

    const read = async (db: string, id: string) => unlessMissing(couch.db(db).get(id));
    expect(await read(frank.dbName, 'f1')).toMatchObject({ quantity: 1 });
    expect(String((await read(frank.dbName, 'f1'))?._rev)).toMatch(/^4-/); // on top of the two changes since
    expect(await read(frank.dbName, 'f2')).toMatchObject({ quantity: 2 });
    expect(await read(frank.dbName, 'f3')).toMatchObject({ quantity: 3 });
    expect(await read(history, '0mvxs3yao0000:laptop')).toMatchObject({ i: 'f1' });
    expect(await read(history, '0mvxt00000000:phone')).toMatchObject({ i: 'f3' });
    // Through the gateway, as a device pulls it: the restored versions are the current ones.
    const pulled = await client.request<{ results: { id: string; doc: { quantity?: number } }[] }>('GET', `/${frank.dbName}/_changes?include_docs=true`, { token: phone.body.token as string });
    expect(Object.fromEntries(pulled.body.results.map((row) => [row.id, row.doc.quantity]))).toEqual({ f1: 1, f2: 2, f3: 3 });

    // A second restore of the same day finds everything as it was: nothing is written.
    const again = await server.backups.restore('frank.backups@example.com', day, { actor: 'sam.support', reason: 'TICKET-4711 again' });
    expect(again.databases.map((db) => db.written)).toEqual([0, 0]);

    const [audited] = (await auditEntries('support.restore-backup')).filter((entry) => entry.detail?.reason === 'TICKET-4711 cart emptied by mistake');
    expect(audited).toMatchObject({
      actor: 'sam.support', role: 'support', target: frank.dbName,
      detail: { shopper: 'frank.backups@example.com', day, reason: 'TICKET-4711 cart emptied by mistake', written: 3, newer: 2 },
    });
  });

  it('brings back a document\'s attachment with it', async () => {
    const gina = await client.signUp('gina.backups@example.com');
    const photo = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x10, 0x20]);
    // Devices carry no attachments and the gateway takes none from them; one stored on the server (by its
    // operator, or by an older client) is still backed up and restored with its document.
    expect((await client.request('GET', `/${gina.dbName}`, { token: gina.token })).status).toBe(200);
    const attached = await couch.db(gina.dbName).insert({
      id: 'item-1', enc: 'AQx', fp: 'f1', _attachments: { 'photo.png': { content_type: 'image/png', data: photo.toString('base64') } },
    }, 'item-1');
    expect(attached.ok).toBe(true);
    offset += DAY;
    const day = dayOf(now());
    await server.backups.run();
    await couch.db(gina.dbName).destroy('item-1', attached.rev); // the session ended a day ago on the server's clock

    await server.backups.restore('gina.backups@example.com', day, { actor: 'sam.support', reason: 'TICKET-12' });
    const back = await fetch(`${server.url}/${gina.dbName}/item-1/photo.png`, {
      headers: { authorization: `Basic ${Buffer.from(`${server.admin.name}:${server.admin.password}`).toString('base64')}` },
    });
    expect(back.status).toBe(200);
    expect(Buffer.from(await back.arrayBuffer())).toEqual(photo);
    expect(await couch.db(gina.dbName).get('item-1')).toMatchObject({ enc: 'AQx', fp: 'f1' });
  });

  it('refuses an unknown shopper, a day without backup and a day that is not one, with what to check', async () => {
    const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error);
    const unknown = await refusal(server.backups.restore('nobody.here@example.com', dayOf(now()), { actor: 'sam', reason: 'x' }));
    expect(unknown).toBeInstanceOf(BackupError);
    expect(unknown).toMatchObject({ code: 'UNKNOWN_SHOPPER', message: expect.stringContaining('nobody.here@example.com') });
    const none = await refusal(server.backups.restore('frank.backups@example.com', '2020-01-01', { actor: 'sam', reason: 'x' }));
    expect(none).toMatchObject({ code: 'NO_BACKUP', message: expect.stringMatching(/no backup of 2020-01-01\. Backups kept: \d{4}-\d\d-\d\d to/) });
    expect(await refusal(server.backups.restore('frank.backups@example.com', '2026-02-30', { actor: 'sam', reason: 'x' }))).toMatchObject({ code: 'INVALID_DAY' });
    expect(await refusal(server.backups.restore('frank.backups@example.com', 'yesterday', { actor: 'sam', reason: 'x' }))).toMatchObject({ code: 'INVALID_DAY' });
  });
});
