/**
 * Load through the gateway: many simulated devices of many shoppers, each speaking the apps' sync
 * protocol over HTTPS with its own session and its own live-channel socket (docs/sync.md, rule 6):
 * - a change is pushed as the apps push it, the item to the cart's database and its history entry to
 *   the history's, one `_bulk_docs` each (their revisions known: docs/sync.md, rule 7), the history
 *   entry HISTORY_PUSH_DELAY_MS after the item and not before the item's push is answered
 *   (docs/history.md, rule 21a; at one change every few seconds a device has nothing to send with it);
 * - while its live channel is up, a device takes other devices' documents from the `changed` messages
 *   and pulls (`_changes` from its checkpoint, as RxDB's catch-up does) only when the channel connects,
 *   when a message comes without documents, and every `catchUpEveryMs` (60 s, first at a random moment:
 *   devices do not start together); no long poll is open;
 * - without the channel (before it connects, after it drops), it long-polls `_changes` for both
 *   databases, as the apps do.
 * Each device writes changes for a bounded time; we measure how long each change's item takes to reach
 * the shopper's other device, count every failed request and every change (item or history entry) that
 * never arrived, and count the requests per change the gateway served while the changes ran (read from
 * its own metrics, `tote_http_request_duration_seconds_count` of the shoppers' CouchDB routes, so
 * nothing a device does goes uncounted).
 *
 * The devices are light HTTP clients, not full RxDB cores: one process may open only 13 RxDB collections
 * (RxDB's free edition), and 200 cores would measure this machine rather than the server. The protocol
 * on the wire is the same. The server runs in a process of its own (bench/load-server.ts), as it would
 * in production, so the devices' work is not counted as the server's.
 *
 * Each device first writes once and waits until the shopper's other device has it (warm-up, not
 * measured: the first request of a shopper opens their database on the server).
 *
 * Rate: each device writes once every 5 s on average (a shopper's two devices together: 24 changes a
 * minute, far above real shopping), 200 devices: about 40 changes a second, each to be delivered to the
 * shopper's other device; 1,000 devices (`npm run bench -- --load-1000`, or `npm run bench:load -- 500`):
 * about 200.
 *
 * `npm run bench:load -- [shoppers] [seconds]` runs it alone (100 or 500 shoppers for 30 s: written to
 * latest.json as `load` or `load_1000`); `npm run bench` includes the 200 devices.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, fetch } from 'undici';
import WebSocket from 'ws';
import { HISTORY_PUSH_DELAY_MS } from '@tote/core';
import { mergeResults } from './results-file.ts';
import { percentile, round, sleep } from './stats.ts';

/** The targets a load run is held to (`load`: 200 devices, `load_1000`: 1,000): the same from `npm run bench` and `npm run bench:load`. */
export function loadTargets(key: 'load' | 'load_1000', result: { devices: number; sync_p95_ms: number; errors: number; lost_changes: number }): Record<string, boolean> {
  return {
    [`${key}.devices >= ${key === 'load' ? 200 : 1000}`]: result.devices >= (key === 'load' ? 200 : 1000),
    [`${key}.sync_p95_ms < 1000`]: result.sync_p95_ms < 1000,
    [`${key}.errors == 0`]: result.errors === 0,
    [`${key}.lost_changes == 0`]: result.lost_changes === 0,
  };
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause ? `${(error as Error).message}: ${cause.code ?? cause.message}` : (error as Error).message;
}

const here = path.dirname(fileURLToPath(import.meta.url));

type Db = 'cart' | 'history';
const DBS: readonly Db[] = ['cart', 'history'];

interface SimDevice {
  readonly shopper: number;
  readonly name: string;
  readonly token: string;
  readonly dbName: string;
  socket: WebSocket | null;
  /** The live channel is up (after `ready`): no long poll, documents from its messages. */
  up: boolean;
  /** Where this device has read each database's `_changes` to. */
  readonly since: Record<Db, string>;
  /** One catch-up pull at a time per database; asked again meanwhile: once more after it. */
  readonly pulling: Record<Db, Promise<void> | null>;
  readonly pullAgain: Record<Db, boolean>;
  readonly polls: Set<AbortController>;
  catchUpTimer: ReturnType<typeof setTimeout> | null;
}

export interface LoadOptions {
  readonly shoppers: number;
  readonly devicesPerShopper: number;
  /** How long devices keep writing. */
  readonly durationMs: number;
  /** Mean time between two writes of one device. */
  readonly writeEveryMs: number;
  /** While the live channel is up, how often a device pulls anyway (the apps: 60 s). */
  readonly catchUpEveryMs?: number;
}

