/**
 * The cart's key on each app, in real Chromium against the real gateway over TLS (docs/encryption.md,
 * "Sealing in the apps"): the extension keeps the unlocked key in `storage.session`, so a restart of its
 * service worker stays unlocked and syncing sealed. After a browser restart (storage.session emptied)
 * its database, sealed at rest with a key only the account's password opens, is locked: no cart, nothing
 * added, nothing of the cart on disk, and the password opens it. The desktop renderer without the main process's key store (the bridge
 * given by the test has none) is locked after a reload; with a key store in the bridge (a stand-in for
 * the main process's safeStorage file, which cannot run here) it stays unlocked.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, type CartCommand } from '@tote/core';
import { extensionId, extensionWorker, launchDesktopWindow, launchWithExtension, trustCertificate } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { onDisk } from '../support/on-disk.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The extension pages' `chrome` global, as far as these tests use it. */
declare const chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> }; storage: { session: { clear(): Promise<void> } } };

const LOCKED = 'Your cart is locked on this device. Enter your password to unlock it and sync.';

let server: TestServer;
let desktopHost: StaticServer;
let profiles: string[] = [];
let extension: BrowserContext;
let desktopBrowser: BrowserContext;
let popupUrl: string;
/** The desktop's key store as the main process would keep it (here: in the test's memory). */
const desktopKeys = new Map<string, string>();

beforeAll(async () => {
  desktopHost = await serveFolder(path.join(root, 'desktop/dist'));
  server = await startTestServer({ origins: [desktopHost.url] });
  profiles = [await mkdtemp(path.join(tmpdir(), 'tote-ext-')), await mkdtemp(path.join(tmpdir(), 'tote-desk-'))];
  const trust = trustCertificate(server.running.gateway.spkiSha256);
  extension = await launchWithExtension(profiles[0]!, path.join(root, 'extension/.output/chrome-mv3'), trust);
  popupUrl = `chrome-extension://${await extensionId(extension)}/popup.html`;
  // The preload's bridge; with "?keystore" in the address also its key store, answered by the test (as main would).
  desktopBrowser = await launchDesktopWindow(profiles[1]!, trust, { keys: desktopKeys, keysOnlyWhen: 'keystore' });
});

afterAll(async () => {
  await extension?.close();
  await desktopBrowser?.close();
  await desktopHost?.close();
  await server?.dispose();
  for (const dir of profiles) await rm(dir, { recursive: true, force: true });
});

/** The latest revision of every document in the shopper's database, as the server's admin reads it. */
async function serverDocs(): Promise<Record<string, unknown>[]> {
  const { url, admin, shopper } = server.running;
  const response = await fetch(`${url}/${shopper.dbName}/_all_docs?include_docs=true`, {
    headers: { authorization: `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}` },
  });
  return ((await response.json()) as { rows: { doc: Record<string, unknown> }[] }).rows.map((row) => row.doc);
}

/** Every item on the server is sealed, and none of `titles` is readable there. */
async function sealedOnServer(titles: string[]): Promise<{ count: number; plain: string[] }> {
  const docs = await serverDocs();
  const text = JSON.stringify(docs);
  return {
    count: docs.filter((doc) => Object.keys(doc).sort().join() === '_id,_rev,enc,fp').length - docs.length,
    plain: titles.filter((title) => text.includes(title)),
  };
}

const product = (title: string) => cartCommands.add({ url: `https://shop.example/p/${encodeURIComponent(title)}`, title, priceMinor: 1999, currency: 'EUR', imageUrl: null, variant: null });

async function dispatch(popup: Page, command: CartCommand): Promise<void> {
  const answer = await popup.evaluate((sent) => chrome.runtime.sendMessage({ type: 'cart/dispatch', command: sent }), command as unknown as Record<string, unknown>);
  expect(answer).toMatchObject({ ok: true });
}

