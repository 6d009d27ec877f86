/**
 * Load through the gateway: many simulated devices of many shoppers, each speaking the same CouchDB
 * replication protocol as the apps (`_bulk_docs` to push, long-polled `_changes` to pull) over HTTPS
 * with its own session, and its own live-channel socket. Each device writes changes for a bounded time;
 * we measure how long each change takes to reach the shopper's other device, count every failed request
 * and every change that never arrived.
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
 * minute, far above real shopping), 200 devices: about 40 writes a second, each to be delivered to the
 * shopper's other device.
 *
 * `npm run bench:load` runs it alone; `npm run bench` includes it.
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
import { percentile, round, sleep } from './stats.ts';

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause ? `${(error as Error).message}: ${cause.code ?? cause.message}` : (error as Error).message;
}

const here = path.dirname(fileURLToPath(import.meta.url));

interface SimDevice {
  readonly shopper: number;
  readonly name: string;
  readonly token: string;
  readonly dbName: string;
  socket: WebSocket | null;
}

export interface LoadOptions {
  readonly shoppers: number;
  readonly devicesPerShopper: number;
  /** How long devices keep writing. */
  readonly durationMs: number;
  /** Mean time between two writes of one device. */
  readonly writeEveryMs: number;
}

export async function benchLoad(options: LoadOptions = { shoppers: 100, devicesPerShopper: 2, durationMs: 30_000, writeEveryMs: 5_000 }) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tote-load-'));
  const serverProcess = fork(path.join(here, 'load-server.ts'), [dataDir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [started] = (await Promise.race([
    once(serverProcess, 'message'),
    once(serverProcess, 'exit').then(() => { throw new Error('The sync server of the load run did not start.'); }),
  ])) as [{ url: string; cert: string }];
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

  const devices: SimDevice[] = [];
  const sent = new Map<string, { at: number; shopper: number; from: string }>(); // change id -> when written
  const seen = new Map<string, Set<string>>(); // device name -> change ids it received
  const latencies: number[] = [];
  const writeTimes: number[] = [];
  let stopping = false;
  const pollControllers = new Set<AbortController>();
  const stopPolls = () => {
    stopping = true;
    for (const controller of pollControllers) controller.abort();
  };
  try {
    // Accounts: one sign-up and further sign-ins per shopper, a few at a time (scrypt is deliberately slow).
    for (let start = 0; start < options.shoppers; start += 8) {
      await Promise.all(Array.from({ length: Math.min(8, options.shoppers - start) }, async (_, offset) => {
        const shopper = start + offset;
        const name = `load-shopper-${shopper}@example.com`;
        const password = `password of shopper ${shopper}`;
        const first = await call('POST', '/_tote/signup', null, { name, password, device: `device ${shopper}-0` });
        devices.push({ shopper, name: `${shopper}-0`, token: first.token, dbName: first.account.dbName, socket: null });
        for (let d = 1; d < options.devicesPerShopper; d += 1) {
          const other = await call('POST', '/_tote/login', null, { name, password, device: `device ${shopper}-${d}` });
          devices.push({ shopper, name: `${shopper}-${d}`, token: other.token, dbName: other.account.dbName, socket: null });
        }
      }));
    }
    for (const device of devices) seen.set(device.name, new Set());
    console.error(`load: ${devices.length} devices of ${options.shoppers} shoppers signed in`);

    // Each device: the live channel (a "changed" notice is what makes the apps pull at once) and a pull loop.
    const pulls = devices.map(async (device) => {
      device.socket = new WebSocket(`${base.replace(/^https/, 'wss')}/_tote/live`, { ca: server.gateway.cert });
      device.socket.on('open', () => device.socket!.send(JSON.stringify({ type: 'hello', token: device.token })));
      device.socket.on('error', () => fail('live channel'));
      let since = '0'; // the databases are new: from the start, so no change can slip past the first poll
      while (!stopping) {
        const controller = new AbortController();
        pollControllers.add(controller);
        try {
          const answer = await call('GET', `/${device.dbName}/_changes?feed=longpoll&include_docs=true&since=${encodeURIComponent(since)}&timeout=10000`, device.token, undefined, controller.signal);
          since = String(answer.last_seq);
          const now = performance.now();
          for (const row of answer.results as { id: string }[]) {
            if (seen.get(device.name)!.has(row.id)) continue;
            seen.get(device.name)!.add(row.id);
            const change = sent.get(row.id);
            if (change && change.from !== device.name) latencies.push(now - change.at);
          }
        } catch (error) {
          if (!stopping) {
            fail(describe(error));
            await sleep(200);
          }
        } finally {
          pollControllers.delete(controller);
        }
      }
    });
    await sleep(1_000); // every long poll open

    // Warm-up, not measured: every device writes once and the shopper's other device receives it (the
    // first request of each shopper opens their database and records their activity on the server).
    const warmUp = await Promise.all(devices.map(async (device) => {
      const id = `warm-up-${device.name}`;
      await call('POST', `/${device.dbName}/_bulk_docs`, device.token, { docs: [{ _id: id, listId: 'cart', title: 'warm-up', quantity: 1, deleted: false }] });
      return { id, device };
    }));
    const warmDeadline = performance.now() + 60_000;
    const warm = () => warmUp.every(({ id, device }) => devices.every((other) => other.shopper !== device.shopper || other === device || seen.get(other.name)!.has(id)));
    while (!warm() && performance.now() < warmDeadline) await sleep(100);
    if (!warm()) fail('warm-up did not complete');
    console.error(`load: warmed up; measuring for ${options.durationMs / 1000} s`);

    const started = performance.now();
    const writes = devices.map(async (device) => {
      await sleep(Math.random() * options.writeEveryMs);
      while (performance.now() - started < options.durationMs) {
        const id = randomUUID();
        sent.set(id, { at: performance.now(), shopper: device.shopper, from: device.name });
        try {
          const writeStarted = performance.now();
          await call('POST', `/${device.dbName}/_bulk_docs`, device.token, {
            docs: [{ _id: id, listId: 'cart', url: `https://shop.example/p/${id}`, title: 'load item', quantity: 1, updatedAt: Date.now(), deleted: false }],
          });
          writeTimes.push(performance.now() - writeStarted);
        } catch (error) {
          fail(describe(error));
          sent.delete(id);
        }
        await sleep(options.writeEveryMs * (0.5 + Math.random()));
      }
    });
    await Promise.all(writes);
    console.error(`load: ${sent.size} changes written, waiting for the last deliveries`);
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
    stopPolls();
    await Promise.allSettled(pulls);
    return {
      shoppers: options.shoppers,
      devices: devices.length,
      duration_s: round(options.durationMs / 1000, 0),
      changes: sent.size,
      deliveries: latencies.length,
      sync_p50_ms: round(percentile(latencies, 50)),
      sync_p95_ms: round(percentile(latencies, 95)),
      sync_max_ms: round(Math.max(...latencies)),
      write_p95_ms: round(percentile(writeTimes, 95)),
      errors,
      error_kinds: Object.fromEntries(errorKinds),
      lost_changes: lost,
    };
  } finally {
    stopPolls();
    for (const device of devices) device.socket?.terminate();
    await agent.close().catch(() => undefined);
    serverProcess.send('stop');
    await once(serverProcess, 'exit');
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [shoppers, seconds] = process.argv.slice(2).map(Number);
  benchLoad({ shoppers: shoppers || 100, devicesPerShopper: 2, durationMs: (seconds || 30) * 1000, writeEveryMs: 5_000 }).then((result) => {
    console.log(JSON.stringify({ load: result }, null, 2));
    process.exit(0);
  }, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
