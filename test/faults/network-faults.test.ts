/**
 * Two devices of one shopper doing random cart operations while their networks misbehave (fault-proxy.ts:
 * latency and jitter, a bandwidth cap, connections reset mid-answer, connections gone silent, partitions),
 * through the real gateway and CouchDB, faults chosen by fast-check. When the network heals, in every run
 * the outcome rules of test/support/cart-scenario.ts hold: the same cart on both devices, no item lost,
 * every change accounted for.
 *
 * Short in `npm test`; `TOTE_FAULTS_LONG=1` runs more and longer runs; `TOTE_FAULTS_SEED` replays one.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCartOp, checkOutcome, newAccountDevices, newRun, outcomeCounts, settle, weightedCartOps, type CartOp } from '../support/cart-scenario.ts';
import type { Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { NO_FAULTS, startFaultProxy, type FaultProxy, type Faults } from './fault-proxy.ts';
import { recordFaultRun } from './ledger.ts';

type Op =
  | CartOp
  | { readonly kind: 'faults'; readonly device: number; readonly faults: Faults }
  | { readonly kind: 'partition'; readonly device: number; readonly ms: number }
  | { readonly kind: 'pause'; readonly ms: number };

const LONG = process.env.TOTE_FAULTS_LONG === '1';
const RUNS = Number(process.env.TOTE_FAULTS_RUNS ?? (LONG ? 25 : 3));
const SEED = Number(process.env.TOTE_FAULTS_SEED ?? Date.now() % 2_147_483_647);

const device = fc.integer({ min: 0, max: 1 });
const someFaults: fc.Arbitrary<Faults> = fc.record({
  latencyMs: fc.integer({ min: 0, max: 150 }),
  jitterMs: fc.integer({ min: 0, max: 100 }),
  bytesPerSecond: fc.constantFrom(0, 0, 8_000, 64_000),
  resetChance: fc.constantFrom(0, 0.05, 0.2, 0.5),
  silentChance: fc.constantFrom(0, 0.02, 0.1),
  silentForMs: fc.integer({ min: 200, max: 1_500 }),
});
const faults: fc.Arbitrary<Faults> = fc.oneof({ weight: 1, arbitrary: fc.constant(NO_FAULTS) }, { weight: 4, arbitrary: someFaults });
const op: fc.Arbitrary<Op> = fc.oneof<fc.MaybeWeightedArbitrary<Op>[]>(
  ...weightedCartOps(2),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('faults' as const), device, faults }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('partition' as const), device, ms: fc.integer({ min: 50, max: 1_500 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pause' as const), ms: fc.integer({ min: 10, max: 400 }) }) },
);

let server: TestServer;
let run = 0;
const seen = { connections: 0, resets: 0, silenced: 0, refused: 0 };

beforeAll(async () => {
  server = await startTestServer({ tuning: { rateLimits: { signupsPerAddressPerHour: 10_000, requestsPerMinute: 1_000_000 } } });
});

afterAll(async () => {
  await server?.dispose();
});

async function scenario(start: readonly [Faults, Faults], ops: readonly Op[]) {
  run += 1;
  const name = `faults-${SEED}-${run}@example.com`;
  const devices: Device[] = [];
  const proxies: FaultProxy[] = [];
  try {
    await newAccountDevices(server.account, 2, name, devices, () => ({
      relay: async (url) => {
        const proxy = await startFaultProxy(url);
        proxies.push(proxy);
        return proxy;
      },
    }));

    // Each run starts on two misbehaving networks; its operations change them as they go.
    proxies.forEach((proxy, index) => proxy.setFaults(start[index]!));
    const outcome = newRun(`f${run}`);
    let partitions = 0;
    for (const [index, next] of ops.entries()) {
      // Halfway through every run, the second device's network drops for a moment: each run meets a cut.
      if (index === Math.floor(ops.length / 2)) {
        partitions += 1;
        proxies[1]!.partition();
        setTimeout(() => proxies[1]!.heal(), 300);
      }
      if (next.kind === 'faults') {
        proxies[next.device]!.setFaults(next.faults);
      } else if (next.kind === 'partition') {
        partitions += 1;
        proxies[next.device]!.partition();
        setTimeout(() => proxies[next.device]!.heal(), next.ms);
      } else if (next.kind === 'pause') {
        await new Promise((resolve) => setTimeout(resolve, next.ms));
      } else {
        await applyCartOp(devices, next, outcome);
      }
    }

    // The network heals; the devices find out by themselves (retries, the live channel), as they would.
    for (const proxy of proxies) {
      proxy.setFaults(NO_FAULTS);
      proxy.heal();
    }
    const settled = await settle(devices, 60_000).then(() => null, (error: unknown) => error);
    const cut = proxies.reduce((sum, proxy) => sum + proxy.stats.resets + proxy.stats.silenced + proxy.stats.refused, 0);
    recordFaultRun({ kind: 'network', faults: partitions + cut, changesWritten: outcome.added.size + outcome.changes.length, ...outcomeCounts(devices, outcome), crashes: 0 });
    if (settled) throw settled;
    checkOutcome(devices, outcome);
    return outcome.changes.length;
  } finally {
    for (const proxy of proxies) {
      seen.connections += proxy.stats.connections;
      seen.resets += proxy.stats.resets;
      seen.silenced += proxy.stats.silenced;
      seen.refused += proxy.stats.refused;
    }
    for (const each of devices) await each.close();
  }
}

describe('two devices, random operations on misbehaving networks, through the real server', () => {
  it('end with the same cart, lose no item, and account for every change', async () => {
    console.log(`network faults: seed ${SEED}, ${RUNS} runs (replay with TOTE_FAULTS_SEED=${SEED}; TOTE_FAULTS_LONG=1 for the long form)`);
    let total = 0;
    await fc.assert(fc.asyncProperty(someFaults, someFaults, fc.array(op, { minLength: 15, maxLength: LONG ? 60 : 30 }), async (first, second, ops) => {
      total += await scenario([first, second], ops);
    }), { seed: SEED, numRuns: RUNS, endOnFailure: true });
    console.log(`network faults: ${RUNS} runs passed, ${total} changes checked; connections ${seen.connections}, reset ${seen.resets}, silenced ${seen.silenced}, refused ${seen.refused}`);
    // The faults really happened (a harness that injects nothing proves nothing).
    expect(seen.resets + seen.refused).toBeGreaterThan(0);
  }, LONG ? 3_600_000 : 600_000);
});