/** Chrome stops the idle service worker (here: at once, through DevTools); the popup's port wakes a new one. */
async function restartWorker(popup: Page): Promise<void> {
  const worker = await extensionWorker(extension);
  await worker.evaluate(() => ((globalThis as Record<string, unknown>).beforeRestart = true));
  const cdp = await extension.newCDPSession(popup);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
  await expect.poll(async () => {
    const next = await extensionWorker(extension);
    return next.evaluate(() => (globalThis as Record<string, unknown>).beforeRestart === true).catch(() => true);
  }, { timeout: 15_000 }).toBe(false);
}

const titlesOn = async (page: Page) => (await page.getByTestId('item-title').allTextContents()).join(' | ');

describe('the extension keeps the key in storage.session', () => {
  let popup: Page;

  it('signs in and syncs sealed; a service-worker restart stays unlocked and syncing', async () => {
    popup = await extension.newPage();
    await popup.goto(popupUrl);
    await popup.getByTestId('account-server').fill(server.account.serverUrl);
    await popup.getByTestId('account-name').fill(server.account.username);
    await popup.getByTestId('account-password').fill(server.account.password);
    await popup.getByTestId('account-signin').click();
    await expect.poll(() => popup.getByTestId('account-status').textContent(), { timeout: 15_000 }).toContain('Signed in as');
    await dispatch(popup, product('Sealed before restart 7731'));
    await expect.poll(() => popup.getByTestId('sync-status').textContent(), { timeout: 10_000 }).toContain('In sync');
    await expect.poll(() => sealedOnServer(['Sealed before restart 7731'])).toEqual({ count: 0, plain: [] });
    expect((await serverDocs()).length).toBe(1);

    await restartWorker(popup);
    await expect.poll(() => popup.getByTestId('sync-status').textContent(), { timeout: 15_000 }).toContain('In sync');
    expect(await popup.getByTestId('unlock-form').count()).toBe(0);
    await dispatch(popup, product('Sealed after restart 7732'));
    await expect.poll(async () => (await serverDocs()).length, { timeout: 10_000 }).toBe(2);
    expect(await sealedOnServer(['Sealed before restart 7731', 'Sealed after restart 7732'])).toEqual({ count: 0, plain: [] });
  });

  it('after the browser restarts the cart is locked and encrypted on disk: no cart, captures refused, only the password opens it', async () => {
    // A browser restart empties storage.session: the cart's key and the database key are gone.
    const worker = await extensionWorker(extension);
    await worker.evaluate(() => chrome.storage.session.clear());
    await restartWorker(popup);
    await expect.poll(() => popup.getByTestId('device-locked-message').textContent(), { timeout: 15_000 }).toContain(server.account.username);
    expect(await popup.getByTestId('item-title').count()).toBe(0);
    expect(await popup.getByTestId('sync-status').count()).toBe(0);
    // What the browser keeps on disk (IndexedDB's files among the profile's) holds none of the cart.
    expect(await onDisk(profiles[0]!, ['Sealed before restart 7731', 'Sealed after restart 7732', 'shop.example/p/'])).toEqual([]);

    const refused = await popup.evaluate((sent) => chrome.runtime.sendMessage({ type: 'cart/dispatch', command: sent }), product('Added while locked 7733') as unknown as Record<string, unknown>);
    expect(refused).toMatchObject({ ok: false, code: 'LOCKED', message: expect.stringContaining('enter the password') });

    await popup.getByTestId('device-unlock-password').fill('not the password');
    await popup.getByTestId('device-unlock-submit').click();
    await expect.poll(() => popup.getByTestId('device-locked-status').textContent(), { timeout: 15_000 }).toContain('not the password of');
    expect(await popup.getByTestId('item-title').count()).toBe(0);
    expect((await serverDocs()).length).toBe(2);

    await popup.getByTestId('device-unlock-password').fill(server.account.password);
    await popup.getByTestId('device-unlock-submit').click();
    await expect.poll(() => popup.getByTestId('sync-status').textContent(), { timeout: 15_000 }).toContain('In sync');
    expect(await titlesOn(popup)).toBe('Sealed before restart 7731 | Sealed after restart 7732');
    expect(await popup.getByTestId('account-status').textContent()).toContain('Signed in as');
    expect(await popup.getByTestId('unlock-form').count()).toBe(0);
    await dispatch(popup, product('Added after unlock 7733'));
    await expect.poll(async () => (await serverDocs()).length, { timeout: 10_000 }).toBe(3);
    expect(await sealedOnServer(['Added after unlock 7733'])).toEqual({ count: 0, plain: [] });
    // Kept again: the next worker restart is unlocked.
    await restartWorker(popup);
    await expect.poll(() => popup.getByTestId('sync-status').textContent(), { timeout: 15_000 }).toContain('In sync');
    await popup.close();
  });
});

