/**
 * The shopper's analytics choice in the extension's popup (docs/analytics.md, "In the extension"), in
 * real Chromium with the built extension, signed in to the real sync server: while the choice is off,
 * nothing reaches the server's analytics, even when the browser restarts and the cart reports on
 * opening; once the shopper ticks it in the popup, the day's adds from shop pages reach the server
 * counted under the source 'page', and an add made later is sent on the next opening. The choice is
 * kept across a browser restart, and unticking it says that nothing more is sent.
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

/** The worker's alarms API, as far as the test reads it. */
declare const chrome: { alarms: { get(name: string): Promise<{ periodInMinutes?: number } | undefined> } };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const extensionDir = path.join(root, 'extension/.output/chrome-mv3');

let server: TestServer;
let shops: StaticServer;
let profile: string;
let trust: string[];
let browser: BrowserContext | undefined;
let popupUrl: string;
let admin: GatewayClient;
let adminToken: string;

beforeAll(async () => {
  shops = await serveFolder(path.join(root, 'test/fixtures/shop'));
  server = await startTestServer();
  profile = await mkdtemp(path.join(tmpdir(), 'tote-ext-analytics-'));
  trust = trustCertificate(server.running.gateway.spkiSha256);
  admin = gatewayClient(server.account.serverUrl, server.account.cert);
  adminToken = ((await admin.logIn(server.running.admin.name, server.running.admin.password, 'admin console')).body as { token: string }).token;
});

afterAll(async () => {
  await browser?.close();
  await admin?.close();
  await server?.dispose();
  await shops?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

async function startBrowser(): Promise<void> {
  await browser?.close();
  browser = await launchWithExtension(profile, extensionDir, trust);
  popupUrl = `chrome-extension://${await extensionId(browser)}/popup.html`;
}

async function openPopup(): Promise<Page> {
  const page = await browser!.newPage();
  await page.goto(popupUrl);
  return page;
}

/** Adds the product of a shop page with the page's own "Add to Tote" button. */
async function addFromShopPage(name: string): Promise<void> {
  const page = await browser!.newPage();
  await page.goto(`${shops.url}/${name}.html`);
  const button = page.locator('tote-capture button');
  await button.waitFor({ timeout: 10_000 });
  await button.click();
  await expect.poll(() => page.locator('tote-capture [data-testid=capture-status]').textContent(), { timeout: 10_000 }).toContain('Added');
  await page.close();
}

/** After a restart the cart is locked until its password opens it; opening it reports what is due. */
async function restartAndUnlock(): Promise<Page> {
  await startBrowser();
  const popup = await openPopup();
  await popup.getByTestId('device-unlock-password').fill(server.account.password, { timeout: 15_000 });
  await popup.getByTestId('device-unlock-submit').click();
  await expect.poll(() => popup.getByTestId('sync-status').textContent(), { timeout: 20_000 }).toContain('In sync');
  return popup;
}

const today = () => new Date().toISOString().slice(0, 10);
interface Summary { counts: { added: number }; addsBySource: Record<string, number>; active: { devices: number } }
async function summary(): Promise<Summary> {
  const answer = await admin.request<Summary>('GET', `/_tote/admin/analytics?from=${today()}&to=${today()}`, { token: adminToken });
  expect(answer.status).toBe(200);
  return answer.body;
}

describe('the analytics choice in the extension', () => {
  it('sends nothing until the shopper ticks it in the popup; then adds from shop pages are counted as \'page\'', async () => {
    await startBrowser();
    let popup = await openPopup();
    await popup.getByTestId('account-server').fill(server.account.serverUrl);
    await popup.getByTestId('account-name').fill(server.account.username);
    await popup.getByTestId('account-password').fill(server.account.password);
    await popup.getByTestId('account-signin').click();
    await expect.poll(() => popup.getByTestId('sync-status').textContent(), { timeout: 20_000 }).toContain('In sync');
    const consent = popup.getByTestId('analytics-consent');
    expect(await consent.isChecked()).toBe(false);
    await popup.close();

    // The six-hour timer that sends what is due.
    const alarm = await (await extensionWorker(browser!)).evaluate(() => chrome.alarms.get('tote-analytics'));
    expect(alarm?.periodInMinutes).toBe(360);

    // Consent off: an add from a shop page, a restart whose opening reports what is due: nothing reaches the server.
    await addFromShopPage('kettle');
    popup = await restartAndUnlock();
    await popup.waitForTimeout(2_000);
    expect(await summary()).toMatchObject({ counts: { added: 0 }, active: { devices: 0 } });
    expect(await popup.getByTestId('analytics-consent').isChecked()).toBe(false);

    // Ticked in the popup: the day's add reaches the server at once, under the source 'page'.
    await popup.getByTestId('analytics-consent').check();
    await expect.poll(() => popup.getByTestId('analytics-message').textContent()).toContain('never what you shop for');
    await expect.poll(async () => (await summary()).addsBySource.page, { timeout: 15_000 }).toBe(1);
    expect(await summary()).toMatchObject({ counts: { added: 1 }, active: { devices: 1 } });
    await popup.close();

    // An add after consent is sent the next time the cart opens; the choice is still ticked.
    await addFromShopPage('mug');
    popup = await restartAndUnlock();
    await expect.poll(async () => (await summary()).addsBySource.page, { timeout: 15_000 }).toBe(2);
    expect((await summary()).counts.added).toBe(2);
    expect(await popup.getByTestId('analytics-consent').isChecked()).toBe(true);

    await popup.getByTestId('analytics-consent').uncheck();
    await expect.poll(() => popup.getByTestId('analytics-message').textContent()).toContain('Nothing more is sent');
  }, 180_000);
});
