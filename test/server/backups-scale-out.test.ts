/**
 * Scheduled backups with two gateway instances in front of one CouchDB, sharing a real Redis: each
 * interval's backup runs once between them, whichever instance's timer fires first (docs/backups.md,
 * rule 4). Seen from the audit log both write to: one `backup.run` per interval.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { couchAdmin, freePort, listBackups, startSyncServer, type AuditEntry, type RunningSyncServer } from '@tote/sync-server';
import { startRedis } from '../support/processes.ts';

/** Short, so several intervals pass in a test; long enough for a run over a few shoppers on a busy machine. */
const INTERVAL_MS = 1_500;

let redis: ChildProcess | null = null;
let first: RunningSyncServer | null = null;
let second: RunningSyncServer | null = null;
const dirs: string[] = [];

const tempDir = async (name: string) => {
  const dir = await mkdtemp(path.join(tmpdir(), `tote-${name}-`));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  const port = await freePort();
  redis = await startRedis(port);
  const redisUrl = `redis://127.0.0.1:${port}`;
  first = await startSyncServer({ dataDir: await tempDir('backups-a'), port: 0, gatewayPort: 0, redisUrl, backupIntervalMs: INTERVAL_MS });
  second = await startSyncServer({
    dataDir: await tempDir('backups-b'), port: 0, gatewayPort: 0, couchUrl: first.url, redisUrl, backupIntervalMs: INTERVAL_MS,
    admin: { name: first.admin.name, password: first.admin.password },
    shopper: { name: first.shopper.name, password: first.shopper.password },
  });
}, 60_000);

afterAll(async () => {
  await second?.stop();
  await first?.stop();
  if (redis && redis.exitCode === null) {
    const exited = new Promise((resolve) => redis!.once('exit', resolve));
    redis.kill('SIGTERM');
    await exited;
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('scheduled backups with two gateway instances sharing Redis', () => {
  it('runs each interval\'s backup once between them', async () => {
    const bothRunning = Date.now();
    const couch = couchAdmin(first!.url, first!.admin);
    const shopper = { name: first!.shopper.name, dbName: first!.shopper.dbName };
    await couch.db(shopper.dbName).insert({ title: 'Teapot' }, 'item-1');
    // Scheduled runs (they name their interval) that started once both instances were up.
    const runs = async () => {
      await first!.gateway.flushAudit();
      await second!.gateway.flushAudit();
      const rows = await couch.db<AuditEntry>('tote-audit').list({ include_docs: true });
      return rows.rows.map((row) => row.doc!)
        .filter((entry) => entry.action === 'backup.run' && typeof entry.detail?.interval === 'string')
        .filter((entry) => Date.parse(entry.detail!.interval as string) >= bothRunning + INTERVAL_MS);
    };
    await expect.poll(async () => (await runs()).length, { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(6);
    const intervals = (await runs()).map((entry) => entry.detail!.interval as string).sort();
    // Both instances' timers fire once every interval: without the lock each interval would run twice.
    expect(intervals).toEqual([...new Set(intervals)]);
    // The shopper's change was backed up by whichever instance ran first; later runs found it unchanged.
    expect((await listBackups(couch, shopper)).map((backup) => backup.docs)).toEqual([1]);
  }, 60_000);
});
