/**
 * `npm run bench:capture`: per-field accuracy of the capture in real Chromium, written into
 * bench/results/latest.json under `capture`:
 * - `corpus`: the project's own pages (test/fixtures/capture), products and non-product pages;
 * - `shared_pages`: the real saved shop pages of ../shared/capture-dev (when present), with the
 *   capture time per page (p50/p95, the capture code only, after the page is shown);
 * - `price_texts`: the real price strings of ../shared/capture-dev/price-text-cases.json.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCorpus, scoreCorpus } from '../test/support/capture-corpus.ts';
import { hasDevSet, runDevPages, scoreDevPages, scorePriceTexts } from '../test/support/capture-dev.ts';

export async function benchCapture() {
  const corpus = scoreCorpus(await runCorpus());
  if (!hasDevSet()) return { corpus };
  const shared = scoreDevPages(await runDevPages());
  const prices = await scorePriceTexts();
  return {
    corpus,
    shared_pages: shared,
    price_texts: { cases: prices.cases, amount_accuracy: prices.amount_accuracy, currency_accuracy: prices.currency_accuracy, misses: prices.misses.slice(0, 40) },
  };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const results = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'results/latest.json');
  const capture = await benchCapture();
  await mkdir(path.dirname(results), { recursive: true });
  const existing = await readFile(results, 'utf8').then((text) => JSON.parse(text) as Record<string, unknown>, () => ({}));
  await writeFile(results, `${JSON.stringify({ ...existing, capture }, null, 2)}\n`);
  const summary = (s: Record<string, unknown> | undefined) => s && Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'misses'));
  console.log(JSON.stringify({ corpus: summary(capture.corpus), shared_pages: summary(capture.shared_pages), price_texts: summary(capture.price_texts) }, null, 2));
}
