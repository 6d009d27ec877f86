/**
 * Accessibility of every main screen of both apps, in real Chromium against the real gateway over TLS:
 * axe (WCAG 2.1 A and AA rules and best practices) finds no serious or critical violation on the desktop window (signed
 * out, the lists with items, a row's details, history, the account screen, locked) nor in the popup at its real
 * size (signed out, the Cart, Saved for later, the details, the export/import tab). The same run saves a
 * screenshot of each screen under docs/screens/ (desktop at 1280×800, popup at 380×600), from the same
 * demo cart each time, for the README. Every screen is checked again with the system in dark mode (the
 * theme follows it), and the cart of each app is saved dark too. Every control of every row names its item.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems } from '@tote/core';
import { extensionId, launchDesktopWindow, launchWithExtension, trustCertificate } from '../support/chromium.ts';
import { startDevice, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCREENS = path.join(root, 'docs/screens');
const SHOPPER = { name: 'maya@example.com', password: 'maya long password' };

/** The demo cart: fixed, realistic items (no images, so no shop is asked for one). */
const DEMO = [
  { title: 'Stoneware mug, speckled', shop: 'pottery.example', priceMinor: 1800, currency: 'EUR', variant: 'Sand', quantity: 2, listId: 'cart' },
  { title: 'Red enamel kettle 1.7 l', shop: 'kitchen.example', priceMinor: 4900, currency: 'EUR', variant: null, quantity: 1, listId: 'cart' },
  { title: 'Merino wool blanket', shop: 'home.example', priceMinor: 8900, currency: 'EUR', variant: 'Grey', quantity: 1, listId: 'cart' },
  { title: 'Cedar and vetiver candle', shop: 'home.example', priceMinor: 2200, currency: 'EUR', variant: null, quantity: 3, listId: 'cart' },
  { title: 'Field notebook, dotted', shop: 'paper.example', priceMinor: 1250, currency: 'USD', variant: 'A5', quantity: 1, listId: 'cart' },
  { title: 'Linen apron', shop: 'kitchen.example', priceMinor: 3400, currency: 'EUR', variant: 'Olive', quantity: 1, listId: 'saved' },
  { title: 'Walnut serving board', shop: 'home.example', priceMinor: 5600, currency: 'EUR', variant: null, quantity: 1, listId: 'saved' },
] as const;
const url = (item: (typeof DEMO)[number]) => `https://${item.shop}/p/${item.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
const KETTLE = DEMO[1];
/** The phone's clock for its changes: the same moments on every run, so the screenshots keep their times. */
function demoClock(): { now(): number } {
  let time = Date.parse('2026-03-14T09:30:00Z');
  return { now: () => (time += 47_000) };
}

let server: TestServer;
let desktopHost: StaticServer;
const profiles: string[] = [];
const browsers: BrowserContext[] = [];
let phone: Device | undefined;

beforeAll(async () => {
  await mkdir(SCREENS, { recursive: true });
  desktopHost = await serveFolder(path.join(root, 'desktop/dist'));
  server = await startTestServer({ origins: [desktopHost.url] });
});

afterAll(async () => {
  await phone?.close();
  for (const browser of browsers) await browser.close();
  await server?.dispose();
  await desktopHost?.close();
  for (const profile of profiles) await rm(profile, { recursive: true, force: true });
});

async function profile(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tote-a11y-'));
  profiles.push(dir);
  return dir;
}

/** The serious and critical violations axe finds on the page, each printed with what to fix. */
async function violations(page: Page, screen: string): Promise<string[]> {
  // Let transitions and late renders settle so axe judges what the shopper sees.
  await page.waitForTimeout(300);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const report = (violation: (typeof result.violations)[number]) => violation.nodes.map((node) =>
    `${screen}: ${violation.id} (${violation.impact}) at ${node.target.join(' ')}: ${violation.help}`);
  // Moderate and minor ones are printed too (none today), but only serious and critical ones fail.
  for (const line of result.violations.flatMap(report)) console.error(line);
  return result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').flatMap(report);
}

/**
 * Screenshot and axe in the light theme, then axe again with the system in dark mode (the theme follows
 * prefers-color-scheme: ui/src/theme.css); `darkShot` saves the dark screen too, as `<screen>-dark.png`.
 */
async function check(page: Page, screen: string, synced = true, fullPage = false, darkShot = false) {
  if (synced) await expect.poll(() => page.getByTestId('sync-status').locator('strong').textContent(), { timeout: 20_000 }).toBe('In sync');
  await page.screenshot({ path: path.join(SCREENS, `${screen}.png`), animations: 'disabled', caret: 'hide', fullPage });
  expect(await violations(page, screen)).toEqual([]);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    // The page really is dark: its background follows the system.
    expect(await background()).not.toBe(light);
    if (darkShot) await page.screenshot({ path: path.join(SCREENS, `${screen}-dark.png`), animations: 'disabled', caret: 'hide', fullPage });
    expect(await violations(page, `${screen} (dark)`)).toEqual([]);
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

/**
 * The controls of the shown rows whose name does not say which item they act on (a screen reader
 * reading "Remove" alone): each row's buttons, boxes and fields as the accessibility tree names them.
 */
async function controlsNotNamingTheirItem(page: Page): Promise<string[]> {
  const missing: string[] = [];
  const rows = page.getByTestId('item');
  for (let index = 0; index < await rows.count(); index++) {
    const row = rows.nth(index);
    const title = String(await row.getByTestId('item-title').textContent());
    const controls = (await row.ariaSnapshot()).split('\n').filter((line) => /^\s*- (button|checkbox|spinbutton|textbox|combobox)\b/.test(line));
    expect(controls.length, title).toBeGreaterThanOrEqual(5);
    missing.push(...controls.filter((line) => !line.includes(title)).map((line) => `${title}: ${line.trim()}`));
  }
  return missing;
}

async function signIn(page: Page, create: boolean) {
  await page.getByTestId('account-server').fill(server.account.serverUrl);
  await page.getByTestId('account-name').fill(SHOPPER.name);
  await page.getByTestId('account-password').fill(SHOPPER.password);
  await page.getByTestId(create ? 'account-signup' : 'account-signin').click();
}

describe('the desktop window', () => {
  let desktop: Page;

  it('signed out', async () => {
    const browser = await launchDesktopWindow(await profile(), trustCertificate(server.running.gateway.spkiSha256));
    browsers.push(browser);
    desktop = await browser.newPage();
    await desktop.setViewportSize({ width: 1280, height: 800 });
    desktop.on('pageerror', (error) => console.error('page error:', error));
    await desktop.goto(`${desktopHost.url}/index.html`);
    await expect.poll(() => desktop.getByTestId('account-status').textContent(), { timeout: 20_000 }).toContain('Not signed in');
    await check(desktop, 'desktop-signed-out', false);
  });

  it('the recovery key after creating an account', async () => {
    await signIn(desktop, true);
    await desktop.getByTestId('recovery-key-done').waitFor({ timeout: 20_000 });
    expect(await violations(desktop, 'desktop-recovery-key')).toEqual([]);
    await desktop.getByTestId('recovery-key-done').click();
  });

  it('the lists with items', async () => {
    phone = await startDevice('phone', { ...server.account, username: SHOPPER.name, password: SHOPPER.password }, { deviceClock: demoClock() });
    for (const item of DEMO) {
      const { quantity, listId, ...product } = item;
      await phone.client.store.dispatch(cartCommands.add({ ...product, url: url(item), imageUrl: null }, { quantity, listId }));
    }
    // The kettle's page showed two lower prices since.
    for (const price of [4500, 3900]) await phone.client.store.dispatch(cartCommands.priceSeen(url(KETTLE), price, KETTLE.currency));
    await waitForState(phone, (state) => selectItems(state).length === DEMO.length);
    await expect.poll(() => desktop.getByTestId('item').count(), { timeout: 30_000 }).toBe(DEMO.length);
    await check(desktop, 'desktop-cart', true, false, true);
    expect(await controlsNotNamingTheirItem(desktop)).toEqual([]);
    // Keyboard focus shows the theme's ring (--tote-focus, docs/design.md rule 3): from the search box, Tab.
    await desktop.getByTestId('search').first().focus();
    await desktop.keyboard.press('Tab');
    const ring = await desktop.evaluate(() => {
      const style = getComputedStyle(document.activeElement!);
      return { testId: document.activeElement!.getAttribute('data-testid'), outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` };
    });
    expect(ring).toEqual({ testId: 'sort', outline: 'solid 2px rgb(26, 95, 208)' });
    // Focus leaves again, so the next screenshots show no ring.
    await desktop.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  });

  it('the lists with one of the shopper\'s own', async () => {
    await desktop.getByTestId('list-new-name').fill('Gifts');
    await desktop.getByTestId('list-create').click();
    await expect.poll(() => desktop.getByTestId('list-entry').count()).toBe(3);
    await check(desktop, 'desktop-lists');
  });

  it('a row\'s "Move" menu, open', async () => {
    const row = desktop.getByTestId('item').filter({ hasText: KETTLE.title });
    await row.getByRole('button', { name: `Move ${KETTLE.title} to…`, exact: true }).click();
    const menu = row.getByRole('menu', { name: `Move ${KETTLE.title} to` });
    await menu.waitFor();
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual(['Saved for later', 'Gifts']);
    await check(desktop, 'desktop-move-menu');
    // Escape closes it and moves nothing.
    await desktop.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
    expect(await desktop.locator('[data-testid="list"][data-list-id="cart"]').getByTestId('item').filter({ hasText: KETTLE.title }).count()).toBe(1);
    await desktop.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  });

  it('a row\'s details', async () => {
    await desktop.getByTestId('item').filter({ hasText: KETTLE.title }).getByTestId('item-details').click();
    await expect.poll(() => desktop.getByTestId('item-details-panel').getByTestId('price-point').count()).toBe(3);
    await check(desktop, 'desktop-details');
    await desktop.getByTestId('item-details-panel').getByTestId('details-close').click();
  });

  it('history', async () => {
    await desktop.getByTestId('open-history').click();
    await expect.poll(() => desktop.getByTestId('history-point').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await check(desktop, 'desktop-history');
    await desktop.getByTestId('open-history').click();
  });

  it('the account screen', async () => {
    await desktop.getByTestId('open-settings').click();
    await expect.poll(() => desktop.getByTestId('account-status').textContent()).toContain(SHOPPER.name);
    await check(desktop, 'desktop-account');
    await desktop.getByTestId('open-settings').click();
  });

  it('locked (a window without a key store, reopened), then unlocked', async () => {
    await desktop.reload();
    await desktop.getByTestId('unlock-form').waitFor({ timeout: 20_000 });
    await check(desktop, 'desktop-locked', false);
    await desktop.getByTestId('unlock-password').fill(SHOPPER.password);
    await desktop.getByTestId('unlock-submit').click();
    await expect.poll(() => desktop.getByTestId('item').count(), { timeout: 30_000 }).toBe(DEMO.length);
  });
});

