/**
 * Runs the content script's capture code on saved pages in real Chromium, each as if served from its
 * original URL: no network (every other request is refused) and the page's own scripts off, so the
 * saved DOM stays as it was saved. One browser for many pages.
 */
import { chromium } from 'playwright-core';
import type { CapturedProduct } from '../src/capture/index.ts';
import { captureBundle } from './capture-bundle.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface SavedPage {
  readonly url: string;
  readonly html: string | Buffer;
}

export async function capturePages(pages: readonly SavedPage[]): Promise<(CapturedProduct | null)[]> {
  const bundle = await captureBundle();
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const results: (CapturedProduct | null)[] = [];
    for (const { url, html } of pages) {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      const target = new URL(url);
      target.hash = '';
      await page.route('**/*', (route) => {
        const requested = new URL(route.request().url());
        requested.hash = '';
        if (route.request().isNavigationRequest() && requested.href === target.href) {
          return route.fulfill({ status: 200, contentType: 'text/html', body: typeof html === 'string' ? html : Buffer.from(html) });
        }
        return route.abort();
      });
      await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
      results.push(await page.evaluate(`(() => { ${bundle}; return globalThis.__toteCapture.extractProduct(document, ${JSON.stringify(url)}); })()`) as CapturedProduct | null);
      await context.close();
    }
    return results;
  } finally {
    await browser.close();
  }
}
