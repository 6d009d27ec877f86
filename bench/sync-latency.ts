/**
 * Cross-device sync latency: a change on device A until it is visible on device B, through the real
 * sync server. Tote's core (RxDB + replication-couchdb, through the HTTPS gateway with its access
 * checks and live channel) against the alternative a developer would pick: two plain PouchDB databases
 * live-syncing with the same CouchDB directly over plain HTTP, same workload.
 *
 * Requests per change: every HTTP request both devices make while the changes run (pushes, pulls, long
 * polls answered and reopened), divided by the changes; the live channel's messages are not requests.
 * Run alone: `npm run bench:sync -- [changes]` (writes `sync` to latest.json as `npm run bench` does);
 * `npx tsx bench/sync-latency.ts --trace [changes]`: where a change's time goes (Tote's devices only).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startSyncServer } from '@tote/sync-server';
import PouchDB from 'pouchdb-core';
import PouchHttp from 'pouchdb-adapter-http';
import PouchMemory from 'pouchdb-adapter-memory';
import PouchReplication from 'pouchdb-replication';
import { cartCommands, selectItems, type WebSocketLike } from '@tote/core';
import { startDevice, waitFor, waitForPhase, waitForState } from '../test/support/devices.ts';
import type { Account } from '../test/support/devices.ts';
import WebSocket from 'ws';
import { percentile, round, sleep, summary } from './stats.ts';
import { mergeResults } from './results-file.ts';

PouchDB.plugin(PouchHttp).plugin(PouchMemory).plugin(PouchReplication);

// Each run its own products: an add of a product already in the cart (from an earlier run on the same
// server) would only raise its quantity, which the other device already has.
const run = Date.now().toString(36);
let runs = 0;
const product = (i: number, batch = '') => ({
  url: `https://shop.example/p/${run}${batch}/${i}`, title: `Product ${i}`, priceMinor: 1000 + i, currency: 'EUR', imageUrl: null, variant: null,
});

/** What a request is, for the counts by kind: its route, `-history` for the history's database. */
const kindOf = (input: unknown) => {
  const url = new URL(String(input));
  const route = url.pathname.split('/').at(-1) ?? '';
  return `${route.startsWith('_') ? route : 'doc'}${url.pathname.includes('-history/') ? '-history' : ''}${url.searchParams.get('feed') === 'longpoll' ? ' longpoll' : ''}`;
};

/** Moments of one change's way, for `--trace` (ms since the dispatch). */
interface Trace { events: { at: number; what: string }[] }

/** A fetch that counts its requests (`count.requests`, and by kind), and notes sends and answers in `trace`. */
function counted(count: { requests: number; byKind: Map<string, number> }, device: string, trace: { current: Trace | null; start: number }) {
  return (inner: typeof fetch): typeof fetch => (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    count.requests += 1;
    const kind = `${device} ${kindOf(input)}`;
    count.byKind.set(kind, (count.byKind.get(kind) ?? 0) + 1);
    const current = trace.current;
    current?.events.push({ at: performance.now() - trace.start, what: `${kind} sent` });
    const response = await inner(input, init);
    trace.current?.events.push({ at: performance.now() - trace.start, what: `${kind} answered` });
    return response;
  }) as typeof fetch;
}

