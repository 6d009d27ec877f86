/**
 * The shopper's insights in the desktop window, in real Chromium against the real gateway over TLS
 * (docs/analytics.md, "Insights"): a phone of the same account made a known history (purchases in
 * September and October, a price drop, an item left in the cart since October); the desktop marks one
 * more item bought (from the bulk bar, undone, then with its row's ✓ button), which leaves the phone's
 * cart too; "Insights" then shows the
 * purchases, spend per month and shop, the saving, the time from adding to buying and the cart left
 * waiting, in words and in charts. Saves docs/screens/desktop-insights.png; axe finds no serious or
 * critical problem on it.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOUGHT_LIST_ID, cartCommands, selectItems, type CartCommand } from '@tote/core';
import { launchDesktopWindow, trustCertificate } from '../support/chromium.ts';
import { startDevice, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCREENS = path.join(root, 'docs/screens');
const SHOPPER = { name: 'ines@example.com', password: 'ines long password' };
const DAY = 24 * 60 * 60 * 1000;

let server: TestServer;
let desktopHost: StaticServer;
let profile: string;
let browser: BrowserContext;
let desktop: Page;
let phone: Device | undefined;
/** The phone's clock: set to each moment of the known history. */
let phoneTime = Date.parse('2026-09-10T10:00:00Z');

beforeAll(async () => {
  await mkdir(SCREENS, { recursive: true });
  desktopHost = await serveFolder(path.join(root, 'desktop/dist'));
  server = await startTestServer({ origins: [desktopHost.url] });
  profile = await mkdtemp(path.join(tmpdir(), 'tote-insights-ui-'));
  browser = await launchDesktopWindow(profile, trustCertificate(server.running.gateway.spkiSha256));
});