describe('a cart locked on the extension, without the password', () => {
  /** A browser restart: storage.session emptied, a new service worker; the popup shows the locked cart. */
  async function restartBrowser(popup: Page): Promise<void> {
    const worker = await extensionWorker(extension);
    await worker.evaluate(() => chrome.storage.session.clear());
    await restartWorker(popup);
    await expect.poll(() => popup.getByTestId('device-locked').count(), { timeout: 15_000 }).toBe(1);
  }

  it('can be removed from the browser: a new, empty cart opens, and signing in brings the synced cart back', async () => {
    const popup = await extension.newPage();
    await popup.goto(popupUrl);
    await restartBrowser(popup);
    await popup.getByTestId('device-remove-open').click();
    expect(await popup.getByTestId('device-remove-warning').textContent()).toContain('not synced are lost');
    await popup.getByTestId('device-remove-confirm').click();
    await expect.poll(() => popup.getByTestId('account-status').textContent(), { timeout: 15_000 }).toContain('Not signed in');
    expect(await popup.getByTestId('item-title').count()).toBe(0);
    expect(await popup.getByTestId('at-rest').textContent()).toContain('without a password');

    await popup.getByTestId('account-server').fill(server.account.serverUrl);
    await popup.getByTestId('account-name').fill(server.account.username);
    await popup.getByTestId('account-password').fill(server.account.password);
    await popup.getByTestId('account-signin').click();
    await expect.poll(() => titlesOn(popup), { timeout: 15_000 }).toContain('Added after unlock 7733');
    expect(await popup.getByTestId('at-rest').count()).toBe(0);
    await popup.getByTestId('account-signout').click();
    await expect.poll(() => popup.getByTestId('account-status').textContent(), { timeout: 10_000 }).toContain('Not signed in');
    await popup.close();
  });

  it('opens with the recovery key, which also sets a new password; a wrong one opens nothing', async () => {
    const popup = await extension.newPage();
    await popup.goto(popupUrl);
    // Signed out, the cart left on the browser stays protected by the account that used it last.
    await restartBrowser(popup);
    // A new account of its own, so the configured shopper's password stays as the other tests know it.
    await popup.getByTestId('device-remove-open').click();
    await popup.getByTestId('device-remove-confirm').click();
    await popup.getByTestId('account-server').waitFor({ timeout: 15_000 });
    await popup.getByTestId('account-server').fill(server.account.serverUrl);
    await popup.getByTestId('account-name').fill('recovering-7740');
    await popup.getByTestId('account-password').fill('first password 7740');
    await popup.getByTestId('account-signup').click();
    const recoveryKey = (await popup.getByTestId('recovery-key').textContent({ timeout: 20_000 }))!.trim();
    await popup.getByTestId('recovery-key-done').click();
    await dispatch(popup, product('Kept through recovery 7741'));
    await expect.poll(() => popup.getByTestId('sync-status').textContent(), { timeout: 10_000 }).toContain('In sync');

    await restartBrowser(popup);
    expect(await popup.getByTestId('device-locked-message').textContent()).toContain('recovering-7740');
    await popup.getByTestId('device-recover-open').click();
    await popup.getByTestId('device-recover-key').fill('ABCD-EFGH');
    await popup.getByTestId('device-recover-password').fill('second password 7740');
    await popup.getByTestId('device-recover-submit').click();
    await expect.poll(() => popup.getByTestId('device-locked-status').textContent(), { timeout: 15_000 }).not.toBe('Working…');
    expect(await popup.getByTestId('device-locked').count()).toBe(1);

    await popup.getByTestId('device-recover-key').fill(recoveryKey);
    await popup.getByTestId('device-recover-submit').click();
    // The cart shows once the new password is set, and nothing went wrong on the way.
    await expect.poll(() => titlesOn(popup), { timeout: 20_000 }).toContain('Kept through recovery 7741');
    expect(await popup.getByTestId('problem').count()).toBe(0);
    await expect.poll(() => popup.getByTestId('sync-status').textContent(), { timeout: 15_000 }).toContain('In sync');
    // The new password is the account's now: it opens the cart after the next restart.
    await restartBrowser(popup);
    await popup.getByTestId('device-unlock-password').fill('second password 7740');
    await popup.getByTestId('device-unlock-submit').click();
    await expect.poll(() => titlesOn(popup), { timeout: 20_000 }).toContain('Kept through recovery 7741');
    await popup.getByTestId('account-signout').click();
    await popup.close();
  });
});

