/**
 * Analytics (docs/analytics.md), two figures:
 * - `accuracy_pct`: shoppers each do a random run of cart operations over five simulated days (adds
 *   from every source, quantity changes, moves, removals, products recognised, checkouts) on a real
 *   core (RxDB storage-memory, the store, history), their reporters sending through the real gateway
 *   with a third of the sends failing (offline) and every other acknowledged batch sent again (a lost
 *   answer). The admin summary's counts per kind and adds by source are compared with the truth counted
 *   from the run's own log: 100 × (1 − Σ|summary − truth| / Σ truth).
 * - `overhead_us_per_op`: what analytics add to one cart operation, against the same operations without
 *   analytics in the same run: the dispatch with a source kept in history (minus the dispatch without),
 *   plus deriving the events and the day's aggregates from the whole history, per operation. The store
 *   "with analytics" also times every dispatch into its latency histograms (latency-monitor.ts), so the
 *   monitoring's cost is in this figure too.
 * - `latency_record_ns_per_op`: one recording into the latency monitor alone (a stopwatch read and two
 *   HDR histogram records), against `latency_array_ns_per_op`, the plain alternative: pushing each time
 *   into an array (which then needs a sort per percentile and grows without bound).
 *
 * `npm run bench:analytics` runs it alone (starting its own server); `npm run bench` includes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import {
  ADD_SOURCES, cartCommands, createAnalyticsReporter, createCartStore, createLatencyMonitor, type LatencyMonitor, createHistoryLog, dailyAggregates, deriveEvents, gatewayAnalyticsTransport,
  memoryAnalyticsStorage, openCartDatabase, SIGNAL_REPEAT_MS, ToteError, type AddSource, type AnalyticsTransport, type CartCommand,
} from '@tote/core';
import { startSyncServer } from '@tote/sync-server';
import { gatewayClient } from '../test/support/gateway.ts';
import { mergeResults } from './results-file.ts';
import { round } from './stats.ts';

const DAY = 24 * 60 * 60_000;
const KINDS = ['recognised', 'added', 'removed', 'quantityChanged', 'moved', 'checkout', 'bought'] as const;

function randomSource(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

async function openStore(device: string, clock: { now(): number }, monitor?: LatencyMonitor) {
  const db = await openCartDatabase({ storage: getRxStorageMemory(), name: `bench-analytics-${Math.random().toString(36).slice(2)}` });
  const history = createHistoryLog(db.history, { id: device, name: device });
  const store = createCartStore({ items: db.items, device: { id: device, name: device }, clock, history, ...(monitor ? { monitor } : {}) });
  await store.ready;
  return {
    store, history,
    read: async () => {
      await store.historySettled();
      return { entries: (await history.read()).entries, items: store.getState().items };
    },
    async close() {
      store.close();
      history.close();
      await db.remove();
    },
  };
}

export interface AnalyticsBenchResult {
  readonly shoppers: number;
  readonly operations: number;
  readonly accuracy_pct: number;
  readonly failed_sends: number;
  readonly duplicate_sends: number;
  readonly dispatch_us_per_op: number;
  readonly dispatch_with_source_us_per_op: number;
  readonly derive_us_per_op: number;
  readonly overhead_us_per_op: number;
  readonly latency_record_ns_per_op: number;
  readonly latency_array_ns_per_op: number;
}

/** One latency recording's cost (ns), against pushing the time into an array, alternating rounds. */
function latencyRecordCost(records = 200_000): { monitorNs: number; arrayNs: number } {
  const monitor = createLatencyMonitor();
  const monitorRuns: number[] = [];
  const arrayRuns: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    let began = performance.now();
    for (let i = 0; i < records; i += 1) monitor.record('edit', monitor.stopwatch.now() - (i % 50));
    monitorRuns.push(((performance.now() - began) * 1e6) / records);
    const times: number[] = [];
    began = performance.now();
    for (let i = 0; i < records; i += 1) times.push(performance.now() - (i % 50) - began);
    arrayRuns.push(((performance.now() - began) * 1e6) / records);
  }
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  return { monitorNs: median(monitorRuns), arrayNs: median(arrayRuns) };
}

