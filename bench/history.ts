/**
 * History (docs/history.md, "Performance"): a 1000-item cart with 30 days of changes (1000 adds, then
 * 19 000 quantity, note, list and removal changes through the real cart reducer: bench/history-workload.ts),
 * in Debian's real Chromium on real IndexedDB (storage-dexie), sealed at rest with a shopper key, as the
 * apps keep it. Each layout in a fresh database of the same page, in the same run:
 * - `batches`, what the history log writes: a device's writes of an hour in one compact document
 *   (history/history-batch.ts), sealed once;
 * - `one_write_per_document`, the layout before batches: one document of records per write.
 * Measures, per layout:
 * - `restore_cold_history_read_ms`: after the history is written, the page is reloaded and the database
 *   opened as an app opens it; then the History panel's opening: the first read of history (every
 *   document read from IndexedDB, decrypted and decoded) and the timeline made of it, which the shopper
 *   picks a moment to restore to from;
 * - `restore_1000_first_ms`: then the first restore 29 days back through the store, from `store.restore`
 *   until it resolves: it plans (code run for the first time), stores the restore as one journal entry
 *   (sealed) and shows the restored cart in the store's state (checked): what the shopper waits for
 *   after choosing the moment; `restore_1000_cold_ms` is the two together (the read used to happen
 *   inside the first restore);
 * - `restore_1000_first_applied_ms`: the first restore until its ~990 items are written too, sealed, in
 *   one bulk write (`store.settled()`; its history document is recorded right after);
 * - `restore_1000_ms` (median), `_p95_ms` and `restore_1000_applied_ms` (median) of the restores after it
 *   (the history log keeps the documents decoded, following the collection), `restore_read_ms`,
 *   `restore_plan_ms`, and `restore_items_write_ms`: the plan's ~950 items written alone (one bulk
 *   write, sealed), what a restore that wrote every item before it resolved waited for on top;
 * - `sealed_bytes_per_change`: the history documents as the server keeps them with encryption on
 *   (`{ _id, _rev, enc, fp }`, JSON) over the changes (adds included), and `stored_bytes_per_change`:
 *   the history rows as IndexedDB is handed them on this device (the sealed part a byte per byte, the
 *   clear fields as JSON), over the changes;
 * - `whole_document_bytes_per_change`: keeping the whole item document per change, as a revision
 *   history does.
 *
 * `npm run bench:history` runs it alone (and writes its figures into bench/results/latest.json);
 * `npm run bench` includes it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchProfile } from '../test/support/chromium.ts';
import { serveFolder } from '../test/support/static-server.ts';
import type { HistoryBenchApi } from './browser/history-bench-entry.ts';
import type { HistoryLayout } from './history-workload.ts';
import { mergeResults } from './results-file.ts';
import { percentile, round } from './stats.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof launchProfile>>['newPage']>>;

async function measureLayout(page: Page, url: string, layout: HistoryLayout, runs: number) {
  await page.goto(url);
  await page.waitForFunction(() => 'seedHistoryBench' in globalThis, undefined, { timeout: 120_000 });
  const seeded = await page.evaluate((l) => (globalThis as unknown as HistoryBenchApi).seedHistoryBench(l), layout);
  await page.reload();
  await page.waitForFunction(() => 'restoreHistoryBench' in globalThis, undefined, { timeout: 120_000 });
  const restored = await page.evaluate(([l, key, r]) => (globalThis as unknown as HistoryBenchApi)
    .restoreHistoryBench(l as HistoryLayout, key as number[], r as number), [layout, seeded.key, runs] as const);
  if (restored.unreadable !== 0) throw new Error(`${restored.unreadable} stored documents could not be read back`);
  if (restored.historyDocuments !== seeded.documents) throw new Error(`${restored.historyDocuments} of ${seeded.documents} history documents opened`);
  const median = (values: number[]) => round(percentile(values, 50));
  return {
    history_documents: seeded.documents,
    restore_cold_history_read_ms: round(restored.coldReadMs),
    restore_1000_first_ms: round(restored.coldMs),
    restore_1000_cold_ms: round(restored.coldReadMs + restored.coldMs),
    restore_1000_first_applied_ms: round(restored.coldAppliedMs),
    restore_1000_ms: median(restored.warmMs),
    restore_1000_p95_ms: round(percentile(restored.warmMs, 95)),
    restore_1000_applied_ms: median(restored.warmAppliedMs),
    restore_read_ms: median(restored.readMs),
    restore_plan_ms: median(restored.planMs),
    restore_items_write_ms: median(restored.writeMs),
    sealed_bytes_per_change: round(seeded.syncedBytes / seeded.entries),
    stored_bytes_per_change: round(seeded.storedBytes / seeded.entries),
    entries: seeded.entries,
    whole_document_bytes_per_change: round(seeded.wholeDocumentBytes / seeded.entries),
  };
}

export async function benchHistory(runs = 15) {
  const dir = await mkdtemp(path.join(tmpdir(), 'tote-bench-history-'));
  const profile = await mkdtemp(path.join(tmpdir(), 'tote-bench-history-profile-'));
  await build({ entryPoints: [path.join(here, 'browser/history-bench-entry.ts')], bundle: true, format: 'esm', target: 'es2022',
    outfile: path.join(dir, 'bench.js'), logLevel: 'warning' });
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./bench.js"></script>');
  const site = await serveFolder(dir);
  const context = await launchProfile(profile);
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(300_000);
    const url = `${site.url}/index.html`;
    const batches = await measureLayout(page, url, 'batches', runs);
    const perWrite = await measureLayout(page, url, 'one-write-per-document', runs);
    const { entries, whole_document_bytes_per_change: wholeDocument, ...figures } = batches;
    return {
      items: 1000,
      entries,
      storage: 'storage-dexie over IndexedDB in Chromium, sealed at rest (AES-256-GCM); history synced sealed',
      layout: 'batches (a device\'s writes of an hour, compact, one envelope)',
      ...figures,
      whole_document_bytes_per_change: wholeDocument,
      one_write_per_document: (({ entries: _e, whole_document_bytes_per_change: _w, ...rest }) => rest)(perWrite),
    };
  } finally {
    await context.close();
    await site.close();
    await rm(dir, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  }
}

export function historyTargets(figures: Awaited<ReturnType<typeof benchHistory>>): Record<string, boolean> {
  return {
    'history.restore_1000_cold_ms < 150': figures.restore_1000_cold_ms < 150,
    'history.restore_1000_first_ms < 150': figures.restore_1000_first_ms < 150,
    'history.restore_1000_ms < 150': figures.restore_1000_ms < 150,
    'history.sealed_bytes_per_change < 300': figures.sealed_bytes_per_change < 300,
    'history.stored_bytes_per_change < 300': figures.stored_bytes_per_change < 300,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchHistory().then(async (history) => {
    const targets = historyTargets(history);
    await mergeResults({ history }, targets);
    console.log(JSON.stringify({ history, targets }, null, 2));
    process.exit(0);
  }, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