describe('the desktop renderer', () => {
  it('without the main process\'s key store: locked after a reload, unlocked by the password', async () => {
    const desktop = await desktopBrowser.newPage();
    await desktop.goto(`${desktopHost.url}/index.html`);
    await desktop.getByTestId('account-server').fill(server.account.serverUrl);
    await desktop.getByTestId('account-name').fill(server.account.username);
    await desktop.getByTestId('account-password').fill(server.account.password);
    await desktop.getByTestId('account-signin').click();
    await expect.poll(() => desktop.getByTestId('sync-status').textContent(), { timeout: 15_000 }).toContain('In sync');
    await expect.poll(() => titlesOn(desktop), { timeout: 10_000 }).toContain('Added after unlock 7733');

    await desktop.reload();
    await expect.poll(() => desktop.getByTestId('locked-message').textContent(), { timeout: 15_000 }).toBe(LOCKED);
    expect(await desktop.getByTestId('sync-status').textContent()).toContain('Locked: not syncing');
    await desktop.getByTestId('unlock-password').fill('wrong wrong wrong');
    await desktop.getByTestId('unlock-submit').click();
    await expect.poll(() => desktop.getByTestId('account-message').textContent(), { timeout: 15_000 }).toContain('does not unlock your cart');
    await desktop.getByTestId('unlock-password').fill(server.account.password);
    await desktop.getByTestId('unlock-submit').click();
    await expect.poll(() => desktop.getByTestId('sync-status').textContent(), { timeout: 15_000 }).toContain('In sync');
    await desktop.close();
  });

  it('with a key store in the bridge: unlocked once, still unlocked and syncing after a reload', async () => {
    const desktop = await desktopBrowser.newPage();
    await desktop.goto(`${desktopHost.url}/index.html?keystore`);
    await expect.poll(() => desktop.getByTestId('locked-message').textContent(), { timeout: 15_000 }).toBe(LOCKED);
    await desktop.getByTestId('unlock-password').fill(server.account.password);
    await desktop.getByTestId('unlock-submit').click();
    await expect.poll(() => desktop.getByTestId('sync-status').textContent(), { timeout: 15_000 }).toContain('In sync');
    // The account's key, beside this computer's database key (docs/encryption.md, "At rest on the device").
    expect([...desktopKeys].filter(([name]) => name !== 'this-computer:database').map(([, key]) => key.length)).toEqual([43]);

    await desktop.reload();
    await expect.poll(() => desktop.getByTestId('sync-status').textContent(), { timeout: 15_000 }).toContain('In sync');
    expect(await desktop.getByTestId('unlock-form').count()).toBe(0);

    await desktop.getByTestId('account-signout').click();
    await expect.poll(() => desktop.getByTestId('account-status').textContent(), { timeout: 10_000 }).toContain('Not signed in');
    expect([...desktopKeys.keys()]).toEqual(['this-computer:database']);
    await desktop.close();
  });
});
