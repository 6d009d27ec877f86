/**
 * `npm run bench:cart1000`: only the 1000-item cart in Chromium, plain and sealed at rest, alternating
 * which goes first (`ROUNDS`, default 3), so both variants see the same machine load. Prints each run
 * and the medians; writes nothing.
 */
import { benchCart1000Browser } from './cart1000-browser.ts';

const rounds = Number(process.env.ROUNDS ?? 3);
const FIGURES = ['load_ms', 'reload_ms', 'clear_all_ms', 'clear_settled_ms', 'bare_idb_rewrite_ms', 'add_p95_ms', 'set_quantity_p95_ms', 'remove_p95_ms', 'indexeddb_bytes_per_item'] as const;
type Row = Awaited<ReturnType<typeof benchCart1000Browser>>;

async function main() {
  const runs: Record<'plain' | 'sealed', Row[]> = { plain: [], sealed: [] };
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? (['plain', 'sealed'] as const) : (['sealed', 'plain'] as const);
    for (const variant of order) {
      const row = await benchCart1000Browser(1000, 100, { encrypted: variant === 'sealed' });
      runs[variant].push(row);
      console.log(variant.padEnd(6), FIGURES.map((figure) => `${figure}=${row[figure]}`).join(' '));
      console.log('       IndexedDB files per item:', JSON.stringify(row.indexeddb_files_per_item));
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  for (const variant of ['plain', 'sealed'] as const) {
    console.log(`median ${variant}`, FIGURES.map((figure) => `${figure}=${median(runs[variant].map((row) => row[figure]))}`).join(' '));
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
