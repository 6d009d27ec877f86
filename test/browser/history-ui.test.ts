/**
 * The desktop's history, in real Chromium against the real gateway over TLS (docs/history.md,
 * "Timeline"): the timeline names who changed what, "Restore to this point" brings that cart back on
 * every device, and "Undo restore" gives back the cart from before. The other device is a Node device
 * of the same account.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems } from '@tote/core';
import { launchDesktopWindow, trustCertificate } from '../support/chromium.ts';
import { startDevice, waitForState, type Device } from '../support/devices.ts';
import { startNetworkSwitch, type NetworkSwitch } from '../support/network-switch.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHOPPER = { name: 'hal@example.com', password: 'hal long password' };

let server: TestServer;
let desktopHost: StaticServer;
let desktopNetwork: NetworkSwitch;
let profile: string;
let browser: BrowserContext;
let desktop: Page;
let phone: Device | undefined;

beforeAll(async () => {
  desktopHost = await serveFolder(path.join(root, 'desktop/dist'));
  server = await startTestServer({ origins: [desktopHost.url] });
  desktopNetwork = await startNetworkSwitch(server.account.serverUrl);
  profile = await mkdtemp(path.join(tmpdir(), 'tote-history-ui-'));
  const trust = trustCertificate(server.running.gateway.spkiSha256);
  browser = await launchDesktopWindow(profile, trust);
});

afterAll(async () => {
  await phone?.close();
  await browser?.close();
  await desktopNetwork?.close();
  await server?.dispose();
  await desktopHost?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

const quantityOf = (title: string) => desktop.getByTestId('item').filter({ hasText: title }).getByTestId('item-quantity');
const phoneQuantity = (title: string) => (state: Parameters<typeof selectItems>[0]) => selectItems(state).find((item) => item.title === title)?.quantity;

describe('history in the desktop app', () => {
  it('shows who changed what, restores a point on every device, and undoes the restore', async () => {
    desktop = await browser.newPage();
    await desktop.goto(`${desktopHost.url}/index.html`);
    await desktop.getByTestId('account-server').fill(desktopNetwork.url);
    await desktop.getByTestId('account-name').fill(SHOPPER.name);
    await desktop.getByTestId('account-password').fill(SHOPPER.password);
    await desktop.getByTestId('account-signup').click();
    await desktop.getByTestId('recovery-key-done').click({ timeout: 15_000 });

    phone = await startDevice('phone', { ...server.account, username: SHOPPER.name, password: SHOPPER.password });
    for (const title of ['Desk lamp', 'Teapot']) {
      await phone.client.store.dispatch(cartCommands.add({
        url: `https://shop.example/p/${title.replace(' ', '-').toLowerCase()}`, title, priceMinor: 3900, currency: 'EUR', imageUrl: null, variant: null,
      }));
      await new Promise((resolve) => setTimeout(resolve, 20)); // two separate moments
    }
    await expect.poll(() => quantityOf('Teapot').count(), { timeout: 10_000 }).toBe(1);
    await quantityOf('Desk lamp').fill('3');
    await quantityOf('Desk lamp').press('Enter');
    await waitForState(phone, (state) => phoneQuantity('Desk lamp')(state) === 3);

    await desktop.getByTestId('open-history').click();
    const points = desktop.getByTestId('history-point');
    await expect.poll(() => points.count(), { timeout: 10_000 }).toBe(3);
    const texts = await points.allTextContents();
    expect(texts[0]).toContain('This device');
    expect(texts[0]).toContain('Desk lamp: quantity 1 → 3');
    expect(texts[1]).toContain('phone');
    expect(texts[1]).toContain('Teapot: added');
    expect(await desktop.getByTestId('history-usage').textContent()).toMatch(/History takes [\d.]+ (bytes|KB): 3 changes since/);

    // Back to just after the teapot was added: the lamp's quantity goes back to 1, here and on the phone.
    await points.nth(1).getByTestId('history-restore').click();
    await desktop.getByTestId('history-restored').waitFor({ timeout: 10_000 });
    // The undo is offered usable as soon as the restore is told, not once the timeline is read again.
    expect(await desktop.getByTestId('history-undo').isEnabled()).toBe(true);
    expect(await desktop.getByTestId('history-restored').textContent()).toContain('1 item set back');
    await expect.poll(() => quantityOf('Desk lamp').inputValue()).toBe('1');
    await waitForState(phone, (state) => phoneQuantity('Desk lamp')(state) === 1);
    await expect.poll(() => points.first().textContent()).toContain('Restored the cart to');

    await desktop.getByTestId('history-undo').click();
    await expect.poll(() => quantityOf('Desk lamp').inputValue()).toBe('3');
    await waitForState(phone, (state) => phoneQuantity('Desk lamp')(state) === 3);
    await expect.poll(() => desktop.getByTestId('history-restored').count()).toBe(0);

    // A moment older than 30 days is refused with a sentence, and nothing changes.
    const longAgo = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    const local = new Date(longAgo.getTime() - longAgo.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await desktop.getByTestId('history-time').fill(local);
    await desktop.getByTestId('history-restore-time').click();
    expect(await desktop.getByTestId('history-problem').textContent()).toContain('Tote keeps 30 days of history');
    expect(await quantityOf('Desk lamp').inputValue()).toBe('3');
  });

  it('empties a list on every device, and "Undo" brings exactly those items back', async () => {
    const cartList = desktop.locator('[data-testid="list"][data-list-id="cart"]');
    await cartList.getByTestId('list-empty').click();
    await expect.poll(() => cartList.getByTestId('item').count()).toBe(0);
    expect(await desktop.getByTestId('emptied').textContent()).toContain('Emptied Cart: 2 items removed on every device.');
    await waitForState(phone!, (state) => selectItems(state).length === 0);

    // The phone adds a mug meanwhile: the undo brings back the lamp and the teapot, and keeps the mug.
    await phone!.client.store.dispatch(cartCommands.add({ url: 'https://shop.example/p/mug', title: 'Mug', priceMinor: 900, currency: 'EUR', imageUrl: null, variant: null }));
    await expect.poll(() => cartList.getByTestId('item').count(), { timeout: 10_000 }).toBe(1);
    await desktop.getByTestId('emptied-undo').click();
    await expect.poll(() => cartList.getByTestId('item-title').allTextContents()).toEqual(expect.arrayContaining(['Desk lamp', 'Teapot', 'Mug']));
    expect(await quantityOf('Desk lamp').inputValue()).toBe('3');
    // The message goes once the undo is stored (the items show at once, before their write).
    await expect.poll(() => desktop.getByTestId('emptied').count()).toBe(0);
    await waitForState(phone!, (state) => selectItems(state).length === 3 && phoneQuantity('Desk lamp')(state) === 3);
    await expect.poll(() => desktop.getByTestId('history-point').first().textContent()).toContain('brought back');
  });
});
