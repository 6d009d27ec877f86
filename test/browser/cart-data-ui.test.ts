/**
 * The cart manager's data screens in the desktop renderer, in real Chromium against the real gateway
 * over TLS (docs/cart-manager.md): totals per currency with each shop's subtotal; the item details
 * panel, whose every field syncs to another device and whose bad input is refused with the typed text
 * kept; the price history chart; export to JSON and CSV; and an import into a fresh account that gives
 * the same cart, adds nothing the second time, and can be undone. The other devices are Node devices.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems, type CartState } from '@tote/core';
import { launchDesktopWindow, trustCertificate } from '../support/chromium.ts';
import { startDevice, waitForAgreement, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHOPPER = { name: 'ida@example.com', password: 'ida long password' };
const FRESH = { name: 'jon@example.com', password: 'jon long password' };

let server: TestServer;
let desktopHost: StaticServer;
const profiles: string[] = [];
const browsers: BrowserContext[] = [];
const devices: Device[] = [];
let desktop: Page;
let phone: Device;
let exported = '';
let exportedCsv = '';

async function openWindow(): Promise<Page> {
  const profile = await mkdtemp(path.join(tmpdir(), 'tote-cart-data-ui-'));
  profiles.push(profile);
  const browser = await launchDesktopWindow(profile, trustCertificate(server.running.gateway.spkiSha256));
  browsers.push(browser);
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(`${desktopHost.url}/index.html`);
  return page;
}

async function signUp(page: Page, who: { name: string; password: string }) {
  await page.getByTestId('account-server').fill(server.account.serverUrl);
  await page.getByTestId('account-name').fill(who.name);
  await page.getByTestId('account-password').fill(who.password);
  await page.getByTestId('account-signup').click();
  await page.getByTestId('recovery-key-done').click({ timeout: 20_000 });
}

beforeAll(async () => {
  desktopHost = await serveFolder(path.join(root, 'desktop/dist'));
  server = await startTestServer({ origins: [desktopHost.url] });
});

afterAll(async () => {
  for (const device of devices) await device.close();
  for (const browser of browsers) await browser.close();
  await server?.dispose();
  await desktopHost?.close();
  for (const profile of profiles) await rm(profile, { recursive: true, force: true });
});

const row = (title: string) => desktop.getByTestId('item').filter({ hasText: title });
const panel = () => desktop.getByTestId('item-details-panel');
const shown = (state: CartState) => selectItems(state).map((item) => ({
  id: item.id, listId: item.listId, url: item.url, shop: item.shop, title: item.title, priceMinor: item.priceMinor, currency: item.currency,
  imageUrl: item.imageUrl, variant: item.variant, quantity: item.quantity, note: item.note, addedAt: item.addedAt,
  addedPriceMinor: item.addedPriceMinor, priceHistory: item.priceHistory,
}));

describe('cart data in the desktop app', () => {
  it('shows totals per currency with each shop\'s subtotal', async () => {
    desktop = await openWindow();
    await signUp(desktop, SHOPPER);
    phone = await startDevice('phone', { ...server.account, username: SHOPPER.name, password: SHOPPER.password });
    devices.push(phone);
    const add = (url: string, title: string, priceMinor: number | null, currency: string, quantity = 1) =>
      phone.client.store.dispatch(cartCommands.add({ url, title, priceMinor, currency, imageUrl: null, variant: null }, { quantity }));
    await add('https://kettles.example/p/red', 'Red kettle', 3000, 'EUR');
    await add('https://teas.example/p/pot', 'Teapot', 1250, 'EUR', 2);
    await add('https://teas.example/p/cups', 'Cups', null, 'EUR');
    await add('https://us.example/p/mug', 'Mug', 999, 'USD');
    // The kettle's page showed a lower price, then a higher one, then a lower one again.
    for (const price of [2500, 2700, 2200]) {
      await phone.client.store.dispatch(cartCommands.priceSeen('https://kettles.example/p/red', price, 'EUR'));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await expect.poll(() => row('Red kettle').count(), { timeout: 30_000 }).toBe(1);
    const totals = desktop.getByTestId('totals-currency');
    await expect.poll(() => totals.count()).toBe(2);
    await expect.poll(() => totals.first().getByTestId('totals-amount').textContent()).toBe('€47.00 + 1 without price');
    expect(await totals.first().getByTestId('totals-shop').allTextContents()).toEqual(['teas.example €25.00 + 1 without price', 'kettles.example €22.00']);
    expect(await totals.nth(1).getByTestId('totals-amount').textContent()).toBe('$9.99');
  });

  it('draws the price history: the price when added and every change after', async () => {
    await row('Red kettle').getByTestId('item-details').click();
    const points = panel().getByTestId('price-point');
    await expect.poll(() => points.count()).toBe(4);
    expect(await points.evaluateAll((els) => els.map((el) => el.getAttribute('data-kind')))).toEqual(['added', 'drop', 'rise', 'drop']);
    expect(await points.first().textContent()).toContain('When added €30.00');
    expect(await points.last().textContent()).toContain('Dropped to €22.00');
    // Each point is drawn on the canvas where the chart says it is: the pixel there is the line's colour.
    const chart = panel().getByTestId('price-chart');
    await expect.poll(async () => JSON.parse(await chart.getAttribute('data-points') ?? '[]').length).toBe(4);
    const colours = await chart.evaluate((host) => {
      const canvas = host.querySelector('canvas')!;
      const context = canvas.getContext('2d')!;
      return (JSON.parse(host.getAttribute('data-points')!) as [number, number][]).map(([x, y]) => Array.from(context.getImageData(x, y, 1, 1).data));
    });
    // The theme's accent (--tote-accent in ui/src/theme.css, light).
    for (const [r, g, b, a] of colours) expect([r, g, b, a]).toEqual([0x1b, 0x6a, 0x47, 255]);
    const ys = JSON.parse(await chart.getAttribute('data-points') ?? '[]').map(([, y]: number[]) => y);
    expect(ys[1]).toBeGreaterThan(ys[0]); // lower price, lower on the chart (larger y)
    expect(ys[2]).toBeLessThan(ys[1]);
  });

  it('refuses bad input in the details with a message, keeping what was typed', async () => {
    const problem = panel().getByTestId('details-problem');
    await panel().getByTestId('details-price').fill('-3');
    await panel().getByTestId('details-save').click();
    expect(await problem.textContent()).toBe('The price cannot be below zero.');
    expect(await panel().getByTestId('details-price').inputValue()).toBe('-3');
    expect(await panel().getByTestId('details-price').getAttribute('aria-invalid')).toBe('true');
    // A screen reader reads the message with the field.
    expect(await panel().getByTestId('details-price').getAttribute('aria-describedby')).toBe(await problem.getAttribute('id'));
    await panel().getByTestId('details-price').fill('19.90');
    await panel().getByTestId('details-currency').fill('XYZ');
    await panel().getByTestId('details-save').click();
    expect(await problem.textContent()).toContain('"XYZ" is not a currency Tote knows');
    await panel().getByTestId('details-currency').fill('GBP');
    await panel().getByTestId('details-image').fill('javascript:alert(1)');
    await panel().getByTestId('details-save').click();
    expect(await problem.textContent()).toContain('The image must be a web address');
    expect(await panel().getByTestId('details-currency').inputValue()).toBe('GBP');
    // Nothing was sent: the phone still has the kettle as it was.
    expect(selectItems(phone.client.store.getState()).find((item) => item.url.includes('kettles'))).toMatchObject({ priceMinor: 2200, currency: 'EUR' });
  });

  it('saves every field of the details, and the other device gets each one', async () => {
    await panel().getByTestId('details-title').fill('Kettle, red enamel');
    await panel().getByTestId('details-price').fill('19.90');
    await panel().getByTestId('details-currency').fill('GBP');
    await panel().getByTestId('details-image').fill('https://kettles.example/img/red.jpg');
    await panel().getByTestId('details-variant').fill('1.7 l');
    await panel().getByTestId('details-quantity').fill('2');
    await panel().getByTestId('details-note').fill('For the new flat, "ask" about delivery');
    await panel().getByTestId('details-list').selectOption('saved');
    await panel().getByTestId('details-save').click();
    await panel().getByTestId('details-saved').waitFor();
    const kettle = (state: CartState) => selectItems(state).find((item) => item.url === 'https://kettles.example/p/red');
    await waitForState(phone, (state) => kettle(state)?.listId === 'saved', 30_000);
    expect(kettle(phone.client.store.getState())).toMatchObject({
      title: 'Kettle, red enamel', priceMinor: 1990, currency: 'GBP', imageUrl: 'https://kettles.example/img/red.jpg', variant: '1.7 l',
      quantity: 2, note: 'For the new flat, "ask" about delivery', listId: 'saved',
    });
    await expect.poll(() => desktop.locator('[data-testid="list"][data-list-id="saved"]').getByTestId('item-title').allTextContents()).toEqual(['Kettle, red enamel']);
    // A change from the phone reaches the open panel's heading.
    await phone.client.store.dispatch(cartCommands.edit(kettle(phone.client.store.getState())!.id, { title: 'Kettle (red)' }));
    await expect.poll(() => panel().locator('h2').textContent()).toBe('Kettle (red)');
    await panel().getByTestId('details-close').click();

    // Kept on this computer: after the window reloads, the details show every field as saved.
    await desktop.reload();
    await row('Kettle (red)').getByTestId('item-details').click({ timeout: 20_000 });
    const values = await Promise.all(['title', 'price', 'currency', 'image', 'variant', 'quantity', 'note', 'list']
      .map((field) => panel().getByTestId(`details-${field}`).inputValue()));
    expect(values).toEqual(['Kettle (red)', '19.90', 'GBP', 'https://kettles.example/img/red.jpg', '1.7 l', '2', 'For the new flat, "ask" about delivery', 'saved']);
    await panel().getByTestId('details-close').click();
  });

  it('exports everything as JSON, and one row per item as CSV', async () => {
    const [json] = await Promise.all([desktop.waitForEvent('download'), desktop.getByTestId('export-json').click()]);
    expect(json.suggestedFilename()).toMatch(/^tote-cart-\d{4}-\d{2}-\d{2}\.json$/);
    exported = await readFile((await json.path())!, 'utf8');
    const file = JSON.parse(exported);
    expect(file).toMatchObject({ format: 'tote-cart', version: 1 });
    expect(file.items).toHaveLength(4);
    const [csv] = await Promise.all([desktop.waitForEvent('download'), desktop.getByTestId('export-csv').click()]);
    exportedCsv = await readFile((await csv.path())!, 'utf8');
    expect(exportedCsv.startsWith('\uFEFF')).toBe(true);
    const lines = exportedCsv.slice(1).split('\r\n');
    expect(lines[0]).toBe('List,Name,Shop,Variant,Quantity,Price,Currency,Price when added,Note,Link,Image,Added,Availability');
    expect(lines).toHaveLength(6);
    expect(lines.find((line) => line.startsWith('Saved for later'))).toContain('"For the new flat, ""ask"" about delivery"');
  });

  it('imports into a fresh account as the same cart, adds nothing the second time, and undoes an import', async () => {
    const fresh = await openWindow();
    await signUp(fresh, FRESH);
    const tablet = await startDevice('tablet', { ...server.account, username: FRESH.name, password: FRESH.password });
    devices.push(tablet);
    const chooseFile = (name: string, text: string) => fresh.getByTestId('import-file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
    const summary = fresh.getByTestId('import-summary');

    await chooseFile('cart.json', exported);
    await expect.poll(() => summary.textContent()).toContain('4 items added.');
    await waitForAgreement(phone, tablet, shown, 30_000);
    expect(shown(tablet.client.store.getState())).toHaveLength(4);

    await chooseFile('cart.json', exported);
    await expect.poll(() => summary.textContent()).toContain('Nothing added: all 4 items are already in your cart.');

    // Into the account it came from: nothing either.
    await desktop.getByTestId('import-file').setInputFiles({ name: 'cart.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
    await expect.poll(() => desktop.getByTestId('import-summary').textContent()).toContain('Nothing added');

    // A foreign file is refused and changes nothing.
    await chooseFile('other.json', '{"products": []}');
    expect(await fresh.getByTestId('import-problem').textContent()).toContain('This file is not a Tote export.');

    // Undo takes back exactly what the import added, on every device.
    await tablet.client.store.dispatch(cartCommands.add({ url: 'https://own.example/p/1', title: 'Own lamp', priceMinor: 500, currency: 'EUR', imageUrl: null, variant: null }));
    await waitForState(tablet, (state) => selectItems(state).length === 5);
    await expect.poll(() => fresh.getByTestId('item').count(), { timeout: 30_000 }).toBe(5);
    const removeAll = selectItems(tablet.client.store.getState()).filter((item) => item.title !== 'Own lamp').map((item) => item.id);
    for (const id of removeAll) await tablet.client.store.dispatch(cartCommands.remove(id));
    await expect.poll(() => fresh.getByTestId('item').count(), { timeout: 30_000 }).toBe(1);
    await chooseFile('cart.json', exported);
    await expect.poll(() => summary.textContent()).toContain('4 items added.');
    await waitForState(tablet, (state) => selectItems(state).length === 5, 30_000);
    // One imported item changed since (its quantity, on this window): the undo leaves it, and says so.
    const changed = fresh.getByTestId('item').filter({ hasNot: fresh.getByText('Own lamp') }).first();
    const changedTitle = String(await changed.getByTestId('item-title').textContent());
    await changed.getByTestId('item-increase').click();
    await waitForState(tablet, (state) => selectItems(state).some((item) => item.title === changedTitle && item.quantity > 1), 30_000);
    await fresh.getByTestId('import-undo').click();
    await expect.poll(() => fresh.getByTestId('import-undone').textContent())
      .toContain('Import undone: 3 items removed. 1 item changed since the import was kept.');
    await waitForState(tablet, (state) => selectItems(state).map((item) => item.title).sort().join() === ['Own lamp', changedTitle].sort().join(), 30_000);
    await expect.poll(() => fresh.getByTestId('item-title').allTextContents().then((titles) => titles.sort())).toEqual(['Own lamp', changedTitle].sort());
    await tablet.client.store.dispatch(cartCommands.remove(selectItems(tablet.client.store.getState()).find((item) => item.title === changedTitle)!.id));
    await expect.poll(() => fresh.getByTestId('item').count(), { timeout: 30_000 }).toBe(1);

    // The spreadsheet form reads back too: the same items and fields (not the price history), once.
    await fresh.getByTestId('import-file').setInputFiles({ name: 'cart.csv', mimeType: 'text/csv', buffer: Buffer.from(exportedCsv) });
    await expect.poll(() => summary.textContent()).toContain('4 items added.');
    const withoutHistory = (state: CartState) => shown(state).filter((item) => item.title !== 'Own lamp')
      .map(({ id, priceHistory, ...rest }) => (void id, void priceHistory, rest));
    await waitForAgreement(phone, tablet, withoutHistory, 30_000);
    await fresh.getByTestId('import-file').setInputFiles({ name: 'cart.csv', mimeType: 'text/csv', buffer: Buffer.from(exportedCsv) });
    await expect.poll(() => summary.textContent()).toContain('Nothing added: all 4 items are already in your cart.');
  });
});