describe('the popup', () => {
  let popup: Page;
  let popupUrl: string;
  let extension: BrowserContext;

  it('signed out', async () => {
    extension = await launchWithExtension(await profile(), path.join(root, 'extension/.output/chrome-mv3'), trustCertificate(server.running.gateway.spkiSha256));
    browsers.push(extension);
    popupUrl = `chrome-extension://${await extensionId(extension)}/popup.html`;
    popup = await extension.newPage();
    await popup.setViewportSize({ width: 380, height: 600 });
    popup.on('pageerror', (error) => console.error('page error:', error));
    await popup.goto(popupUrl);
    await popup.getByTestId('account-signin').waitFor({ timeout: 20_000 });
    await check(popup, 'popup-signed-out', false);
  });

  it('the Cart with items, and the account', async () => {
    await signIn(popup, false);
    const cartCount = DEMO.filter((item) => item.listId === 'cart').length;
    await expect.poll(() => popup.getByTestId('item').count(), { timeout: 30_000 }).toBe(cartCount);
    await expect.poll(() => popup.getByTestId('account-status').textContent()).toContain(SHOPPER.name);
    await check(popup, 'popup-cart', true, false, true);
    expect(await controlsNotNamingTheirItem(popup)).toEqual([]);
  });

  it('Saved for later', async () => {
    await popup.locator('[data-testid="list-tab"][data-list-id="saved"]').click();
    await expect.poll(() => popup.getByTestId('item').count()).toBe(DEMO.filter((item) => item.listId === 'saved').length);
    await check(popup, 'popup-saved');
    await popup.locator('[data-testid="list-tab"][data-list-id="cart"]').click();
  });

  it('the lists, opened from "Lists…"', async () => {
    await popup.getByTestId('open-lists').click();
    // "Gifts", made on the desktop, with its controls.
    await expect.poll(() => popup.getByTestId('list-entry').count()).toBe(3);
    await check(popup, 'popup-lists');
    await popup.getByTestId('open-lists').click();
  });

  it('the details', async () => {
    await popup.getByTestId('item').filter({ hasText: KETTLE.title }).getByTestId('item-details').click();
    await expect.poll(() => popup.getByTestId('item-details-panel').getByTestId('price-point').count()).toBe(3);
    await check(popup, 'popup-details');
    await popup.getByTestId('item-details-panel').getByTestId('details-close').click();
  });

  it('the export and import tab', async () => {
    // A tab of its own (the popup closes when a file chooser opens); its page keeps the popup's width,
    // so the screenshot shows that width, down to the import box at the end.
    const tab = await extension.newPage();
    await tab.setViewportSize({ width: 380, height: 600 });
    await tab.goto(`${popupUrl}#transfer`);
    await tab.getByTestId('export-json').waitFor({ timeout: 20_000 });
    await check(tab, 'popup-transfer', true, true);
  });
});
