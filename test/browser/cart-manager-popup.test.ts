/**
 * The cart manager in the extension's popup (real Chromium, the built extension, signed in to the real
 * sync server over TLS), with a phone of the same account as a Node device: search, sort and filters,
 * multi-select and bulk edits in the popup, each reaching the phone as one change (docs/cart-manager.md).
 */
import { mkdtemp, rm } from 'node:fs/promises';
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
const PRODUCTS = [
  { title: 'Stoneware mug', shop: 'pottery.example', priceMinor: 1290, variant: 'Blue' },
  { title: 'Enamel mug', shop: 'camp.example', priceMinor: 990, variant: null },
  { title: 'Red kettle', shop: 'pottery.example', priceMinor: 3490, variant: null },
  { title: 'Wool blanket', shop: 'home.example', priceMinor: 5900, variant: 'Grey' },
  { title: 'Cedar candle', shop: 'home.example', priceMinor: 1500, variant: null },
  { title: 'Linen apron', shop: 'camp.example', priceMinor: 2400, variant: null },
];

let server: TestServer;
let profile: string;
let extension: BrowserContext;
let popup: Page;
let phone: Device;

const titles = async () => (await popup.getByTestId('item-title').allTextContents());
const inList = (state: CartState, listId: string) => selectItems(state, listId).map((item) => item.title).sort();

beforeAll(async () => {
  server = await startTestServer();
  profile = await mkdtemp(path.join(tmpdir(), 'tote-popup-manager-'));
  phone = await startDevice('phone', server.account);
  for (const product of PRODUCTS) {
    await phone.client.store.dispatch(cartCommands.add({ url: `https://${product.shop}/p/${encodeURIComponent(product.title)}`, currency: 'EUR', imageUrl: null, ...product }));
  }
  extension = await launchWithExtension(profile, path.join(root, 'extension/.output/chrome-mv3'), trustCertificate(server.running.gateway.spkiSha256));
  popup = await extension.newPage();
  await popup.goto(`chrome-extension://${await extensionId(extension)}/popup.html`);
  await popup.getByTestId('account-server').fill(server.account.serverUrl);
  await popup.getByTestId('account-name').fill(server.account.username);
  await popup.getByTestId('account-password').fill(server.account.password);
  await popup.getByTestId('account-signin').click();
  await popup.getByTestId('item').nth(PRODUCTS.length - 1).waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  await phone?.close();
  await extension?.close();
  await server?.dispose();
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe('the cart manager in the popup', () => {
  it('every row control names its item', async () => {
    const row = popup.getByTestId('item').filter({ hasText: 'Red kettle' });
    for (const label of ['Select Red kettle', 'Remove Red kettle', 'Quantity of Red kettle', 'One more Red kettle', 'One less Red kettle']) {
      expect(await row.getByLabel(label, { exact: true }).count(), label).toBe(1);
    }
  });

  it('searches as the shopper types, sorts and filters', async () => {
    await popup.getByTestId('search').pressSequentially('mug');
    await expect.poll(titles).toEqual(['Stoneware mug', 'Enamel mug']);
    expect(await popup.getByTestId('shown-count').textContent()).toBe('2 of 6 items');
    await popup.getByTestId('search').fill('blue');
    await expect.poll(titles).toEqual(['Stoneware mug']);
    await popup.getByTestId('search').fill('');
    await popup.getByTestId('sort').selectOption('price');
    await expect.poll(titles).toEqual(['Enamel mug', 'Stoneware mug', 'Cedar candle', 'Linen apron', 'Red kettle', 'Wool blanket']);
    await popup.getByTestId('filter-shop').selectOption('home.example');
    await expect.poll(titles).toEqual(['Cedar candle', 'Wool blanket']);
    await popup.getByTestId('filter-shop').selectOption('');
    await popup.getByTestId('sort').selectOption('added');
    await expect.poll(async () => (await titles()).length).toBe(6);
  });

  it('moves the found items to Saved for later on every device, and undoes it', async () => {
    await popup.getByTestId('search').fill('mug');
    await popup.getByTestId('select-all').check();
    await expect.poll(() => popup.getByTestId('bulk-count').textContent()).toBe('2 items selected');
    await popup.getByTestId('bulk-move').filter({ hasText: 'Move to Saved for later' }).click();
    await expect.poll(() => popup.getByTestId('bulk-done').textContent()).toContain('Moved 2 items to Saved for later.');
    await waitForState(phone, (state) => inList(state, 'saved').join() === 'Enamel mug,Stoneware mug', 15_000);
    await popup.getByTestId('search').fill('');
    await expect.poll(async () => (await titles()).length).toBe(4);
    await popup.getByTestId('bulk-undo').click();
    await expect.poll(async () => (await titles()).length).toBe(6);
    await waitForState(phone, (state) => inList(state, 'saved').length === 0, 15_000);
  });

  it('selects a range with shift-click, sets its quantity, removes it on every device, and "Undo" brings it back', async () => {
    const rows = popup.getByTestId('item');
    await rows.nth(1).getByTestId('item-select').click();
    await rows.nth(3).getByTestId('item-select').click({ modifiers: ['Shift'] });
    await expect.poll(() => popup.getByTestId('bulk-count').textContent()).toBe('3 items selected');
    const chosen = (await Promise.all([1, 2, 3].map((i) => rows.nth(i).getByTestId('item-title').textContent()))).map(String).sort();
    await popup.getByTestId('bulk-quantity').fill('5');
    await popup.getByTestId('bulk-set-quantity').click();
    await expect.poll(() => popup.getByTestId('bulk-done').textContent()).toContain('Set the quantity of 3 items to 5.');
    await waitForState(phone, (state) => selectItems(state).filter((item) => item.quantity === 5).map((item) => item.title).sort().join() === chosen.join(), 15_000);

    await rows.nth(1).getByTestId('item-select').click();
    await rows.nth(3).getByTestId('item-select').click({ modifiers: ['Shift'] });
    await popup.getByTestId('bulk-remove').click();
    await expect.poll(() => popup.getByTestId('bulk-done').textContent()).toContain('Removed 3 items on every device.');
    await expect.poll(async () => (await titles()).length).toBe(3);
    await waitForState(phone, (state) => selectItems(state).length === 3, 15_000);
    await popup.getByTestId('bulk-undo').click();
    await expect.poll(async () => (await titles()).length).toBe(6);
    await waitForState(phone, (state) => selectItems(state).length === 6 && selectItems(state).filter((item) => item.quantity === 5).length === 3, 15_000);
  });

  it('refuses a quantity of 0 for the selection with the core\'s message and changes nothing', async () => {
    await popup.getByTestId('item').first().getByTestId('item-select').click();
    await popup.getByTestId('bulk-quantity').fill('0');
    await popup.getByTestId('bulk-set-quantity').click();
    await expect.poll(() => popup.getByTestId('problem').textContent()).toContain('Quantity must be a whole number from 1 to 9999.');
    expect(await popup.getByTestId('bulk-count').textContent()).toBe('1 item selected');
  });
});
