/**
 * The whole sync server process (`npm start`'s: the gateway, with the embedded CouchDB as its child) killed
 * with `kill -9` at a random point while a device syncs a bulk of new items or a history restore
 * (kill-rounds.ts) and another pulls, then started again on the same data folder, as a supervisor would
 * (docs/reliability.md). Sessions made before the crash still work (the gateway keeps its state on
 * disk), the embedded CouchDB goes with its parent and comes back with it, and both devices end with the
 * same cart, every item once, a restore wholly or not at all (and it can be retried).
 *
 * Short in `npm test` (2 kill points); `TOTE_GATEWAY_KILL_POINTS` for more; `TOTE_GATEWAY_KILL_SEED` replays.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, shopperDbName } from '@tote/sync-server';
import { createDevice, waitForPhase, type Account, type Device } from '../support/devices.ts';
import { startProcess } from '../support/processes.ts';
import { killRounds, type KillRounds } from './kill-rounds.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const POINTS = Number(process.env.TOTE_GATEWAY_KILL_POINTS ?? 2);
const SEED = Number(process.env.TOTE_GATEWAY_KILL_SEED ?? Date.now() % 2_147_483_647);
const PER_ROUND = 30;

let dataDir: string;
let gatewayPort: number;
let couchPort: number;
let server: ChildProcess | null = null;
let writer: Device;
let reader: Device;
let account: Account;
let rounds: KillRounds;
let round = 0;

/** `npm start`'s program, on fixed ports and the test's data folder; resolves once it says it is running. */
function startServer(): Promise<ChildProcess> {
  return startProcess(process.execPath, ['--import', 'tsx', path.join(root, 'sync-server/src/main.ts')], {
    cwd: root, ready: 'Tote sync server is running at', timeoutMs: 60_000, what: 'the sync server',
    env: { ...process.env, TOTE_DATA_DIR: dataDir, TOTE_PORT: String(couchPort), TOTE_GATEWAY_PORT: String(gatewayPort), TOTE_BACKUP_INTERVAL_MS: '0', TOTE_REQUESTS_PER_MINUTE: '1000000', NODE_OPTIONS: '' },
  });
}

/** The item ids the server holds, read straight from CouchDB as its admin (admin.json of the data folder). */
async function serverIds(): Promise<string[]> {
  const admin = JSON.parse(await readFile(path.join(dataDir, 'admin.json'), 'utf8')) as { name: string; password: string };
  const response = await fetch(`http://127.0.0.1:${couchPort}/${shopperDbName(account.username)}/_all_docs`, {
    headers: { authorization: `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}` },
  });
  return ((await response.json()) as { rows: { id: string }[] }).rows.map((row) => row.id);
}

/** Waits until nothing listens on `port` any more (the embedded CouchDB follows its killed parent out). */
async function portFreed(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const open = await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);
    if (!open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the embedded CouchDB on port ${port} outlived its killed parent`);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-gateway-kill-'));
  gatewayPort = await freePort();
  couchPort = await freePort();
  server = await startServer();
  const shopper = JSON.parse(await readFile(path.join(dataDir, 'shopper.json'), 'utf8')) as { name: string; password: string };
  const cert = await readFile(path.join(dataDir, 'tls', 'tote-local-ca.crt'), 'utf8');
  account = { serverUrl: `https://127.0.0.1:${gatewayPort}`, username: shopper.name, password: shopper.password, cert };
  const kdf = { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 } as const;
  writer = await createDevice('writer', account, { passwordKdf: kdf });
  reader = await createDevice('reader', account, { passwordKdf: kdf });
  await writer.account.signIn(writer.serverUrl, account.username, account.password);
  await reader.account.signIn(reader.serverUrl, account.username, account.password);
  await Promise.all([waitForPhase(writer, 'in-sync'), waitForPhase(reader, 'in-sync')]);
  rounds = killRounds(writer, reader, PER_ROUND);
  // The gateway writes its sessions to disk every 2 s: past that, a crash keeps them.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
}, 120_000);

afterAll(async () => {
  await writer?.close();
  await reader?.close();
  server?.kill('SIGKILL');
  await portFreed(couchPort).catch(() => undefined);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the sync server\'s process killed mid-sync, then started again', () => {
  it('keeps the devices signed in, loses no item and doubles none, and a restore counts wholly or not at all', async () => {
    console.log(`gateway kill: seed ${SEED}, ${POINTS} kill points (replay with TOTE_GATEWAY_KILL_SEED=${SEED})`);
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 600 }), fc.nat(), async (killAfterMs, pick) => {
      round += 1;
      // Every other kill point falls during a restore's sync, the others during a bulk sync.
      const kind = round % 2 === 0 ? 'restore' : 'bulk';
      const writing = rounds.begin(kind, pick);
      await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      const crashes = server!.exitCode !== null ? 1 : 0; // gone by itself before the kill
      server!.kill('SIGKILL');
      if (server!.exitCode === null && server!.signalCode === null) await new Promise((resolve) => server!.once('exit', resolve));
      await writing;
      await portFreed(couchPort);
      server = await startServer();
      await rounds.check(`kill point ${round} (${kind}, ${killAfterMs} ms)`, { kind: 'gateway-kill', crashes, serverIds });
      for (const device of [writer, reader]) expect(device.account.getState().phase, `${device.name} still signed in`).toBe('signed-in');
    }), { seed: SEED, numRuns: POINTS, endOnFailure: true });
  }, POINTS * 60_000 + 300_000);
});
