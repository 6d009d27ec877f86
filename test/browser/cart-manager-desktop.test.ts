/**
 * The cart manager in the desktop renderer (real Chromium, real IndexedDB, sealed at rest with the
 * window's key store) with a 10 000-item cart: the list is virtualised and scrolls to the last item,
 * search, sort and filters answer as the shopper types, and multi-select bulk edits move, remove (with
 * undo) and set the quantity of many items in one change each (docs/cart-manager.md).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDesktopWindow } from '../support/chromium.ts';
import { seedLargeCart, serveDesktopWithSeed } from '../support/large-cart.ts';
import type { StaticServer } from '../support/static-server.ts';

const COUNT = 10_000;
let site: StaticServer;
let profile: string;
let browser: BrowserContext;
let page: Page;
const keys = new Map<string, string>();

const cartList = () => page.locator('[data-testid="list"][data-list-id="cart"]');
const savedList = () => page.locator('[data-testid="list"][data-list-id="saved"]');
const titles = (list = cartList()) => list.getByTestId('item-title').allTextContents();
const shownCount = (list = cartList()) => list.getByTestId('shown-count').textContent();

beforeAll(async () => {
  site = await serveDesktopWithSeed();
  profile = await mkdtemp(path.join(tmpdir(), 'tote-cart10k-'));
  browser = await launchDesktopWindow(profile, [], { keys });
  page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  expect(await seedLargeCart(page, site, COUNT)).toBe(COUNT);
  await page.goto(`${site.url}/index.html`);
  await cartList().getByTestId('item').first().waitFor({ timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe('a 10 000-item cart on the desktop', () => {
  it('is sealed at rest, shows all 10 000 items but renders only the rows in view', async () => {
    expect([...keys.keys()]).toEqual(['this-computer:database']);
    expect(await page.getByTestId('at-rest').textContent()).toContain('Encrypted on this computer');
    expect(await shownCount()).toBe('10,000 items');
    const rows = await cartList().getByTestId('item').count();
    expect(rows).toBeGreaterThan(5);
    expect(rows).toBeLessThan(100);
  });

  it('every row control names its item', async () => {
    const row = cartList().getByTestId('item').first();
    const title = await row.getByTestId('item-title').textContent();
    expect(title).toBe('Red kettle no. 0');
    for (const label of [`Select ${title}`, `Remove ${title}`, `Quantity of ${title}`, `One more ${title}`, `One less ${title}`, `Move ${title} to…`, `Details of ${title}`]) {
      expect(await row.getByLabel(label, { exact: true }).count(), label).toBe(1);
    }
    // One way to edit, through Details: no editor of the row's own.
    expect(await row.getByLabel(`Edit ${title}`, { exact: true }).count()).toBe(0);
  });

  it('a change to one item redraws that row only: the other rows stay as they are', async () => {
    const rows = cartList().getByTestId('item');
    // Watch every row's elements, then raise the first item's quantity.
    await cartList().evaluate((list) => {
      const scope = window as unknown as { touched: Set<string>; rowsBefore: Element[] };
      scope.touched = new Set();
      scope.rowsBefore = Array.from(list.querySelectorAll('[data-testid="item"]'));
      new MutationObserver((records) => {
        for (const record of records) {
          const element = record.target instanceof Element ? record.target : record.target.parentElement;
          const row = element?.closest('[data-testid="item"]') as HTMLElement | null;
          if (row) scope.touched.add(row.dataset.itemId!);
        }
      }).observe(list.querySelector('[data-testid="item-list"]')!, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await rows.first().getByTestId('item-increase').click();
    await expect.poll(() => rows.first().getByTestId('item-quantity').inputValue()).toBe('2');
    await rows.first().getByTestId('item-decrease').click();
    await expect.poll(() => rows.first().getByTestId('item-quantity').inputValue()).toBe('1');
    const { touched, kept } = await cartList().evaluate((list) => {
      const scope = window as unknown as { touched: Set<string>; rowsBefore: Element[] };
      const now = Array.from(list.querySelectorAll('[data-testid="item"]'));
      return { touched: [...scope.touched], kept: scope.rowsBefore.every((row) => now.includes(row)) };
    });
    expect(touched).toEqual(['item-0']);
    expect(kept).toBe(true);
  });

  it('scrolls to the last item', async () => {
    const viewport = cartList().getByTestId('item-list');
    // Rows are measured as they come into view, so the end moves while scrolling: scroll on, as a shopper would.
    await expect.poll(async () => {
      await viewport.evaluate((element) => { element.scrollTop = element.scrollHeight; });
      return titles();
    }).toContain(`Red sweater no. ${COUNT - 1}`);
    expect(await cartList().getByTestId('item').count()).toBeLessThan(100);
  });

  it('reuses rows while scrolling without mixing up items: each row names its own item, in order, and focus leaves with its item', async () => {
    const viewport = cartList().getByTestId('item-list');
    await viewport.evaluate((element) => { element.scrollTop = 0; });
    await expect.poll(() => titles().then((all) => all[0])).toBe('Red kettle no. 0');
    // Focus on the first row's quantity box, then scroll it out of view: its row takes another item.
    await cartList().getByTestId('item-quantity').first().focus();
    // Step by step, as a shopper scrolls, then a long jump and back.
    for (const top of [200, 600, 1400, 3000, 56 * 5000, 56 * 40]) {
      await viewport.evaluate((element, to) => { element.scrollTop = to; }, top);
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
      const rows = await cartList().getByTestId('item').evaluateAll((all) => all.map((row) => ({
        id: (row as HTMLElement).dataset.itemId!, top: (row.parentElement as HTMLElement).offsetTop,
        title: row.querySelector('[data-testid="item-title"]')!.textContent!,
        labels: Array.from(row.querySelectorAll('[aria-label]'), (control) => control.getAttribute('aria-label')!),
      })));
      const numbers = rows.map((row) => Number(row.id.replace('item-', '')));
      // In the page in the list's order, each at its own place, one after the other.
      expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
      for (const row of rows) {
        expect(row.top).toBe(Number(row.id.replace('item-', '')) * 56);
        expect(row.title).toMatch(new RegExp(` no\\. ${row.id.replace('item-', '')}$`));
        // Every control of a reused row names the row's item now.
        for (const label of row.labels) expect(label).toContain(row.title);
      }
    }
    // The focused box's item left the view: focus left with it and names no other item.
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);
    expect(focused).toBeNull();
  });

  it('searches title, shop, note and variant as the shopper types', async () => {
    const search = cartList().getByTestId('search');
    await search.pressSequentially('lantern', { delay: 20 });
    await expect.poll(shownCount).toBe('1,000 of 10,000 items');
    expect((await titles()).every((title) => title.includes('lantern'))).toBe(true);
    await search.fill('lantern shop-01.example');
    await expect.poll(shownCount).toBe('250 of 10,000 items');
    // The note is on items 5, 15, 25…, the variant on every third: 15, 45, 75… (333 of them).
    await search.fill('present for anna blue');
    await expect.poll(shownCount).toBe('333 of 10,000 items');
    await search.fill('no such thing');
    await expect.poll(() => cartList().getByTestId('no-match').textContent()).toContain('Nothing in Cart matches');
    await search.fill('');
    await expect.poll(shownCount).toBe('10,000 items');
  });

  it('sorts by name, price and price drop, and filters by shop and dropped price', async () => {
    const list = cartList();
    await list.getByTestId('sort').selectOption('name');
    await expect.poll(async () => (await titles())[0]).toBe('Bamboo backpack no. 96');
    await list.getByTestId('sort').selectOption('price');
    await expect.poll(async () => (await list.getByTestId('item-price').allTextContents())[0]).toContain('4.00');
    await list.getByTestId('sort-direction').click();
    await expect.poll(async () => (await list.getByTestId('item-price').allTextContents())[0]).toContain('204.99');
    await list.getByTestId('sort-direction').click();
    await list.getByTestId('sort').selectOption('added');
    await list.getByTestId('filter-shop').selectOption('shop-07.example');
    await expect.poll(shownCount).toBe('250 of 10,000 items');
    expect((await list.getByTestId('item-shop').allTextContents()).every((shop) => shop === 'shop-07.example')).toBe(true);
    await list.getByTestId('filter-dropped').check();
    await expect.poll(shownCount).toBe('36 of 10,000 items');
    expect(await list.getByTestId('price-drop').count()).toBe(await list.getByTestId('item').count());
    await list.getByTestId('filter-dropped').uncheck();
    await list.getByTestId('filter-shop').selectOption('');
    await expect.poll(shownCount).toBe('10,000 items');
  });

  it('selects a range with shift-click and sets the quantity of all of them at once, and "Undo" puts each one back', async () => {
    const list = cartList();
    const rows = list.getByTestId('item');
    const quantities = () => Promise.all([0, 1, 2, 3, 4, 5].map((i) => rows.nth(i).getByTestId('item-quantity').inputValue()));
    await rows.nth(3).getByTestId('item-increase').click();
    await expect.poll(quantities).toEqual(['1', '1', '1', '2', '1', '1']);
    const setThree = async () => {
      await rows.nth(1).getByTestId('item-select').click();
      await rows.nth(4).getByTestId('item-select').click({ modifiers: ['Shift'] });
      await expect.poll(() => list.getByTestId('bulk-count').textContent()).toBe('4 items selected');
      await list.getByTestId('bulk-quantity').fill('3');
      await list.getByTestId('bulk-set-quantity').click();
      await expect.poll(() => list.getByTestId('bulk-done').textContent()).toContain('Set the quantity of 4 items to 3.');
      await expect.poll(quantities).toEqual(['1', '3', '3', '3', '3', '1']);
    };
    await setThree();
    expect(await list.getByTestId('bulk-bar').count()).toBe(0);
    // Each item gets its own quantity back, the one at 2 included.
    await list.getByTestId('bulk-undo').click();
    await expect.poll(quantities).toEqual(['1', '1', '1', '2', '1', '1']);
    await expect.poll(() => list.getByTestId('bulk-done').count()).toBe(0);
    await setThree();
  });

  it('moves 1000 found items to Saved for later in one change, and undoes it', async () => {
    const list = cartList();
    await list.getByTestId('search').fill('candle');
    await expect.poll(shownCount).toBe('1,000 of 10,000 items');
    await list.getByTestId('select-all').check();
    await expect.poll(() => list.getByTestId('bulk-count').textContent()).toBe('1,000 items selected');
    await list.getByTestId('bulk-move').click();
    await expect.poll(() => list.getByTestId('bulk-done').textContent(), { timeout: 20_000 }).toContain('Moved 1,000 items to Saved for later.');
    await expect.poll(() => shownCount()).toBe('0 of 9,000 items');
    await savedList().getByTestId('search').fill('candle');
    await expect.poll(() => shownCount(savedList())).toBe('1,000 items');
    await list.getByTestId('bulk-undo').click();
    await expect.poll(() => shownCount(), { timeout: 20_000 }).toBe('1,000 of 10,000 items');
    await expect.poll(() => list.getByTestId('bulk-done').count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => savedList().getByTestId('item').count()).toBe(0);
    await list.getByTestId('search').fill('');
  });

  it('removes the selected items on every device, and "Undo" brings every one back', async () => {
    const list = cartList();
    await list.getByTestId('search').fill('umbrella');
    await expect.poll(shownCount).toBe('1,000 of 10,000 items');
    await list.getByTestId('select-all').check();
    await list.getByTestId('bulk-remove').click();
    await expect.poll(() => list.getByTestId('bulk-done').textContent(), { timeout: 20_000 }).toContain('Removed 1,000 items on every device.');
    await expect.poll(shownCount).toBe('0 of 9,000 items');
    await list.getByTestId('bulk-undo').click();
    await expect.poll(shownCount, { timeout: 20_000 }).toBe('1,000 of 10,000 items');
    // The message goes once the undo is stored on this computer.
    await expect.poll(() => list.getByTestId('bulk-done').count(), { timeout: 20_000 }).toBe(0);
    await list.getByTestId('search').fill('');
  });

  it('keeps the bulk edits after the window is opened again', async () => {
    await page.reload();
    await cartList().getByTestId('item').first().waitFor({ timeout: 60_000 });
    await expect.poll(shownCount).toBe('10,000 items');
    const rows = cartList().getByTestId('item');
    expect(await rows.nth(2).getByTestId('item-quantity').inputValue()).toBe('3');
  });

  it('opens from its snapshot, already showing a change made just before the window closed', async () => {
    // The snapshot is written a moment after the cart last changed (docs/cart-manager.md, "Opening a large cart").
    await page.waitForFunction(() => performance.getEntriesByName('tote:snapshot-saved').length > 0, undefined, { timeout: 30_000 });
    const first = cartList().getByTestId('item').first();
    const title = await first.getByTestId('item-title').textContent();
    await first.getByLabel(`One more ${title}`, { exact: true }).click();
    const quantity = await first.getByTestId('item-quantity').inputValue();
    // Closed at once: the change is in its row, not in the snapshot.
    await page.evaluate(() => {
      // What the first screen shows, read when it is laid out, and whether the rows had been read by then.
      sessionStorage.setItem('watch-first-screen', '1');
    });
    await page.addInitScript(() => {
      if (!sessionStorage.getItem('watch-first-screen')) return;
      new PerformanceObserver((list) => {
        if (!list.getEntries().some((entry) => entry.name === 'tote:cart-shown')) return;
        const box = document.querySelector('[data-list-id="cart"] [data-testid="item"] [data-testid="item-quantity"]') as HTMLInputElement | null;
        (window as unknown as { firstScreen: unknown }).firstScreen = {
          quantity: box?.value, rowsRead: performance.getEntriesByName('tote:items-read').length > 0,
          snapshot: performance.getEntriesByName('tote:snapshot-shown').length > 0,
        };
      }).observe({ entryTypes: ['mark'] });
    });
    await page.reload();
    await page.waitForFunction(() => 'firstScreen' in window, undefined, { timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { firstScreen: unknown }).firstScreen)).toEqual({ quantity, rowsRead: false, snapshot: true });
    await page.waitForFunction(() => performance.getEntriesByName('tote:state-built').length > 0, undefined, { timeout: 60_000 });
    expect(await cartList().getByTestId('item').first().getByTestId('item-quantity').inputValue()).toBe(quantity);
  });
});
