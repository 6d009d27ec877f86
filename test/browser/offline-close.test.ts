/**
 * Offline changes survive closing the app (docs/sync.md, docs/history.md): the desktop, in real
 * Chromium on its own profile, goes offline, the shopper makes several changes, the app is closed and
 * opened again still offline, and when the network is back every change goes out, in the order it was
 * made: the other device (a Node device of the same account) ends with the last value, and its history
 * holds each change in order.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, compareHlc } from '@tote/core';
import { launchDesktopWindow, trustCertificate } from '../support/chromium.ts';
import { startDevice, waitForState, type Device } from '../support/devices.ts';
import { startNetworkSwitch, type NetworkSwitch } from '../support/network-switch.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHOPPER = { name: 'olga@example.com', password: 'olga long password' };

let server: TestServer;
let desktopHost: StaticServer;
let network: NetworkSwitch;
let profile: string;
let trust: string[];
let browser: BrowserContext;
let desktop: Page;
let phone: Device | undefined;

/** The desktop main process's key store: it outlives the window, so the cart stays unlocked when the app is opened again. */
const keys = new Map<string, string>();

async function openDesktop(): Promise<Page> {
  browser = await launchDesktopWindow(profile, trust, { keys });
  const page = await browser.newPage();
  await page.goto(`${desktopHost.url}/index.html`);
  return page;
}

beforeAll(async () => {
  desktopHost = await serveFolder(path.join(root, 'desktop/dist'));
  server = await startTestServer({ origins: [desktopHost.url] });
  network = await startNetworkSwitch(server.account.serverUrl);
  profile = await mkdtemp(path.join(tmpdir(), 'tote-offline-close-'));
  trust = trustCertificate(server.running.gateway.spkiSha256);
});

afterAll(async () => {
  await phone?.close();
  await browser?.close();
  await network?.close();
  await server?.dispose();
  await desktopHost?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

const quantity = () => desktop.getByTestId('item').filter({ hasText: 'Teapot' }).getByTestId('item-quantity');

describe('offline changes and a closed app', () => {
  it('changes made offline survive closing the app and go out in order when the network is back', async () => {
    desktop = await openDesktop();
    await desktop.getByTestId('account-server').fill(network.url);
    await desktop.getByTestId('account-name').fill(SHOPPER.name);
    await desktop.getByTestId('account-password').fill(SHOPPER.password);
    await desktop.getByTestId('account-signup').click();
    await desktop.getByTestId('recovery-key-done').click({ timeout: 15_000 });

    phone = await startDevice('phone', { ...server.account, username: SHOPPER.name, password: SHOPPER.password });
    const { written } = await phone.client.store.dispatch(cartCommands.add({
      url: 'https://shop.example/p/teapot', title: 'Teapot', priceMinor: 2500, currency: 'EUR', imageUrl: null, variant: null,
    }));
    const id = written[0]!.id;
    await expect.poll(() => quantity().count(), { timeout: 10_000 }).toBe(1);

    network.goOffline();
    await desktop.evaluate(() => window.dispatchEvent(new Event('offline')));
    await expect.poll(() => desktop.getByTestId('sync-status').textContent(), { timeout: 10_000 }).toContain('Offline');
    for (const value of ['2', '3', '4']) {
      await quantity().fill(value);
      await quantity().press('Enter');
      await expect.poll(() => quantity().inputValue()).toBe(value);
      await desktop.waitForTimeout(30); // separate moments, as a shopper makes them
    }

    // The app is closed while offline and opened again, still offline: the changes are all there, and
    // the cart is still unlocked (its key is in the key store).
    await browser.close();
    desktop = await openDesktop();
    await expect.poll(() => quantity().inputValue(), { timeout: 10_000 }).toBe('4');
    expect(await desktop.getByTestId('unlock-form').count()).toBe(0);
    expect(phone.client.store.getState().items[id]?.quantity).toBe(1);

    network.goOnline();
    await desktop.evaluate(() => window.dispatchEvent(new Event('online')));
    await waitForState(phone, (state) => state.items[id]?.quantity === 4, 20_000);
    await expect.poll(() => desktop.getByTestId('sync-status').textContent(), { timeout: 15_000 }).toContain('In sync');

    // Every change arrived, in the order it was made: the desktop's history, synced to the phone.
    await expect.poll(async () => {
      const { entries } = await phone!.client.history.read();
      return entries.filter((entry) => entry.itemId === id && entry.changes.quantity !== undefined)
        .sort((a, b) => compareHlc(a.stamp, b.stamp)).map((entry) => entry.changes.quantity);
    }, { timeout: 15_000 }).toEqual([1, 2, 3, 4]);
  });
});