export async function benchToteSync(account: Account, changes: number, { relay = false, traced = false } = {}): Promise<{ samples: number[]; requests: number; byKind: Map<string, number>; traces: Trace[] }> {
  // Straight to the gateway, as real devices connect (the tests' offline relay would add a hop each way).
  const count = { requests: 0, byKind: new Map<string, number>() };
  const trace: { current: Trace | null; start: number } = { current: null, start: 0 };
  const traces: Trace[] = [];
  // B's live channel, noting when a `changed` message arrives (for `--trace`).
  const tracedSocket = (url: string) => {
    const socket = new WebSocket(url, { ca: account.cert });
    socket.on('message', (data) => {
      const text = String(data);
      if (trace.current && text.startsWith('{"type":"changed"')) {
        trace.current.events.push({ at: performance.now() - trace.start, what: `B changed${text.includes('-history"') ? '-history' : ''}` });
      }
    });
    return socket as unknown as WebSocketLike;
  };
  const a = await startDevice('bench-a', account, { relay, fetchVia: counted(count, 'A', trace) });
  const b = await startDevice('bench-b', account, { relay, fetchVia: counted(count, 'B', trace), ...(traced ? { webSocket: tracedSocket } : {}) });
  try {
    await Promise.all([waitForPhase(a, 'in-sync'), waitForPhase(b, 'in-sync')]);
    await waitFor(b.account.state$, (state) => state.devicesOnline.length > 0); // both on the live channel
    await sleep(500); // sign-in's own requests (keys, sealed copies) are done
    count.requests = 0;
    count.byKind.clear();
    const samples: number[] = [];
    const ids: string[] = [];
    const batch = `-${(runs += 1)}`;
    for (let i = 0; i < changes; i += 1) {
      const start = performance.now();
      if (traced) {
        trace.start = start;
        trace.current = { events: [] };
        traces.push(trace.current);
      }
      if (i < changes / 2) {
        const { written } = await a.client.store.dispatch(cartCommands.add(product(i, batch)));
        const id = written[0]!.id;
        ids.push(id);
        await waitForState(b, (state) => state.items[id] !== undefined);
      } else {
        const id = ids[i % ids.length]!;
        const quantity = 2 + i;
        await a.client.store.dispatch(cartCommands.setQuantity(id, quantity));
        await waitForState(b, (state) => state.items[id]?.quantity === quantity);
      }
      samples.push(performance.now() - start);
      trace.current?.events.push({ at: performance.now() - start, what: 'B shows it' });
      await sleep(10);
      trace.current = null;
    }
    const requests = count.requests;
    if (selectItems(b.client.store.getState()).length < ids.length) throw new Error('device B is missing items');
    return { samples, requests, byKind: count.byKind, traces };
  } finally {
    await a.close();
    await b.close();
  }
}

/** Direct CouchDB access for the comparison (the gateway never lets clients do this). */
export interface DirectCouch {
  readonly dbUrl: string;
  readonly auth: { readonly username: string; readonly password: string };
}

export async function benchPouchSync(couch: DirectCouch, changes: number): Promise<{ samples: number[]; requests: number }> {
  // The same shopper database on the same server; runs after Tote's devices have closed, with its own ids.
  const remoteUrl = couch.dbUrl;
  const { auth } = couch;
  const count = { requests: 0, byKind: new Map<string, number>() };
  const countedFetch = counted(count, 'pouch', { current: null, start: 0 })(globalThis.fetch);
  const makeRemote = () => new PouchDB(remoteUrl, { auth, skip_setup: true, fetch: countedFetch });
  const a = new PouchDB(`pouch-a-${Date.now()}`, { adapter: 'memory' });
  const b = new PouchDB(`pouch-b-${Date.now()}`, { adapter: 'memory' });
  const syncA = a.sync(makeRemote(), { live: true, retry: true });
  const syncB = b.sync(makeRemote(), { live: true, retry: true });
  const waiters = new Map<string, () => void>();
  const feed = b.changes({ live: true, since: 'now', include_docs: true }).on('change', (change: { id: string; doc?: { n?: number } }) => {
    const key = `${change.id}@${change.doc?.n}`;
    waiters.get(key)?.();
  });
  try {
    await sleep(500);
    count.requests = 0;
    const samples: number[] = [];
    const revs = new Map<string, string>();
    for (let i = 0; i < changes; i += 1) {
      const id = `pouch-${i % Math.ceil(changes / 2)}`;
      const seen = new Promise<void>((resolve) => waiters.set(`${id}@${i}`, resolve));
      const start = performance.now();
      const rev = revs.get(id);
      const result = await a.put({ _id: id, ...(rev ? { _rev: rev } : {}), ...product(i), n: i });
      revs.set(id, result.rev);
      await seen;
      samples.push(performance.now() - start);
      waiters.delete(`${id}@${i}`);
      await sleep(10);
    }
    return { samples, requests: count.requests };
  } finally {
    feed.cancel();
    syncA.cancel();
    syncB.cancel();
    await a.destroy();
    await b.destroy();
  }
}

