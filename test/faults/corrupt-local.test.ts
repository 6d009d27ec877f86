/**
 * One corrupted local document (docs/faults.md): with the app closed, bytes of one stored item are
 * changed directly in the browser's IndexedDB, beneath the app (a page of the same origin that runs no
 * Tote code rewrites the sealed row). The app then opens in real Chromium on the same profile: the
 * damaged item is set aside and reported to the shopper, the rest of the cart loads and works (add,
 * edit, sync), nothing throws, and the server's good copy of the item takes the damaged one's place
 * (docs/encryption.md, "At rest on the device"). fast-check picks the item, the damage (a changed byte,
 * a cut envelope, an envelope gone) and where; `TOTE_CORRUPT_RUNS` sets the runs, `TOTE_CORRUPT_SEED` replays.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems } from '@tote/core';
import { trustCertificate } from '../support/chromium.ts';
import { createDevice, waitForPhase, type Device } from '../support/devices.ts';
import { servePageDevice, startBrowserDevice, type BrowserDevice, type PageItems } from '../support/page-device.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import type { StaticServer } from '../support/static-server.ts';
import { recordFaultRun } from './ledger.ts';

const RUNS = Number(process.env.TOTE_CORRUPT_RUNS ?? 2);
const SEED = Number(process.env.TOTE_CORRUPT_SEED ?? Date.now() % 2_147_483_647);
const KDF = { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 } as const;
const DATABASE = 'tote-corrupt-local';
const DEVICE_ID = 'browser-device';
const TITLES = ['Walnut bread board 5521', 'Linen apron 5522', 'Brass bottle opener 5523', 'Felt slippers 5524', 'Enamel mug 5525'];
type Damage = 'flip' | 'cut' | 'drop';

let site: StaticServer;
let server: TestServer;
let profile: string;
let trust: string[];
let phone: Device;
let device: BrowserDevice | undefined;
const keys = new Map<string, string>();
let run = 0;

const product = (title: string) => ({ url: `https://shop.example/p/${encodeURIComponent(title)}`, title, priceMinor: 1900, currency: 'EUR', imageUrl: null, variant: null });
/** What the shopper sees of a cart, comparable between devices. */
const view = (items: PageItems['live']) => items.map(({ id, title, quantity, note }) => ({ id, title, quantity, note })).sort((a, b) => a.id.localeCompare(b.id));
const phoneView = () => view(selectItems(phone.client.store.getState()));

async function openApp(): Promise<BrowserDevice> {
  device = await startBrowserDevice(site, { profile, keys, args: trust });
  await device.call('open', DATABASE, DEVICE_ID, KDF);
  return device;
}

/** Polls `check` until it holds (true) or `ms` pass (false): the run is recorded before it is asserted. */
async function eventually(check: () => Promise<boolean> | boolean, ms = 30_000): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Runs in a page of the app's origin without the app: damages the sealed row of item `id` in the
 * cart's IndexedDB database (storage-dexie's `rxdb-dexie-<name>--<version>--items`). True when a row was
 * changed and the change committed, flushed to disk: the browser is closed right after, and a write
 * whose request succeeded but whose transaction had not yet committed could be lost with it.
 */
async function damageRow(page: BrowserDevice['page'], id: string, damage: Damage, at: number): Promise<boolean> {
  return page.evaluate(async ({ prefix, id: target, damage: kind, at: offset }) => {
    const request = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
    const names = (await indexedDB.databases()).map(({ name }) => name ?? '').filter((name) => name.startsWith(prefix) && name.endsWith('--items'));
    for (const name of names) {
      const db = await request(indexedDB.open(name));
      try {
        for (const storeName of Array.from(db.objectStoreNames)) {
          const transaction = db.transaction(storeName, 'readwrite', { durability: 'strict' });
          const committed = new Promise<void>((resolve, reject) => {
            transaction.oncomplete = () => resolve();
            transaction.onabort = () => reject(transaction.error ?? new Error('the transaction was aborted'));
          });
          const store = transaction.objectStore(storeName);
          const row = await request(store.get(target)) as Record<string, unknown> | undefined;
          if (!row || typeof row.enc !== 'string') continue;
          const enc = row.enc;
          const at = offset % enc.length;
          if (kind === 'flip') row.enc = enc.slice(0, at) + String.fromCharCode(enc.charCodeAt(at) ^ 0x5a) + enc.slice(at + 1);
          else if (kind === 'cut') row.enc = enc.slice(0, at);
          else delete row.enc;
          await request(store.keyPath === null ? store.put(row, target) : store.put(row));
          await committed;
          return true;
        }
      } finally {
        db.close();
      }
    }
    return false;
  }, { prefix: `rxdb-dexie-${DATABASE}--`, id, damage, at });
}

