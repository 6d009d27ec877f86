/**
 * The Diagnostics panel of the desktop window, in real Chromium against the real gateway over TLS
 * (docs/analytics.md, "Monitoring"): the desktop opens its cart, changes two quantities, makes a list and
 * removes an item; "Diagnostics" then shows, since start and for today, how many of each were timed
 * and their median, 95th and 99th percentile and slowest times, the cart's load and each write's round
 * trip to the sync server. "Copy for support" copies the same figures as plain text, with no title,
 * address, price or id in it. Saves docs/screens/desktop-diagnostics.png; axe finds no serious or
 * critical problem on it.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands } from '@tote/core';
import { launchDesktopWindow, trustCertificate } from '../support/chromium.ts';
import { startDevice, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCREENS = path.join(root, 'docs/screens');
const SHOPPER = { name: 'dora@example.com', password: 'dora long password' };

let server: TestServer;
let desktopHost: StaticServer;
let profile: string;
let browser: BrowserContext;
let desktop: Page;
let phone: Device | undefined;

beforeAll(async () => {
  await mkdir(SCREENS, { recursive: true });
  desktopHost = await serveFolder(path.join(root, 'desktop/dist'));
  server = await startTestServer({ origins: [desktopHost.url] });
  profile = await mkdtemp(path.join(tmpdir(), 'tote-diagnostics-ui-'));
  browser = await launchDesktopWindow(profile, trustCertificate(server.running.gateway.spkiSha256));
});

afterAll(async () => {
  await phone?.close();
  await browser?.close();
  await server?.dispose();
  await desktopHost?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

const product = (title: string, priceMinor: number) => ({
  url: `https://kitchen.example/p/${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, title, priceMinor, currency: 'EUR', imageUrl: null, variant: null, shop: 'kitchen.example',
});

/** The row of `operation` in the table of `period`, as its cells' texts. */
async function row(period: 'sinceStart' | 'today', operation: string): Promise<string[]> {
  const cells = desktop.getByTestId(`diagnostics-${period}`).locator(`tr[data-operation="${operation}"]`).locator('th, td');
  return (await cells.allTextContents()).map((text) => text.trim());
}

describe('diagnostics in the desktop app', () => {
  it('shows how long each cart operation took, and copies it for support without a word about the items', async () => {
    desktop = await browser.newPage();
    await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: desktopHost.url });
    await desktop.setViewportSize({ width: 1280, height: 800 });
    desktop.on('pageerror', (error) => console.error('page error:', error));
    await desktop.goto(`${desktopHost.url}/index.html`);
    await desktop.getByTestId('account-server').fill(server.account.serverUrl);
    await desktop.getByTestId('account-name').fill(SHOPPER.name);
    await desktop.getByTestId('account-password').fill(SHOPPER.password);
    await desktop.getByTestId('account-signup').click();
    await desktop.getByTestId('recovery-key-done').click({ timeout: 20_000 });

    phone = await startDevice('phone', { ...server.account, username: SHOPPER.name, password: SHOPPER.password });
    await phone.client.store.dispatch(cartCommands.add(product('Secret enamel kettle', 4900)));
    await phone.client.store.dispatch(cartCommands.add(product('Secret stoneware mug', 1800)));
    const rows = desktop.getByTestId('item');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);

    // On the desktop: two quantity changes, a new list, a removal.
    await rows.filter({ hasText: 'Secret enamel kettle' }).getByTestId('item-increase').click();
    await expect.poll(() => rows.filter({ hasText: 'Secret enamel kettle' }).getByTestId('item-quantity').inputValue()).toBe('2');
    await rows.filter({ hasText: 'Secret enamel kettle' }).getByTestId('item-increase').click();
    await expect.poll(() => rows.filter({ hasText: 'Secret enamel kettle' }).getByTestId('item-quantity').inputValue()).toBe('3');
    await desktop.getByTestId('list-new-name').fill('Garden');
    await desktop.getByTestId('list-create').click();
    await rows.filter({ hasText: 'Secret stoneware mug' }).getByTestId('item-remove').click();
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => desktop.getByTestId('sync-status').locator('strong').textContent(), { timeout: 20_000 }).toBe('In sync');

    await desktop.getByTestId('open-diagnostics').click();
    const panel = desktop.getByTestId('diagnostics');
    await panel.waitFor();
    // Counts: what the desktop did, and nothing it did not do (the adds were the phone's).
    await expect.poll(() => row('sinceStart', 'edit'), { timeout: 10_000 }).toEqual(['Change an item', '2', expect.stringMatching(/ms|s$/), expect.any(String), expect.any(String), expect.any(String)]);
    expect((await row('sinceStart', 'list'))[1]).toBe('1');
    expect((await row('sinceStart', 'remove'))[1]).toBe('1');
    expect((await row('sinceStart', 'load'))[1]).toBe('1');
    expect(await row('sinceStart', 'add')).toEqual(['Add an item', '0', '–', '–', '–', '–']);
    // Every desktop write that reached the server was timed until the server took it: the two
    // quantity changes, the list and the removal are 4 documents written.
    await expect.poll(async () => Number((await row('sinceStart', 'sync'))[1]), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    // Today's figures include this start's.
    expect((await row('today', 'edit'))[1]).toBe('2');
    // The figures read as times, ordered: median ≤ 95th ≤ 99th ≤ slowest.
    const toMs = (text: string) => (text.endsWith(' ms') ? Number(text.slice(0, -3)) : Number(text.slice(0, -2)) * 1000);
    for (const operation of ['edit', 'sync', 'load']) {
      const figures = (await row('sinceStart', operation)).slice(2).map(toMs);
      expect(figures.every((value) => value > 0)).toBe(true);
      expect([...figures].sort((a, b) => a - b)).toEqual(figures);
    }

    await desktop.getByTestId('diagnostics-copy').click();
    await expect.poll(() => desktop.getByTestId('diagnostics-message').textContent()).toContain('Copied');
    const copied = await desktop.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/^Change an item: since start 2× median /m);
    expect(copied).toMatch(/^Open the cart: since start 1× median /m);
    expect(copied).not.toMatch(/secret|kettle|mug|kitchen|garden|49\.00|18\.00|€|https?:/i);
    for (const id of Object.keys(phone.client.store.getState().items)) expect(copied).not.toContain(id);

    await desktop.waitForTimeout(300);
    await panel.scrollIntoViewIfNeeded();
    await desktop.screenshot({ path: path.join(SCREENS, 'desktop-diagnostics.png'), animations: 'disabled', caret: 'hide', fullPage: true });
    const result = await new AxeBuilder({ page: desktop }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    const report = result.violations.flatMap((violation) => violation.nodes.map((node) => `${violation.id} (${violation.impact}) at ${node.target.join(' ')}: ${violation.help}`));
    for (const line of report) console.error(line);
    expect(result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
  });
});
