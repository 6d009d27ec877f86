/**
 * What the apps show the shopper after sign-up and after a merge, in real Chromium against the real
 * gateway over TLS: the recovery key shown once (docs/encryption.md, "Recovery key"), and conflict
 * notices with "Use … instead" and "Dismiss" (docs/merge.md, "Rules") in the desktop and the
 * extension popup. Each app reaches the server through its own network switch so the test can take it
 * offline; the other device is a Node device of the same account.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands } from '@tote/core';
import { extensionId, launchDesktopWindow, launchWithExtension, trustCertificate } from '../support/chromium.ts';
import { startDevice, waitForState, type Device } from '../support/devices.ts';
import { startNetworkSwitch, type NetworkSwitch } from '../support/network-switch.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHOPPER = { name: 'ann@example.com', password: 'ann long password' };
/** 14 groups of 4 characters of Crockford's base32 (core/src/crypto/recovery-key.ts). */
const RECOVERY_KEY_FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){13}$/;

let server: TestServer;
let desktopHost: StaticServer;
let desktopNetwork: NetworkSwitch;
let extensionNetwork: NetworkSwitch;
let profiles: string[] = [];
let desktopBrowser: BrowserContext;
let extension: BrowserContext;
let popupUrl: string;
let desktop: Page;
let phone: Device | undefined;

beforeAll(async () => {
  desktopHost = await serveFolder(path.join(root, 'desktop/dist'));
  server = await startTestServer({ origins: [desktopHost.url] });
  desktopNetwork = await startNetworkSwitch(server.account.serverUrl);
  extensionNetwork = await startNetworkSwitch(server.account.serverUrl);
  profiles = [await mkdtemp(path.join(tmpdir(), 'tote-desk-')), await mkdtemp(path.join(tmpdir(), 'tote-ext-'))];
  const trust = trustCertificate(server.running.gateway.spkiSha256);
  desktopBrowser = await launchDesktopWindow(profiles[0]!, trust);
  extension = await launchWithExtension(profiles[1]!, path.join(root, 'extension/.output/chrome-mv3'), trust);
  popupUrl = `chrome-extension://${await extensionId(extension)}/popup.html`;
});

afterAll(async () => {
  await phone?.close();
  await desktopBrowser?.close();
  await extension?.close();
  await desktopNetwork?.close();
  await extensionNetwork?.close();
  await desktopHost?.close();
  await server?.dispose();
  for (const dir of profiles) await rm(dir, { recursive: true, force: true });
});

const quantityOf = (title: string) => desktop.getByTestId('item').filter({ hasText: title }).getByTestId('item-quantity');

