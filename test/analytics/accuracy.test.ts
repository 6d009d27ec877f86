/**
 * Shared analytics end to end (docs/analytics.md), through the real sync server over HTTPS: real cores
 * (RxDB, the store, synced history, replication), each with its analytics reporter sending to the
 * gateway, and the admin summary read back. Six shoppers, one with three devices (one of them offline
 * for two days, one restarted, one wiped and reinstalled), one whose device clock is a day behind;
 * duplicate sends. The summary's figures must equal the truth counted from this test's own log of what
 * the shoppers did: 100 %. Then the server is searched for what it must never hold: titles, URLs, item
 * ids, passwords and tokens, in the analytics database, the gateway's log and its metrics.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLatencyMonitor,
  cartCommands, createAnalyticsReporter, dayOf, gatewayAnalyticsTransport, memoryAnalyticsStorage,
  type AddSource, type AnalyticsBatch, type AnalyticsReporter, type AnalyticsStoragePort, type AnalyticsTransport,
} from '@tote/core';
import { startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { createDevice, waitForPhase, waitForState, type Account, type Device } from '../support/devices.ts';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';

const DAY = 24 * 60 * 60 * 1000;
const KDF = { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 } as const;
const SCRAPE_TOKEN = randomBytes(32).toString('base64url');
const PASSWORD = 'analytics shopper password';

let server: RunningSyncServer;
let dataDir: string;
let client: GatewayClient;
let account: Account;
let log = '';
let adminToken: string;
const open: Device[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-analytics-'));
  const logStream = new Writable({ write(chunk, _encoding, done) { log += String(chunk); done(); } });
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0, metricsToken: SCRAPE_TOKEN, logLevel: 'info' }, {
    logStream, rateLimits: { signupsPerAddressPerHour: 1000, requestsPerMinute: 100_000 },
  });
  client = gatewayClient(server.gateway.url, server.gateway.cert);
  account = { serverUrl: server.gateway.url, username: '', password: '', cert: server.gateway.cert };
  adminToken = ((await client.logIn(server.admin.name, server.admin.password, 'admin console')).body as { token: string }).token;
});

afterAll(async () => {
  for (const device of open.splice(0)) await device.close().catch(() => undefined);
  await client?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** What this test did, as the shopper would tell it: the truth the summary is held to. */
interface Done { readonly shopper: string; readonly device: string; readonly day: string; readonly kind: string; readonly shop: string; readonly source?: AddSource }
const truth: Done[] = [];
/** Everything the server must never hold. */
const secrets = new Set<string>([PASSWORD]);

/** A simulated day: each shopper's devices share a clock that the test moves a day at a time. */
class SimClock {
  offset: number;
  constructor(daysAgo: number, readonly skew = 0) {
    this.offset = -daysAgo * DAY;
  }
  now = () => Date.now() + this.offset + this.skew;
  nextDay() {
    this.offset += DAY;
  }
}

interface Shopper {
  readonly name: string;
  readonly clock: SimClock;
  readonly devices: Map<string, { device: Device; reporter: AnalyticsReporter; storage: AnalyticsStoragePort; transport: AnalyticsTransport; sent: AnalyticsBatch[] }>;
}

function reporterFor(device: Device, clock: SimClock, storage: AnalyticsStoragePort, sent: AnalyticsBatch[]) {
  const raw = gatewayAnalyticsTransport(client.fetch, () => device.saved.session && { serverUrl: device.serverUrl, token: device.saved.session.token });
  const transport: AnalyticsTransport = async (batch) => {
    await raw(batch);
    sent.push(batch);
  };
  const reporter = createAnalyticsReporter({
    deviceId: device.name, storage, transport, clock,
    read: async () => {
      await device.client.store.historySettled();
      return { entries: (await device.client.history.read()).entries, items: device.client.store.getState().items };
    },
  });
  return { reporter, transport: raw };
}

async function addDevice(shopper: Shopper, id: string, options: { signUp?: boolean; storage?: AnalyticsStoragePort } = {}) {
  const device = await createDevice(id, account, { passwordKdf: KDF, deviceClock: { now: shopper.clock.now } });
  open.push(device);
  if (options.signUp) await device.account.signUp(device.serverUrl, shopper.name, PASSWORD);
  else await device.account.signIn(device.serverUrl, shopper.name, PASSWORD);
  await waitForPhase(device, 'in-sync', 30_000);
  secrets.add(device.saved.session!.token);
  const storage = options.storage ?? memoryAnalyticsStorage();
  const sent: AnalyticsBatch[] = [];
  const { reporter, transport } = reporterFor(device, shopper.clock, storage, sent);
  await reporter.ready;
  await reporter.setConsent(true);
  shopper.devices.set(id, { device, reporter, storage, transport, sent });
  return shopper.devices.get(id)!;
}

