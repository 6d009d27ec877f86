/**
 * `npm run bench:soak`: the sync server started as `npm start` starts it (sync-server/src/main.ts, its
 * own process, the embedded CouchDB as its child) and 100 devices (50 shoppers, two devices each)
 * writing steadily through the gateway for `TOTE_SOAK_MINUTES` (10 by default), the same light devices
 * as the load benchmark (bench/load.ts): `_bulk_docs` to write, long-polled `_changes` to read, each
 * change timed until the shopper's other device has it.
 *
 * Every 10 s it samples the resident memory (VmRSS, /proc/<pid>/status) and the open file descriptors
 * (/proc/<pid>/fd) of the gateway's process and of the embedded CouchDB's. Written to `soak.*` of
 * bench/results/latest.json: memory growth per hour of each (a least-squares line through the samples
 * after the first minute's warm-up), descriptors first (sampled as the devices start: their long polls
 * are not all open yet) and last, sync p95 of the first and the last minute, changes written, lost (never
 * delivered) and failed requests. A leak shows as growth that does not flatten over a long run; a
 * 3-minute run only shows the harness works. docs/reliability.md has the figures.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, fetch } from 'undici';
import { freePort } from '@tote/sync-server';
import { startProcess } from '../test/support/processes.ts';
import { mergeResults } from './results-file.ts';
import { percentile, round, sleep } from './stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHOPPERS = 50;
const WRITE_EVERY_MS = 5_000;
const SAMPLE_EVERY_MS = 10_000;
const WARM_UP_MS = 60_000;
/** Sign-ups allowed per address and hour (rate-limits.ts): shoppers come from several loopback addresses. */
const SHOPPERS_PER_ADDRESS = 20;

interface Sample { readonly at: number; readonly gatewayKiB: number; readonly couchKiB: number; readonly gatewayFds: number; readonly couchFds: number }
interface SoakDevice { readonly shopper: number; readonly name: string; readonly token: string; readonly dbName: string; readonly agent: Agent }

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
}
const fds = async (pid: number) => (await readdir(`/proc/${pid}/fd`)).length;

/** The embedded CouchDB: the gateway process's child running pouchdb-server. */
async function couchPid(gatewayPid: number): Promise<number> {
  for (const task of await readdir(`/proc/${gatewayPid}/task`)) {
    const children = (await readFile(`/proc/${gatewayPid}/task/${task}/children`, 'utf8').catch(() => '')).split(' ').filter(Boolean).map(Number);
    for (const child of children) {
      if ((await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '')).includes('pouchdb-server')) return child;
    }
  }
  throw new Error(`no embedded CouchDB under process ${gatewayPid}`);
}

