/**
 * A desktop renderer with a large cart already in its IndexedDB (sealed at rest): the renderer's build
 * served with a seeding page beside it (large-cart-entry.ts), so both share one origin and one database.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import { launchProfile } from './chromium.ts';
import { serveFolder, type StaticServer } from './static-server.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const desktopDist = path.resolve(here, '../../desktop/dist');

/** desktop/dist plus `seed.html`, on a loopback port of its own. */
export async function serveDesktopWithSeed(): Promise<StaticServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tote-desktop-seed-'));
  await cp(desktopDist, dir, { recursive: true });
  await build({ entryPoints: [path.join(here, 'large-cart-entry.ts')], bundle: true, format: 'esm', target: 'es2022',
    outfile: path.join(dir, 'seed.js'), logLevel: 'warning' });
  await writeFile(path.join(dir, 'seed.html'), '<!doctype html><meta charset="utf-8"><title>Seed</title><script type="module" src="./seed.js"></script>');
  const site = await serveFolder(dir);
  return { url: site.url, close: async () => { await site.close(); await rm(dir, { recursive: true, force: true }); } };
}

/** Writes `count` items (large-cart-items.ts) into the desktop's database on `page`; resolves to the items it then holds. */
export async function seedLargeCart(page: Page, site: StaticServer, count: number): Promise<number> {
  await page.goto(`${site.url}/seed.html`);
  await page.waitForFunction(() => 'toteSeed' in globalThis);
  return page.evaluate((n) => (globalThis as unknown as { toteSeed(count: number): Promise<number> }).toteSeed(n), count);
}

/**
 * The desktop window of chromium.ts (`launchDesktopWindow` with a key store), its bridge given as script
 * text: a script runner that renames functions (tsx, for the benchmarks) cannot break it.
 */
export async function launchSealedDesktopWindow(profileDir: string, keys: Map<string, string>, extraArgs: string[] = []): Promise<BrowserContext> {
  const context = await launchProfile(profileDir, extraArgs);
  await context.exposeFunction('testKeyLoad', (name: string) => keys.get(name) ?? null);
  await context.exposeFunction('testKeySave', (name: string, key: string) => void keys.set(name, key));
  await context.exposeFunction('testKeyClear', (name: string) => void keys.delete(name));
  await context.addInitScript({ content: `Object.defineProperty(window, 'toteDesktop', { value: Object.freeze({
    platform: 'linux', deviceName: 'Test desktop', appVersion: '0.1.0',
    keyStore: { load: (name) => window.testKeyLoad(name), save: (name, key) => window.testKeySave(name, key), clear: (name) => window.testKeyClear(name) },
  }) });` });
  return context;
}