beforeAll(async () => {
  site = await servePageDevice();
  server = await startTestServer({ origins: [site.url] });
  profile = await mkdtemp(path.join(tmpdir(), 'tote-corrupt-local-'));
  trust = trustCertificate(server.running.gateway.spkiSha256);
  phone = await createDevice('phone', server.account, { passwordKdf: KDF });
  await phone.account.signIn(phone.serverUrl, server.account.username, server.account.password);
  await waitForPhase(phone, 'in-sync', 30_000);
  const app = await openApp();
  await app.call('signIn', server.account.serverUrl, server.account.username, server.account.password);
  for (const title of TITLES) expect(await app.call('dispatch', cartCommands.add(product(title)))).toMatchObject({ ok: true });
  const cart = view((await app.call('items')).live);
  expect(await eventually(() => JSON.stringify(phoneView()) === JSON.stringify(cart)), 'the phone holds the cart').toBe(true);
  await app.close();
  device = undefined;
}, 300_000);

afterAll(async () => {
  await device?.close();
  await phone?.close();
  await server?.dispose();
  await site?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe('one item damaged in the device\'s IndexedDB while the app is closed', () => {
  it('is reported and set aside, the rest of the cart works and syncs, and the server\'s good copy comes back', async () => {
    console.log(`corrupt local: seed ${SEED}, ${RUNS} runs (replay with TOTE_CORRUPT_SEED=${SEED})`);
    await fc.assert(fc.asyncProperty(fc.nat(), fc.constantFrom<Damage>('flip', 'cut', 'drop'), fc.noBias(fc.nat({ max: 100_000 })), async (pick, damage, at) => {
      run += 1;
      const cart = phoneView();
      const target = cart[pick % cart.length]!;
      const others = cart.filter((item) => item.id !== target.id);

      // The app is closed; the damage is done beneath it.
      const beneath = await startBrowserDevice(site, { profile, keys, args: trust, app: false });
      const damaged = await damageRow(beneath.page, target.id, damage, at);
      await beneath.close();
      expect(damaged, `a stored row of "${target.title}" was found and changed`).toBe(true);

      const app = await openApp();
      const errors: string[] = [];
      app.page.on('pageerror', (error) => errors.push(String(error)));
      const notices = await app.call('notices');
      const reported = notices.find((notice) => notice.id === target.id);
      const opened = view((await app.call('items')).live);
      // Without a notice, what the app opened tells a row that opened (the damage never reached the disk)
      // from a cart that opened empty (the browser's storage for the site was lost).
      const seen = `notices ${JSON.stringify(notices)}; opened ${opened.length} items, ${opened.some((item) => item.id === target.id) ? 'the damaged one among them' : 'not the damaged one'}`;
      expect(reported?.message, `"${target.title}" (${damage} at ${at}) is reported (${seen})`).toMatch(/could not be read on this device/);
      for (const item of others) expect(opened, 'the rest of the cart opens as it was').toContainEqual(item);

      // The rest works: an edit, an add, through the server to the phone.
      const edited = others[run % others.length]!;
      expect(await app.call('dispatch', cartCommands.setNote(edited.id, `note ${run}`))).toMatchObject({ ok: true });
      expect(await app.call('dispatch', cartCommands.add(product(`Added after damage ${run}`)))).toMatchObject({ ok: true });

      // The server's copy of the damaged item opens: it takes the damaged row's place, and the notice says so.
      const back = await eventually(async () => (await app.call('items')).live.some((item) => item.id === target.id && item.title === target.title));
      const told = await eventually(async () => (await app.call('notices')).some((notice) => notice.id === target.id && notice.message.includes(`“${target.title}”`)));
      const final = view((await app.call('items')).live);
      const converged = await eventually(() => JSON.stringify(phoneView()) === JSON.stringify(view(final as PageItems['live'])), 60_000);
      recordFaultRun({
        kind: 'corrupt-local', faults: 1, changesWritten: 2, lost: (back ? 0 : 1) + others.filter((item) => !final.some((each) => each.id === item.id)).length,
        duplicated: final.length - new Set(final.map((item) => item.id)).size, notConverged: converged ? 0 : 1, crashes: errors.length,
      });
      expect(back, `the server's copy of "${target.title}" came back`).toBe(true);
      expect(told, 'the notice names the item that came back').toBe(true);
      expect(final).toContainEqual(expect.objectContaining({ id: edited.id, note: `note ${run}` }));
      expect(final.map((item) => item.title)).toContain(`Added after damage ${run}`);
      expect(converged, 'the phone holds the same cart').toBe(true);
      expect(errors, 'nothing threw in the page').toEqual([]);
      await app.close();
      device = undefined;
    }), { seed: SEED, numRuns: RUNS, endOnFailure: true });
  }, 600_000);
});
