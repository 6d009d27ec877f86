/**
 * Lists of one's own in the desktop renderer (real Chromium, real IndexedDB) against the real gateway
 * over TLS, with a phone of the same account as a Node device (docs/cart-manager.md, "Lists"): create
 * a list, move and copy items into it (in bulk and with a row's "Move" menu), rename it, reorder lists, delete one with Undo, filter by list,
 * and every step reaches the phone.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, queryCart, type CartState } from '@tote/core';
import { launchDesktopWindow, trustCertificate } from '../support/chromium.ts';
import { startDevice, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHOPPER = { name: 'lena@example.com', password: 'lena long password' };

let server: TestServer;
let desktopHost: StaticServer;
let profile: string;
let browser: BrowserContext;
let page: Page;
let phone: Device;
const others: { browser: BrowserContext; profile: string }[] = [];

const names = (state: CartState) => state.lists.map((list) => list.name);
const listIdOf = (state: CartState, name: string) => state.lists.find((list) => list.name === name)?.id ?? 'none';
const titlesIn = (state: CartState, name: string) => queryCart(state, { listId: listIdOf(state, name) }).items.map((item) => item.title).sort().join();
const panel = (id: string) => page.locator(`[data-testid="list"][data-list-id="${id}"]`);
const entry = (name: string) => page.getByTestId('list-entry').filter({ has: page.getByTestId('list-name').getByText(name, { exact: true }) });
const shownNames = () => page.getByTestId('list-name').allTextContents();

beforeAll(async () => {
  desktopHost = await serveFolder(path.join(root, 'desktop/dist'));
  server = await startTestServer({ origins: [desktopHost.url] });
  profile = await mkdtemp(path.join(tmpdir(), 'tote-lists-desktop-'));
  browser = await launchDesktopWindow(profile, trustCertificate(server.running.gateway.spkiSha256));
  page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(`${desktopHost.url}/index.html`);
  await page.getByTestId('account-server').fill(server.account.serverUrl);
  await page.getByTestId('account-name').fill(SHOPPER.name);
  await page.getByTestId('account-password').fill(SHOPPER.password);
  await page.getByTestId('account-signup').click();
  await page.getByTestId('recovery-key-done').click({ timeout: 20_000 });
  phone = await startDevice('phone', { ...server.account, username: SHOPPER.name, password: SHOPPER.password });
  for (const title of ['Rake', 'Trowel', 'Scarf']) {
    await phone.client.store.dispatch(cartCommands.add({ url: `https://shop.example/p/${title}`, title, priceMinor: 1000, currency: 'EUR', imageUrl: null, variant: null }));
  }
  await panel('cart').getByTestId('item').nth(2).waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  for (const other of others) {
    await other.browser.close();
    await rm(other.profile, { recursive: true, force: true });
  }
  await phone?.close();
  await browser?.close();
  await server?.dispose();
  await desktopHost?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe('lists on the desktop', () => {
  it('creates lists by name, refusing a taken one with the core\'s sentence and keeping what was typed', async () => {
    for (const name of ['Garden', 'Gifts']) {
      await page.getByTestId('list-new-name').fill(name);
      await page.getByTestId('list-create').click();
      await expect.poll(shownNames).toContain(name);
    }
    expect(await shownNames()).toEqual(['Cart', 'Saved for later', 'Garden', 'Gifts']);
    await page.getByTestId('list-new-name').fill('  garden ');
    await page.getByTestId('list-create').click();
    await expect.poll(() => page.getByTestId('list-problem').textContent()).toBe('You already have a list called "Garden". Choose another name.');
    expect(await page.getByTestId('list-new-name').inputValue()).toBe('  garden ');
    await waitForState(phone, (state) => names(state).join() === 'Cart,Saved for later,Garden,Gifts', 15_000);
  });

  it('moves and copies selected items into a list, with item counts in the list picker', async () => {
    const cart = panel('cart');
    await cart.getByTestId('item').filter({ hasText: 'Rake' }).getByTestId('item-select').click();
    await cart.getByTestId('item').filter({ hasText: 'Trowel' }).getByTestId('item-select').click();
    await cart.getByTestId('bulk-move').filter({ hasText: 'Move to Garden' }).click();
    await expect.poll(() => cart.getByTestId('bulk-done').textContent()).toContain('Moved 2 items to Garden.');
    await cart.getByTestId('item').filter({ hasText: 'Scarf' }).getByTestId('item-select').click();
    await cart.getByTestId('bulk-copy').filter({ hasText: 'Copy to Gifts' }).click();
    await expect.poll(() => cart.getByTestId('bulk-done').textContent()).toContain('Copied 1 item to Gifts.');
    await expect.poll(() => entry('Garden').getByTestId('list-count').textContent()).toBe('2 items');
    expect(await entry('Gifts').getByTestId('list-count').textContent()).toBe('1 item');
    expect(await entry('Cart').getByTestId('list-count').textContent()).toBe('1 item');
    await waitForState(phone, (state) => titlesIn(state, 'Garden') === 'Rake,Trowel' && titlesIn(state, 'Gifts') === 'Scarf' && titlesIn(state, 'Cart') === 'Scarf', 15_000);
  });

  it('filters by list: picking a list shows only it, "All lists" shows every list', async () => {
    await entry('Garden').getByTestId('list-pick').click();
    await expect.poll(() => page.getByTestId('list').count()).toBe(1);
    const id = await page.getByTestId('list').getAttribute('data-list-id');
    expect(await panel(id!).getByTestId('item-title').allTextContents()).toEqual(['Rake', 'Trowel']);
    await page.getByTestId('list-pick-all').click();
    await expect.poll(() => page.getByTestId('list').count()).toBe(4);
  });

  it('moves one item with its row\'s one "Move" menu, by keyboard and by mouse, however many lists there are', async () => {
    const row = panel('cart').getByTestId('item').filter({ hasText: 'Scarf' });
    // One move control on the row, named for its item, whatever the number of lists (once the row is drawn
    // again after the filter of the test before).
    await expect.poll(() => row.getByRole('button', { name: /^Move/ }).count()).toBe(1);
    const button = row.getByRole('button', { name: 'Move Scarf to…', exact: true });
    const menu = row.getByRole('menu', { name: 'Move Scarf to' });
    // Keyboard: Enter opens the menu on its first place; Escape closes it, gives focus back, moves nothing.
    await button.focus();
    await page.keyboard.press('Enter');
    await menu.waitFor();
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual(['Saved for later', 'Garden', 'Gifts']);
    expect(await menu.getByRole('menuitem', { name: 'Saved for later' }).evaluate((item) => item === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
    expect(await button.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await panel('cart').getByTestId('item-title').allTextContents()).toEqual(['Scarf']);
    // Enter, Down, Enter: Scarf goes to Garden, here and on the phone.
    await page.keyboard.press('Enter');
    await menu.waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => panel('cart').getByTestId('item').count()).toBe(0);
    await expect.poll(() => entry('Garden').getByTestId('list-count').textContent()).toBe('3 items');
    await waitForState(phone, (state) => titlesIn(state, 'Garden') === 'Rake,Scarf,Trowel' && titlesIn(state, 'Cart') === '', 15_000);
    // Mouse: back to Cart from Garden's row.
    const garden = page.getByTestId('list').filter({ has: page.getByTestId('item-title').getByText('Rake', { exact: true }) });
    await garden.getByRole('button', { name: 'Move Scarf to…', exact: true }).click();
    await garden.getByRole('menu', { name: 'Move Scarf to' }).getByRole('menuitem', { name: 'Cart', exact: true }).click();
    await expect.poll(() => panel('cart').getByTestId('item-title').allTextContents()).toEqual(['Scarf']);
    await waitForState(phone, (state) => titlesIn(state, 'Garden') === 'Rake,Trowel' && titlesIn(state, 'Cart') === 'Scarf', 15_000);
  });

  it('renames and reorders with buttons named for their list, and the phone follows', async () => {
    await page.getByRole('button', { name: 'Rename Gifts', exact: true }).click();
    await page.getByLabel('New name for Gifts', { exact: true }).fill('Birthday gifts');
    await page.getByTestId('list-rename-save').click();
    await expect.poll(shownNames).toEqual(['Cart', 'Saved for later', 'Garden', 'Birthday gifts']);
    // Keyboard: focus "Move Birthday gifts up" and press Enter.
    await page.getByRole('button', { name: 'Move Birthday gifts up', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(shownNames).toEqual(['Cart', 'Saved for later', 'Birthday gifts', 'Garden']);
    expect(await page.getByRole('button', { name: 'Move Birthday gifts up', exact: true }).isDisabled()).toBe(true);
    await waitForState(phone, (state) => names(state).join() === 'Cart,Saved for later,Birthday gifts,Garden', 15_000);
  });

  it('deletes a list: its items show in Cart at once, on the phone too; Undo brings the list back with them', async () => {
    await page.getByRole('button', { name: 'Delete Garden', exact: true }).click();
    await expect.poll(() => page.getByTestId('list-deleted').textContent()).toContain('Deleted Garden: its 2 items are in Cart now.');
    await expect.poll(shownNames).toEqual(['Cart', 'Saved for later', 'Birthday gifts']);
    await expect.poll(() => panel('cart').getByTestId('item-title').allTextContents()).toEqual(['Rake', 'Trowel', 'Scarf']);
    await waitForState(phone, (state) => !names(state).includes('Garden') && titlesIn(state, 'Cart') === 'Rake,Scarf,Trowel', 15_000);
    await page.getByTestId('list-undo').click();
    await expect.poll(shownNames).toEqual(['Cart', 'Saved for later', 'Birthday gifts', 'Garden']);
    await expect.poll(() => panel('cart').getByTestId('item-title').allTextContents()).toEqual(['Scarf']);
    await waitForState(phone, (state) => titlesIn(state, 'Garden') === 'Rake,Trowel', 15_000);
  });

  it('a list made on the phone shows here with its items', async () => {
    const { written: [list] } = await phone.client.store.dispatch(cartCommands.createList('Kitchen'));
    await phone.client.store.dispatch(cartCommands.add({ url: 'https://shop.example/p/whisk', title: 'Whisk', priceMinor: 500, currency: 'EUR', imageUrl: null, variant: null }, { listId: list!.id }));
    await expect.poll(shownNames, { timeout: 15_000 }).toContain('Kitchen');
    await expect.poll(() => panel(list!.id).getByTestId('item-title').allTextContents()).toEqual(['Whisk']);
  });

  it('a list deleted on the phone: its items show in Cart with a message; "Keep in Cart" keeps them there on every device', async () => {
    const { written: [list] } = await phone.client.store.dispatch(cartCommands.createList('Attic'));
    const { written: [lamp] } = await phone.client.store.dispatch(cartCommands.add({ url: 'https://shop.example/p/lamp', title: 'Lamp', priceMinor: 900, currency: 'EUR', imageUrl: null, variant: null }, { listId: list!.id }));
    await expect.poll(() => panel(list!.id).getByTestId('item-title').allTextContents(), { timeout: 15_000 }).toEqual(['Lamp']);
    await phone.client.store.dispatch(cartCommands.deleteList(list!.id));
    await expect.poll(() => page.getByTestId('list-orphans').textContent(), { timeout: 15_000 }).toContain('1 item of Attic, a deleted list, is in Cart.');
    expect(await panel('cart').getByTestId('item-title').allTextContents()).toContain('Lamp');
    await page.getByRole('button', { name: 'Keep in Cart: the items of Attic', exact: true }).click();
    await expect.poll(() => page.getByTestId('list-orphans').count()).toBe(0);
    await waitForState(phone, (state) => state.items[lamp!.id]?.listId === 'cart', 15_000);
  });

  it('exports the lists with the items; importing into another account uses its list of the same name and creates the rest', async () => {
    // (Attic was deleted and its lamp kept in Cart: the file has Cart, Saved for later and the three lists.)
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const exported = await readFile((await download.path())!, 'utf8');
    expect(JSON.parse(exported).lists.map((list: { name: string }) => list.name)).toEqual(['Cart', 'Saved for later', 'Birthday gifts', 'Garden', 'Kitchen']);

    const otherProfile = await mkdtemp(path.join(tmpdir(), 'tote-lists-desktop-other-'));
    const otherBrowser = await launchDesktopWindow(otherProfile, trustCertificate(server.running.gateway.spkiSha256));
    others.push({ browser: otherBrowser, profile: otherProfile });
    const other = await otherBrowser.newPage();
    await other.setViewportSize({ width: 1280, height: 800 });
    await other.goto(`${desktopHost.url}/index.html`);
    await other.getByTestId('account-server').fill(server.account.serverUrl);
    await other.getByTestId('account-name').fill('omar@example.com');
    await other.getByTestId('account-password').fill('omar long password');
    await other.getByTestId('account-signup').click();
    await other.getByTestId('recovery-key-done').click({ timeout: 20_000 });
    await other.getByTestId('list-new-name').fill('garden');
    await other.getByTestId('list-create').click();
    await expect.poll(() => other.getByTestId('list-name').allTextContents()).toEqual(['Cart', 'Saved for later', 'garden']);

    const choose = () => other.getByTestId('import-file').setInputFiles({ name: 'cart.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
    await choose();
    await expect.poll(() => other.getByTestId('list-name').allTextContents()).toEqual(['Cart', 'Saved for later', 'garden', 'Birthday gifts', 'Kitchen']);
    const count = (name: string) => other.getByTestId('list-entry').filter({ has: other.getByTestId('list-name').getByText(name, { exact: true }) }).getByTestId('list-count').textContent();
    expect([await count('Cart'), await count('garden'), await count('Birthday gifts'), await count('Kitchen')]).toEqual(['2 items', '2 items', '1 item', '1 item']); // Cart: the scarf and the lamp
    // The same file again adds nothing and makes no list twice.
    await choose();
    await expect.poll(() => other.getByTestId('import-summary').textContent()).toContain('already in your cart');
    expect(await other.getByTestId('list-name').allTextContents()).toEqual(['Cart', 'Saved for later', 'garden', 'Birthday gifts', 'Kitchen']);
  });
});
