/**
 * The popup's share of the cart manager (docs/cart-manager.md), in the built extension in real
 * Chromium against the real gateway over TLS: Saved for later beside the Cart, totals per currency with
 * each shop's subtotal, and the item details panel (every field edited after adding, the move, the
 * note, the price history chart), each change reaching another device of the account.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems, type CartState } from '@tote/core';
import { extensionId, launchWithExtension, trustCertificate } from '../support/chromium.ts';
import { startDevice, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const extensionDir = path.join(root, 'extension/.output/chrome-mv3');

let server: TestServer;
let profile: string;
let browser: BrowserContext;
let popup: Page;
let phone: Device;

beforeAll(async () => {
  server = await startTestServer();
  profile = await mkdtemp(path.join(tmpdir(), 'tote-cart-data-popup-'));
  browser = await launchWithExtension(profile, extensionDir, trustCertificate(server.running.gateway.spkiSha256));
});

afterAll(async () => {
  await phone?.close();
  await browser?.close();
  await server?.dispose();
  if (profile) await rm(profile, { recursive: true, force: true });
});

const row = (title: string) => popup.getByTestId('item').filter({ hasText: title });
const panel = () => popup.getByTestId('item-details-panel');
const lamp = (state: CartState) => selectItems(state).find((item) => item.url === 'https://lamps.example/p/desk');

describe('cart data in the popup', () => {
  it('shows the Cart with its totals, and Saved for later', async () => {
    popup = await browser.newPage();
    await popup.setViewportSize({ width: 380, height: 600 });
    popup.on('pageerror', (error) => console.error('page error:', error));
    await popup.goto(`chrome-extension://${await extensionId(browser)}/popup.html`);
    await popup.getByTestId('account-server').fill(server.account.serverUrl);
    await popup.getByTestId('account-name').fill(server.account.username);
    await popup.getByTestId('account-password').fill(server.account.password);
    await popup.getByTestId('account-signin').click();
    phone = await startDevice('phone', server.account);
    const add = (url: string, title: string, priceMinor: number, currency: string, options: { quantity?: number; listId?: string } = {}) =>
      phone.client.store.dispatch(cartCommands.add({ url, title, priceMinor, currency, imageUrl: null, variant: null }, options));
    await add('https://lamps.example/p/desk', 'Desk lamp', 4500, 'EUR');
    await add('https://lamps.example/p/bulb', 'Bulb', 350, 'EUR', { quantity: 4 });
    await add('https://uk.example/p/tea', 'Tea', 800, 'GBP');
    await add('https://books.example/p/atlas', 'Atlas', 2900, 'EUR', { listId: 'saved' });
    await phone.client.store.dispatch(cartCommands.priceSeen('https://lamps.example/p/desk', 3900, 'EUR'));

    await expect.poll(() => row('Desk lamp').count(), { timeout: 20_000 }).toBe(1);
    const totals = popup.getByTestId('totals-currency');
    await expect.poll(() => totals.first().getByTestId('totals-amount').textContent()).toBe('€53.00');
    expect(await totals.first().getByTestId('totals-shop').allTextContents()).toEqual(['lamps.example €53.00']);
    expect(await totals.nth(1).getByTestId('totals-amount').textContent()).toBe('£8.00');
    expect(await row('Atlas').count()).toBe(0);

    await popup.locator('[data-testid="list-tab"][data-list-id="saved"]').click();
    await expect.poll(() => popup.getByTestId('item-title').allTextContents()).toEqual(['Atlas']);
    expect(await totals.first().getByTestId('totals-amount').textContent()).toBe('€29.00');
    await popup.locator('[data-testid="list-tab"][data-list-id="cart"]').click();
  });

  it('draws the lamp\'s price history with the price when added and the drop', async () => {
    await row('Desk lamp').getByTestId('item-details').click();
    const points = panel().getByTestId('price-point');
    await expect.poll(() => points.count()).toBe(2);
    expect(await points.allTextContents()).toEqual([expect.stringContaining('When added €45.00'), expect.stringContaining('Dropped to €39.00')]);
    const chart = panel().getByTestId('price-chart');
    await expect.poll(async () => JSON.parse(await chart.getAttribute('data-points') ?? '[]').length).toBe(2);
    const colours = await chart.evaluate((host) => {
      const context = host.querySelector('canvas')!.getContext('2d')!;
      return (JSON.parse(host.getAttribute('data-points')!) as [number, number][]).map(([x, y]) => Array.from(context.getImageData(x, y, 1, 1).data));
    });
    // The theme's accent (--tote-accent in ui/src/theme.css, light).
    expect(colours).toEqual([[0x1b, 0x6a, 0x47, 255], [0x1b, 0x6a, 0x47, 255]]);
  });

  it('refuses a negative price with a message and keeps it typed', async () => {
    await panel().getByTestId('details-price').fill('-1');
    await panel().getByTestId('details-save').click();
    expect(await panel().getByTestId('details-problem').textContent()).toBe('The price cannot be below zero.');
    expect(await panel().getByTestId('details-price').inputValue()).toBe('-1');
  });

  it('edits every field after adding, moves it to Saved for later, and the phone gets it all', async () => {
    await panel().getByTestId('details-title').fill('Desk lamp, brass');
    await panel().getByTestId('details-price').fill('37.50');
    await panel().getByTestId('details-currency').fill('CHF');
    await panel().getByTestId('details-image').fill('https://lamps.example/img/desk.jpg');
    await panel().getByTestId('details-variant').fill('Brass');
    await panel().getByTestId('details-quantity').fill('2');
    await panel().getByTestId('details-note').fill('Compare with the shop in town');
    await panel().getByTestId('details-list').selectOption('saved');
    await panel().getByTestId('details-save').click();
    await panel().getByTestId('details-saved').waitFor();
    await waitForState(phone, (state) => lamp(state)?.listId === 'saved', 30_000);
    expect(lamp(phone.client.store.getState())).toMatchObject({
      title: 'Desk lamp, brass', priceMinor: 3750, currency: 'CHF', imageUrl: 'https://lamps.example/img/desk.jpg', variant: 'Brass',
      quantity: 2, note: 'Compare with the shop in town', listId: 'saved',
    });
    await panel().getByTestId('details-close').click();
    // The list's order is the shopper's sort (docs/cart-manager.md); what is in it is what counts here.
    await expect.poll(async () => (await popup.getByTestId('item-title').allTextContents()).sort()).toEqual(['Bulb', 'Tea']);
    await popup.locator('[data-testid="list-tab"][data-list-id="saved"]').click();
    await expect.poll(async () => (await popup.getByTestId('item-title').allTextContents()).sort()).toEqual(['Atlas', 'Desk lamp, brass']);
  });

  it('exports and imports in a tab of its own, says what it added, and undoes it on every device', async () => {
    const [tab] = await Promise.all([browser.waitForEvent('page'), popup.getByTestId('open-transfer').click()]);
    await tab.waitForLoadState();
    expect(new URL(tab.url()).hash).toBe('#transfer');
    const [download] = await Promise.all([tab.waitForEvent('download'), tab.getByTestId('export-json').click({ timeout: 20_000 })]);
    const file = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(file.items.map((item: { title: string }) => item.title).sort()).toEqual(['Atlas', 'Bulb', 'Desk lamp, brass', 'Tea']);

    const choose = (text: string) => tab.getByTestId('import-file').setInputFiles({ name: 'cart.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await choose(JSON.stringify(file));
    await expect.poll(() => tab.getByTestId('import-summary').textContent()).toContain('Nothing added: all 4 items are already in your cart.');
    // A file with one product this cart does not have.
    const other = { ...file.items[0], id: 'fromAnotherCart1', url: 'https://clocks.example/p/wall', title: 'Wall clock' };
    await choose(JSON.stringify({ ...file, items: [...file.items, other] }));
    await expect.poll(() => tab.getByTestId('import-summary').textContent()).toContain('1 item added, 4 already in your cart.');
    await waitForState(phone, (state) => selectItems(state).some((item) => item.title === 'Wall clock'), 30_000);
    await tab.getByTestId('import-undo').click();
    await waitForState(phone, (state) => selectItems(state).length === 4 && !selectItems(state).some((item) => item.title === 'Wall clock'), 30_000);
    await expect.poll(() => tab.getByTestId('import-undone').textContent()).toContain('Import undone: 1 item removed.');
    await choose('not json at all');
    expect(await tab.getByTestId('import-problem').textContent()).toContain('This file is not a Tote export (it is not JSON).');
    await tab.close();
  });
});
