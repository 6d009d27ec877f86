/**
 * The admin dashboard (docs/analytics.md, "The admin dashboard") in real Chromium, served by the real
 * sync server over HTTPS from the built bundle (`npm run build`): test devices of six shoppers send their
 * daily aggregates through the gateway; an admin signs in with the page's own form and sees exactly the
 * figures those aggregates add up to, for the whole range and a narrower one; a shop fewer than five
 * shoppers used never appears, on the page or in the CSV it downloads; a shopper's sign-in and a shopper's
 * session are refused; the gateway's own figures (live connections, latency by route kind, errors) are
 * shown; the page runs under its strict Content-Security-Policy without a single violation; axe finds no
 * serious or critical problem. The screenshot in docs/screens/ is taken from this run.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLatencyMonitor } from '@tote/core';
import { launchProfile, trustCertificate } from '../support/chromium.ts';
import { gatewayClient, type GatewayClient, type LiveSocket } from '../support/gateway.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCREENS = path.join(root, 'docs/screens');
const DAY = 86_400_000;
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString().slice(0, 10);

/** What one test device sent for one day: the truth the dashboard is held to. */
interface Sent {
  readonly shopper: string;
  readonly device: string;
  readonly day: string;
  readonly counts: Record<string, number>;
  readonly sources: Record<string, number>;
  readonly shops: Record<string, { added: number; checkout: number; bought: number }>;
}

/** Operation times ('add', ms) two devices sent today. */
const LATENCY_SENT = [[10, 20, 30, 40], [50, 60, 70, 80, 90, 400]];
const POPULAR = 'popular.example';
const RARE = 'rare.example';
const QUIET = 'quiet.example';
const shoppers = Array.from({ length: 6 }, (_, i) => ({ name: `dash-shopper-${i}@example.com`, password: `dashboard shopper ${i} password` }));
const sent: Sent[] = [
  // Five shoppers at one shop today: it reaches the threshold of five.
  ...shoppers.slice(0, 5).map((shopper, i): Sent => ({
    shopper: shopper.name, device: 'laptop', day: day(0),
    counts: { recognised: 3 + i, added: 2, checkout: 1, bought: i % 2, abandoned7: i === 0 ? 1 : 0 },
    sources: { page: 1, popup: 1 }, shops: { [POPULAR]: { added: 2, checkout: 1, bought: i % 2 } },
  })),
  // One of them on a second device yesterday, at a shop nobody else uses.
  { shopper: shoppers[0]!.name, device: 'phone', day: day(1), counts: { added: 1, removed: 1 }, sources: { 'context-menu': 1 }, shops: { [RARE]: { added: 1, checkout: 0, bought: 0 } } },
  // A sixth shopper ten days ago, alone at a third shop.
  { shopper: shoppers[5]!.name, device: 'tablet', day: day(10), counts: { added: 7, quantityChanged: 2, abandoned30: 1 }, sources: { shortcut: 7 }, shops: { [QUIET]: { added: 7, checkout: 0, bought: 0 } } },
];

/** The truth over a range, from what was sent. */
function truth(from: string, to: string) {
  const within = sent.filter((one) => one.day >= from && one.day <= to);
  const total = (pick: (one: Sent) => Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const one of within) for (const [key, count] of Object.entries(pick(one))) out[key] = (out[key] ?? 0) + count;
    return out;
  };
  const active = within.filter((one) => Object.values(one.counts).some((count) => count > 0));
  return {
    counts: total((one) => one.counts), sources: total((one) => one.sources),
    shoppers: new Set(active.map((one) => one.shopper)).size, devices: new Set(active.map((one) => `${one.shopper}/${one.device}`)).size,
    popularAdded: within.reduce((sum, one) => sum + (one.shops[POPULAR]?.added ?? 0), 0),
  };
}

let server: TestServer;
let client: GatewayClient;
let browser: BrowserContext;
let page: Page;
let profileDir: string;
let live: LiveSocket | undefined;
const cspViolations: string[] = [];
const pageErrors: string[] = [];
let adminPage: string;

