/**
 * "Forgot password? Use your recovery key" in both apps, in real Chromium against the real gateway over
 * TLS (docs/encryption.md, "Recovery"): the desktop creates an account and shows its recovery key once;
 * the extension, which never knew the password, uses that key to set a new one and unlock the cart; a
 * typo in the key is refused before anything is sent; the desktop, signed out by the recovery, signs in
 * with the new password, and both read what the other adds (the same key, sealed on the server). The
 * desktop's locked form offers the recovery too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, type CartCommand } from '@tote/core';
import { extensionId, launchDesktopWindow, launchWithExtension, trustCertificate } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

/** The extension pages' `chrome` global, as far as this test uses it. */
declare const chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NAME = 'rita@example.com';

let server: TestServer;
let desktopHost: StaticServer;
let profiles: string[] = [];
let extension: BrowserContext;
let desktopBrowser: BrowserContext;
let popupUrl: string;
let desktop: Page;
let popup: Page;
let recoveryKey: string;

beforeAll(async () => {
  desktopHost = await serveFolder(path.join(root, 'desktop/dist'));
  server = await startTestServer({ origins: [desktopHost.url] });
  profiles = [await mkdtemp(path.join(tmpdir(), 'tote-ext-')), await mkdtemp(path.join(tmpdir(), 'tote-desk-'))];
  const trust = trustCertificate(server.running.gateway.spkiSha256);
  extension = await launchWithExtension(profiles[0]!, path.join(root, 'extension/.output/chrome-mv3'), trust);
  popupUrl = `chrome-extension://${await extensionId(extension)}/popup.html`;
  desktopBrowser = await launchDesktopWindow(profiles[1]!, trust);
});

afterAll(async () => {
  await extension?.close();
  await desktopBrowser?.close();
  await desktopHost?.close();
  await server?.dispose();
  for (const dir of profiles) await rm(dir, { recursive: true, force: true });
});

async function fill(page: Page, fields: Record<string, string>) {
  for (const [testId, value] of Object.entries(fields)) await page.getByTestId(testId).fill(value);
}

const product = (title: string): CartCommand => cartCommands.add({ url: `https://shop.example/p/${encodeURIComponent(title)}`, title, priceMinor: 1200, currency: 'EUR', imageUrl: null, variant: null });
const titlesOn = async (page: Page) => (await page.getByTestId('item-title').allTextContents()).join(' | ');

describe('recovery in the apps', () => {
  it('the desktop creates an account and shows its recovery key once', async () => {
    desktop = await desktopBrowser.newPage();
    await desktop.goto(`${desktopHost.url}/index.html`);
    await fill(desktop, { 'account-server': server.account.serverUrl, 'account-name': NAME, 'account-password': 'rita first password' });
    await desktop.getByTestId('account-signup').click();
    await desktop.getByTestId('recovery-key').waitFor({ timeout: 15_000 });
    recoveryKey = (await desktop.getByTestId('recovery-key').textContent())!.trim();
    await desktop.getByTestId('recovery-key-done').click();
    await expect.poll(() => desktop.getByTestId('sync-status').textContent(), { timeout: 10_000 }).toContain('In sync');
  });

  it('the extension sets a new password with the recovery key (a typo is refused first) and syncs', async () => {
    popup = await extension.newPage();
    await popup.goto(popupUrl);
    await popup.getByTestId('recover-open').click();
    // One character changed: a typo, said before anything reaches the server.
    const typo = recoveryKey.slice(0, 5) + (recoveryKey[5] === 'A' ? 'B' : 'A') + recoveryKey.slice(6);
    await fill(popup, { 'recover-server': server.account.serverUrl, 'recover-name': NAME, 'recover-key': typo, 'recover-password': 'rita second password' });
    await popup.getByTestId('recover-submit').click();
    await expect.poll(() => popup.getByTestId('account-message').textContent(), { timeout: 10_000 }).toContain('has a typo');
    expect(await popup.getByTestId('account-status').textContent()).toContain('Not signed in');

    await fill(popup, { 'recover-key': recoveryKey.toLowerCase() });
    await popup.getByTestId('recover-submit').click();
    await expect.poll(() => popup.getByTestId('account-message').textContent(), { timeout: 20_000 }).toContain('New password set and your cart is unlocked');
    await expect.poll(() => popup.getByTestId('account-status').textContent()).toContain(`Signed in as ${NAME}`);
    await expect.poll(() => popup.getByTestId('sync-status').textContent(), { timeout: 10_000 }).toContain('In sync');
    expect(await popup.getByTestId('recover-form').count()).toBe(0);
  });

  it('the desktop, signed out by the recovery, signs in with the new password; both read what the other adds', async () => {
    await expect.poll(() => desktop.getByTestId('account-status').textContent(), { timeout: 15_000 }).toContain('Signed out');
    await fill(desktop, { 'account-password': 'rita first password' });
    await desktop.getByTestId('account-signin').click();
    await expect.poll(() => desktop.getByTestId('account-message').textContent(), { timeout: 10_000 }).toMatch(/password/i);
    expect(await desktop.getByTestId('account-status').textContent()).toContain('Signed out');
    await fill(desktop, { 'account-password': 'rita second password' });
    await desktop.getByTestId('account-signin').click();
    await expect.poll(() => desktop.getByTestId('account-status').textContent(), { timeout: 15_000 }).toContain(`Signed in as ${NAME}`);

    const answer = await popup.evaluate((sent) => chrome.runtime.sendMessage({ type: 'cart/dispatch', command: sent }), product('Recovered teapot 8841') as unknown as Record<string, unknown>);
    expect(answer).toMatchObject({ ok: true });
    await expect.poll(() => titlesOn(desktop), { timeout: 10_000 }).toContain('Recovered teapot 8841');
  });

  it('the desktop\'s locked form offers the recovery too', async () => {
    await desktop.reload(); // no key store in this bridge: locked
    await desktop.getByTestId('unlock-form').waitFor({ timeout: 15_000 });
    await desktop.getByTestId('recover-open').click();
    expect(await desktop.getByTestId('unlock-form').count()).toBe(0);
    await fill(desktop, { 'recover-key': recoveryKey, 'recover-password': 'rita third password' });
    await desktop.getByTestId('recover-submit').click();
    await expect.poll(() => desktop.getByTestId('account-message').textContent(), { timeout: 20_000 }).toContain('New password set and your cart is unlocked');
    await expect.poll(() => desktop.getByTestId('sync-status').textContent(), { timeout: 10_000 }).toContain('In sync');
    expect(await titlesOn(desktop)).toContain('Recovered teapot 8841');
    // The extension was signed out by it, and keeps its cart.
    await expect.poll(() => popup.getByTestId('account-status').textContent(), { timeout: 15_000 }).toContain('Signed out');
    expect(await titlesOn(popup)).toContain('Recovered teapot 8841');
  });
});