export async function benchSync(account: Account, couch: DirectCouch, changes = 120) {
  const tote = await benchToteSync(account, changes);
  const pouch = await benchPouchSync(couch, changes);
  const t = summary(tote.samples);
  const p = summary(pouch.samples);
  return {
    changes, p50_ms: t.p50, p95_ms: t.p95, max_ms: t.max, pouchdb_p50_ms: p.p50, pouchdb_p95_ms: p.p95, pouchdb_max_ms: p.max,
    /** Tote's p95 over plain PouchDB's, same run: the figure that holds on a loaded machine (target ≤ 0.5). */
    p95_ratio: round(t.p95 / p.p95),
    requests_per_change: round(tote.requests / changes), pouchdb_requests_per_change: round(pouch.requests / changes),
  };
}

/** The targets the sync figures are held to: the same from `npm run bench` and from `npm run bench:sync`. */
export function syncTargets(sync: Awaited<ReturnType<typeof benchSync>>): Record<string, boolean> {
  return {
    'sync.p95_ms < 250': sync.p95_ms < 250,
    'sync.p95_ms <= sync.pouchdb_p95_ms': sync.p95_ms <= sync.pouchdb_p95_ms,
    'sync.p95_ms <= 0.5 × sync.pouchdb_p95_ms': sync.p95_ms <= 0.5 * sync.pouchdb_p95_ms,
    'sync.p50_ms < 15': sync.p50_ms < 15,
  };
}

/**
 * `--trace`: Tote's devices alone, and where each change's time goes: for every moment (a request of A
 * or B sent or answered, B's `changed` message, B showing it), its p50 and p95 over the changes, of the
 * first time it happened in a change; and the requests by device and kind over the changes.
 */
async function traceToteSync(account: Account, changes: number) {
  const { samples, byKind, traces } = await benchToteSync(account, changes, { traced: true });
  const firsts = new Map<string, number[]>();
  for (const each of traces) {
    const seenHere = new Set<string>();
    for (const event of each.events) {
      if (seenHere.has(event.what)) continue;
      seenHere.add(event.what);
      firsts.set(event.what, [...(firsts.get(event.what) ?? []), event.at]);
    }
  }
  const moments = [...firsts].map(([what, at]) => ({ what, in_changes: at.length, p50_ms: round(percentile(at, 50)), p95_ms: round(percentile(at, 95)) }))
    .sort((x, y) => x.p50_ms - y.p50_ms);
  const perChange = Object.fromEntries([...byKind].map(([kind, n]) => [kind, round(n / changes)]));
  const slowest = traces.map((each, index) => ({ index, total: samples[index]!, events: each.events.map((event) => `${round(event.at, 1)} ${event.what}`) }))
    .sort((x, y) => y.total - x.total).slice(0, 3);
  return { latency: summary(samples), moments, requests_per_change_by_kind: perChange, slowest };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv.includes('--trace')) {
  const changes = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 120);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tote-bench-sync-'));
  const server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0 });
  const account = { serverUrl: server.gateway.url, username: server.shopper.name, password: server.shopper.password, cert: server.gateway.cert };
  try {
    console.log(JSON.stringify(await traceToteSync(account, changes), null, 2));
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const changes = Number(process.argv[2] ?? 120);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tote-bench-sync-'));
  const server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0 });
  const account = { serverUrl: server.gateway.url, username: server.shopper.name, password: server.shopper.password, cert: server.gateway.cert };
  const couch = { dbUrl: server.shopper.dbUrl, auth: { username: server.shopper.name, password: server.shopper.password } };
  try {
    const sync = await benchSync(account, couch, changes);
    // Run on its own (`npm run bench:sync`), its figures go into latest.json as `npm run bench` writes them.
    const targets = syncTargets(sync);
    await mergeResults({ sync }, targets);
    console.log(JSON.stringify({ sync, targets }, null, 2));
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}
