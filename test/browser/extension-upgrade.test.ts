/**
 * A browser that ran Tote before its cart was sealed at rest kept the cart in clear, in the RxDB
 * database `tote-extension`. Its next start moves every item into the sealed database and deletes the
 * clear one (docs/encryption.md, "At rest on the device"). Here that old profile is made for real: a page
 * of the extension's own origin writes the clear database with the same core, the extension's records of
 * the sealed database are removed, and the browser is closed and opened again. Before, the titles can
 * be read in the profile's files; after, they cannot.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onDisk } from '../support/on-disk.ts';
import { extensionId, extensionWorker, launchWithExtension } from '../support/chromium.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
declare const chrome: { storage: {
  local: { get(key: string): Promise<Record<string, unknown>>; remove(keys: string[]): Promise<void> }; session: { clear(): Promise<void> };
} };
const TITLES = ['Upgraded kettle 5521', 'Upgraded teapot 5522', 'Upgraded lamp 5523'];

let extensionDir: string;
let profile: string;
let browser: BrowserContext | undefined;

beforeAll(async () => {
  // The built extension with one more page, which writes the old cart.
  extensionDir = await mkdtemp(path.join(tmpdir(), 'tote-ext-upgrade-'));
  await cp(path.join(root, 'extension/.output/chrome-mv3'), extensionDir, { recursive: true });
  await build({ entryPoints: [path.join(root, 'test/support/old-extension-cart.ts')], bundle: true, format: 'esm', target: 'es2022',
    outfile: path.join(extensionDir, 'old-cart.js'), logLevel: 'warning' });
  await writeFile(path.join(extensionDir, 'old-cart.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./old-cart.js"></script>');
  profile = await mkdtemp(path.join(tmpdir(), 'tote-upgrade-profile-'));
});

afterAll(async () => {
  await browser?.close();
  for (const dir of [extensionDir, profile]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('an extension profile from before encryption at rest', () => {
  it('keeps every item: moved into the sealed database at the next start, the clear database deleted', async () => {
    browser = await launchWithExtension(profile, extensionDir);
    const id = await extensionId(browser);
    // The extension's first start (which makes its sealed database) is over before the old cart is written.
    const worker = await extensionWorker(browser);
    await expect.poll(() => worker.evaluate(async () => (await chrome.storage.local.get('sealed-at-rest'))['sealed-at-rest']), { timeout: 15_000 }).toBe(true);
    const page = await browser.newPage();
    await page.goto(`chrome-extension://${id}/old-cart.html`);
    await page.waitForFunction(() => 'makeOldCart' in globalThis);
    const databases = await page.evaluate((titles) => (globalThis as unknown as { makeOldCart(t: string[]): Promise<string[]> }).makeOldCart(titles), TITLES);
    expect(databases.some((name) => name.startsWith('rxdb-dexie-tote-extension--'))).toBe(true);
    expect(databases.some((name) => name.startsWith('rxdb-dexie-tote-extension-sealed--'))).toBe(false);
    // What an old profile had in the extension's storage: no database key, no mark of a sealed cart.
    await worker.evaluate(async () => {
      await chrome.storage.local.remove(['database-key', 'sealed-at-rest']);
      await chrome.storage.session.clear();
    });
    // The old cart is readable in the profile's files, as in an old profile (in LevelDB's compressed tables).
    expect((await onDisk(profile, TITLES)).sort()).toEqual([...TITLES].sort());
    await browser.close();

    browser = await launchWithExtension(profile, extensionDir);
    const popup = await browser.newPage();
    await popup.goto(`chrome-extension://${id}/popup.html`);
    await expect.poll(async () => (await popup.getByTestId('item-title').allTextContents()).sort(), { timeout: 15_000 }).toEqual([...TITLES].sort());
    expect(await popup.getByTestId('at-rest').textContent()).toContain('Saved on this browser without a password');
    const after = await popup.evaluate(async () => (await indexedDB.databases()).map(({ name }) => name ?? ''));
    expect(after.some((name) => name.startsWith('rxdb-dexie-tote-extension--'))).toBe(false);
    expect(after.some((name) => name.startsWith('rxdb-dexie-tote-extension-sealed--'))).toBe(true);

    // The moved cart is the shopper's cart as before: it changes, and it stays after another restart.
    await popup.getByTestId('item').filter({ hasText: TITLES[0]! }).getByTestId('item-increase').click();
    await expect.poll(() => popup.getByTestId('item').filter({ hasText: TITLES[0]! }).getByTestId('item-quantity').inputValue()).toBe('2');
    await browser.close();
    browser = await launchWithExtension(profile, extensionDir);
    const again = await browser.newPage();
    await again.goto(`chrome-extension://${id}/popup.html`);
    await expect.poll(() => again.getByTestId('item').filter({ hasText: TITLES[0]! }).getByTestId('item-quantity').inputValue(), { timeout: 15_000 }).toBe('2');
    expect(await again.getByTestId('item-title').count()).toBe(3);
    // Moved and sealed: none of it is readable in the profile's files any more.
    await browser.close();
    browser = undefined;
    expect(await onDisk(profile, TITLES)).toEqual([]);
  });
});