async function closeDevice(shopper: Shopper, id: string) {
  const entry = shopper.devices.get(id)!;
  await entry.device.close();
  open.splice(open.indexOf(entry.device), 1);
  shopper.devices.delete(id);
}

function newShopper(name: string, daysAgo: number, skew = 0): Shopper {
  return { name, clock: new SimClock(daysAgo, skew), devices: new Map() };
}

/** An add on `id`, logged. Titles and URLs are secrets the server must never see. */
async function add(shopper: Shopper, id: string, shop: string, source: AddSource, price = 2999): Promise<string> {
  const { device } = shopper.devices.get(id)!;
  const slug = randomBytes(6).toString('hex');
  const title = `Secret title ${slug}`;
  const url = `https://${shop}/p/${slug}`;
  secrets.add(title).add(url).add(slug);
  const { written } = await device.client.store.dispatch(cartCommands.add({ url, title, priceMinor: price, currency: 'EUR', imageUrl: null, variant: null, shop }, { source }));
  const itemId = written[0]!.id;
  secrets.add(itemId);
  truth.push({ shopper: shopper.name, device: id, day: dayOf(shopper.clock.now()), kind: 'added', shop, source });
  return itemId;
}

/** A change on `id`, logged: 'bought' is a removal after an order confirmation, 'markedBought' the shopper's "Mark bought". */
async function change(shopper: Shopper, id: string, kind: 'removed' | 'quantityChanged' | 'moved' | 'bought' | 'markedBought', itemId: string, shop: string) {
  const { device } = shopper.devices.get(id)!;
  const command = kind === 'quantityChanged' ? cartCommands.setQuantity(itemId, 3) : kind === 'moved' ? cartCommands.move(itemId, 'saved')
    : kind === 'markedBought' ? cartCommands.markBought(itemId) : cartCommands.remove(itemId);
  await device.client.store.dispatch(command);
  truth.push({ shopper: shopper.name, device: id, day: dayOf(shopper.clock.now()), kind: kind === 'markedBought' ? 'bought' : kind, shop });
}

async function signal(shopper: Shopper, id: string, kind: 'recognised' | 'checkout' | 'orderPlaced', shop: string) {
  await shopper.devices.get(id)!.reporter.recordSignal({ kind, shop });
  if (kind !== 'orderPlaced') truth.push({ shopper: shopper.name, device: id, day: dayOf(shopper.clock.now()), kind, shop });
}

async function priceSeen(shopper: Shopper, id: string, itemId: string, shop: string, price: number, drop: boolean) {
  const { device } = shopper.devices.get(id)!;
  const item = device.client.store.getState().items[itemId]!;
  await device.client.store.dispatch(cartCommands.priceSeen(item.url, price, 'EUR'));
  const day = dayOf(shopper.clock.now());
  truth.push({ shopper: shopper.name, device: id, day, kind: 'priceSeen', shop });
  if (drop) truth.push({ shopper: shopper.name, device: id, day, kind: 'priceDrop', shop });
}

async function report(shopper: Shopper, id: string) {
  const result = await shopper.devices.get(id)!.reporter.report();
  expect(result.due).toBe(0);
  return result;
}

interface Summary {
  funnel: { step: string; count: number }[];
  counts: Record<string, number>;
  abandonment: { after7Days: number | null; after30Days: number | null };
  active: { devices: number; shoppers: number };
  addsBySource: Record<string, number>;
  days: { day: string; added: number; checkout: number; bought: number; removed: number; devices: number; shoppers: number }[];
  topShops: { shop: string; shoppers: number; added: number; checkout: number; bought: number }[];
  latency: { operation: string; figures: { count: number; p50: number; p95: number; p99: number; max: number } | null }[];
}

async function summary(from: string, to: string, format = 'json') {
  return client.request<Summary & string>('GET', `/_tote/admin/analytics?from=${from}&to=${to}&format=${format}`, { token: adminToken });
}

const POPULAR = 'popular.example';
const RARE = 'rare.example';

