/**
 * Checkout and purchase in the extension (docs/analytics.md, "Bought", E5-E6), in real Chromium with the
 * built extension, signed in to the real sync server: the content script recognises a shop's checkout
 * and order-confirmation pages and reports them for its own tab; an item of that shop removed from the
 * popup right after the order counts as bought, one marked with its ✓ too (and leaves the cart); with
 * the shopper's consent the day's figures reach the server with the checkout and both purchases, and a
 * reloaded thank-you page counts nothing twice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extensionId, extensionWorker, launchWithExtension, trustCertificate } from '../support/chromium.ts';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

/** The worker's storage API, as far as the test reads it. */
declare const chrome: { storage: { local: { get(key: string): Promise<Record<string, { signals?: { kind: string; shop: string }[] } | undefined>> } } };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const extensionDir = path.join(root, 'extension/.output/chrome-mv3');

let server: TestServer;
let shops: StaticServer;
let profile: string;
let browser: BrowserContext | undefined;
let admin: GatewayClient;
let adminToken: string;

beforeAll(async () => {
  shops = await serveFolder(path.join(root, 'test/fixtures/shop'));
  server = await startTestServer();
  profile = await mkdtemp(path.join(tmpdir(), 'tote-ext-checkout-'));
  admin = gatewayClient(server.account.serverUrl, server.account.cert);
  adminToken = ((await admin.logIn(server.running.admin.name, server.running.admin.password, 'admin console')).body as { token: string }).token;
  browser = await launchWithExtension(profile, extensionDir, trustCertificate(server.running.gateway.spkiSha256));
});

afterAll(async () => {
  await browser?.close();
  await admin?.close();
  await server?.dispose();
  await shops?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

async function visit(name: string): Promise<void> {
  const page = await browser!.newPage();
  await page.goto(`${shops.url}/${name}.html`);
  await page.waitForTimeout(1_000); // the content script runs at document idle
  await page.close();
}

async function addFromShopPage(name: string): Promise<void> {
  const page = await browser!.newPage();
  await page.goto(`${shops.url}/${name}.html`);
  const button = page.locator('tote-capture button');
  await button.waitFor({ timeout: 10_000 });
  await button.click();
  await expect.poll(() => page.locator('tote-capture [data-testid=capture-status]').textContent(), { timeout: 10_000 }).toContain('Added');
  await page.close();
}

const signals = async () => ((await (await extensionWorker(browser!)).evaluate(() => chrome.storage.local.get('analytics'))).analytics?.signals ?? [])
  .map((signal) => `${signal.kind} ${signal.shop}`);

const today = () => new Date().toISOString().slice(0, 10);
interface Summary { counts: Record<string, number>; funnel: { step: string; count: number }[] }
async function summary(): Promise<Summary> {
  const answer = await admin.request<Summary>('GET', `/_tote/admin/analytics?from=${today()}&to=${today()}`, { token: adminToken });
  expect(answer.status).toBe(200);
  return answer.body;
}

describe('checkout and purchase in the extension', () => {
  it('recognises the checkout and the order confirmation; a removal after the order and a ✓ are purchases', async () => {
    const popup: Page = await browser!.newPage();
    await popup.goto(`chrome-extension://${await extensionId(browser!)}/popup.html`);
    await popup.getByTestId('account-server').fill(server.account.serverUrl);
    await popup.getByTestId('account-name').fill(server.account.username);
    await popup.getByTestId('account-password').fill(server.account.password);
    await popup.getByTestId('account-signin').click();
    await expect.poll(() => popup.getByTestId('sync-status').textContent(), { timeout: 20_000 }).toContain('In sync');

    await addFromShopPage('kettle');
    await addFromShopPage('mug');
    const shop = new URL(shops.url).hostname;
    // Each product page is the funnel's first step (a product recognised), filed under the page's host.
    await expect.poll(signals, { timeout: 10_000 }).toEqual([`recognised ${shop}`, `recognised ${shop}`]);
    // A product page is neither a checkout nor an order; the checkout and the order confirmation are.
    await visit('no-product');
    await visit('checkout');
    await visit('order-confirmation');
    await visit('order-confirmation'); // reloaded: the same order
    const purchaseSignals = async () => (await signals()).filter((signal) => !signal.startsWith('recognised '));
    await expect.poll(purchaseSignals, { timeout: 10_000 }).toEqual([`checkout ${shop}`, `orderPlaced ${shop}`]);
    const recognised = (await signals()).filter((signal) => signal.startsWith('recognised ')).length;

    // Right after the order the kettle is removed (bought, inferred); the mug is marked bought with its ✓.
    const rows = popup.getByTestId('item');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    const kettle = String(await rows.nth(0).getByTestId('item-title').textContent());
    const mug = String(await rows.nth(1).getByTestId('item-title').textContent());
    await popup.getByRole('button', { name: `Remove ${kettle}` }).click();
    await popup.getByRole('button', { name: `Mark bought: ${mug}` }).click();
    await expect.poll(() => rows.count()).toBe(0);

    // With consent, today's figures reach the server: the checkout and two purchases, nothing twice.
    await popup.getByTestId('analytics-consent').check();
    await expect.poll(async () => (await summary()).counts.bought, { timeout: 15_000 }).toBe(2);
    const got = await summary();
    expect(got.counts).toMatchObject({ added: 2, checkout: 1, bought: 2, removed: 0 });
    expect(got.funnel.map((step) => step.count)).toEqual([recognised, 2, 1, 2]);
    expect(recognised).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
