/**
 * The support tool (docs/backups.md, "Support tool") against the real sync server: what it prints (days,
 * counts, sizes, minutes; never a cart's content), its refusals and exit codes, and its audit entries.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHlc, hlc } from '@tote/core';
import {
  couchAdmin, dayOf, freePort, runSupportCommand, stampOfHistoryId, startSyncServer, SUPPORT_EXIT, unlessMissing,
  type AuditEntry, type CouchAdmin, type RunningSyncServer,
} from '@tote/sync-server';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';

let server: RunningSyncServer;
let client: GatewayClient;
let couch: CouchAdmin;
let dataDir: string;
let alice: { token: string; dbName: string };

const NOW = Date.now();
const minute = (time: number) => time - (time % 60_000);
/** Two changes in one minute (two devices), one change in another, one 40 days ago (outside), in both id forms. */
const T1 = minute(NOW - 3 * 3600_000) + 12_000;
const T2 = minute(NOW - 25 * 60_000) + 5_000;
const historyIds = [
  formatHlc(hlc(T1, 0, 'laptop-7f3a')),
  `item-kettle:${formatHlc(hlc(T1 + 30_000, 2, 'phone-11c0'))}`,
  formatHlc(hlc(T2, 0, 'laptop-7f3a')),
  formatHlc(hlc(NOW - 40 * 24 * 3600_000, 0, 'laptop-7f3a')),
  'not-a-stamp',
];

