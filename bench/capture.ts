/**
 * `npm run bench:capture`: per-field accuracy of the capture in real Chromium, written into
 * bench/results/latest.json under `capture`:
 * - `corpus`: the project's own pages (test/fixtures/capture), products and non-product pages;
 * - `shared_pages`: the real saved shop pages of ../shared/capture-dev (when present), with the
 *   capture time per page (p50/p95, the capture code only, after the page is shown; each page's time is
 *   the median of three first runs, each in a fresh page: `timing.first_run_ms_p95_by_run` gives each
 *   run's own p95), and `timing`:
 *   what that time is made of (the first run as main-thread CPU time; a second run on the same page, once the code is compiled; the fastest
 *   of ten more, once the engine has optimised it; each pass's share; the slowest pages with their
 *   sizes and pass times);
 * - `shared_pages_without_markup`: the same pages with their product markup removed (JSON-LD, microdata,
 *   RDFa, OpenGraph): what the page readers alone get right, as on shops without markup;
 * - `price_texts`: the real price strings of ../shared/capture-dev/price-text-cases.json.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCorpus, scoreCorpus } from '../test/support/capture-corpus.ts';
import { hasDevSet, percentile, runDevPages, scoreDevPages, scorePriceTexts, type DevOutcome } from '../test/support/capture-dev.ts';

const round = (ms: number) => Math.round(ms * 10) / 10;

/** First runs per page, each in a fresh page; a page's time is their median. */
const RUNS = 3;

/** What the capture time is made of, so the p95 can be explained: warm runs, passes, the slowest pages. */
export function captureTiming(outcomes: readonly DevOutcome[], slowest = 8) {
  const passNames = [...new Set(outcomes.flatMap((o) => Object.keys(o.passes)))];
  const passOf = (o: DevOutcome, name: string) => o.passes[name] ?? 0;
  return {
    /** Pages whose first run started on a quiet machine (capture-runner's `settle`; the rest waited 1.5 s and ran anyway). */
    quiet_pages: outcomes.filter((o) => o.quiet).length,
    /** Each run's own p95 of the first run (a page's time is the median of its runs). */
    first_run_ms_p95_by_run: (outcomes[0]?.runsMs ?? []).map((_, run) => round(percentile(outcomes.map((o) => o.runsMs[run]!), 95))),
    /** Pages where the runs did not all capture the same product (the capture is deterministic: should be none). */
    unstable_pages: outcomes.filter((o) => !o.stable).map((o) => o.id),
    /** The first run as the page's main-thread CPU time: what a loaded machine adds by making it wait for a core is left out. */
    first_run_cpu_ms_p50: round(percentile(outcomes.map((o) => o.cpuMs), 50)),
    first_run_cpu_ms_p95: round(percentile(outcomes.map((o) => o.cpuMs), 95)),
    warm_ms_p50: round(percentile(outcomes.map((o) => o.warmMs), 50)),
    warm_ms_p95: round(percentile(outcomes.map((o) => o.warmMs), 95)),
    /** The work itself, once the engine has optimised the code: the fastest of ten more runs per page. */
    steady_ms_p50: round(percentile(outcomes.map((o) => o.steadyMs), 50)),
    steady_ms_p95: round(percentile(outcomes.map((o) => o.steadyMs), 95)),
    /** The first run's own cost (compiling the code on its first use): first run minus the second, median. */
    first_run_extra_ms_p50: round(percentile(outcomes.map((o) => o.ms - o.warmMs), 50)),
    pass_ms_p50: Object.fromEntries(passNames.map((name) => [name, round(percentile(outcomes.map((o) => passOf(o, name)), 50))])),
    pass_ms_p95: Object.fromEntries(passNames.map((name) => [name, round(percentile(outcomes.map((o) => passOf(o, name)), 95))])),
    slowest: [...outcomes].sort((a, b) => b.ms - a.ms).slice(0, slowest).map((o) => ({
      id: o.id, kb: Math.round(o.bytes / 1024), ms: round(o.ms), cpu_ms: round(o.cpuMs), warm_ms: round(o.warmMs), steady_ms: round(o.steadyMs),
      passes: Object.fromEntries(Object.entries(o.passes).sort((a, b) => b[1] - a[1]).map(([name, ms]) => [name, round(ms)])),
    })),
  };
}

export async function benchCapture() {
  const corpus = scoreCorpus(await runCorpus());
  if (!hasDevSet()) return { corpus };
  const outcomes = await runDevPages({ runs: RUNS });
  const shared = { ...scoreDevPages(outcomes), timing: captureTiming(outcomes) };
  // The page readers alone, as on a shop without markup: the same pages with theirs removed.
  const { pages, title_accuracy, price_accuracy, currency_accuracy, image_accuracy, all_four_share, misses } = scoreDevPages(await runDevPages({ withoutMarkup: true }));
  const prices = await scorePriceTexts();
  return {
    corpus,
    shared_pages: shared,
    shared_pages_without_markup: { pages, title_accuracy, price_accuracy, currency_accuracy, image_accuracy, all_four_share, misses },
    price_texts: {
      cases: prices.cases, amount_right: prices.amount_right, currency_right: prices.currency_right,
      amount_accuracy: prices.amount_accuracy, currency_accuracy: prices.currency_accuracy, not_known_hard: prices.not_known_hard,
      misses: prices.misses.slice(0, 40),
    },
  };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const results = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'results/latest.json');
  const capture = await benchCapture();
  await mkdir(path.dirname(results), { recursive: true });
  const existing = await readFile(results, 'utf8').then((text) => JSON.parse(text) as Record<string, unknown>, () => ({}));
  await writeFile(results, `${JSON.stringify({ ...existing, capture }, null, 2)}\n`);
  const summary = (s: Record<string, unknown> | undefined) => s && Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'misses' && k !== 'timing'));
  console.log(JSON.stringify({
    corpus: summary(capture.corpus), shared_pages: summary(capture.shared_pages),
    shared_pages_without_markup: summary(capture.shared_pages_without_markup), price_texts: summary(capture.price_texts),
  }, null, 2));
  const timing = capture.shared_pages?.timing;
  if (timing) {
    const { slowest, ...figures } = timing;
    console.log(JSON.stringify(figures));
    console.log('slowest pages (first run, ms by pass):');
    for (const page of slowest) {
      console.log(`  ${page.id.padEnd(28)} ${String(page.kb).padStart(5)} KB ${String(page.ms).padStart(6)} ms (cpu ${page.cpu_ms}, warm ${page.warm_ms}, steady ${page.steady_ms})  ${Object.entries(page.passes).map(([name, ms]) => `${name} ${ms}`).join(', ')}`);
    }
  }
}
