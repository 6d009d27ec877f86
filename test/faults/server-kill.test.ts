/**
 * The embedded CouchDB killed (`kill -9`) at a random point while a device syncs a bulk of new items or a
 * history restore (kill-rounds.ts) and another device pulls them, then the sync server started again on
 * the same data folder, as an operator's supervisor would (docs/reliability.md). CouchDB is built
 * crash-only; so must Tote's use of it be: after the restart, with no help, both devices hold the same
 * cart, every item once, a restore wholly or not at all (and it can be retried), and the server's copy
 * has every item added.
 *
 * Short in `npm test` (2 kill points); `TOTE_KILL_POINTS=100` for the long form; `TOTE_KILL_SEED` replays.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevice, waitForPhase, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { killRounds, type KillRounds } from './kill-rounds.ts';

const POINTS = Number(process.env.TOTE_KILL_POINTS ?? 2);
const SEED = Number(process.env.TOTE_KILL_SEED ?? Date.now() % 2_147_483_647);
const PER_ROUND = 40;

let server: TestServer;
let writer: Device;
let reader: Device;
let rounds: KillRounds;
let round = 0;

beforeAll(async () => {
  server = await startTestServer({ tuning: { rateLimits: { requestsPerMinute: 1_000_000 } } });
  const kdf = { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 } as const;
  writer = await createDevice('writer', server.account, { passwordKdf: kdf });
  reader = await createDevice('reader', server.account, { passwordKdf: kdf });
  await writer.account.signIn(writer.serverUrl, server.account.username, server.account.password);
  await reader.account.signIn(reader.serverUrl, server.account.username, server.account.password);
  await Promise.all([waitForPhase(writer, 'in-sync'), waitForPhase(reader, 'in-sync')]);
  rounds = killRounds(writer, reader, PER_ROUND);
});

afterAll(async () => {
  await writer?.close();
  await reader?.close();
  await server?.dispose();
});

/** The item ids the server holds, read straight from CouchDB as its admin. */
async function serverIds(): Promise<string[]> {
  const { url, admin, shopper } = server.running;
  const response = await fetch(`${url}/${shopper.dbName}/_all_docs`, { headers: { authorization: `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}` } });
  return ((await response.json()) as { rows: { id: string }[] }).rows.map((row) => row.id);
}

describe('the embedded CouchDB killed mid-sync, then started again', () => {
  it('loses no item and doubles none, on either device or the server, and a restore counts wholly or not at all', async () => {
    console.log(`server kill: seed ${SEED}, ${POINTS} kill points (replay with TOTE_KILL_SEED=${SEED})`);
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 600 }), fc.nat(), async (killAfterMs, pick) => {
      round += 1;
      // Every other kill point falls during a restore's sync, the others during a bulk sync.
      const kind = round % 2 === 0 ? 'restore' : 'bulk';
      const writing = rounds.begin(kind, pick);
      await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      const crashes = server.running.pid !== null && (await Promise.race([server.running.exited.then(() => true), Promise.resolve(false)])) ? 1 : 0;
      process.kill(server.running.pid!, 'SIGKILL');
      expect(await server.running.exited).toBeNull(); // killed by the signal, not exited by itself
      await writing; // the shopper's writes never wait for the server
      await server.stop();
      await server.restart();
      await rounds.check(`kill point ${round} (${kind}, ${killAfterMs} ms)`, { kind: 'couchdb-kill', crashes, serverIds });
    }), { seed: SEED, numRuns: POINTS, endOnFailure: true });
  }, POINTS * 60_000 + 300_000);
});
