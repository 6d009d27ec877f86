/**
 * The floor under local bytes per item on IndexedDB in Chromium (docs/benchmarks.md, "The floor under
 * IndexedDB"): 1000 items added one transaction each, as the cart adds them, in a fresh profile per
 * layout, each row a sealed item's stored form (sealed text beside the id, revision, deletion flag and
 * write time storage-dexie keeps) as large as the sealed cart's rows measured in the same run
 * (`rowBytes`: cart1000_encrypted's `log_rows`), with:
 * - `dexie_three_indexes`: storage-dexie's layout (`[_deleted+id]`, `[_meta.lwt+id]`, `[_meta.lwt]`);
 * - `one_index`: only `[_meta.lwt+id]`, the one the replication reads by;
 * - `no_index`: the object store alone, which no storage can go below;
 * - `no_index_empty`: the same with an empty envelope: IndexedDB's own cost of one added row.
 * Each gives `navigator.storage.estimate()` per item, `changed_since_ms` (what finding the ten newest
 * rows costs, as every push asks: a range of the write-time index, or without one every row read; median
 * of 9) and the profile's files read beneath Chromium
 * (indexeddb-files.ts). Alone: `npx tsx bench/indexeddb-floor.ts [row bytes]`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchProfile } from '../test/support/chromium.ts';
import { serveFolder } from '../test/support/static-server.ts';
import type { FloorLayout } from './browser/indexeddb-floor-entry.ts';
import { indexedDbFiles } from './indexeddb-files.ts';
import { round } from './stats.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

const LAYOUTS = {
  // First: its rows are the fixed part of every row, which sizes the others' envelopes.
  no_index_empty: [],
  dexie_three_indexes: [['_meta.lwt', 'id'], ['_deleted', 'id'], ['_meta.lwt']],
  one_index: [['_meta.lwt', 'id']],
  no_index: [],
} as const satisfies Record<string, FloorLayout['indexes']>;

/** `rowBytes`: what one sealed item's row takes in the log (key and value); 452 in the 26 November run. */
export async function benchIndexedDbFloor(size = 1000, rowBytes = 452) {
  let envelopeChars = 0;
  const dir = await mkdtemp(path.join(tmpdir(), 'tote-bench-floor-'));
  await build({ entryPoints: [path.join(here, 'browser/indexeddb-floor-entry.ts')], bundle: true, format: 'esm', target: 'es2022',
    outfile: path.join(dir, 'floor.js'), logLevel: 'warning' });
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./floor.js"></script>');
  const site = await serveFolder(dir);
  const out: Record<string, { bytes_per_item: number; changed_since_ms: number; log_rows: number; log_exists: number; log_indexes: number; log_journal: number; log_framing: number }> = {};
  try {
    for (const [name, indexes] of Object.entries(LAYOUTS)) {
      const profile = await mkdtemp(path.join(tmpdir(), 'tote-bench-floor-profile-'));
      const context = await launchProfile(profile);
      try {
        const page = await context.newPage();
        await page.goto(`${site.url}/index.html`);
        await page.waitForFunction(() => 'runIndexedDbFloor' in globalThis);
        const layout: FloorLayout = { indexes, envelopeChars };
        const { usage, changedSinceMs } = await page.evaluate(([s, l]) => (globalThis as unknown as {
          runIndexedDbFloor(size: number, layout: FloorLayout): Promise<{ usage: number; changedSinceMs: number }>;
        }).runIndexedDbFloor(s as number, l as FloorLayout), [size, layout] as const);
        const files = await indexedDbFiles(profile);
        const each = (bytes: number) => round(bytes / size, 0);
        out[name] = {
          bytes_per_item: each(usage), changed_since_ms: round(changedSinceMs), log_rows: each(files.log.rows), log_exists: each(files.log.exists),
          log_indexes: each(files.log.indexes), log_journal: each(files.log.journal), log_framing: each(files.log.framing),
        };
        if (name === 'no_index_empty') envelopeChars = Math.max(0, rowBytes - out[name].log_rows);
      } finally {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      }
    }
  } finally {
    await site.close();
    await rm(dir, { recursive: true, force: true });
  }
  return { items: size, row_bytes: rowBytes, envelope_chars: envelopeChars, ...out };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  console.log(JSON.stringify(await benchIndexedDbFloor(1000, Number(process.argv[2] ?? 452)), null, 2));
}