/** `gateway`: a running gateway (url, certificate, admin) or none: one is started for the run. */
export async function benchAnalytics(options: { shoppers?: number; opsPerShopper?: number; overheadOps?: number; gateway?: { url: string; cert: string; admin: { name: string; password: string } } } = {}): Promise<AnalyticsBenchResult> {
  const shoppers = options.shoppers ?? 5;
  const opsPerShopper = options.opsPerShopper ?? 60;
  let dataDir: string | null = null;
  let stop: (() => Promise<void>) | null = null;
  let gateway = options.gateway;
  if (!gateway) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tote-bench-analytics-'));
    const server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0 }, { rateLimits: { signupsPerAddressPerHour: 1000, requestsPerMinute: 100_000 } });
    gateway = { url: server.gateway.url, cert: server.gateway.cert, admin: server.admin };
    stop = () => server.stop();
  }
  const client = gatewayClient(gateway.url, gateway.cert);
  try {
    // Accuracy.
    const truth = new Map<string, number>();
    const count = (key: string) => truth.set(key, (truth.get(key) ?? 0) + 1);
    const random = randomSource(18);
    let failed = 0;
    let duplicates = 0;
    let operations = 0;
    const start = Date.now() - 5 * DAY;
    for (let s = 0; s < shoppers; s += 1) {
      const { token } = await client.signUp(`bench-analytics-${Date.now().toString(36)}-${s}@example.com`, 'bench analytics password');
      let now = start;
      const clock = { now: () => now };
      const device = `device${s}`;
      const local = await openStore(device, clock);
      const raw = gatewayAnalyticsTransport(client.fetch, () => ({ serverUrl: gateway.url, token }));
      const transport: AnalyticsTransport = async (batch) => {
        if (random.next() < 1 / 3) {
          failed += 1;
          throw new ToteError('SYNC_OFFLINE', 'offline');
        }
        await raw(batch);
        if (random.next() < 0.5) {
          duplicates += 1;
          await raw(batch);
        }
      };
      const reporter = createAnalyticsReporter({ deviceId: device, storage: memoryAnalyticsStorage(), read: local.read, transport, clock });
      await reporter.setConsent(true);
      const live: { id: string; listId: string; quantity: number }[] = [];
      const lastCheckout = new Map<string, number>();
      for (let op = 0; op < opsPerShopper; op += 1) {
        now += Math.floor((4 * DAY) / opsPerShopper);
        const roll = random.next();
        const shop = `shop${random.int(3)}.example`;
        if (roll < 0.1) {
          await reporter.recordSignal({ kind: 'recognised', shop });
          count('recognised');
        } else if (roll < 0.15) {
          await reporter.recordSignal({ kind: 'checkout', shop });
          // A checkout of the same shop seen again within the hour is the same visit (docs/analytics.md).
          if (now - (lastCheckout.get(shop) ?? -Infinity) >= SIGNAL_REPEAT_MS) {
            lastCheckout.set(shop, now);
            count('checkout');
          }
        } else if (roll < 0.5 || live.length === 0) {
          const source: AddSource = ADD_SOURCES[random.int(ADD_SOURCES.length)]!;
          const { written } = await local.store.dispatch(cartCommands.add({ url: `https://${shop}/p/${op}-${s}`, title: `Item ${op}`, priceMinor: 1000 + op, currency: 'EUR', imageUrl: null, variant: null, shop }, { source }));
          live.push({ id: written[0]!.id, listId: 'cart', quantity: 1 });
          count('added');
          count(`source:${source}`);
        } else {
          const target = live[random.int(live.length)]!;
          const pick = random.next();
          if (pick < 0.4) {
            target.quantity += 1;
            await local.store.dispatch(cartCommands.setQuantity(target.id, target.quantity));
            count('quantityChanged');
          } else if (pick < 0.7) {
            target.listId = target.listId === 'cart' ? 'saved' : 'cart';
            await local.store.dispatch(cartCommands.move(target.id, target.listId));
            count('moved');
          } else if (pick < 0.85) {
            live.splice(live.indexOf(target), 1);
            await local.store.dispatch(cartCommands.remove(target.id));
            count('removed');
          } else {
            live.splice(live.indexOf(target), 1);
            await local.store.dispatch(cartCommands.markBought(target.id));
            count('bought');
          }
        }
        operations += 1;
        if (random.next() < 0.2) await reporter.report();
      }
      // Back online at the end: whatever waited goes now.
      for (let attempt = 0; attempt < 20 && (await reporter.report()).due > 0; attempt += 1);
      await local.close();
    }
    const admin = (await client.logIn(gateway.admin.name, gateway.admin.password, 'bench')).body as { token: string };
    const day = (at: number) => new Date(at).toISOString().slice(0, 10);
    const answer = await client.request<{ counts: Record<string, number>; addsBySource: Record<string, number> }>('GET',
      `/_tote/admin/analytics?from=${day(start - DAY)}&to=${day(Date.now() + DAY)}`, { token: admin.token });
    if (answer.status !== 200) throw new Error(`summary answered ${answer.status}`);
    let errors = 0;
    let total = 0;
    for (const kind of KINDS) {
      errors += Math.abs((answer.body.counts[kind] ?? 0) - (truth.get(kind) ?? 0));
      total += truth.get(kind) ?? 0;
    }
    for (const source of ADD_SOURCES) {
      errors += Math.abs((answer.body.addsBySource[source] ?? 0) - (truth.get(`source:${source}`) ?? 0));
      total += truth.get(`source:${source}`) ?? 0;
    }

    // Overhead: the same operations with and without analytics, alternating rounds.
    const overheadOps = options.overheadOps ?? 400;
    const timed = async (withSource: boolean) => {
      let now = Date.now();
      const local = await openStore(withSource ? 'with' : 'without', { now: () => (now += 1000) }, withSource ? createLatencyMonitor() : undefined);
      const commands: CartCommand[] = [];
      for (let i = 0; i < overheadOps; i += 1) {
        commands.push(cartCommands.add({ url: `https://shop.example/p/${i}`, title: `Item ${i}`, priceMinor: 1000, currency: 'EUR', imageUrl: null, variant: null }, withSource ? { source: 'page' } : {}));
      }
      const began = performance.now();
      const ids: string[] = [];
      for (const command of commands) ids.push((await local.store.dispatch(command)).action.meta.newId);
      for (const id of ids) await local.store.dispatch(cartCommands.setQuantity(id, 2));
      await local.store.historySettled();
      const dispatchMs = performance.now() - began;
      let deriveMs = 0;
      if (withSource) {
        const input = await local.read();
        const derivedAt = performance.now();
        dailyAggregates(deriveEvents({ ...input, now: Date.now() }), 'with');
        deriveMs = performance.now() - derivedAt;
      }
      await local.close();
      return { dispatchMs, deriveMs, ops: overheadOps * 2 };
    };
    const without: number[] = [];
    const withAnalytics: number[] = [];
    const derive: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const a = await timed(false);
      const b = await timed(true);
      without.push((a.dispatchMs * 1000) / a.ops);
      withAnalytics.push((b.dispatchMs * 1000) / b.ops);
      derive.push((b.deriveMs * 1000) / b.ops);
    }
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
    const dispatch = median(without);
    const dispatchWith = median(withAnalytics);
    const deriveUs = median(derive);
    const latencyCost = latencyRecordCost();
    return {
      shoppers, operations,
      accuracy_pct: round(100 * (1 - errors / total), 3),
      failed_sends: failed, duplicate_sends: duplicates,
      dispatch_us_per_op: round(dispatch), dispatch_with_source_us_per_op: round(dispatchWith), derive_us_per_op: round(deriveUs),
      overhead_us_per_op: round(Math.max(0, dispatchWith - dispatch) + deriveUs),
      latency_record_ns_per_op: round(latencyCost.monitorNs), latency_array_ns_per_op: round(latencyCost.arrayNs),
    };
  } finally {
    await client.close();
    await stop?.();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

export function analyticsTargets(result: AnalyticsBenchResult): Record<string, boolean> {
  return {
    'analytics.accuracy_pct >= 95': result.accuracy_pct >= 95,
    'analytics.accuracy_pct == 100': result.accuracy_pct === 100,
    'analytics.overhead_us_per_op < 1000': result.overhead_us_per_op < 1000,
    // A recording is a small fraction of the cheapest cart operation (a dispatch takes hundreds of µs).
    'analytics.latency_record_ns_per_op < 5000': result.latency_record_ns_per_op < 5000,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchAnalytics().then(async (analytics) => {
    await mergeResults({ analytics }, analyticsTargets(analytics));
    console.log(JSON.stringify({ analytics, targets: analyticsTargets(analytics) }, null, 2));
    process.exit(0);
  }, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
