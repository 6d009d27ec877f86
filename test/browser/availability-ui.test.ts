/**
 * Availability end to end with the real parts (docs/cart-manager.md, "Availability"): a sold-out product
 * captured from a shop page by the built extension in Debian's Chromium, kept sealed through the real
 * sync server over TLS, shown under "Unavailable" in the popup and in the desktop renderer (its build, in
 * a second Chromium profile), said so in Details; the page read again in stock takes it out of the
 * filter on both.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extensionId, launchDesktopWindow, launchWithExtension, trustCertificate } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LANTERN = 'Storm Lantern';
const KETTLE = 'Red Kettle 1.7 l';

let server: TestServer;
let shops: StaticServer;
let desktopHost: StaticServer;
let profiles: string[] = [];
let browser: BrowserContext;
let desktopBrowser: BrowserContext;
let desktop: Page;
let popup: Page;

async function signIn(page: Page) {
  await page.getByTestId('account-server').fill(server.account.serverUrl);
  await page.getByTestId('account-name').fill(server.account.username);
  await page.getByTestId('account-password').fill(server.account.password);
  await page.getByTestId('account-signin').click();
  await page.getByTestId('sync-status').filter({ hasText: 'In sync' }).waitFor({ timeout: 20_000 });
}

/** Opens a shop page in the extension's browser and adds its product with the page's own button. */
async function capture(name: string): Promise<void> {
  const page = await browser.newPage();
  await page.goto(`${shops.url}/${name}.html`);
  await page.locator('tote-capture button').click({ timeout: 10_000 });
  await expect.poll(() => page.locator('tote-capture [data-testid=capture-status]').textContent()).toContain('Added');
  await page.close();
}

const titles = (page: Page) => page.getByTestId('item-title').allTextContents();

beforeAll(async () => {
  shops = await serveFolder(path.join(root, 'test/fixtures/shop'));
  desktopHost = await serveFolder(path.join(root, 'desktop/dist'));
  server = await startTestServer({ origins: [desktopHost.url] });
  profiles = [await mkdtemp(path.join(tmpdir(), 'tote-availability-ext-')), await mkdtemp(path.join(tmpdir(), 'tote-availability-desktop-'))];
  const trust = trustCertificate(server.running.gateway.spkiSha256);
  browser = await launchWithExtension(profiles[0]!, path.join(root, 'extension/.output/chrome-mv3'), trust);
  desktopBrowser = await launchDesktopWindow(profiles[1]!, trust);
  desktop = await desktopBrowser.newPage();
  await desktop.goto(`${desktopHost.url}/index.html`);
  await signIn(desktop);
  popup = await browser.newPage();
  await popup.goto(`chrome-extension://${await extensionId(browser)}/popup.html`);
  await signIn(popup);
});

afterAll(async () => {
  await browser?.close();
  await desktopBrowser?.close();
  await shops?.close();
  await desktopHost?.close();
  await server?.dispose();
  for (const dir of profiles) await rm(dir, { recursive: true, force: true });
});

describe('a product the shop has sold out', () => {
  it('captured from its page, shows under "Unavailable" in the popup and, synced, in the desktop window', async () => {
    await capture('kettle'); // in stock
    await capture('lantern-sold-out');
    await popup.reload();
    await popup.getByTestId('item').filter({ hasText: LANTERN }).waitFor({ timeout: 10_000 });
    expect((await titles(popup)).sort()).toEqual([KETTLE, LANTERN].sort());
    await popup.getByTestId('filter-unavailable').check();
    await expect.poll(() => titles(popup)).toEqual([LANTERN]);
    expect(await popup.getByTestId('shown-count').textContent()).toBe('1 of 2 items');
    expect(await popup.getByTestId('item').filter({ hasText: LANTERN }).getByTestId('item-unavailable').textContent()).toBe('Out of stock');
    await popup.getByTestId('filter-unavailable').uncheck();
    await expect.poll(async () => (await titles(popup)).length).toBe(2);

    await desktop.getByTestId('item').filter({ hasText: LANTERN }).waitFor({ timeout: 10_000 });
    await desktop.getByTestId('filter-unavailable').check();
    await expect.poll(() => titles(desktop)).toEqual([LANTERN]);
    await desktop.getByTestId('item').filter({ hasText: LANTERN }).getByTestId('item-details').click();
    expect(await desktop.getByTestId('details-availability').textContent()).toContain('Out of stock when its page was last read');
    await desktop.getByTestId('details-close').click();
    // The kettle's page said it is in stock: its Details say so, and it is not unavailable.
    await desktop.getByTestId('filter-unavailable').uncheck();
    await desktop.getByTestId('item').filter({ hasText: KETTLE }).getByTestId('item-details').click();
    expect(await desktop.getByTestId('details-availability').textContent()).toContain('In stock when its page was last read');
    await desktop.getByTestId('details-close').click();
  });

  it('back in stock when its page is read again: it leaves the filter on both', async () => {
    // The same page, now in stock (price watch reads every visited page of an item in the cart).
    const url = `${shops.url}/lantern-sold-out.html`;
    const inStock = (await readFile(path.join(root, 'test/fixtures/shop/lantern-sold-out.html'), 'utf8')).replace('OutOfStock', 'InStock');
    await browser.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: inStock }));
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('tote-capture button').waitFor({ timeout: 10_000 });
    await desktop.getByTestId('filter-unavailable').check();
    await expect.poll(() => titles(desktop), { timeout: 10_000 }).toEqual([]);
    await desktop.getByTestId('filter-unavailable').uncheck();
    await expect.poll(async () => (await titles(desktop)).sort()).toEqual([KETTLE, LANTERN].sort());
    expect(await desktop.getByTestId('item').filter({ hasText: LANTERN }).getByTestId('item-unavailable').count()).toBe(0);
    await popup.reload();
    await popup.getByTestId('item').first().waitFor({ timeout: 10_000 });
    await popup.getByTestId('filter-unavailable').check();
    await expect.poll(() => titles(popup)).toEqual([]);
    await page.close();
    await browser.unroute(url);
  });
});
