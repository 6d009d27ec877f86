/**
 * Encryption at rest in the desktop renderer, in real Chromium on its own profile (docs/encryption.md,
 * "At rest on the device"). The renderer keeps its database sealed with this computer's key, which the
 * main process's key store keeps (here the bridge's key store is answered by the test, as main would
 * with safeStorage, which cannot run here). A cart kept in clear before is moved into the sealed
 * database at the first start with a key store. What IndexedDB holds, read beneath the app, and the
 * profile's files on disk are searched for the shopper's titles and notes. An item whose ciphertext was
 * changed on the server is named to the shopper, and the rest of the cart is unaffected.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, syncTargetOf } from '@tote/core';
import { launchDesktopWindow, trustCertificate } from '../support/chromium.ts';
import { startDevice, waitForPhase, type Device } from '../support/devices.ts';
import { onDisk } from '../support/on-disk.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BEFORE = ['Okapi lantern QJ-5512', 'Marzipan tapir 8813'];
const AFTER = 'Vermilion zither 4471';

let server: TestServer;
let desktopHost: StaticServer;
let profile: string;
let trust: string[];
let browser: BrowserContext | undefined;
let phone: Device;
/** The main process's key store, outliving the window. */
const keys = new Map<string, string>();

beforeAll(async () => {
  desktopHost = await serveFolder(path.join(root, 'desktop/dist'));
  server = await startTestServer({ origins: [desktopHost.url] });
  profile = await mkdtemp(path.join(tmpdir(), 'tote-at-rest-'));
  trust = trustCertificate(server.running.gateway.spkiSha256);
  phone = await startDevice('phone', server.account);
  await phone.client.configureSync(syncTargetOf(phone.saved.session!), { keyring: phone.account.keyring() });
  await waitForPhase(phone, 'in-sync');
  for (const title of BEFORE) {
    await phone.client.store.dispatch(cartCommands.add({ url: `https://shop.example/p/${encodeURIComponent(title)}`, title, priceMinor: 2500, currency: 'EUR', imageUrl: null, variant: null }));
  }
  await phone.client.sync!.awaitInSync();
});

afterAll(async () => {
  await browser?.close();
  await phone?.close();
  await server?.dispose();
  await desktopHost?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

/** The desktop window; with `keyStore` the bridge has the main process's key store. */
async function openDesktop(keyStore: boolean): Promise<Page> {
  await browser?.close();
  browser = await launchDesktopWindow(profile, trust, { keys, keysOnlyWhen: 'keystore' });
  const page = await browser.newPage();
  await page.goto(`${desktopHost.url}/index.html${keyStore ? '?keystore' : ''}`);
  return page;
}

/** Every row of every IndexedDB database of the page's origin, read beneath the app, as text. */
function indexedDbText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const request = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
    const out: string[] = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await request(indexedDB.open(name!));
      for (const store of Array.from(db.objectStoreNames)) out.push(JSON.stringify(await request(db.transaction(store).objectStore(store).getAll())));
      db.close();
    }
    return out.join('\n');
  });
}

const titlesOn = async (page: Page) => (await page.getByTestId('item-title').allTextContents()).sort();

describe('the desktop\'s cart at rest', () => {
  it('without a key store it says the cart on this computer is not encrypted (and it is readable there)', async () => {
    const desktop = await openDesktop(false);
    await desktop.getByTestId('account-server').fill(server.account.serverUrl);
    await desktop.getByTestId('account-name').fill(server.account.username);
    await desktop.getByTestId('account-password').fill(server.account.password);
    await desktop.getByTestId('account-signin').click();
    await expect.poll(() => titlesOn(desktop), { timeout: 15_000 }).toEqual([...BEFORE].sort());
    expect(await desktop.getByTestId('at-rest').textContent()).toContain('Not encrypted on this computer');
    const stored = await indexedDbText(desktop);
    for (const title of BEFORE) expect(stored).toContain(title); // the search below can find what is there
  });

  it('with a key store the cart kept in clear is moved into the sealed database: the same cart, no title readable', async () => {
    const desktop = await openDesktop(true);
    await expect.poll(() => titlesOn(desktop), { timeout: 15_000 }).toEqual([...BEFORE].sort());
    expect(await desktop.getByTestId('at-rest').textContent()).toContain('Encrypted on this computer');
    expect([...keys.keys()]).toEqual(['this-computer:database']);
    const stored = await indexedDbText(desktop);
    for (const title of BEFORE) expect(stored).not.toContain(title);
    expect(stored).not.toContain('shop.example');
  });

  it('what arrives later is sealed too, on disk as well, and the cart opens again after a restart', async () => {
    let desktop = await openDesktop(true);
    await desktop.getByTestId('unlock-password').fill(server.account.password);
    await desktop.getByTestId('unlock-submit').click();
    await expect.poll(() => desktop.getByTestId('sync-status').textContent(), { timeout: 15_000 }).toContain('In sync');
    await phone.client.store.dispatch(cartCommands.add({ url: 'https://shop.example/p/zither', title: AFTER, priceMinor: 9900, currency: 'EUR', imageUrl: null, variant: null }));
    await expect.poll(() => titlesOn(desktop), { timeout: 15_000 }).toContain(AFTER);
    expect(await indexedDbText(desktop)).not.toContain(AFTER);

    desktop = await openDesktop(true);
    await expect.poll(() => titlesOn(desktop), { timeout: 15_000 }).toEqual([...BEFORE, AFTER].sort());
    await browser!.close();
    browser = undefined;
    // Nothing in clear on disk: neither what arrived sealed, nor what was moved out of the plain database.
    expect(await onDisk(profile, [...BEFORE, AFTER, 'shop.example/p/'])).toEqual([]);
  });

  it('an item changed on the server is named to the shopper, its copy here is kept, and the rest of the cart is fine', async () => {
    const desktop = await openDesktop(true);
    await expect.poll(() => desktop.getByTestId('sync-status').textContent(), { timeout: 15_000 }).toContain('In sync');
    const id = Object.values(phone.client.store.getState().items).find((item) => item.title === AFTER)!.id;
    // Someone with the server's disks flips a byte of that item's ciphertext.
    const { url, admin, shopper } = server.running;
    const headers = { authorization: `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}`, 'content-type': 'application/json' };
    const stored = await (await fetch(`${url}/${shopper.dbName}/${id}`, { headers })).json() as { enc: string };
    const flipped = stored.enc.slice(0, 40) + (stored.enc[40] === 'A' ? 'B' : 'A') + stored.enc.slice(41);
    expect((await fetch(`${url}/${shopper.dbName}/${id}`, { method: 'PUT', headers, body: JSON.stringify({ ...stored, enc: flipped }) })).status).toBe(201);
    // A change made beneath the gateway is announced to no one: a running device reads it at its next
    // catch-up (within a minute, docs/sync.md rule 6), or when the shopper opens the window, as here.
    await desktop.reload();

    await expect.poll(() => desktop.getByTestId('unreadable').textContent(), { timeout: 15_000 }).toContain(`“${AFTER}” could not be read from the sync server`);
    expect(await titlesOn(desktop)).toEqual([...BEFORE, AFTER].sort());
    await desktop.getByTestId('unreadable-dismiss').click();
    await expect.poll(() => desktop.getByTestId('unreadable').count()).toBe(0);
  });
});