beforeAll(async () => {
  await mkdir(SCREENS, { recursive: true });
  server = await startTestServer({ tuning: { rateLimits: { signupsPerAddressPerHour: 1000, requestsPerMinute: 100_000 } } });
  client = gatewayClient(server.account.serverUrl, server.running.gateway.cert);
  // Each test device sends its days as the apps do: POST /_tote/analytics with its shopper's session.
  const tokens = new Map<string, string>();
  for (const shopper of shoppers) tokens.set(shopper.name, (await client.signUp(shopper.name, shopper.password)).token);
  for (const one of sent) {
    const answer = await client.request('POST', '/_tote/analytics', {
      token: tokens.get(one.shopper)!, body: { device: one.device, days: [{ day: one.day, counts: one.counts, sources: one.sources, shops: one.shops }] },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  }
  // Two more devices send only operation times today (nothing counted: they change no other figure).
  for (const [i, times] of LATENCY_SENT.entries()) {
    const monitor = createLatencyMonitor();
    for (const ms of times) monitor.recordMs('add', ms);
    const answer = await client.request('POST', '/_tote/analytics', {
      token: tokens.get(shoppers[i]!.name)!, body: { device: 'timer', days: [{ day: monitor.report().today, counts: {}, sources: {}, shops: {}, latency: monitor.days().at(-1)!.latency }] },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  }
  profileDir = await mkdtemp(path.join(tmpdir(), 'tote-admin-'));
  browser = await launchProfile(profileDir, trustCertificate(server.running.gateway.spkiSha256));
  page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  adminPage = `${server.account.serverUrl}/_tote/admin/`;
});

afterAll(async () => {
  live?.close();
  await browser?.close();
  await client?.close();
  await server?.dispose();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

async function seriousViolations(screen: string): Promise<string[]> {
  await page.waitForTimeout(300);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const lines = result.violations.flatMap((violation) => violation.nodes.map((node) => `${screen}: ${violation.id} (${violation.impact}) at ${node.target.join(' ')}: ${violation.help}`));
  for (const line of lines) console.error(line);
  return result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').flatMap((violation) => violation.nodes.map((node) => `${screen}: ${violation.id} at ${node.target.join(' ')}`));
}

const text = (testId: string) => page.getByTestId(testId).textContent();
const tableRows = async (testId: string) => Object.fromEntries(await page.getByTestId(testId).locator('tbody tr').evaluateAll((rows) =>
  rows.map((row) => [row.getAttribute('data-key') ?? '', Array.from(row.querySelectorAll('td')).slice(1).map((cell) => cell.textContent?.trim() ?? '')]))) as Record<string, string[]>;

async function signIn(name: string, password: string) {
  const form = page.getByTestId('sign-in');
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
}

describe('the admin dashboard', () => {
  it('is served with a strict policy and cached assets, and a shopper cannot sign in to it', async () => {
    const assets: { url: string; cacheControl: string | undefined }[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/_tote/admin/assets/')) assets.push({ url: response.url(), cacheControl: response.headers()['cache-control'] });
    });
    const answer = await page.goto(adminPage);
    expect(answer?.status()).toBe(200);
    const csp = answer?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(answer?.headers()['cache-control']).toBe('no-store');
    await page.getByTestId('sign-in').waitFor();
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) expect(asset.cacheControl, asset.url).toBe('public, max-age=31536000, immutable');
    expect(await seriousViolations('admin-sign-in')).toEqual([]);

    // A shopper's name and password: refused, and no session kept in the tab.
    await signIn(shoppers[1]!.name, shoppers[1]!.password);
    await expect.poll(() => text('sign-in-problem')).toContain('not an admin account');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.getByTestId('funnel').count()).toBe(0);
    // A wrong password: said so.
    await signIn(server.running.admin.name, 'not the admin password');
    await expect.poll(() => text('sign-in-problem')).toContain('Name or password is incorrect');
  });

  it('a shopper\'s session placed in the tab is refused too, and sends the page back to sign-in', async () => {
    const shopper = (await client.logIn(shoppers[2]!.name, shoppers[2]!.password)).body as { token: string };
    await page.evaluate((token) => sessionStorage.setItem('tote.admin.token', token), shopper.token);
    await page.reload();
    await expect.poll(() => text('sign-in-notice')).toContain('not an admin account');
    expect(await page.evaluate(() => sessionStorage.getItem('tote.admin.token'))).toBeNull();
    expect(await page.getByTestId('active-shoppers').count()).toBe(0);
  });

  it('shows an admin exactly the figures the devices sent, and never a shop under five shoppers', async () => {
    await signIn(server.running.admin.name, server.running.admin.password);
    const expected = truth(day(29), day(0));
    await expect.poll(() => text('active-shoppers'), { timeout: 20_000 }).toBe(String(expected.shoppers));
    expect(await text('active-devices')).toBe(String(expected.devices));
    expect(expected.shoppers).toBe(6);
    for (const step of ['recognised', 'added', 'checkout', 'bought']) expect(await text(`funnel-${step}`), step).toBe(String(expected.counts[step] ?? 0));
    expect(await text('abandonment-after7Days')).toBe(`${((1 / expected.counts.added!) * 100).toFixed(1)} %`);
    expect(await text('abandonment-after30Days')).toBe(`${((1 / expected.counts.added!) * 100).toFixed(1)} %`);
    const events = await tableRows('events');
    expect(Object.keys(events).length).toBeGreaterThanOrEqual(11);
    for (const [kind, [count]] of Object.entries(events)) expect(count, kind).toBe(String(expected.counts[kind] ?? 0));
    const sources = await tableRows('sources');
    for (const [source, [count]] of Object.entries(sources)) expect(count, source).toBe(String(expected.sources[source] ?? 0));
    expect(sources.page).toEqual(['5']);
    // The shop five shoppers used, with its figures; the two used by one shopper each, nowhere.
    const shops = await tableRows('shops');
    expect(Object.keys(shops)).toEqual([POPULAR]);
    expect(shops[POPULAR]![0]).toBe('5');
    expect(shops[POPULAR]![1]).toBe(String(expected.popularAdded));
    const whole = await page.locator('body').innerText();
    expect(whole).not.toContain(RARE);
    expect(whole).not.toContain(QUIET);
    // The per-day table: each day's adds.
    const days = await tableRows('days');
    expect(days[day(10)]?.[0]).toBe('7');
    expect(days[day(1)]?.[0]).toBe('1');
    expect(days[day(0)]?.[0]).toBe('10');
    await expect.poll(() => page.getByTestId('days-chart').locator('canvas').count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('sources-chart').locator('canvas').count()).toBeGreaterThan(0);
    // Device latency: both devices' histograms added (10 times, median 50 ms, slowest 400 ms).
    const timed = await tableRows('device-latency');
    expect(Object.keys(timed)).toEqual(['add']);
    const [count, p50, p95, p99, max] = timed.add!.map(Number);
    expect(count).toBe(10);
    expect(p50).toBeGreaterThanOrEqual(50);
    expect(p50).toBeLessThanOrEqual(50.5);
    expect(p95).toBeGreaterThanOrEqual(396);
    expect([p50!, p95!, p99!, max!].every((value, i, all) => i === 0 || all[i - 1]! <= value)).toBe(true);
    expect(max).toBeGreaterThanOrEqual(396);
    await expect.poll(() => page.getByTestId('device-latency-chart').locator('canvas').count()).toBeGreaterThan(0);
  });

  it('a narrower range shows only its days', async () => {
    await page.getByTestId('from').fill(day(3));
    await page.getByTestId('to').fill(day(0));
    await page.getByTestId('range').getByRole('button', { name: 'Show' }).click();
    const expected = truth(day(3), day(0));
    await expect.poll(() => text('active-shoppers')).toBe(String(expected.shoppers));
    expect(expected.shoppers).toBe(5);
    expect(await text('funnel-added')).toBe(String(expected.counts.added));
    expect((await tableRows('sources')).shortcut).toEqual(['0']);
    expect(await text('abandonment-after30Days')).toBe('0.0 %');
    // A range the wrong way round is refused with what to do, and asks nothing of the server.
    await page.getByTestId('from').fill(day(0));
    await page.getByTestId('to').fill(day(3));
    await page.getByTestId('range').getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => text('problem')).toContain('must not be after');
    await page.getByTestId('from').fill(day(3));
    await page.getByTestId('to').fill(day(0));
    await page.getByTestId('range').getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.getByTestId('problem').count()).toBe(0);
  });

  it('downloads the range as CSV, without the shops under the threshold', async () => {
    await page.getByRole('button', { name: 'Last 30 days' }).click();
    await expect.poll(() => text('active-shoppers')).toBe('6');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv').click()]);
    expect(download.suggestedFilename()).toBe(`tote-analytics-${day(29)}-${day(0)}.csv`);
    const csv = await readFile(await download.path(), 'utf8');
    const expected = truth(day(29), day(0));
    expect(csv.split('\r\n')[0]).toBe('section,name,value');
    expect(csv).toContain(`funnel,added,${expected.counts.added}\r\n`);
    expect(csv).toContain('active,shoppers,6\r\n');
    expect(csv).toContain(`shop:${POPULAR},shoppers,5\r\n`);
    expect(csv).not.toContain(RARE);
    expect(csv).not.toContain(QUIET);
  });

  it('charts the gateway\'s own metrics: live connections, latency by route kind, errors by kind', async () => {
    const shopper = (await client.logIn(shoppers[3]!.name, shoppers[3]!.password)).body as { token: string };
    live = await client.live(shopper.token);
    await live.next('ready');
    await page.getByTestId('refresh-metrics').click();
    await expect.poll(() => text('live-connections')).toBe('1');
    expect(await text('dependency-couchdb')).toBe('Up');
    const latency = await tableRows('latency');
    // The analytics sends above and this page's own reads, by route kind, never by path.
    expect(Number(latency.analytics?.[0])).toBeGreaterThanOrEqual(sent.length);
    expect(Number(latency['admin/analytics']?.[0])).toBeGreaterThanOrEqual(3);
    expect(Object.keys(latency).some((route) => route.includes('userdb-'))).toBe(false);
    // The refused sign-ins of the first test: unauthorized and forbidden answers.
    const errors = await tableRows('errors');
    expect(Number(errors.unauthorized?.[0])).toBeGreaterThanOrEqual(1);
    expect(Number(errors.forbidden?.[0])).toBeGreaterThanOrEqual(1);
    await expect.poll(() => page.getByTestId('latency-chart').locator('canvas').count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('connections-chart').locator('canvas').count()).toBeGreaterThan(0);
    expect(await seriousViolations('admin-dashboard')).toEqual([]);
    await page.screenshot({ path: path.join(SCREENS, 'admin-dashboard.png'), animations: 'disabled', caret: 'hide', fullPage: true });
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('shows event kinds and figures it has never heard of, as the server sends them', async () => {
    // A newer server's answer, with a kind and a per-day figure this bundle does not know: shown all the same.
    // The real server's answer, fetched by the test (which trusts its certificate) with the page's own session.
    await page.route('**/_tote/admin/analytics?*', async (route) => {
      const url = new URL(route.request().url());
      const real = await client.request<{ counts: Record<string, number>; funnel: { step: string; count: number }[]; days: Record<string, unknown>[] }>(
        'GET', `${url.pathname}${url.search}`, { headers: { authorization: route.request().headers().authorization! } });
      expect(real.status).toBe(200);
      const body = real.body;
      body.counts.orderPlaced = 4;
      body.funnel.push({ step: 'reordered', count: 1 });
      for (const one of body.days) one.returned = 2;
      await route.fulfill({ json: body });
    });
    await page.getByTestId('range').getByRole('button', { name: 'Show' }).click();
    await expect.poll(async () => (await tableRows('events')).orderPlaced).toEqual(['4']);
    expect(await text('funnel-reordered')).toBe('1');
    expect((await tableRows('days'))[day(0)]?.at(-1)).toBe('2');
    await page.unroute('**/_tote/admin/analytics?*');
  });

  it('the admin\'s own actions keep the session alive; the timed reads do not', async () => {
    // A second tab whose clock the test moves (Playwright's fake clock: Date and timers of that page only).
    const tab = await browser.newPage();
    try {
      await tab.clock.install();
      await tab.goto(adminPage);
      const form = tab.getByTestId('sign-in');
      await form.getByLabel('Name').fill(server.running.admin.name);
      await form.getByLabel('Password').fill(server.running.admin.password);
      await form.getByRole('button', { name: 'Sign in' }).click();
      await tab.getByTestId('active-shoppers').waitFor();
      const token = (await tab.evaluate(() => sessionStorage.getItem('tote.admin.token')))!;
      const renewedAt = async () => {
        const answer = await client.request<{ current: string; sessions: { id: string; renewedAt: number; createdAt: number }[] }>('GET', '/_tote/sessions', { token });
        const mine = answer.body.sessions.find((one) => one.id === answer.body.current)!;
        return mine.renewedAt - mine.createdAt;
      };
      // Six minutes of the page reading the metrics every 10 seconds: the session is not renewed.
      await tab.clock.fastForward('06:00');
      await tab.waitForTimeout(500);
      expect(await renewedAt()).toBe(0);
      // The admin asks for a range: renewed.
      await tab.getByTestId('range').getByRole('button', { name: 'Show' }).click();
      await expect.poll(renewedAt).toBeGreaterThan(0);
    } finally {
      await tab.close();
    }
  });

  it('signs out: the session ends on the server and leaves the tab', async () => {
    const token = await page.evaluate(() => sessionStorage.getItem('tote.admin.token'));
    expect(token).toBeTruthy();
    await page.getByTestId('sign-out').click();
    await expect.poll(() => text('sign-in-notice')).toContain('signed out');
    expect(await page.evaluate(() => sessionStorage.getItem('tote.admin.token'))).toBeNull();
    expect((await client.request('GET', '/_tote/admin/analytics', { token: token! })).status).toBe(401);
  });
});