describe('notices in the desktop app', () => {
  it('shows the recovery key once after sign-up, stores it nowhere, and hides it once written down', async () => {
    desktop = await desktopBrowser.newPage();
    await desktop.goto(`${desktopHost.url}/index.html`);
    await desktop.getByTestId('account-server').fill(desktopNetwork.url);
    await desktop.getByTestId('account-name').fill(SHOPPER.name);
    await desktop.getByTestId('account-password').fill(SHOPPER.password);
    await desktop.getByTestId('account-signup').click();

    const panel = desktop.getByTestId('recovery-key-panel');
    await panel.waitFor({ timeout: 15_000 });
    expect(await panel.textContent()).toContain('this key is the only way to read your cart');
    const key = (await desktop.getByTestId('recovery-key').textContent())?.trim() ?? '';
    expect(key).toMatch(RECOVERY_KEY_FORMAT);
    const stored = await desktop.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(stored).toContain(SHOPPER.name); // the session is stored...
    expect(stored).not.toContain(key.slice(0, 9)); // ...the recovery key is not

    await desktop.getByTestId('recovery-key-done').click();
    await expect.poll(() => panel.count()).toBe(0);
    expect(await desktop.getByTestId('account-status').textContent()).toContain(`Signed in as ${SHOPPER.name}`);
  });

  it('a quantity changed on two devices shows a notice on the device that merged; "Use 4 instead" brings the other value back everywhere', async () => {
    phone = await startDevice('phone', { ...server.account, username: SHOPPER.name, password: SHOPPER.password });
    const { written } = await phone.client.store.dispatch(cartCommands.add({
      url: 'https://shop.example/p/lamp', title: 'Desk lamp', priceMinor: 3900, currency: 'EUR', imageUrl: null, variant: null,
    }));
    const id = written[0]!.id;
    await expect.poll(() => quantityOf('Desk lamp').count(), { timeout: 10_000 }).toBe(1);

    // The desktop goes offline; the phone sets 4 and syncs; the desktop sets 6 a moment later, then reconnects
    // and is the one that merges: the later change (6) is kept and the desktop shows the notice.
    desktopNetwork.goOffline();
    await expect.poll(() => desktop.getByTestId('sync-status').textContent(), { timeout: 10_000 }).toContain('Offline');
    await phone.client.store.dispatch(cartCommands.setQuantity(id, 4));
    await phone.client.sync?.awaitInSync();
    await quantityOf('Desk lamp').fill('6');
    await quantityOf('Desk lamp').press('Enter');
    await quantityOf('Desk lamp').blur();
    desktopNetwork.goOnline();
    await desktop.evaluate(() => window.dispatchEvent(new Event('online')));

    const notice = desktop.getByTestId('conflict-notice');
    await notice.waitFor({ timeout: 15_000 });
    // The phone is named by the name its history recorded.
    await expect.poll(() => notice.getByTestId('conflict-text').textContent())
      .toBe('"Desk lamp": the quantity was changed on two devices. Kept 6 from this computer; phone had 4.');
    await waitForState(phone, (state) => state.items[id]?.quantity === 6);

    await notice.getByTestId('conflict-override').filter({ hasText: 'Use 4 instead' }).click();
    await expect.poll(() => notice.count()).toBe(0);
    await expect.poll(() => quantityOf('Desk lamp').inputValue()).toBe('4');
    await waitForState(phone, (state) => state.items[id]?.quantity === 4);
  });

  it('the popup shows a notice from a merge in the background, shows why "Use 2 instead" fails for an item removed since, and dismisses it', async () => {
    const popup = await extension.newPage();
    await popup.goto(popupUrl);
    await popup.getByTestId('account-server').fill(extensionNetwork.url);
    await popup.getByTestId('account-name').fill(SHOPPER.name);
    await popup.getByTestId('account-password').fill(SHOPPER.password);
    await popup.getByTestId('account-signin').click();
    const lamp = popup.getByTestId('item').filter({ hasText: 'Desk lamp' });
    await expect.poll(() => lamp.getByTestId('item-quantity').inputValue(), { timeout: 15_000 }).toBe('4');
    expect(await popup.getByTestId('recovery-key-panel').count()).toBe(0); // shown at sign-up only
    const id = Object.values(phone!.client.store.getState().items).find((item) => item.title === 'Desk lamp')!.id;

    extensionNetwork.goOffline();
    await expect.poll(() => popup.getByTestId('sync-status').textContent(), { timeout: 10_000 }).toContain('Offline');
    await phone!.client.store.dispatch(cartCommands.setQuantity(id, 2));
    await phone!.client.sync?.awaitInSync();
    await lamp.getByTestId('item-quantity').fill('7');
    await lamp.getByTestId('item-quantity').press('Enter');
    await lamp.getByTestId('item-quantity').blur();
    extensionNetwork.goOnline();

    const notice = popup.getByTestId('conflict-notice');
    await notice.waitFor({ timeout: 15_000 });
    // The phone is named once its history's record of the change has arrived ("another device" until then).
    await expect.poll(() => notice.getByTestId('conflict-text').textContent())
      .toBe('"Desk lamp": the quantity was changed on two devices. Kept 7 from this browser; phone had 2.');

    // Removed on the phone meanwhile: the other value cannot come back, and the popup says why.
    await waitForState(phone!, (state) => state.items[id]?.quantity === 7);
    await phone!.client.store.dispatch(cartCommands.remove(id));
    await expect.poll(() => lamp.count(), { timeout: 10_000 }).toBe(0);
    await notice.getByTestId('conflict-override').filter({ hasText: 'Use 2 instead' }).click();
    await expect.poll(() => notice.getByTestId('conflict-problem').textContent()).toContain('no longer in your cart');
    await notice.getByTestId('conflict-dismiss').click();
    await expect.poll(() => notice.count()).toBe(0);
    await popup.close();
  });
});