describe('analytics through the real gateway', () => {
  it('the admin summary equals the truth: 100 % over three devices, offline days, resends, a restart, a reinstall and a wrong clock', async () => {
    // Ana: laptop, phone and tablet, three days ago until today.
    const ana = newShopper(`ana-${randomBytes(3).toString('hex')}@example.com`, 3);
    await addDevice(ana, 'Laptop', { signUp: true });
    await addDevice(ana, 'Phone');
    await addDevice(ana, 'Tablet');
    await signal(ana, 'Laptop', 'recognised', POPULAR);
    const kettle = await add(ana, 'Laptop', POPULAR, 'page');
    const mug = await add(ana, 'Laptop', RARE, 'context-menu');
    await change(ana, 'Laptop', 'quantityChanged', kettle, POPULAR);
    await priceSeen(ana, 'Laptop', kettle, POPULAR, 2500, true);
    const lamp = await add(ana, 'Phone', POPULAR, 'popup');
    await report(ana, 'Laptop');
    await report(ana, 'Phone');

    // Two days with the phone offline: its changes and its figures wait on it.
    const phone = ana.devices.get('Phone')!;
    phone.device.network.goOffline();
    ana.clock.nextDay();
    const rug = await add(ana, 'Phone', POPULAR, 'shortcut');
    await change(ana, 'Phone', 'moved', lamp, POPULAR);
    expect(await phone.reporter.report()).toMatchObject({ sent: 0 });
    expect(phone.reporter.lastError?.code).toBe('SYNC_OFFLINE');
    await add(ana, 'Tablet', POPULAR, 'import');
    await report(ana, 'Tablet');
    ana.clock.nextDay();
    await change(ana, 'Phone', 'quantityChanged', rug, POPULAR);
    await change(ana, 'Laptop', 'removed', mug, RARE);
    await report(ana, 'Laptop');
    expect((await phone.reporter.report()).due).toBe(2);
    phone.device.network.goOnline();
    await report(ana, 'Phone');

    // Today: checkout and an order on the laptop; the kettle leaves the cart as bought.
    ana.clock.nextDay();
    await waitForState(ana.devices.get('Laptop')!.device, (state) => Boolean(state.items[rug]), 30_000);
    await signal(ana, 'Laptop', 'checkout', POPULAR);
    // The checkout's next step and a reloaded thank-you page are the same visit: not counted again.
    await ana.devices.get('Laptop')!.reporter.recordSignal({ kind: 'checkout', shop: `www.${POPULAR}` });
    await signal(ana, 'Laptop', 'orderPlaced', POPULAR);
    await ana.devices.get('Laptop')!.reporter.recordSignal({ kind: 'orderPlaced', shop: POPULAR });
    await change(ana, 'Laptop', 'bought', kettle, POPULAR);
    // The lamp (moved to "Saved for later" on the offline phone) is marked bought on the laptop, undone,
    // and marked again: one purchase.
    const laptopDevice = ana.devices.get('Laptop')!.device;
    await waitForState(laptopDevice, (state) => state.items[lamp]?.listId === 'saved', 30_000);
    await change(ana, 'Laptop', 'markedBought', lamp, POPULAR);
    await laptopDevice.client.store.dispatch(cartCommands.unmarkBought([lamp], 'saved'));
    await laptopDevice.client.store.dispatch(cartCommands.markBoughtMany([lamp]));
    await report(ana, 'Laptop');
    // Duplicate sends: the same batch again, as after a lost answer, and a report with nothing new.
    const laptop = ana.devices.get('Laptop')!;
    await laptop.transport(laptop.sent.at(-1)!);
    await laptop.transport(laptop.sent[0]!);
    expect(await laptop.reporter.report()).toEqual({ sent: 0, due: 0 });

    // The laptop restarts: its figures are derived again from the history it keeps, nothing twice.
    await laptop.device.restart();
    const restarted = reporterFor(laptop.device, ana.clock, laptop.storage, laptop.sent);
    await restarted.reporter.report();
    await add(ana, 'Laptop', POPULAR, 'desktop');
    expect((await restarted.reporter.report()).sent).toBe(1);

    // The tablet is wiped and Tote installed again (a new install is a new device): it reads the synced
    // history again, with the old tablet's changes, and counts none of them a second time.
    const page = await add(ana, 'Tablet', POPULAR, 'page');
    await report(ana, 'Tablet');
    await closeDevice(ana, 'Tablet');
    const reinstalled = await addDevice(ana, 'Tablet-2');
    await expect.poll(async () => (await reinstalled.device.client.history.read()).entries.some((entry) => entry.itemId === page && entry.source === 'page'), { timeout: 30_000 }).toBe(true);
    expect(await reinstalled.reporter.report()).toEqual({ sent: 0, due: 0 });
    await add(ana, 'Tablet-2', POPULAR, 'popup');
    await report(ana, 'Tablet-2');
    for (const id of [...ana.devices.keys()]) await closeDevice(ana, id);

    // Five more shoppers, one device each (RxDB allows few open databases per process): all at the
    // popular shop, one more at the rare one (two shoppers there in all: never shown). Bea's item is
    // left nine days (abandoned after 7); Fay's device clock is a day behind.
    const others = [
      newShopper(`bea-${randomBytes(3).toString('hex')}@example.com`, 9),
      newShopper(`cai-${randomBytes(3).toString('hex')}@example.com`, 1),
      newShopper(`dan-${randomBytes(3).toString('hex')}@example.com`, 1),
      newShopper(`eve-${randomBytes(3).toString('hex')}@example.com`, 0),
      newShopper(`fay-${randomBytes(3).toString('hex')}@example.com`, 0, -DAY),
    ];
    for (const [index, shopper] of others.entries()) {
      await addDevice(shopper, `Device${index}`, { signUp: true });
      await signal(shopper, `Device${index}`, 'recognised', POPULAR);
      const item = await add(shopper, `Device${index}`, POPULAR, index % 2 === 0 ? 'page' : 'popup');
      if (index === 0) {
        truth.push({ shopper: shopper.name, device: 'Device0', day: dayOf(shopper.clock.now() + 7 * DAY), kind: 'abandoned7', shop: POPULAR });
        for (let day = 0; day < 9; day += 1) shopper.clock.nextDay();
      }
      if (index === 1) {
        await add(shopper, 'Device1', RARE, 'page');
        await signal(shopper, 'Device1', 'checkout', POPULAR);
        await change(shopper, 'Device1', 'removed', item, POPULAR);
      }
      if (index === 2) {
        // Dan reaches the checkout and marks the item bought himself.
        await signal(shopper, 'Device2', 'checkout', POPULAR);
        await change(shopper, 'Device2', 'markedBought', item, POPULAR);
      }
      await report(shopper, `Device${index}`);
      await closeDevice(shopper, `Device${index}`);
    }

    // The truth, counted from the log.
    const from = dayOf(Date.now() - 10 * DAY);
    const to = dayOf(Date.now() + DAY);
    const answer = await summary(from, to);
    expect(answer.status).toBe(200);
    const got = answer.body;
    const count = (kind: string) => truth.filter((done) => done.kind === kind).length;
    const kinds = ['recognised', 'added', 'removed', 'quantityChanged', 'moved', 'priceSeen', 'priceDrop', 'checkout', 'bought', 'abandoned7', 'abandoned30'];
    const expected = Object.fromEntries(kinds.map((kind) => [kind, count(kind)]));
    expect(got.counts).toEqual(expected);
    expect(got.funnel).toEqual(['recognised', 'added', 'checkout', 'bought'].map((step) => ({ step, count: count(step) })));
    expect(got.abandonment).toEqual({ after7Days: count('abandoned7') / count('added'), after30Days: 0 });
    const activeDevices = new Set(truth.map((done) => `${done.shopper}/${done.device}`));
    expect(got.active).toEqual({ devices: activeDevices.size, shoppers: new Set(truth.map((done) => done.shopper)).size });
    const sources = ['page', 'popup', 'context-menu', 'shortcut', 'desktop', 'import', 'unknown'];
    expect(got.addsBySource).toEqual(Object.fromEntries(sources.map((source) => [source, truth.filter((done) => done.kind === 'added' && done.source === source).length])));
    const days = [...new Set(truth.map((done) => done.day))].sort();
    expect(got.days).toEqual(days.map((day) => {
      const on = truth.filter((done) => done.day === day);
      const of = (kind: string) => on.filter((done) => done.kind === kind).length;
      return {
        day, added: of('added'), checkout: of('checkout'), bought: of('bought'), removed: of('removed'),
        devices: new Set(on.map((done) => `${done.shopper}/${done.device}`)).size, shoppers: new Set(on.map((done) => done.shopper)).size,
      };
    }));
    // Only the shop with five shoppers or more; the rare one (two shoppers) never.
    const atPopular = truth.filter((done) => done.shop === POPULAR);
    expect(got.topShops).toEqual([{
      shop: POPULAR, shoppers: new Set(atPopular.filter((done) => ['added', 'checkout', 'bought'].includes(done.kind)).map((done) => done.shopper)).size,
      added: atPopular.filter((done) => done.kind === 'added').length, checkout: atPopular.filter((done) => done.kind === 'checkout').length,
      bought: atPopular.filter((done) => done.kind === 'bought').length,
    }]);
    expect(JSON.stringify(got)).not.toContain(RARE);

    // The wrong clock files Fay's day a day earlier, as her device saw it: a range of today only leaves it out.
    const today = dayOf(Date.now());
    const todayOnly = (await summary(today, today)).body;
    expect(todayOnly.counts.added).toBe(truth.filter((done) => done.kind === 'added' && done.day === today).length);

    // CSV: the same figures, one per row.
    const csv = await summary(from, to, 'csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = String(csv.body).trim().split(/\r\n/).map((row) => row.split(','));
    expect(rows[0]).toEqual(['section', 'name', 'value']);
    for (const kind of kinds) expect(rows).toContainEqual(['events', kind, String(expected[kind])]);
    expect(rows).toContainEqual([`shop:${POPULAR}`, 'added', String(atPopular.filter((done) => done.kind === 'added').length)]);
    expect(String(csv.body)).not.toContain(RARE);
  });

  it('the server holds no title, URL, item id, password or token: not in the analytics database, its log or its metrics', async () => {
    expect(secrets.size).toBeGreaterThan(30);
    const basic = `Basic ${Buffer.from(`${server.admin.name}:${server.admin.password}`).toString('base64')}`;
    const stored = await fetch(`${server.url}/tote-analytics/_all_docs?include_docs=true`, { headers: { authorization: basic } });
    expect(stored.status).toBe(200);
    const database = await stored.text();
    expect(JSON.parse(database).rows.length).toBeGreaterThan(5);
    const metrics = await client.request<string>('GET', '/_tote/metrics', { headers: { authorization: `Bearer ${SCRAPE_TOKEN}`, accept: 'text/plain' } });
    expect(metrics.status).toBe(200);
    expect(log.length).toBeGreaterThan(1000);
    for (const secret of secrets) {
      expect(database).not.toContain(secret);
      expect(log).not.toContain(secret);
      expect(metrics.body).not.toContain(secret);
    }
    // Least privilege: the database's one member is its own CouchDB user, which reaches nothing else.
    const security = await (await fetch(`${server.url}/tote-analytics/_security`, { headers: { authorization: basic } })).json();
    expect(security).toEqual({ admins: { names: [], roles: ['_admin'] }, members: { names: ['tote-analytics'], roles: [] } });
    const own = `Basic ${Buffer.from(`tote-analytics:${createHmac('sha256', server.admin.password).update('tote analytics couch user v1').digest('base64url')}`).toString('base64')}`;
    expect((await fetch(`${server.url}/tote-analytics/_all_docs`, { headers: { authorization: own } })).status).toBe(200);
    for (const other of ['tote-audit', 'tote-accounts', server.shopper.dbName, '_users']) {
      expect((await fetch(`${server.url}/${other}/_all_docs`, { headers: { authorization: own } })).status).toBeGreaterThanOrEqual(400);
    }
    // Nor who the shoppers are, or their devices' ids: pseudonyms only.
    for (const name of truth.map((done) => done.shopper)) expect(database).not.toContain(name);
    for (const id of ['Laptop', 'Phone', 'Tablet', 'Tablet-2']) expect(database).not.toContain(`"${id}"`);
  });

  it('refuses figures that are not aggregates, too large, or from no session, with a typed error, storing nothing; the summary is for admins only', async () => {
    const shopper = await client.signUp(`gus-${randomBytes(3).toString('hex')}@example.com`, PASSWORD);
    const today = dayOf(Date.now());
    const before = (await summary(today, today)).body.counts;
    const send = (body: unknown, token: string | null = shopper.token) => client.request<{ error: string; reason: string }>('POST', '/_tote/analytics', { ...(token ? { token } : {}), body });
    const day = { day: today, counts: { added: 1 }, sources: { page: 1 }, shops: { 'popular.example': { added: 1 } } };
    for (const [body, field] of [
      [{ device: 'd1', days: [{ ...day, title: 'Kettle' }] }, 'days[0].title'],
      [{ device: 'd1', days: [{ ...day, shops: { 'https://popular.example/p/1': { added: 1 } } }] }, 'days[0].shops'],
      [{ device: 'd1', days: [{ ...day, counts: { added: 1.5 } }] }, 'days[0].counts.added'],
      [{ device: 'd1', days: [{ ...day, counts: { price: 2999 } }] }, 'days[0].counts.price'],
      [{ device: 'd1', days: [{ ...day, day: '2026-02-30' }] }, 'days[0].day'],
      [{ device: 'd1', days: [day], itemIds: ['x'] }, 'itemIds'],
    ] as const) {
      const refused = await send(body);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_aggregate');
      expect(refused.body.reason).toContain(field);
      expect(refused.body.reason).toContain('Nothing was stored');
    }
    const huge = await send({ device: 'd1', days: [day], padding: 'x'.repeat(260 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.body.error).toBe('too_large');
    expect((await send({ device: 'd1', days: [day] }, null)).status).toBe(401);
    expect((await summary(today, today)).body.counts).toEqual(before);

    expect((await send({ device: 'd1', days: [day] })).status).toBe(200);
    expect((await send({ device: 'd1', days: [day] })).status).toBe(200); // a resend: the same day, not twice
    expect((await summary(today, today)).body.counts.added).toBe(before.added! + 1);
    // Five sends of one device at once (a retry racing the first): merged, never added up.
    const racing = await Promise.all(Array.from({ length: 5 }, () => send({ device: 'd2', days: [day] })));
    expect(racing.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await summary(today, today)).body.counts.added).toBe(before.added! + 2);

    // A shopper reads no summary, and the analytics database is not theirs to reach through the proxy.
    expect((await client.request('GET', `/_tote/admin/analytics?from=${today}&to=${today}`, { token: shopper.token })).status).toBe(403);
    expect((await client.request('GET', '/tote-analytics/_all_docs', { token: shopper.token })).status).toBe(403);
    expect((await client.request('GET', `/_tote/admin/analytics?from=${today}&to=nope`, { token: adminToken })).status).toBe(400);
  });

  it('takes each day\'s operation times as histograms: a resend does not double them, devices add up, and the summary gives p50/p95/p99', async () => {
    const shopper = await client.signUp(`hal-${randomBytes(3).toString('hex')}@example.com`, PASSWORD);
    const today = dayOf(Date.now());
    const send = (body: unknown) => client.request<{ error: string; reason: string }>('POST', '/_tote/analytics', { token: shopper.token, body });
    const countOf = async (operation: string) => (await summary(today, today)).body.latency.find((row) => row.operation === operation)?.figures?.count ?? 0;
    const before = await countOf('edit');
    const timed = (...ms: number[]) => {
      const monitor = createLatencyMonitor();
      for (const each of ms) monitor.recordMs('edit', each);
      return monitor.days().at(-1)!.latency.edit!;
    };
    const day = (edit: string) => ({ day: today, counts: {}, sources: {}, shops: {}, latency: { edit } });
    const laptop = day(timed(10, 12, 14, 900));
    expect((await send({ device: 'd1', days: [laptop] })).status).toBe(200);
    expect((await send({ device: 'd1', days: [laptop] })).status).toBe(200); // a resend: not twice
    expect(await countOf('edit')).toBe(before + 4);
    expect((await send({ device: 'd2', days: [day(timed(20, 30))] })).status).toBe(200); // another device adds
    const figures = (await summary(today, today)).body.latency.find((row) => row.operation === 'edit')!.figures!;
    expect(figures.count).toBe(before + 6);
    expect(figures.max).toBeGreaterThanOrEqual(890);
    expect(figures.p50).toBeLessThanOrEqual(figures.p95);
    expect(figures.p95).toBeLessThanOrEqual(figures.p99);
    // Not a histogram, or an operation nobody times: refused whole, nothing stored.
    for (const latency of [{ edit: 'a-title' }, { checkoutPage: timed(5) }]) {
      const refused = await send({ device: 'd3', days: [{ ...day(timed(5)), latency }] });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_aggregate');
    }
    expect(await countOf('edit')).toBe(before + 6);
  });
});
