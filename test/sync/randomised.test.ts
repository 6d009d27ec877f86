/**
 * Three devices of one shopper doing random cart operations with random offline periods, through the
 * real gateway and CouchDB (property-based, fast-check). After everyone reconnects, in every run:
 * - all devices hold the same cart;
 * - no item is lost: every item added exists everywhere, and is removed only if someone removed it;
 * - every change is accounted for: each field of each item holds the value of the change with the
 *   latest stamp (docs/merge.md), and where a removal lost to a concurrent edit, a notice says so.
 * The seed and the number of runs are printed, so a failure can be replayed (TOTE_MERGE_SEED).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { applyCartOp, checkOutcome, newAccountDevices, newRun, settle, weightedCartOps, type CartOp } from '../support/cart-scenario.ts';
import type { Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

type Op = CartOp | { readonly kind: 'offline'; readonly device: number } | { readonly kind: 'online'; readonly device: number };

const device = fc.integer({ min: 0, max: 2 });
const op: fc.Arbitrary<Op> = fc.oneof<fc.MaybeWeightedArbitrary<Op>[]>(
  ...weightedCartOps(3),
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('offline' as const), device }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('online' as const), device }) },
);

const RUNS = Number(process.env.TOTE_MERGE_RUNS ?? 8);
const SEED = Number(process.env.TOTE_MERGE_SEED ?? Date.now() % 2_147_483_647);

let server: TestServer;
let run = 0;

beforeAll(async () => {
  // Three devices on one address, many runs: the per-address budgets are raised (they are tested in test/server).
  server = await startTestServer({ tuning: { rateLimits: { signupsPerAddressPerHour: 10_000, requestsPerMinute: 1_000_000 } } });
});

afterAll(async () => {
  await server?.dispose();
});

async function scenario(ops: readonly Op[]) {
  run += 1;
  const name = `random-${SEED}-${run}@example.com`;
  const devices: Device[] = [];
  try {
    await newAccountDevices(server.account, 3, name, devices);

    const outcome = newRun(`${run}`);
    for (const next of ops) {
      const actor = devices[next.device]!;
      if (next.kind === 'offline') {
        actor.network.goOffline();
        continue;
      }
      if (next.kind === 'online') {
        actor.network.goOnline();
        actor.client.sync?.reconnect();
        continue;
      }
      await applyCartOp(devices, next, outcome);
      if (next.kind !== 'add') await new Promise((resolve) => setTimeout(resolve, 2)); // let live sync interleave with the next operation
    }

    for (const each of devices) {
      each.network.goOnline();
      each.client.sync?.reconnect();
    }
    await settle(devices);
    checkOutcome(devices, outcome);
    return outcome.changes.length;
  } finally {
    for (const each of devices) await each.close();
  }
}

describe('three devices, random operations and offline periods, through the real server', () => {
  it('always end with the same cart, lose no item, and account for every change', async () => {
    console.log(`merge property: seed ${SEED}, ${RUNS} runs (replay with TOTE_MERGE_SEED=${SEED})`);
    let total = 0;
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 25, maxLength: 45 }), async (ops) => {
      total += await scenario(ops);
    }), { seed: SEED, numRuns: RUNS, endOnFailure: true });
    console.log(`merge property: ${RUNS} runs passed, ${total} changes checked`);
  }, 600_000);
});