afterAll(async () => {
  await phone?.close();
  await browser?.close();
  await server?.dispose();
  await desktopHost?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

const product = (title: string, shop: string, priceMinor: number) => ({
  url: `https://${shop}/p/${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, title, priceMinor, currency: 'EUR', imageUrl: null, variant: null, shop,
});

/** The phone does `command` at `at` (its clock); resolves to the new item's id for an add. */
async function onPhone(at: string | number, command: CartCommand): Promise<string> {
  phoneTime = typeof at === 'number' ? at : Date.parse(at);
  return (await phone!.client.store.dispatch(command)).action.meta.newId;
}

describe('insights in the desktop app', () => {
  it('shows what was bought, spent and saved, and what was left, from the shopper\'s own history', async () => {
    desktop = await browser.newPage();
    await desktop.setViewportSize({ width: 1280, height: 800 });
    desktop.on('pageerror', (error) => console.error('page error:', error));
    await desktop.goto(`${desktopHost.url}/index.html`);
    await desktop.getByTestId('account-server').fill(server.account.serverUrl);
    await desktop.getByTestId('account-name').fill(SHOPPER.name);
    await desktop.getByTestId('account-password').fill(SHOPPER.password);
    await desktop.getByTestId('account-signup').click();
    await desktop.getByTestId('recovery-key-done').click({ timeout: 20_000 });

    phone = await startDevice('phone', { ...server.account, username: SHOPPER.name, password: SHOPPER.password }, { deviceClock: { now: () => phoneTime } });
    // September: a board, bought after 5 days.
    const board = await onPhone('2026-09-10T10:00:00Z', cartCommands.add(product('Walnut serving board', 'home.example', 5600)));
    await onPhone('2026-09-15T10:00:00Z', cartCommands.markBought(board));
    // October: two mugs whose price dropped from 18.00 to 15.00 before they were bought (3 days); a
    // kettle left 15 days, then bought; a blanket left in the cart ever since.
    const mug = await onPhone('2026-10-05T10:00:00Z', cartCommands.add(product('Stoneware mug', 'pottery.example', 1800), { quantity: 2 }));
    const kettle = await onPhone('2026-10-05T10:00:01Z', cartCommands.add(product('Red enamel kettle', 'kitchen.example', 4900)));
    await onPhone('2026-10-06T10:00:00Z', cartCommands.priceSeen(product('Stoneware mug', 'pottery.example', 0).url, 1500, 'EUR'));
    await onPhone('2026-10-08T10:00:00Z', cartCommands.markBoughtMany([mug]));
    await onPhone('2026-10-12T10:00:00Z', cartCommands.add(product('Merino wool blanket', 'home.example', 8900)));
    await onPhone('2026-10-20T10:00:00Z', cartCommands.markBought(kettle));
    // Two days ago: a candle, which the desktop marks bought now.
    await onPhone(Date.now() - 2 * DAY, cartCommands.add(product('Cedar candle', 'home.example', 2200)));
    phoneTime = Date.now();

    const rows = desktop.getByTestId('item');
    await expect.poll(() => rows.allTextContents(), { timeout: 30_000 }).toEqual([expect.stringContaining('Merino wool blanket'), expect.stringContaining('Cedar candle')]);
    // "Mark bought" on the selection, then "Undo": the candle is back as it was.
    await rows.filter({ hasText: 'Cedar candle' }).getByTestId('item-select').click();
    await desktop.getByTestId('bulk-bought').click();
    await expect.poll(() => desktop.getByTestId('bulk-done').textContent()).toContain('Marked 1 item bought.');
    await expect.poll(() => rows.count()).toBe(1);
    await desktop.getByTestId('bulk-undo').click();
    await expect.poll(() => rows.count()).toBe(2);
    // Then its row's ✓: bought once, however often it was marked.
    await rows.filter({ hasText: 'Cedar candle' }).getByRole('button', { name: 'Mark bought: Cedar candle' }).click();
    // Bought on the desktop: it leaves the cart here and on the phone, filed under "bought".
    await expect.poll(() => rows.count()).toBe(1);
    const onPhoneNow = await waitForState(phone, (state) => selectItems(state).length === 1, 20_000);
    expect(Object.values(onPhoneNow.items).find((item) => item.title === 'Cedar candle')).toMatchObject({ deleted: true, listId: BOUGHT_LIST_ID });

    await desktop.getByTestId('open-insights').click();
    const insights = desktop.getByTestId('insights');
    await expect.poll(() => insights.getByTestId('insight-bought').textContent(), { timeout: 15_000 }).toBe('4');
    // Spent: 56.00 + 2 × 15.00 + 49.00 + 22.00; saved: 2 × 3.00; waits of 5, 3, 15 and 2 days: median 4.
    expect(await insights.getByTestId('insight-spent').textContent()).toBe('€157.00');
    expect(await insights.getByTestId('insight-saved').textContent()).toBe('€6.00');
    expect(await insights.getByTestId('insight-add-to-buy').textContent()).toBe('4 days (median)');
    // Left 7 days without a change: the kettle (before it was bought) and the blanket.
    expect(await insights.getByTestId('insight-abandoned').textContent()).toBe('2');
    expect((await insights.getByTestId('shop-row').allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim())).toEqual([
      'home.example2€78.00', 'kitchen.example1€49.00', 'pottery.example1€30.00',
    ]);
    const months = (await insights.getByTestId('month-row').allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
    expect(months.slice(0, 3)).toEqual(['Sep 2026'.concat('10€56.00'), 'Oct 2026'.concat('22€79.00'), 'Nov 2026'.concat('00nothing yet')]);
    expect(await insights.getByTestId('waiting-cart').allTextContents()).toEqual([expect.stringMatching(/^home\.example: 1 item unchanged for \d+ days\./)]);
    // The charts drew these bars (the spend chart in euros, month by month from September).
    await expect.poll(() => insights.getByTestId('spend-chart').getAttribute('data-values'), { timeout: 10_000 }).toMatch(/^\[56,79,0,/);
    const counts = JSON.parse(String(await insights.getByTestId('count-chart').getAttribute('data-values'))) as number[][];
    expect([counts[0]!.slice(0, 2), counts[1]!.slice(0, 2)]).toEqual([[1, 2], [0, 2]]);
    expect(await insights.locator('canvas').count()).toBe(2);

    await expect.poll(() => desktop.getByTestId('sync-status').locator('strong').textContent(), { timeout: 20_000 }).toBe('In sync');
    await desktop.waitForTimeout(300);
    await desktop.screenshot({ path: path.join(SCREENS, 'desktop-insights.png'), animations: 'disabled', caret: 'hide', fullPage: true });
    const result = await new AxeBuilder({ page: desktop }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    const report = result.violations.flatMap((violation) => violation.nodes.map((node) => `${violation.id} (${violation.impact}) at ${node.target.join(' ')}: ${violation.help}`));
    for (const line of report) console.error(line);
    expect(result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
  });
});
