/**
 * `npm run bench:capture-compare -- <git ref> [rounds]`: the first-run capture time of the capture
 * code at `<ref>` against the working tree's, in real Chromium, on the shared pages and the own
 * corpus. Each page is captured by both, each in a fresh page, in alternating order, `rounds` times
 * (3 by default); printed, per version, the p50 and p95 over the shared pages of each page's median,
 * as wall time and as the renderer main thread's CPU time (which a loaded machine disturbs less), the
 * median over pages of new/old, every page whose captured product differs, and apart from them the
 * pages where only a field's confidence moved (a score changed, not the choice). On a shared machine
 * only the same run's ratio means anything (docs/benchmarks.md, "Capture on real shop pages"). It
 * prints only: bench/results/latest.json is not touched.
 *
 * `npm run bench:capture-compare -- --unminified [rounds]`: the working tree's capture code bundled
 * readable ("old") against minified as it ships ("new"), the same way.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { captureBundle } from '../extension/scripts/capture-bundle.ts';
import { htmlContentType } from '../extension/src/capture/charset.ts';
import { DEV_FOLDER, hasDevSet, percentile } from '../test/support/capture-dev.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Page { readonly id: string; readonly url: string; readonly html: Buffer; readonly shared: boolean }

async function pages(): Promise<Page[]> {
  const out: Page[] = [];
  if (hasDevSet()) {
    const records = JSON.parse(await readFile(path.join(DEV_FOLDER, 'expected.json'), 'utf8')) as { id: string; page_url: string }[];
    for (const r of records) out.push({ id: r.id, url: r.page_url, html: gunzipSync(await readFile(path.join(DEV_FOLDER, 'pages', `${r.id}.html.gz`))), shared: true });
  }
  const corpus = path.join(root, 'test/fixtures/capture');
  for (const c of JSON.parse(await readFile(path.join(corpus, 'corpus.json'), 'utf8')) as { file: string; url: string }[]) {
    out.push({ id: `corpus/${c.file}`, url: c.url, html: await readFile(path.join(corpus, c.file)), shared: false });
  }
  return out;
}

const median = (values: readonly number[]) => percentile(values, 50);
/** A captured product as JSON without the confidence of each field's origin: what the shopper would see. */
const withoutConfidence = (product: string) => JSON.stringify(JSON.parse(product), (key, value: unknown) => (key === 'confidence' ? undefined : value));
const round = (ms: number) => Math.round(ms * 10) / 10;

async function compare(ref: string, rounds: number) {
  const old = mkdtempSync(path.join(os.tmpdir(), 'tote-capture-'));
  try {
    const unminified = ref === '--unminified';
    if (!unminified) execFileSync('sh', ['-c', `git -C "$1" archive "$2" extension/src/capture | tar -x -C "$3"`, 'sh', root, ref, old]);
    const bundles = [unminified ? await captureBundle(undefined, { minify: false }) : await captureBundle(path.join(old, 'extension/src/capture/index.ts')), await captureBundle()];
    const list = await pages();
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const wall = list.map(() => [[], []] as number[][]);
    const cpu = list.map(() => [[], []] as number[][]);
    const products = list.map(() => ['', ''] as string[]);
    try {
      for (let r = 0; r < rounds; r += 1) {
        for (const [i, saved] of list.entries()) {
          for (const v of (r + i) % 2 === 0 ? [0, 1] : [1, 0]) {
            const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1366, height: 900 } });
            const page = await context.newPage();
            const target = new URL(saved.url);
            target.hash = '';
            await page.route('**/*', (route) => {
              const requested = new URL(route.request().url());
              requested.hash = '';
              return route.request().isNavigationRequest() && requested.href === target.href
                ? route.fulfill({ status: 200, contentType: htmlContentType(saved.html), body: saved.html }) : route.abort();
            });
            await page.goto(saved.url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
            await page.evaluate(bundles[v]!);
            await page.evaluate('document.body ? document.body.offsetHeight : 0');
            const cdp = await context.newCDPSession(page);
            await cdp.send('Performance.enable');
            const threadTime = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? 0;
            const before = await threadTime();
            const result = await page.evaluate(`(() => { const started = performance.now(); const product = globalThis.__toteCapture.extractProduct(document, ${JSON.stringify(saved.url)}); return { ms: performance.now() - started, product: JSON.stringify(product) }; })()`) as { ms: number; product: string };
            cpu[i]![v]!.push((await threadTime() - before) * 1000);
            wall[i]![v]!.push(result.ms);
            products[i]![v] = result.product;
            await context.close();
          }
        }
      }
    } finally {
      await browser.close();
    }
    const shared = list.map((p, i) => (p.shared ? i : -1)).filter((i) => i >= 0);
    const shown = products.map((versions) => versions.map(withoutConfidence));
    const figures = (times: number[][][], v: number) => {
      const perPage = shared.map((i) => median(times[i]![v]!));
      return { p50: round(percentile(perPage, 50)), p95: round(percentile(perPage, 95)) };
    };
    const ratio = (times: number[][][]) => Math.round(median(shared.map((i) => median(times[i]![1]!) / median(times[i]![0]!))) * 1000) / 1000;
    console.log(JSON.stringify({
      ref, rounds, pages: shared.length,
      wall_ms: { old: figures(wall, 0), new: figures(wall, 1), new_over_old_per_page_median: ratio(wall) },
      main_thread_cpu_ms: { old: figures(cpu, 0), new: figures(cpu, 1), new_over_old_per_page_median: ratio(cpu) },
      products_differ: list.filter((_, i) => shown[i]![0] !== shown[i]![1]).map((p) => p.id),
      only_confidence_differs: list.filter((_, i) => products[i]![0] !== products[i]![1] && shown[i]![0] === shown[i]![1]).map((p) => p.id),
    }, null, 2));
  } finally {
    rmSync(old, { recursive: true, force: true });
  }
}

const [ref, rounds] = process.argv.slice(2);
if (!ref) {
  console.error('usage: npm run bench:capture-compare -- <git ref>|--unminified [rounds]');
  process.exit(2);
}
await compare(ref, Number(rounds ?? 3));
