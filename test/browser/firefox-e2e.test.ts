/**
 * The extension's Firefox build (Manifest V3), installed in Debian's real Firefox ESR, driven by
 * puppeteer-core over WebDriver BiDi: the content script recognises a product on a shop page served by the test, the popup
 * shows what was added, after signing in from the popup the cart syncs through the real gateway over TLS
 * with another device of the same account (a Node device) both ways, and a lower price seen on a product's
 * page shows as a price drop; after Firefox restarts the cart is there, locked until the password opens it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems } from '@tote/core';
import { startDevice, waitForState, type Device } from '../support/devices.ts';
import { launchFirefoxWithExtension, texts, type FirefoxWithExtension } from '../support/firefox.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const extensionDir = path.join(root, 'extension/.output/firefox-mv3');

let shops: StaticServer;
let server: TestServer;
let firefox: FirefoxWithExtension;
let phone: Device | undefined;

async function openShopPage(name: string): Promise<Page> {
  const page = await firefox.newPage();
  await page.goto(`${shops.url}/${name}.html`);
  return page;
}

/** The capture button's status line, inside the button's shadow root. */
function captureStatus(page: Page): Promise<string> {
  return page.$eval('tote-capture >>> [data-testid=capture-status]', (element) => element.textContent ?? '').catch(() => '');
}

/** The popup's cart row of the item with this title: its text, and a click on one of its buttons. */
function rowText(popup: Page, title: string): Promise<string> {
  return popup.evaluate((wanted) => Array.from(document.querySelectorAll('[data-testid=item]'))
    .find((row) => row.querySelector('[data-testid=item-title]')?.textContent === wanted)?.textContent ?? '', title);
}

function clickInRow(popup: Page, title: string, testId: string): Promise<void> {
  return popup.evaluate((wanted, button) => {
    const row = Array.from(document.querySelectorAll('[data-testid=item]')).find((item) => item.querySelector('[data-testid=item-title]')?.textContent === wanted);
    (row?.querySelector(`[data-testid=${button}]`) as HTMLButtonElement | null)?.click();
  }, title, testId);
}

beforeAll(async () => {
  shops = await serveFolder(path.join(root, 'test/fixtures/shop'));
  server = await startTestServer();
  firefox = await launchFirefoxWithExtension(extensionDir, { trustPem: server.account.cert });
});

afterAll(async () => {
  await phone?.close();
  await firefox?.close();
  await shops?.close();
  await server?.dispose();
});

describe('the Firefox build in Firefox ESR', () => {
  it('recognises the product on a shop page, adds it, and the popup shows it', async () => {
    const page = await openShopPage('kettle');
    const button = await page.waitForSelector('tote-capture >>> button', { timeout: 15_000 });
    expect(await button!.evaluate((element) => element.textContent)).toContain('Add to Tote: Red Kettle 1.7 l');
    await button!.click();
    await expect.poll(() => captureStatus(page)).toContain('Added');
    await page.close();

    const popup = await firefox.openPopup();
    await expect.poll(() => texts(popup, '[data-testid=item-title]')).toEqual(['Red Kettle 1.7 l']);
    expect((await texts(popup, '[data-testid=sync-status]')).join(' ')).toContain('Sync is off');
    await popup.close();
  });

  it('adds nothing from a page with no product, and a hostile name stays text', async () => {
    const plain = await openShopPage('no-product');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await plain.$('tote-capture')).toBeNull();
    await plain.close();

    const hostile = await openShopPage('hostile');
    const button = await hostile.waitForSelector('tote-capture >>> button', { timeout: 15_000 });
    await button!.click();
    await expect.poll(() => captureStatus(hostile)).toContain('Added');
    await hostile.close();
    const popup = await firefox.openPopup();
    await expect.poll(async () => (await texts(popup, '[data-testid=item-title]')).join(' | ')).toContain('Evil Lamp');
    expect((await texts(popup, '[data-testid=item-title]')).join(' | ')).toContain("<img src=x onerror=\"alert('owned')\">");
    expect(await popup.$$('[data-testid="item-title"] img, [data-testid="item-title"] script')).toHaveLength(0);
    await popup.close();
  });

  it('signs in to the sync server from the popup and syncs both ways with another device', async () => {
    const popup = await firefox.openPopup();
    await popup.type('[data-testid=account-server]', server.account.serverUrl);
    await popup.type('[data-testid=account-name]', server.account.username);
    await popup.type('[data-testid=account-password]', server.account.password);
    await popup.click('[data-testid=account-signin]');
    await expect.poll(async () => (await texts(popup, '[data-testid=sync-status]')).join(' '), { timeout: 30_000 }).toContain('In sync');

    // What Firefox captured reaches the other device through the server...
    phone = await startDevice('phone', server.account);
    await waitForState(phone, (state) => selectItems(state).some((item) => item.title === 'Red Kettle 1.7 l'), 15_000);
    // ...and what the other device adds shows in Firefox's popup.
    await phone.client.store.dispatch(cartCommands.add({
      url: 'https://shop.example/p/teapot', title: 'Teapot', priceMinor: 3900, currency: 'EUR', imageUrl: null, variant: null,
    }));
    await expect.poll(async () => (await texts(popup, '[data-testid=item-title]')).join(' | '), { timeout: 10_000 }).toContain('Teapot');
    // A quantity changed in Firefox's popup reaches the other device.
    await clickInRow(popup, 'Red Kettle 1.7 l', 'item-increase');
    await waitForState(phone, (state) => selectItems(state).some((item) => item.title === 'Red Kettle 1.7 l' && item.quantity === 2), 15_000);
    await popup.close();
  });

  it('watches prices: visiting the page of an item in the cart at a lower price shows the drop', async () => {
    const sale = await openShopPage('kettle-sale');
    await sale.waitForSelector('tote-capture >>> button', { timeout: 15_000 });
    const popup = await firefox.openPopup();
    await expect.poll(() => rowText(popup, 'Red Kettle 1.7 l'), { timeout: 10_000 }).toContain('Price dropped from');
    expect(await rowText(popup, 'Red Kettle 1.7 l')).toMatch(/Price dropped from \D*34\.90/);
    expect(await rowText(popup, 'Red Kettle 1.7 l')).toContain('29.90');
    await sale.close();
    await popup.close();
  });

  it('the cart is still there after Firefox is closed and opened again, locked until the password opens it', async () => {
    await firefox.restart();
    const popup = await firefox.openPopup();
    // The cart's key is kept in storage.session, which ends with the browser (docs/encryption.md, "At rest on the device").
    await expect.poll(async () => (await texts(popup, '[data-testid=device-locked-message]')).join(' '), { timeout: 15_000 }).toContain(server.account.username);
    expect(await texts(popup, '[data-testid=item-title]')).toEqual([]);
    await popup.type('[data-testid=device-unlock-password]', server.account.password);
    await popup.click('[data-testid=device-unlock-submit]');
    await expect.poll(async () => (await texts(popup, '[data-testid=item-title]')).join(' | '), { timeout: 20_000 }).toContain('Red Kettle 1.7 l');
    expect((await texts(popup, '[data-testid=item-title]')).join(' | ')).toContain('Teapot');
    expect(await rowText(popup, 'Red Kettle 1.7 l')).toContain('29.90');
    await expect.poll(async () => (await texts(popup, '[data-testid=sync-status]')).join(' '), { timeout: 20_000 }).toContain('In sync');
    await popup.close();
  });
});
