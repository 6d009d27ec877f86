/**
 * Runs the content script's capture code on saved pages in real Chromium, each as if served from its
 * original URL: no network and the page's own scripts off, so the saved DOM stays as it was saved.
 * One browser for many pages.
 *
 * Only the page's own address is intercepted (CDP `Fetch`, answered with the saved file); every other
 * request fails inside Chromium, whose resolver knows no host. Refusing them one by one through this
 * process instead (a route for every URL) put hundreds of round trips between Chromium and Node on a
 * large page's load, still running while the capture was timed: on two cores, the capture then waited
 * for a core (docs/benchmarks.md, "Capture on real shop pages").
 */
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { htmlContentType } from '../src/capture/charset.ts';
import type { CapturedProduct, PassTimes } from '../src/capture/index.ts';
import { captureBundle } from './capture-bundle.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface SavedPage {
  readonly url: string;
  readonly html: string | Buffer;
}

export interface TimedCapture {
  readonly product: CapturedProduct | null;
  /** Time the capture code took on the loaded page, in milliseconds: its first run, as the content script's. */
  readonly ms: number;
  /**
   * The same first run as CPU time of the page's main thread (Chromium's `ThreadTime` metric): on a
   * machine shared with other work, the wall time also counts the time the thread waited for a core.
   */
  readonly cpuMs: number;
  /** The same first run by pass (docs/capture.md, "Cheap enough for every shop page"). */
  readonly passes: PassTimes;
  /** A second run on the same page, once the code is compiled: `ms - warmMs` is the first run's own cost. */
  readonly warmMs: number;
  /** The fastest of ten more runs on the same page: the work itself once the engine has optimised the code. */
  readonly steadyMs: number;
  /** With `settle`: whether the machine was quiet when the first run started (false: it waited its limit). */
  readonly quiet: boolean;
}

/** Busy and total clock ticks of every core so far (/proc/stat's first line); null where there is none. */
function cpuTicks(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, n) => sum + n, 0);
    return { busy: total - fields[3]! - fields[4]!, total };
  } catch {
    return null;
  }
}

/**
 * Waits until the machine has been quiet for 100 ms (its cores busy less than a quarter of the time),
 * at most `limitMs`; true when it was. The previous page's teardown (its renderer exiting, its memory
 * handed back) and the loaded page's own settling run on the same two cores and would otherwise be
 * timed as part of the capture.
 */
async function machineQuiet(limitMs: number): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    const before = cpuTicks();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = cpuTicks();
    if (!before || !after) return false;
    const total = after.total - before.total;
    if (total > 0 && (after.busy - before.busy) / total < 0.25) return true;
  }
  return false;
}

/**
 * Removes a page's product markup before the capture, as a shop without any would serve it: JSON-LD,
 * microdata and RDFa attributes (and the meta and link elements that only carried them), OpenGraph,
 * product and Twitter meta tags. What the shopper sees is left as it was, so the page readers alone
 * decide (docs/capture.md, "Pages without markup").
 */
const WITHOUT_MARKUP = `(() => {
  for (const script of document.querySelectorAll('script[type*="ld+json" i]')) script.remove();
  for (const meta of document.querySelectorAll('meta[property], meta[name^="twitter:" i], meta[itemprop], link[itemprop]')) meta.remove();
  const attributes = ['itemscope', 'itemtype', 'itemprop', 'itemid', 'itemref', 'property', 'typeof', 'vocab', 'resource', 'about', 'prefix'];
  for (const el of document.querySelectorAll(attributes.map((name) => '[' + name + ']').join(', '))) for (const name of attributes) el.removeAttribute(name);
})()`;

/** `withoutMarkup`: each page with its product markup removed first (WITHOUT_MARKUP). The capture runs once per page. */
export async function capturePages(pages: readonly SavedPage[], { withoutMarkup = false }: { withoutMarkup?: boolean } = {}): Promise<(CapturedProduct | null)[]> {
  return (await capturePagesTimed(pages, { withoutMarkup, again: false })).map((result) => result.product);
}