/** Runs a command as support person "sam.support"; what it printed and its exit code. */
async function support(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const env = { TOTE_DATA_DIR: dataDir, TOTE_PORT: new URL(server.url).port };
  const code = await runSupportCommand([...argv, '--as', 'sam.support'], { env, out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-support-'));
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0, backupIntervalMs: 0 });
  client = gatewayClient(server.gateway.url, server.gateway.cert);
  couch = couchAdmin(server.url, server.admin);
  alice = await client.signUp('alice.support@example.com');
  const cart = await client.request('POST', `/${alice.dbName}/_bulk_docs`, { token: alice.token, body: { docs: [
    { _id: 'item-desk', title: 'Walnut writing desk', note: 'for the study' }, { _id: 'item-kettle', title: 'Copper kettle' },
  ] } });
  expect(cart.status).toBe(201);
  const history = await client.request('POST', `/${alice.dbName}-history/_bulk_docs`, { token: alice.token, body: { docs: historyIds.map((id) => ({ _id: id, t: 'Walnut writing desk' })) } });
  expect(history.status).toBe(201);
  await server.backups.run();
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const audited = async (action: string): Promise<AuditEntry[]> => {
  const rows = await couch.db<AuditEntry>('tote-audit').list({ include_docs: true });
  return rows.rows.map((row) => row.doc!).filter((entry) => entry.action === action);
};

describe('support tool', () => {
  it('lists a shopper\'s backups with day, documents and size, and nothing of the cart', async () => {
    const { code, out } = await support('backups', 'Alice.Support@example.com', '--reason', 'TICKET-1');
    expect(code).toBe(SUPPORT_EXIT.ok);
    expect(out).toContain('Backups of alice.support@example.com (1, kept 30 days):');
    expect(out).toMatch(new RegExp(`${dayOf(Date.now())}\\s+7 documents \\(cart 2, history 5\\)\\s+[\\d.]+ (B|KB)`));
    expect(out).not.toMatch(/Walnut|kettle|study/i);
    const [entry] = await audited('support.backups');
    expect(entry).toMatchObject({ actor: 'sam.support', role: 'support', target: alice.dbName, detail: { shopper: 'alice.support@example.com', reason: 'TICKET-1', ok: true } });
  });

  it('lists the minutes of the last 30 days at which the cart changed, from history ids alone', async () => {
    const { code, out } = await support('restore-points', 'alice.support@example.com');
    expect(code).toBe(SUPPORT_EXIT.ok);
    const text = (time: number) => `${new Date(minute(time)).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    expect(out.split('\n')).toEqual([
      'Minutes at which alice.support@example.com\'s cart changed in the last 30 days (2):',
      `  ${text(T1)}  2 changes, 2 devices`,
      `  ${text(T2)}  1 change, 1 device`,
      '  (1 history entries without a readable time were left out)',
    ]);
    expect(out).not.toMatch(/Walnut|laptop-7f3a|item-kettle/);
  });

  it('reads the stamp of both id forms as core formats it', () => {
    const stamp = hlc(T2, 7, 'b1e2c3d4-0000-4000-8000-000000000000');
    expect(stampOfHistoryId(formatHlc(stamp), NOW)).toEqual({ wall: T2, counter: 7, device: stamp.node });
    expect(stampOfHistoryId(`3f2c9a1e-8b7d-4c6e-9f00-1234567890ab:${formatHlc(stamp)}`, NOW)).toEqual({ wall: T2, counter: 7, device: stamp.node });
    // an item id of 13 base-36 characters is not taken for a stamp: its "time" is centuries away
    expect(stampOfHistoryId(`zzzzzzzzzzzzz:${formatHlc(stamp)}`, NOW)).toEqual({ wall: T2, counter: 7, device: stamp.node });
    expect(stampOfHistoryId('item-1', NOW)).toBeNull();
  });

  it('refuses with a sentence and a non-zero exit: unknown shopper, no backup that day, no reason, bad usage, CouchDB unreachable', async () => {
    const unknown = await support('backups', 'nobody@example.com');
    expect(unknown).toMatchObject({ code: SUPPORT_EXIT.refused, err: 'There is no shopper named "nobody@example.com". Check the spelling of the account name.' });
    const noDay = await support('restore-backup', 'alice.support@example.com', '2020-01-01', '--reason', 'TICKET-2');
    expect(noDay.code).toBe(SUPPORT_EXIT.refused);
    expect(noDay.err).toBe(`alice.support@example.com has no backup of 2020-01-01. Backups kept: ${dayOf(Date.now())} to ${dayOf(Date.now())} (1).`);
    const noReason = await support('restore-backup', 'alice.support@example.com', dayOf(Date.now()));
    expect(noReason.code).toBe(SUPPORT_EXIT.usage);
    expect(noReason.err).toMatch(/^restore-backup needs --reason "<ticket>"/);
    expect((await support('restore-backup', 'alice.support@example.com', 'last-tuesday', '--reason', 'x')).err).toMatch(/"last-tuesday" is not a day: write it as YYYY-MM-DD/);
    expect((await support('frobnicate', 'alice')).code).toBe(SUPPORT_EXIT.usage);

    const closed = await freePort();
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSupportCommand(['backups', 'alice.support@example.com', '--as', 'sam.support'], {
      env: { TOTE_DATA_DIR: dataDir, TOTE_PORT: String(closed) }, out: (line) => out.push(line), err: (line) => err.push(line),
    });
    expect(code).toBe(SUPPORT_EXIT.unavailable);
    expect(err.join('\n')).toMatch(new RegExp(`CouchDB at http://127\\.0\\.0\\.1:${closed} could not be reached: .*Is the sync server \\(or CouchDB\\) running`));
    expect(out).toEqual([]);

    const refusals = (await audited('support.backups')).filter((entry) => entry.detail?.ok === false);
    expect(refusals).toEqual([expect.objectContaining({ actor: 'sam.support', detail: { shopper: 'nobody@example.com', ok: false, error: 'UNKNOWN_SHOPPER' } })]);
  });

  it('restores, saying what it wrote and nothing of the contents, audited with who and why', async () => {
    const desk = await couch.db(alice.dbName).get('item-desk');
    await couch.db(alice.dbName).destroy('item-desk', desk._rev);
    const { code, out } = await support('restore-backup', 'alice.support@example.com', dayOf(Date.now()), '--reason', 'TICKET-3 desk gone');
    expect(code).toBe(SUPPORT_EXIT.ok);
    expect(out.split('\n')).toEqual([
      `Restored alice.support@example.com's data of ${dayOf(Date.now())}:`,
      `  ${alice.dbName}: 1 documents written back, 1 already as they were, 0 made later left as they are`,
      `  ${alice.dbName}-history: 0 documents written back, 5 already as they were, 0 made later left as they are`,
      'The shopper\'s connected devices were told; others get it when they next sync.',
    ]);
    expect(await couch.db(alice.dbName).get('item-desk')).toMatchObject({ title: 'Walnut writing desk' });
    const entries = await audited('support.restore-backup');
    expect(entries).toEqual([
      // the refused ones (no backup that day, not a day) are audited too
      expect.objectContaining({ actor: 'sam.support', detail: { shopper: 'alice.support@example.com', ok: false, error: 'NO_BACKUP', reason: 'TICKET-2' } }),
      expect.objectContaining({ actor: 'sam.support', detail: { shopper: 'alice.support@example.com', ok: false, error: 'INVALID_DAY', reason: 'x' } }),
      expect.objectContaining({ actor: 'sam.support', role: 'support', target: alice.dbName, detail: expect.objectContaining({ shopper: 'alice.support@example.com', reason: 'TICKET-3 desk gone', written: 1 }) }),
    ]);
  });
});

describe('backups off the server', () => {
  it('exports every backup with a SHA-256 per file, refuses a changed file, and brings a wiped cart back from the folder', async () => {
    const bob = await client.signUp('bob.support@example.com');
    const titles = ['Linen tablecloth', 'Brass candle holder'];
    const cart = await client.request('POST', `/${bob.dbName}/_bulk_docs`, { token: bob.token, body: { docs: titles.map((title, index) => ({ _id: `item-${index}`, title })) } });
    expect(cart.status).toBe(201);
    await server.backups.run();
    const day = dayOf(Date.now());

    const folder = path.join(dataDir, 'off-server');
    const exported = await support('export-backups', folder);
    expect(exported.code).toBe(SUPPORT_EXIT.ok);
    expect(exported.out).toMatch(/^Exported 2 backups of 2 shoppers \([\d.]+ (B|KB)\) to .*off-server, with a SHA-256 of each file in SHA256SUMS\./);
    expect(exported.out).not.toMatch(/Linen|Brass|Walnut/);
    expect((await readdir(path.join(folder, bob.dbName))).sort()).toEqual([`${day}.json`, `${day}.json.gz`]);
    // The checksum file is coreutils' format: the copy checks anywhere with sha256sum.
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder, encoding: 'utf8' })).toContain(`${bob.dbName}/${day}.json.gz: OK`);
    expect(await audited('support.export-backups')).toEqual([expect.objectContaining({ actor: 'sam.support', detail: expect.objectContaining({ ok: true, shoppers: 2, backups: 2 }) })]);

    // The server loses bob's cart, history and backups.
    for (const db of [bob.dbName, `${bob.dbName}-history`, `${bob.dbName}-backups`]) await couch.destroyDb(db);
    expect((await client.request('GET', `/${bob.dbName}/_all_docs`, { token: bob.token })).status).toBeGreaterThanOrEqual(400);

    // A copy with one byte changed is refused as a whole, naming the file: nothing is written.
    const damaged = path.join(dataDir, 'off-server-damaged');
    await cp(folder, damaged, { recursive: true });
    const gz = path.join(damaged, bob.dbName, `${day}.json.gz`);
    const bytes = await readFile(gz);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    await writeFile(gz, bytes);
    const refused = await support('import-backups', damaged, '--reason', 'TICKET-20 disk lost');
    expect(refused.code).toBe(SUPPORT_EXIT.refused);
    expect(refused.err).toMatch(new RegExp(`^${bob.dbName}/${day}\\.json\\.gz: its SHA-256 is [0-9a-f]{64}, but SHA256SUMS says [0-9a-f]{64}\\. The file was changed or damaged after the export; use an intact copy\\. Nothing was imported\\.$`));
    expect(await unlessMissing(couch.server.db.get(`${bob.dbName}-backups`))).toBeNull();

    const imported = await support('import-backups', folder, '--reason', 'TICKET-20 disk lost');
    expect(imported.code).toBe(SUPPORT_EXIT.ok);
    expect(imported.out).toContain(`  bob.support@example.com: 1 imported (${day} to ${day}), 0 already on the server`);
    expect(imported.out).toContain('  alice.support@example.com: 0 imported, 1 already on the server');
    const restored = await support('restore-backup', 'bob.support@example.com', day, '--reason', 'TICKET-20 disk lost');
    expect(restored.code).toBe(SUPPORT_EXIT.ok);

    // The shopper's cart is back, as their device reads it through the gateway.
    const back = await client.request<{ rows: { doc: { title: string } }[] }>('GET', `/${bob.dbName}/_all_docs?include_docs=true`, { token: bob.token });
    expect(back.status).toBe(200);
    expect(back.body.rows.map((row) => row.doc.title).sort()).toEqual([...titles].sort());
    expect((await audited('support.import-backups')).map((entry) => entry.detail)).toEqual([
      expect.objectContaining({ ok: false, error: 'CHECKSUM_MISMATCH', reason: 'TICKET-20 disk lost' }),
      expect.objectContaining({ ok: true, imported: 1, present: 1, unknown: 0, reason: 'TICKET-20 disk lost' }),
    ]);
  });
});
