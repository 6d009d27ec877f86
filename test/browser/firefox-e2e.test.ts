/**
 * The extension's Firefox build (Manifest V3) in Debian's real Firefox ESR, driven by puppeteer-core over
 * WebDriver BiDi: the content script recognises a product on a shop page served by the test, the popup
 * shows what was added, and after signing in from the popup the cart syncs through the real gateway over
 * TLS with another device of the same account (a Node device).
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
  const page = await firefox.browser.newPage();
  await page.goto(`${shops.url}/${name}.html`);
  return page;
}

/** The capture button's status line, inside the button's shadow root. */
function captureStatus(page: Page): Promise<string> {
  return page.$eval('tote-capture >>> [data-testid=capture-status]', (element) => element.textContent ?? '').catch(() => '');
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
    await popup.close();
  });
});
