/**
 * The shopper's analytics choice in the desktop window (docs/analytics.md, rules 8 and 11), in real
 * Chromium on the desktop renderer's build: off until given, kept on this computer across a restart of
 * the window, and taken back. Signed in to the real sync server, the figures of the day reach it only
 * once the choice is given (a quantity changed in the window counts for this computer).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, syncTargetOf } from '@tote/core';
import { launchDesktopWindow, trustCertificate } from '../support/chromium.ts';
import { startDevice, waitForPhase } from '../support/devices.ts';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let server: TestServer;
let desktopHost: StaticServer;
let profile: string;
let trust: string[];
let browser: BrowserContext | undefined;
let admin: GatewayClient;
let adminToken: string;

beforeAll(async () => {
  desktopHost = await serveFolder(path.join(root, 'desktop/dist'));
  server = await startTestServer({ origins: [desktopHost.url] });
  profile = await mkdtemp(path.join(tmpdir(), 'tote-analytics-ui-'));
  trust = trustCertificate(server.running.gateway.spkiSha256);
  admin = gatewayClient(server.account.serverUrl, server.account.cert);
  adminToken = ((await admin.logIn(server.running.admin.name, server.running.admin.password, 'admin console')).body as { token: string }).token;
});

afterAll(async () => {
  await browser?.close();
  await admin?.close();
  await server?.dispose();
  await desktopHost?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

async function openDesktop(): Promise<Page> {
  await browser?.close();
  browser = await launchDesktopWindow(profile, trust);
  const page = await browser.newPage();
  await page.goto(`${desktopHost.url}/index.html`);
  return page;
}

const today = () => new Date().toISOString().slice(0, 10);
async function changedToday(): Promise<number> {
  const answer = await admin.request<{ counts: { quantityChanged: number } }>('GET', `/_tote/admin/analytics?from=${today()}&to=${today()}`, { token: adminToken });
  expect(answer.status).toBe(200);
  return answer.body.counts.quantityChanged;
}

describe('the analytics choice on the desktop', () => {
  it('is off until the shopper turns it on; kept across a restart; turning it off stops sending', async () => {
    // The shopper's phone adds an item; the desktop signs in and changes its quantity.
    const phone = await startDevice('phone', server.account);
    await phone.client.configureSync(syncTargetOf(phone.saved.session!), { keyring: phone.account.keyring() });
    await waitForPhase(phone, 'in-sync');
    await phone.client.store.dispatch(cartCommands.add({ url: 'https://shop.example/p/cedar-pencil-case', title: 'Cedar pencil case 5521', priceMinor: 900, currency: 'EUR', imageUrl: null, variant: null }));
    await phone.client.sync!.awaitInSync();
    await phone.close();

    let page = await openDesktop();
    for (const [testId, value] of Object.entries({ 'account-server': server.account.serverUrl, 'account-name': server.account.username, 'account-password': server.account.password })) {
      await page.getByTestId(testId).fill(value);
    }
    await page.getByTestId('account-signin').click();
    await page.getByTestId('item-title').filter({ hasText: 'Cedar pencil case 5521' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('item-increase').click();
    await expect.poll(() => page.getByTestId('item-quantity').inputValue()).toBe('2');

    // Nothing reaches the server without consent.
    await page.getByTestId('open-settings').click();
    const consent = page.getByTestId('analytics-consent');
    expect(await consent.isChecked()).toBe(false);
    expect(await changedToday()).toBe(0);

    await consent.check();
    await expect.poll(() => page.getByTestId('analytics-message').textContent()).toContain('never what you shop for');
    await expect.poll(changedToday, { timeout: 15_000 }).toBe(1);

    page = await openDesktop();
    await page.getByTestId('open-settings').click();
    await expect.poll(() => page.getByTestId('analytics-consent').isChecked(), { timeout: 15_000 }).toBe(true);
    await page.getByTestId('analytics-consent').uncheck();
    await expect.poll(() => page.getByTestId('analytics-message').textContent()).toContain('Nothing more is sent');
    const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('tote.analytics') ?? 'null') as { consentSince: string | null });
    expect(kept.consentSince).toBeNull();
  });
});
