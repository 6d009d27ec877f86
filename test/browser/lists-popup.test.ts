/**
 * Lists of one's own in the extension's popup (real Chromium, the built extension, signed in to the
 * real sync server over TLS), with a phone of the same account as a Node device (docs/cart-manager.md,
 * "Lists"): the popup creates a list, moves and copies items into it, renames and reorders lists, and
 * deletes one with Undo; each step reaches the phone, and a list made on the phone shows in the popup.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, queryCart, type CartState } from '@tote/core';
import { extensionId, launchWithExtension, trustCertificate } from '../support/chromium.ts';
import { startDevice, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let server: TestServer;
let profile: string;
let extension: BrowserContext;
let popup: Page;
let phone: Device;

const names = (state: CartState) => state.lists.map((list) => list.name);
const listIdOf = (state: CartState, name: string) => state.lists.find((list) => list.name === name)?.id ?? 'none';
const titlesIn = (state: CartState, name: string) => queryCart(state, { listId: listIdOf(state, name) }).items.map((item) => item.title).sort().join();
const tabs = () => popup.getByTestId('list-tab').allTextContents();
const titles = () => popup.getByTestId('item-title').allTextContents();
const tab = (name: string) => popup.getByTestId('list-tab').filter({ hasText: name });

beforeAll(async () => {
  server = await startTestServer();
  profile = await mkdtemp(path.join(tmpdir(), 'tote-lists-popup-'));
  phone = await startDevice('phone', server.account);
  for (const title of ['Rake', 'Trowel', 'Scarf']) {
    await phone.client.store.dispatch(cartCommands.add({ url: `https://shop.example/p/${title}`, title, priceMinor: 1000, currency: 'EUR', imageUrl: null, variant: null }));
  }
  extension = await launchWithExtension(profile, path.join(root, 'extension/.output/chrome-mv3'), trustCertificate(server.running.gateway.spkiSha256));
  popup = await extension.newPage();
  await popup.setViewportSize({ width: 380, height: 600 });
  await popup.goto(`chrome-extension://${await extensionId(extension)}/popup.html`);
  await popup.getByTestId('account-server').fill(server.account.serverUrl);
  await popup.getByTestId('account-name').fill(server.account.username);
  await popup.getByTestId('account-password').fill(server.account.password);
  await popup.getByTestId('account-signin').click();
  await popup.getByTestId('item').nth(2).waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  await phone?.close();
  await extension?.close();
  await server?.dispose();
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe('lists in the popup', () => {
  it('creates a list from "Lists…"; it shows as a tab with its count, and on the phone', async () => {
    await popup.getByTestId('open-lists').click();
    await popup.getByTestId('list-new-name').fill('Garden');
    await popup.getByTestId('list-create').click();
    await expect.poll(tabs).toEqual(['Cart (3)', 'Saved for later (0)', 'Garden (0)']);
    await popup.getByTestId('list-new-name').fill('');
    await popup.getByTestId('list-create').click();
    await expect.poll(() => popup.getByTestId('list-problem').textContent()).toBe('Give the list a name.');
    await waitForState(phone, (state) => names(state).includes('Garden'), 15_000);
  });

  it('moves and copies items into the list from the bulk bar, and the phone sees both', async () => {
    await popup.getByTestId('item').filter({ hasText: 'Rake' }).getByTestId('item-select').click();
    await popup.getByTestId('bulk-move').filter({ hasText: 'Move to Garden' }).click();
    await expect.poll(() => popup.getByTestId('bulk-done').textContent()).toContain('Moved 1 item to Garden.');
    await popup.getByTestId('item').filter({ hasText: 'Trowel' }).getByTestId('item-select').click();
    await popup.getByTestId('bulk-copy').filter({ hasText: 'Copy to Garden' }).click();
    await expect.poll(() => popup.getByTestId('bulk-done').textContent()).toContain('Copied 1 item to Garden.');
    await expect.poll(tabs).toEqual(['Cart (2)', 'Saved for later (0)', 'Garden (2)']);
    await tab('Garden').click();
    await expect.poll(titles).toEqual(['Rake', 'Trowel']);
    await waitForState(phone, (state) => titlesIn(state, 'Garden') === 'Rake,Trowel' && titlesIn(state, 'Cart') === 'Scarf,Trowel', 15_000);
  });

  it('renames and reorders; Cart and Saved for later offer neither', async () => {
    await popup.getByTestId('list-new-name').fill('Gifts');
    await popup.getByTestId('list-create').click();
    await expect.poll(tabs).toContain('Gifts (0)');
    await popup.getByRole('button', { name: 'Rename Garden', exact: true }).click();
    await popup.getByLabel('New name for Garden', { exact: true }).fill('Garden tools');
    await popup.getByLabel('New name for Garden', { exact: true }).press('Enter');
    await popup.getByRole('button', { name: 'Move Gifts up', exact: true }).click();
    await expect.poll(tabs).toEqual(['Cart (2)', 'Saved for later (0)', 'Gifts (0)', 'Garden tools (2)']);
    expect(await popup.getByRole('button', { name: 'Rename Cart', exact: true }).count()).toBe(0);
    expect(await popup.getByRole('button', { name: 'Delete Saved for later', exact: true }).count()).toBe(0);
    await waitForState(phone, (state) => names(state).join() === 'Cart,Saved for later,Gifts,Garden tools', 15_000);
  });

  it('deletes the list shown: the popup shows Cart with its items; Undo brings the list back on every device', async () => {
    await popup.getByRole('button', { name: 'Delete Garden tools', exact: true }).click();
    await expect.poll(() => popup.getByTestId('list-deleted').textContent()).toContain('Deleted Garden tools: its 2 items are in Cart now.');
    await expect.poll(tabs).toEqual(['Cart (4)', 'Saved for later (0)', 'Gifts (0)']);
    await expect.poll(titles).toEqual(['Rake', 'Trowel', 'Scarf', 'Trowel']);
    await waitForState(phone, (state) => !names(state).includes('Garden tools'), 15_000);
    await popup.getByTestId('list-undo').click();
    await expect.poll(tabs).toEqual(['Cart (2)', 'Saved for later (0)', 'Gifts (0)', 'Garden tools (2)']);
    await waitForState(phone, (state) => titlesIn(state, 'Garden tools') === 'Rake,Trowel', 15_000);
  });

  it('a list made and filled on the phone shows in the popup', async () => {
    const { written: [list] } = await phone.client.store.dispatch(cartCommands.createList('Kitchen'));
    await phone.client.store.dispatch(cartCommands.add({ url: 'https://shop.example/p/whisk', title: 'Whisk', priceMinor: 500, currency: 'EUR', imageUrl: null, variant: null }, { listId: list!.id }));
    await expect.poll(tabs, { timeout: 15_000 }).toContain('Kitchen (1)');
    await tab('Kitchen').click();
    await expect.poll(titles).toEqual(['Whisk']);
  });
});
