/**
 * The account flows as a shopper sees them, in real Chromium against the real gateway over TLS: a
 * guest cart in the extension merged on sign-up with a notice, the desktop's device list, session
 * timeout and password settings, and the idle warning with "Stay signed in".
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extensionId, launchDesktopWindow, launchWithExtension, trustCertificate } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let offset = 0;
let server: TestServer;
let shops: StaticServer;
let desktopHost: StaticServer;
let profiles: string[] = [];
let extension: BrowserContext;
let desktopBrowser: BrowserContext;
let popupUrl: string;

beforeAll(async () => {
  shops = await serveFolder(path.join(root, 'test/fixtures/shop'));
  desktopHost = await serveFolder(path.join(root, 'desktop/dist'));
  server = await startTestServer({ origins: [desktopHost.url], tuning: { now: () => Date.now() + offset, live: { warnBeforeMs: 2 * 60_000, checkEveryMs: 200 } } });
  profiles = [await mkdtemp(path.join(tmpdir(), 'tote-ext-')), await mkdtemp(path.join(tmpdir(), 'tote-desk-'))];
  const trust = trustCertificate(server.running.gateway.spkiSha256);
  extension = await launchWithExtension(profiles[0]!, path.join(root, 'extension/.output/chrome-mv3'), trust);
  popupUrl = `chrome-extension://${await extensionId(extension)}/popup.html`;
  desktopBrowser = await launchDesktopWindow(profiles[1]!, trust);
});

afterAll(async () => {
  await extension?.close();
  await desktopBrowser?.close();
  await shops?.close();
  await desktopHost?.close();
  await server?.dispose();
  for (const dir of profiles) await rm(dir, { recursive: true, force: true });
});

async function fill(page: Page, fields: Record<string, string>) {
  for (const [testId, value] of Object.entries(fields)) await page.getByTestId(testId).fill(value);
}

describe('accounts in the apps', () => {
  let desktop: Page;

  it('the desktop creates an account and shows the shopper signed in and in sync', async () => {
    desktop = await desktopBrowser.newPage();
    await desktop.goto(`${desktopHost.url}/index.html`);
    await expect.poll(() => desktop.getByTestId('account-status').textContent()).toContain('Not signed in');
    await fill(desktop, { 'account-server': server.account.serverUrl, 'account-name': 'judy@example.com', 'account-password': 'short' });
    await desktop.getByTestId('account-signup').click();
    await expect.poll(() => desktop.getByTestId('account-message').textContent()).toContain('at least 8 characters');
    await fill(desktop, { 'account-password': 'judy password' });
    await desktop.getByTestId('account-signup').click();
    await expect.poll(() => desktop.getByTestId('account-status').textContent(), { timeout: 10_000 }).toContain('Signed in as judy@example.com');
    await expect.poll(() => desktop.getByTestId('sync-status').textContent(), { timeout: 10_000 }).toContain('In sync');
  });

  it('a guest cart in the extension merges into the account on sign-in, with a notice', async () => {
    const popup = await extension.newPage();
    await popup.goto(popupUrl);
    await fill(popup, { 'account-server': server.account.serverUrl });
    await popup.getByTestId('account-guest').click();
    await expect.poll(() => popup.getByTestId('account-status').textContent(), { timeout: 10_000 }).toContain('Guest cart');

    const page = await extension.newPage();
    await page.goto(`${shops.url}/kettle.html`);
    await page.locator('tote-capture button').click();
    await expect.poll(() => page.locator('tote-capture [data-testid=capture-status]').textContent()).toContain('Added');
    await page.close();
    await expect.poll(() => popup.getByTestId('sync-status').textContent(), { timeout: 10_000 }).toContain('In sync');

    await fill(popup, { 'account-name': 'judy@example.com', 'account-password': 'judy password' });
    await popup.getByTestId('account-signin').click();
    await expect.poll(() => popup.getByTestId('account-notice').textContent(), { timeout: 10_000 }).toContain('1 item from this device added to your cart');
    await expect.poll(() => popup.getByTestId('account-status').textContent()).toContain('Signed in as judy@example.com');
    await desktop.getByTestId('item-title').filter({ hasText: 'Red Kettle 1.7 l' }).waitFor({ timeout: 5_000 });
    await expect.poll(() => desktop.getByTestId('account-status').textContent(), { timeout: 5_000 }).toContain('Chrome extension online');
    await popup.close();
  });

  it('the desktop lists signed-in devices, refuses a timeout outside 15 to 120 minutes and saves one inside', async () => {
    await desktop.getByTestId('open-settings').click();
    await expect.poll(async () => (await desktop.getByTestId('device-session').allTextContents()).join(' | '))
      .toMatch(/Test desktop\s*\(this computer\).*\|.*Chrome extension/);
    await desktop.getByTestId('session-timeout').fill('10');
    await desktop.getByTestId('session-timeout-save').click();
    await expect.poll(() => desktop.getByTestId('account-settings-message').textContent()).toContain('from 15 to 120');
    await desktop.getByTestId('session-timeout').fill('45');
    await desktop.getByTestId('session-timeout-save').click();
    await expect.poll(() => desktop.getByTestId('account-settings-message').textContent()).toContain('after 45 minutes');
    await fill(desktop, { 'password-old': 'not it at all', 'password-new': 'judy new password' });
    await desktop.getByTestId('password-save').click();
    await expect.poll(() => desktop.getByTestId('account-settings-message').textContent()).toContain('current password is incorrect');
    await desktop.getByTestId('open-settings').click();
  });

  it('warns before an idle session ends; "Stay signed in" keeps it', async () => {
    offset += 44 * 60_000; // 45-minute timeout: one minute left on the server's clock
    await desktop.getByTestId('session-warning').waitFor({ timeout: 5_000 });
    expect(await desktop.getByTestId('session-warning').textContent()).toMatch(/signed out in about 1 minute/);
    await desktop.getByTestId('stay-signed-in').click();
    await expect.poll(() => desktop.getByTestId('session-warning').count()).toBe(0);
    expect(await desktop.getByTestId('account-status').textContent()).toContain('Signed in as judy@example.com');
  });
});
