/**
 * The 1000-item cart benchmark in Debian's real Chromium, on real IndexedDB: the entry is bundled
 * with esbuild, served on loopback and driven by playwright-core. Each run has a fresh browser profile, so
 * the storage estimate holds only its own database: `encrypted` seals every document at rest
 * (persistence/encrypted-storage.ts) with a fresh shopper key.
 *
 * `npm run bench:cart1000-browser` runs both (plain and sealed) alone and writes `cart1000` and
 * `cart1000_encrypted` with their targets into bench/results/latest.json; `npm run bench` includes them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchProfile } from '../test/support/chromium.ts';
import { serveFolder } from '../test/support/static-server.ts';
import type { CartWorkloadFigures } from './cart1000-workload.ts';
import { indexedDbFiles, type IndexedDbFiles } from './indexeddb-files.ts';
import { mergeResults } from './results-file.ts';
import { round } from './stats.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

function perItem(files: IndexedDbFiles | null, size: number) {
  if (!files) return null;
  const each = (bytes: number) => round(bytes / size, 0);
  return {
    total: each(files.totalBytes), log: each(files.logBytes), tables: each(files.tableBytes),
    log_rows: each(files.log.rows), log_exists: each(files.log.exists), log_indexes: each(files.log.indexes),
    log_journal: each(files.log.journal), log_metadata: each(files.log.metadata), log_framing: each(files.log.framing),
  };
}

export async function benchCart1000Browser(size = 1000, ops = 100, { encrypted = false } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'tote-bench-browser-'));
  const profile = await mkdtemp(path.join(tmpdir(), 'tote-bench-profile-'));
  await build({ entryPoints: [path.join(here, 'browser/cart-bench-entry.ts')], bundle: true, format: 'esm', target: 'es2022',
    outfile: path.join(dir, 'bench.js'), logLevel: 'warning' });
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./bench.js"></script>');
  const site = await serveFolder(dir);
  const context = await launchProfile(profile);
  await context.exposeFunction('benchIndexedDbFiles', () => indexedDbFiles(profile));
  try {
    const page = await context.newPage();
    await page.goto(`${site.url}/index.html`);
    await page.waitForFunction(() => 'runCartBench' in globalThis);
    const figures = await page.evaluate(([s, o, e]) => (globalThis as unknown as {
      runCartBench(size: number, ops: number, encrypted: boolean): Promise<CartWorkloadFigures & { unreadable: number; idbRewriteMs: number; files: IndexedDbFiles | null }>;
    }).runCartBench(s as number, o as number, e as boolean), [size, ops, encrypted] as const);
    if (figures.remaining !== 0) throw new Error('clearing the cart left items behind');
    if (figures.unreadable !== 0) throw new Error(`${figures.unreadable} stored documents could not be read back`);
    return {
      items: size,
      documents_loaded: figures.loaded,
      storage: encrypted ? 'storage-dexie over IndexedDB in Chromium, sealed at rest (AES-256-GCM)' : 'storage-dexie over IndexedDB in Chromium',
      fill_ms_per_item: round(figures.fillMs / size),
      add_p50_ms: round(figures.add.p50), add_p95_ms: round(figures.add.p95),
      set_quantity_p50_ms: round(figures.setQuantity.p50), set_quantity_p95_ms: round(figures.setQuantity.p95),
      remove_p50_ms: round(figures.remove.p50), remove_p95_ms: round(figures.remove.p95),
      raw_rxdb_upsert_p95_ms: round(figures.raw.p95),
      clear_all_ms: round(figures.clearMs),
      // Until the cleared items are written too (docs/cart.md, "Clearing a list").
      clear_settled_ms: round(figures.clearSettledMs),
      // The same number of rows rewritten by a bare IndexedDB transaction in the same page: the floor
      // under any whole-list change that writes one document per item.
      bare_idb_rewrite_ms: round(figures.idbRewriteMs),
      load_ms: round(figures.loadMs),
      reload_ms: round(figures.reloadMs),
      // Everything the origin's IndexedDB holds after adding `size` items (Chromium's LevelDB files,
      // indexes, RxDB metadata), as navigator.storage.estimate() reports it.
      indexeddb_bytes_per_item: round((figures.usageAfterFill ?? 0) / size, 0),
      // The same files read beneath the browser at that moment (indexeddb-files.ts): the write-ahead
      // log's bytes by what they are for, and the compressed tables, per item.
      indexeddb_files_per_item: perItem(figures.files, size),
    };
  } finally {
    await context.close();
    await site.close();
    await rm(dir, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  }
}

type CartFigures = Awaited<ReturnType<typeof benchCart1000Browser>>;

/** The targets of the plain and the sealed cart (docs/benchmarks.md). */
export function cart1000Targets(cart1000: CartFigures, encrypted: CartFigures): Record<string, boolean> {
  return {
    'cart1000.add_p95_ms < 20': cart1000.add_p95_ms < 20,
    'cart1000.set_quantity_p95_ms < 20': cart1000.set_quantity_p95_ms < 20,
    'cart1000.remove_p95_ms < 20': cart1000.remove_p95_ms < 20,
    'cart1000.load_ms < 150': cart1000.load_ms < 150,
    'cart1000.clear_all_ms < 150': cart1000.clear_all_ms < 150,
    'cart1000_encrypted.add_p95_ms < 20': encrypted.add_p95_ms < 20,
    'cart1000_encrypted.set_quantity_p95_ms < 20': encrypted.set_quantity_p95_ms < 20,
    'cart1000_encrypted.remove_p95_ms < 20': encrypted.remove_p95_ms < 20,
    'cart1000_encrypted.load_ms < 150': encrypted.load_ms < 150,
    'cart1000_encrypted.clear_all_ms < 150': encrypted.clear_all_ms < 150,
    'cart1000_encrypted.indexeddb_bytes_per_item < 1024': encrypted.indexeddb_bytes_per_item < 1024,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  (async () => {
    const cart1000 = await benchCart1000Browser(1000, 100);
    const encrypted = await benchCart1000Browser(1000, 100, { encrypted: true });
    const targets = cart1000Targets(cart1000, encrypted);
    await mergeResults({ cart1000, cart1000_encrypted: encrypted }, targets);
    console.log(JSON.stringify({ cart1000, cart1000_encrypted: encrypted, targets }, null, 2));
    process.exit(0);
  })().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
