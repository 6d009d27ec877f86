/**
 * Two devices of one shopper whose clocks jump a day forward and back while they edit the cart (a laptop
 * waking with a wrong time, a phone crossing time zones with manual time), through the real gateway and
 * CouchDB, jumps chosen by fast-check. The hybrid logical clock stamps keep changes ordered (docs/merge.md),
 * so in every run the outcome rules of test/support/cart-scenario.ts hold: the same cart on both devices,
 * no item lost, the latest stamped change wins.
 *
 * `TOTE_CLOCK_RUNS` sets the number of runs; `TOTE_CLOCK_SEED` replays one.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareHlc, parseHlc, selectItems } from '@tote/core';
import { applyCartOp, checkOutcome, newAccountDevices, newRun, outcomeCounts, settle, weightedCartOps, type CartOp } from '../support/cart-scenario.ts';
import type { Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { recordFaultRun } from './ledger.ts';

const DAY = 24 * 3600_000;
type Op = CartOp | { readonly kind: 'jump'; readonly device: number; readonly days: number };

const RUNS = Number(process.env.TOTE_CLOCK_RUNS ?? 3);
const SEED = Number(process.env.TOTE_CLOCK_SEED ?? Date.now() % 2_147_483_647);

const op: fc.Arbitrary<Op> = fc.oneof<fc.MaybeWeightedArbitrary<Op>[]>(
  ...weightedCartOps(2),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('jump' as const), device: fc.integer({ min: 0, max: 1 }), days: fc.constantFrom(-1, 1) }) },
);

let server: TestServer;
let run = 0;

beforeAll(async () => {
  server = await startTestServer({ tuning: { rateLimits: { signupsPerAddressPerHour: 10_000, requestsPerMinute: 1_000_000 } } });
});

afterAll(async () => {
  await server?.dispose();
});

async function scenario(ops: readonly Op[]) {
  run += 1;
  const name = `clocks-${SEED}-${run}@example.com`;
  const offsets = [0, 0];
  const devices: Device[] = [];
  try {
    // Only the clock the device stamps its cart changes with jumps; sessions keep real time, as the server does.
    await newAccountDevices(server.account, 2, name, devices, (index) => ({ deviceClock: { now: () => Date.now() + offsets[index]! } }));

    const outcome = newRun(`c${run}`);
    const madeBy: number[] = []; // the device of each change in outcome.changes, in the order made
    let jumps = 0;
    for (const next of ops) {
      if (next.kind === 'jump') {
        offsets[next.device] = offsets[next.device]! + next.days * DAY;
        jumps += 1;
        continue;
      }
      await applyCartOp(devices, next, outcome);
      while (madeBy.length < outcome.changes.length) madeBy.push(next.device);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const settled = await settle(devices).then(() => null, (error: unknown) => error);
    recordFaultRun({ kind: 'clock-jump', faults: jumps, changesWritten: outcome.added.size + outcome.changes.length, ...outcomeCounts(devices, outcome), crashes: 0 });
    if (settled) throw settled;
    checkOutcome(devices, outcome);
    // A change made later on a device carries a later stamp, whatever its clock says: otherwise the
    // shopper's newer choice would lose to the one it replaced as soon as the devices merge.
    for (const device of [0, 1]) {
      const stamps = outcome.changes.filter((_, index) => madeBy[index] === device).map((change) => change.stamp);
      for (let index = 1; index < stamps.length; index += 1) {
        expect(compareHlc(parseHlc(stamps[index]!), parseHlc(stamps[index - 1]!)), `device ${device}: ${stamps[index]} made after ${stamps[index - 1]}`).toBe(1);
      }
    }
    // Every item shows a time the shopper can read: never stamped in the future by more than the jumps made.
    for (const item of selectItems(devices[0]!.client.store.getState())) {
      expect(item.updatedAt, `${item.id} updated at`).toBeLessThanOrEqual(Date.now() + (jumps + 1) * DAY);
    }
    return outcome.changes.length;
  } finally {
    for (const each of devices) await each.close();
  }
}

describe('two devices whose clocks jump a day forward and back while editing', () => {
  it('end with the same cart, lose no item, and let the latest stamped change win', async () => {
    console.log(`clock jumps: seed ${SEED}, ${RUNS} runs (replay with TOTE_CLOCK_SEED=${SEED})`);
    let total = 0;
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 15, maxLength: 30 }), async (ops) => {
      total += await scenario(ops);
    }), { seed: SEED, numRuns: RUNS, endOnFailure: true });
    console.log(`clock jumps: ${RUNS} runs passed, ${total} changes checked`);
  }, 600_000);
});