/**
 * `settle`: before the first, timed run on each page, wait (up to 1.5 s) for the machine to be quiet
 * (machineQuiet), as a shopper's machine is between one page and the next: for the benchmark's figures.
 * `withoutMarkup`: the page's product markup is removed first (WITHOUT_MARKUP). `again: false`: only the
 * first run (`warmMs` and `steadyMs` are then NaN), for a caller that wants the products alone.
 */
export async function capturePagesTimed(pages: readonly SavedPage[], { settle = false, withoutMarkup = false, again = true }: { settle?: boolean; withoutMarkup?: boolean; again?: boolean } = {}): Promise<TimedCapture[]> {
  const bundle = await captureBundle();
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // No host resolves: every request but the intercepted page fails at once, without leaving Chromium.
      '--host-resolver-rules=MAP * ~NOTFOUND',
    ],
  });
  try {
    const results: TimedCapture[] = [];
    for (const { url, html } of pages) {
      const body = typeof html === 'string' ? Buffer.from(html, 'utf8') : Buffer.from(html);
      // Served with the charset the shop's own header would have named, or none for Chromium to detect (docs/capture.md, "Saved pages").
      const contentType = htmlContentType(body);
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      const target = new URL(url);
      target.hash = '';
      const cdp = await context.newCDPSession(page);
      // Only the page's own address is paused and answered; `*` and `?` are the pattern's wildcards.
      await cdp.send('Fetch.enable', { patterns: [{ urlPattern: target.href.replace(/[*?\\]/g, (c) => `\\${c}`), requestStage: 'Request' }] });
      cdp.on('Fetch.requestPaused', (event) => {
        const requested = new URL(event.request.url);
        requested.hash = '';
        const answer = event.resourceType === 'Document' && requested.href === target.href
          ? cdp.send('Fetch.fulfillRequest', { requestId: event.requestId, responseCode: 200, responseHeaders: [{ name: 'Content-Type', value: contentType }], body: body.toString('base64') })
          : cdp.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'BlockedByClient' });
        answer.catch(() => undefined);
      });
      // Every other request has failed by the page's load event, so none is still settling while the capture runs.
      await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
      await page.evaluate(bundle);
      if (withoutMarkup) await page.evaluate(WITHOUT_MARKUP);
      // The content script runs once the page is shown: styles are computed by then, so they are here too.
      await page.evaluate('document.body ? document.body.offsetHeight : 0');
      const quiet = settle ? await machineQuiet(1500) : false;
      await cdp.send('Performance.enable');
      const threadTime = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? 0;
      const cpuBefore = await threadTime();
      const first = await page.evaluate(`(() => {
        const passes = {};
        const started = performance.now();
        const product = globalThis.__toteCapture.extractProduct(document, ${JSON.stringify(url)}, undefined, passes);
        return { product, ms: performance.now() - started, passes };
      })()`) as Pick<TimedCapture, 'product' | 'ms' | 'passes'>;
      const cpuMs = (await threadTime() - cpuBefore) * 1000;
      const later = !again ? { warmMs: Number.NaN, steadyMs: Number.NaN } : await page.evaluate(`(() => {
        const again = performance.now();
        globalThis.__toteCapture.extractProduct(document, ${JSON.stringify(url)});
        const warmMs = performance.now() - again;
        let steadyMs = Infinity;
        for (let i = 0; i < 10; i += 1) {
          const start = performance.now();
          globalThis.__toteCapture.extractProduct(document, ${JSON.stringify(url)});
          steadyMs = Math.min(steadyMs, performance.now() - start);
        }
        return { warmMs, steadyMs };
      })()`) as Pick<TimedCapture, 'warmMs' | 'steadyMs'>;
      results.push({ ...first, cpuMs, ...later, quiet });
      await context.close();
    }
    return results;
  } finally {
    await browser.close();
  }
}