/** Slope of the least-squares line through (hours, MiB): growth in MiB per hour. */
function growthPerHour(points: readonly { at: number; kib: number }[]): number {
  if (points.length < 2) return Number.NaN;
  const xs = points.map((point) => point.at / 3_600_000);
  const ys = points.map((point) => point.kib / 1024);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let index = 0; index < xs.length; index += 1) {
    num += (xs[index]! - mx) * (ys[index]! - my);
    den += (xs[index]! - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

export async function benchSoak(minutes: number) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tote-soak-'));
  const gatewayPort = await freePort();
  let server: ChildProcess | null = null;
  const devices: SoakDevice[] = [];
  let stopping = false;
  const polls = new Set<AbortController>();
  try {
    server = await startProcess(process.execPath, ['--import', 'tsx', path.join(root, 'sync-server/src/main.ts')], {
      cwd: root, ready: 'Tote sync server is running at', timeoutMs: 60_000, what: 'the sync server',
      env: {
        ...process.env, TOTE_DATA_DIR: dataDir, TOTE_PORT: String(await freePort()), TOTE_GATEWAY_PORT: String(gatewayPort),
        TOTE_TRUST_PAGE_PORT: 'off', TOTE_BACKUP_INTERVAL_MS: '0', TOTE_REQUESTS_PER_MINUTE: '10000000', NODE_OPTIONS: '',
      },
    });
    const gatewayPid = server.pid!;
    const couch = await couchPid(gatewayPid);
    const cert = await readFile(path.join(dataDir, 'tls', 'tote-local-ca.crt'), 'utf8');
    const base = `https://127.0.0.1:${gatewayPort}`;
    let errors = 0;
    const call = async (device: { token: string | null; agent: Agent }, method: string, pathname: string, body?: unknown, signal?: AbortSignal) => {
      const response = await fetch(`${base}${pathname}`, {
        method, dispatcher: device.agent, signal,
        headers: { accept: 'application/json', ...(device.token ? { authorization: `Bearer ${device.token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${pathname.split('?')[0]} ${response.status}`);
      return text ? JSON.parse(text) : null;
    };

    for (let shopper = 0; shopper < SHOPPERS; shopper += 1) {
      const address = `127.0.${1 + Math.floor(shopper / SHOPPERS_PER_ADDRESS)}.1`;
      const agent = new Agent({ connect: { ca: cert }, localAddress: address, connections: 16, keepAliveTimeout: 60_000 });
      const name = `soak-${shopper}@example.com`;
      const password = `password of soak shopper ${shopper}`;
      const first = await call({ token: null, agent }, 'POST', '/_tote/signup', { name, password, device: `soak ${shopper}-0` });
      const second = await call({ token: null, agent }, 'POST', '/_tote/login', { name, password, device: `soak ${shopper}-1` });
      devices.push({ shopper, name: `${shopper}-0`, token: first.token, dbName: first.account.dbName, agent });
      devices.push({ shopper, name: `${shopper}-1`, token: second.token, dbName: second.account.dbName, agent });
    }
    console.error(`soak: ${devices.length} devices of ${SHOPPERS} shoppers signed in; running ${minutes} min`);

    const sent = new Map<string, { at: number; shopper: number; from: string }>();
    const seen = new Map(devices.map((device) => [device.name, new Set<string>()]));
    const deliveries: { at: number; ms: number }[] = [];
    const pulls = devices.map(async (device) => {
      let since = '0';
      while (!stopping) {
        const controller = new AbortController();
        polls.add(controller);
        try {
          const answer = await call(device, 'GET', `/${device.dbName}/_changes?feed=longpoll&since=${encodeURIComponent(since)}&timeout=10000`, undefined, controller.signal);
          since = String(answer.last_seq);
          const now = performance.now();
          for (const row of answer.results as { id: string }[]) {
            if (seen.get(device.name)!.has(row.id)) continue;
            seen.get(device.name)!.add(row.id);
            const change = sent.get(row.id);
            if (change && change.from !== device.name) deliveries.push({ at: now, ms: now - change.at });
          }
        } catch {
          if (!stopping) {
            errors += 1;
            await sleep(200);
          }
        } finally {
          polls.delete(controller);
        }
      }
    });

    const started = performance.now();
    const durationMs = minutes * 60_000;
    const samples: Sample[] = [];
    const sampling = (async () => {
      while (!stopping && performance.now() - started <= durationMs) {
        samples.push({ at: performance.now() - started, gatewayKiB: await rssKiB(gatewayPid), couchKiB: await rssKiB(couch), gatewayFds: await fds(gatewayPid), couchFds: await fds(couch) });
        await sleep(SAMPLE_EVERY_MS);
      }
    })();
    const writes = devices.map(async (device) => {
      await sleep(Math.random() * WRITE_EVERY_MS);
      while (performance.now() - started < durationMs) {
        const id = randomUUID();
        sent.set(id, { at: performance.now(), shopper: device.shopper, from: device.name });
        try {
          await call(device, 'POST', `/${device.dbName}/_bulk_docs`, { docs: [{ _id: id, enc: 'x'.repeat(300), fp: 'soak' }] });
        } catch {
          errors += 1;
          sent.delete(id);
        }
        await sleep(WRITE_EVERY_MS * (0.5 + Math.random()));
      }
    });
    await Promise.all(writes);
    await sampling;
    const missing = () => [...sent].reduce((count, [id, change]) => count + devices.filter((other) => other.shopper === change.shopper && other.name !== change.from && !seen.get(other.name)!.has(id)).length, 0);
    const deadline = performance.now() + 15_000;
    while (missing() > 0 && performance.now() < deadline) await sleep(200);
    const lost = missing();
    stopping = true;
    for (const controller of polls) controller.abort();
    await Promise.allSettled(pulls);

    const minuteP95 = (from: number) => round(percentile(deliveries.filter((each) => each.at - started >= from && each.at - started < from + 60_000).map((each) => each.ms), 95));
    const afterWarmUp = samples.filter((sample) => sample.at >= Math.min(WARM_UP_MS, durationMs / 3));
    const first = samples[0]!;
    const last = samples.at(-1)!;
    return {
      minutes, devices: devices.length, shoppers: SHOPPERS, samples: samples.length, changes: sent.size, lost_changes: lost, errors,
      gateway_rss_mb_first: round(first.gatewayKiB / 1024, 1), gateway_rss_mb_last: round(last.gatewayKiB / 1024, 1),
      gateway_rss_growth_mb_per_hour: round(growthPerHour(afterWarmUp.map((sample) => ({ at: sample.at, kib: sample.gatewayKiB }))), 1),
      couchdb_rss_mb_first: round(first.couchKiB / 1024, 1), couchdb_rss_mb_last: round(last.couchKiB / 1024, 1),
      couchdb_rss_growth_mb_per_hour: round(growthPerHour(afterWarmUp.map((sample) => ({ at: sample.at, kib: sample.couchKiB }))), 1),
      gateway_fds_first: first.gatewayFds, gateway_fds_last: last.gatewayFds,
      couchdb_fds_first: first.couchFds, couchdb_fds_last: last.couchFds,
      sync_p95_ms_first_minute: minuteP95(0), sync_p95_ms_last_minute: minuteP95(Math.max(0, durationMs - 60_000)),
    };
  } finally {
    stopping = true;
    for (const controller of polls) controller.abort();
    for (const agent of new Set(devices.map((device) => device.agent))) await agent.destroy().catch(() => undefined);
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server!.once('exit', resolve));
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const minutes = Number(process.env.TOTE_SOAK_MINUTES ?? 10);
  benchSoak(minutes > 0 ? minutes : 10).then(async (soak) => {
    const targets = {
      'soak.lost_changes == 0': soak.lost_changes === 0,
      'soak.errors == 0': soak.errors === 0,
    };
    await mergeResults({ soak }, targets);
    console.log(JSON.stringify({ soak, targets }, null, 2));
    process.exit(0);
  }, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