/** `tote_http_request_duration_seconds_count` by route, the shoppers' CouchDB routes only (`couch:*`). */
function couchRequests(metrics: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of metrics.split('\n')) {
    const match = /^tote_http_request_duration_seconds_count\{([^}]*)\} (\d+)/.exec(line);
    const route = match ? /route="(couch:[^"]+)"/.exec(match[1]!)?.[1] : undefined;
    if (!match || !route || route === 'couch:unchecked' || route === 'couch:refused') continue;
    counts.set(route, (counts.get(route) ?? 0) + Number(match[2]));
  }
  return counts;
}

export async function benchLoad(options: LoadOptions = { shoppers: 100, devicesPerShopper: 2, durationMs: 30_000, writeEveryMs: 5_000 }) {
  const catchUpEveryMs = options.catchUpEveryMs ?? 60_000;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tote-load-'));
  const serverProcess = fork(path.join(here, 'load-server.ts'), [dataDir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [started] = (await Promise.race([
    once(serverProcess, 'message'),
    once(serverProcess, 'exit').then(() => { throw new Error('The sync server of the load run did not start.'); }),
  ])) as [{ url: string; cert: string; metricsToken: string }];
  const server = { gateway: started };
  const agent = new Agent({ connect: { ca: server.gateway.cert }, connections: 1024, keepAliveTimeout: 60_000 });
  const base = server.gateway.url;
  let errors = 0;
  const errorKinds = new Map<string, number>();
  const fail = (kind: string) => {
    errors += 1;
    errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
  };
  const call = async (method: string, pathname: string, token: string | null, body?: unknown, signal?: AbortSignal) => {
    const response = await fetch(`${base}${pathname}`, {
      method, dispatcher: agent, signal,
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${pathname.split('?')[0]!.split('/').slice(-1)[0]} ${response.status}`);
    return text ? JSON.parse(text) : null;
  };
  const scrape = async () => {
    const response = await fetch(`${base}/_tote/metrics`, { dispatcher: agent, headers: { authorization: `Bearer ${server.gateway.metricsToken}` } });
    if (!response.ok) throw new Error(`metrics ${response.status}`);
    return couchRequests(await response.text());
  };

  const devices: SimDevice[] = [];
  const sent = new Map<string, { at: number; shopper: number; from: string }>(); // document id -> when written
  const seen = new Map<string, Set<string>>(); // device name -> document ids it received
  const latencies: number[] = [];
  const writeTimes: number[] = [];
  let stopping = false;

  const dbPath = (device: SimDevice, db: Db) => (db === 'cart' ? device.dbName : `${device.dbName}-history`);
  const dbOf = (device: SimDevice, name: unknown): Db | null => (name === device.dbName ? 'cart' : name === `${device.dbName}-history` ? 'history' : null);
  const received = (device: SimDevice, ids: readonly string[]) => {
    const now = performance.now();
    const mine = seen.get(device.name)!;
    for (const id of ids) {
      if (mine.has(id)) continue;
      mine.add(id);
      const change = sent.get(id);
      if (change && change.from !== device.name && !id.startsWith('h-')) latencies.push(now - change.at);
    }
  };

  /** RxDB's catch-up: `_changes` from the checkpoint, 100 at a time, until an answer has fewer. */
  const catchUp = (device: SimDevice, db: Db): Promise<void> => {
    if (device.pulling[db]) {
      device.pullAgain[db] = true;
      return device.pulling[db]!;
    }
    const run = (async () => {
      do {
        device.pullAgain[db] = false;
        for (;;) {
          try {
            const answer = await call('GET', `/${dbPath(device, db)}/_changes?style=all_docs&feed=normal&include_docs=true&since=${encodeURIComponent(device.since[db])}&heartbeat=25000&limit=100&seq_interval=100`, device.token);
            device.since[db] = String(answer.last_seq);
            received(device, (answer.results as { id: string }[]).map((row) => row.id));
            if (answer.results.length < 100) break;
          } catch (error) {
            if (stopping) return;
            fail(describe(error));
            await sleep(1000);
          }
        }
      } while (device.pullAgain[db] && !stopping);
    })().finally(() => {
      device.pulling[db] = null;
    });
    device.pulling[db] = run;
    return run;
  };

  /** Without the channel: RxDB's live pull, one long poll after another, until the channel is up. */
  const longPoll = async (device: SimDevice, db: Db) => {
    while (!device.up && !stopping) {
      const controller = new AbortController();
      device.polls.add(controller);
      try {
        const answer = await call('GET', `/${dbPath(device, db)}/_changes?style=all_docs&feed=longpoll&since=${encodeURIComponent(device.since[db])}&include_docs=true&heartbeat=25000&limit=100&seq_interval=100`, device.token, undefined, controller.signal);
        device.since[db] = String(answer.last_seq);
        received(device, (answer.results as { id: string }[]).map((row) => row.id));
      } catch (error) {
        if (!stopping && !controller.signal.aborted) {
          fail(describe(error));
          await sleep(1000);
        }
      } finally {
        device.polls.delete(controller);
      }
    }
  };

  const scheduleCatchUp = (device: SimDevice, delay: number) => {
    device.catchUpTimer = setTimeout(() => {
      if (device.up && !stopping) for (const db of DBS) void catchUp(device, db);
      if (!stopping) scheduleCatchUp(device, catchUpEveryMs);
    }, delay);
  };

  const connect = (device: SimDevice) => {
    const socket = new WebSocket(`${base.replace(/^https/, 'wss')}/_tote/live`, { ca: server.gateway.cert });
    device.socket = socket;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', token: device.token })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type?: string; db?: unknown; docs?: { _id: string }[] };
      if (message.type === 'ready') {
        // Up: the long polls are cut, and what was written before the channel connected is pulled once.
        device.up = true;
        for (const poll of device.polls) poll.abort();
        for (const db of DBS) void catchUp(device, db);
      } else if (message.type === 'changed') {
        const db = dbOf(device, message.db);
        if (Array.isArray(message.docs)) received(device, message.docs.map((doc) => doc._id));
        else if (db) void catchUp(device, db);
      }
    });
    socket.on('error', () => fail('live channel'));
    socket.on('close', () => {
      if (device.socket !== socket) return;
      device.up = false;
      device.socket = null;
      if (stopping) return;
      for (const db of DBS) void longPoll(device, db);
      setTimeout(() => {
        if (!stopping) connect(device);
      }, 1000);
    });
  };

  let before: Map<string, number> | null = null;
  try {
    // Accounts: one sign-up and further sign-ins per shopper, a few at a time (scrypt is deliberately slow).
    for (let start = 0; start < options.shoppers; start += 8) {
      await Promise.all(Array.from({ length: Math.min(8, options.shoppers - start) }, async (_, offset) => {
        const shopper = start + offset;
        const name = `load-shopper-${shopper}@example.com`;
        const password = `password of shopper ${shopper}`;
        const make = (token: string, dbName: string, d: number): SimDevice => ({
          shopper, name: `${shopper}-${d}`, token, dbName, socket: null, up: false, since: { cart: '0', history: '0' },
          pulling: { cart: null, history: null }, pullAgain: { cart: false, history: false }, polls: new Set(), catchUpTimer: null,
        });
        const first = await call('POST', '/_tote/signup', null, { name, password, device: `device ${shopper}-0` });
        devices.push(make(first.token, first.account.dbName, 0));
        for (let d = 1; d < options.devicesPerShopper; d += 1) {
          const other = await call('POST', '/_tote/login', null, { name, password, device: `device ${shopper}-${d}` });
          devices.push(make(other.token, other.account.dbName, d));
        }
      }));
    }
    for (const device of devices) seen.set(device.name, new Set());
    console.error(`load: ${devices.length} devices of ${options.shoppers} shoppers signed in`);

    // Each device as an app starts: long polls (the databases are new: from the start, so nothing slips
    // past), then the live channel, which puts them to rest once it is up.
    for (const device of devices) {
      for (const db of DBS) void longPoll(device, db);
      connect(device);
      scheduleCatchUp(device, Math.random() * catchUpEveryMs);
    }
    const upDeadline = performance.now() + 60_000;
    while (devices.some((device) => !device.up) && performance.now() < upDeadline) await sleep(100);
    if (devices.some((device) => !device.up)) fail('live channel not up');

    // Warm-up, not measured: every device writes once and the shopper's other device receives it (the
    // first request of each shopper opens their database and records their activity on the server).
    // Fifty devices at a time: all at once is a burst of first opens no real start makes.
    const warmUp: { ids: string[]; device: SimDevice }[] = [];
    for (let start = 0; start < devices.length; start += 50) {
      warmUp.push(...await Promise.all(devices.slice(start, start + 50).map(async (device) => {
        const id = `warm-up-${device.name}`;
        await Promise.all([
          call('POST', `/${device.dbName}/_bulk_docs`, device.token, { docs: [{ _id: id, listId: 'cart', title: 'warm-up', quantity: 1, deleted: false }] }),
          call('POST', `/${device.dbName}-history/_bulk_docs`, device.token, { docs: [{ _id: `h-${id}`, e: [{ i: id, q: 1 }], d: device.name }] }),
        ]).catch((error: unknown) => fail(`warm-up: ${describe(error)}`));
        return { ids: [id, `h-${id}`], device };
      })));
    }
    const warmDeadline = performance.now() + 60_000;
    const warm = () => warmUp.every(({ ids, device }) => devices.every((other) => other.shopper !== device.shopper || other === device || ids.every((id) => seen.get(other.name)!.has(id))));
    while (!warm() && performance.now() < warmDeadline) await sleep(100);
    if (!warm()) fail('warm-up did not complete');
    console.error(`load: warmed up; measuring for ${options.durationMs / 1000} s`);

    before = await scrape();
    const started = performance.now();
    const writes = devices.map(async (device) => {
      await sleep(Math.random() * options.writeEveryMs);
      while (performance.now() - started < options.durationMs) {
        const id = randomUUID();
        const historyId = `h-${id}`;
        const at = performance.now();
        sent.set(id, { at, shopper: device.shopper, from: device.name });
        sent.set(historyId, { at, shopper: device.shopper, from: device.name });
        // The item and its history entry, each pushed by its own replication: the history a moment later.
        const itemPush = call('POST', `/${device.dbName}/_bulk_docs`, device.token, {
          docs: [{ _id: id, listId: 'cart', url: `https://shop.example/p/${id}`, title: 'load item', quantity: 1, updatedAt: Date.now(), deleted: false }],
        });
        const historyPush = Promise.all([sleep(HISTORY_PUSH_DELAY_MS), itemPush.catch(() => undefined)]).then(() => call('POST', `/${device.dbName}-history/_bulk_docs`, device.token, {
          docs: [{ _id: historyId, e: [{ i: id, q: 1 }], d: device.name }],
        }));
        itemPush.then(() => writeTimes.push(performance.now() - at), () => undefined);
        const [item, history] = await Promise.allSettled([itemPush, historyPush]);
        for (const [result, written] of [[item, id], [history, historyId]] as const) {
          if (result.status === 'rejected') {
            fail(describe(result.reason));
            sent.delete(written);
          }
        }
        await sleep(options.writeEveryMs * (0.5 + Math.random()));
      }
    });
    await Promise.all(writes);
    const changes = [...sent.keys()].filter((id) => !id.startsWith('h-')).length;
    console.error(`load: ${changes} changes written, waiting for the last deliveries`);
    // Let the last changes arrive (bounded).
    const deadline = performance.now() + 10_000;
    const missing = () => {
      let count = 0;
      for (const [id, change] of sent) {
        for (const device of devices) if (device.shopper === change.shopper && device.name !== change.from && !seen.get(device.name)!.has(id)) count += 1;
      }
      return count;
    };
    while (missing() > 0 && performance.now() < deadline) await sleep(200);
    const lost = missing();
    const after = await scrape();
    const byRoute: Record<string, number> = {};
    let requests = 0;
    for (const [route, count] of after) {
      const served = count - (before.get(route) ?? 0);
      if (served <= 0) continue;
      byRoute[route] = served;
      requests += served;
    }
    return {
      shoppers: options.shoppers,
      devices: devices.length,
      duration_s: round(options.durationMs / 1000, 0),
      changes,
      deliveries: latencies.length,
      sync_p50_ms: round(percentile(latencies, 50)),
      sync_p95_ms: round(percentile(latencies, 95)),
      sync_max_ms: round(Math.max(...latencies)),
      write_p95_ms: round(percentile(writeTimes, 95)),
      /** Requests the gateway served for the shoppers' databases while the changes ran, over the changes. */
      requests_per_change: round(requests / Math.max(1, changes)),
      requests_by_route: byRoute,
      errors,
      error_kinds: Object.fromEntries(errorKinds),
      lost_changes: lost,
    };
  } finally {
    stopping = true;
    for (const device of devices) {
      if (device.catchUpTimer) clearTimeout(device.catchUpTimer);
      for (const poll of device.polls) poll.abort();
      device.socket?.terminate();
    }
    await agent.close().catch(() => undefined);
    serverProcess.send('stop');
    await once(serverProcess, 'exit');
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [shoppers, seconds] = process.argv.slice(2).map(Number);
  benchLoad({ shoppers: shoppers || 100, devicesPerShopper: 2, durationMs: (seconds || 30) * 1000, writeEveryMs: 5_000 }).then(async (result) => {
    // The two runs `npm run bench` reports go into latest.json as it writes them; any other size is printed only.
    const key = !seconds || seconds === 30 ? ({ 100: 'load', 500: 'load_1000' } as Record<number, string>)[result.shoppers] : undefined;
    if (key) {
      await mergeResults({ [key]: result }, loadTargets(key as 'load' | 'load_1000', result));
    }
    console.log(JSON.stringify({ [key ?? 'load']: result }, null, 2));
    process.exit(0);
  }, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
