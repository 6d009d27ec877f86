/**
 * The embedded CouchDB killed (`kill -9`) at a random point while a device writes many items and another
 * device pulls them, then the sync server started again on the same data folder, as an operator's
 * supervisor would (docs/faults.md). CouchDB is built crash-only; so must Tote's use of it be: after the
 * restart, with no help, both devices hold every item the writer added, once, and the server's copy has
 * every one of them.
 *
 * Short in `npm test` (2 kill points); `TOTE_KILL_POINTS=100` for the long form; `TOTE_KILL_SEED` replays.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectItems } from '@tote/core';
import { addItems, settle } from '../support/cart-scenario.ts';
import { createDevice, waitForPhase, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const POINTS = Number(process.env.TOTE_KILL_POINTS ?? 2);
const SEED = Number(process.env.TOTE_KILL_SEED ?? Date.now() % 2_147_483_647);
const PER_ROUND = 40;

let server: TestServer;
let writer: Device;
let reader: Device;
let round = 0;
const added: string[] = [];

beforeAll(async () => {
  server = await startTestServer({ tuning: { rateLimits: { requestsPerMinute: 1_000_000 } } });
  const kdf = { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 } as const;
  writer = await createDevice('writer', server.account, { passwordKdf: kdf });
  reader = await createDevice('reader', server.account, { passwordKdf: kdf });
  await writer.account.signIn(writer.serverUrl, server.account.username, server.account.password);
  await reader.account.signIn(reader.serverUrl, server.account.username, server.account.password);
  await Promise.all([waitForPhase(writer, 'in-sync'), waitForPhase(reader, 'in-sync')]);
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
  it('loses no item and doubles none, on either device or the server', async () => {
    console.log(`server kill: seed ${SEED}, ${POINTS} kill points (replay with TOTE_KILL_SEED=${SEED})`);
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 600 }), async (killAfterMs) => {
      round += 1;
      const writing = addItems(writer, `k${round}`, PER_ROUND).then((ids) => { added.push(...ids); });
      await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      process.kill(server.running.pid!, 'SIGKILL');
      expect(await server.running.exited).toBeNull(); // killed by the signal, not exited by itself
      await writing; // the shopper's writes never wait for the server
      await server.stop();
      await server.restart();
      for (const device of [writer, reader]) device.client.sync?.reconnect();
      await settle([writer, reader], 60_000);
      for (const device of [writer, reader]) {
        const ids = selectItems(device.client.store.getState()).map((item) => item.id);
        expect(new Set(ids).size, `${device.name} holds an item twice`).toBe(ids.length);
        expect(ids.sort(), `${device.name} after kill point ${round} (${killAfterMs} ms)`).toEqual([...added].sort());
      }
      expect((await serverIds()).sort()).toEqual([...added].sort());
    }), { seed: SEED, numRuns: POINTS, endOnFailure: true });
  }, 900_000);
});
