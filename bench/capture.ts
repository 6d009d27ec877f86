/**
 * `npm run bench:capture`: per-field accuracy of the capture on the corpus (real Chromium), written
 * into bench/results/latest.json under `capture`.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCorpus, scoreCorpus } from '../test/support/capture-corpus.ts';

export async function benchCapture() {
  return scoreCorpus(await runCorpus());
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const results = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'results/latest.json');
  const capture = await benchCapture();
  await mkdir(path.dirname(results), { recursive: true });
  const existing = await readFile(results, 'utf8').then((text) => JSON.parse(text) as Record<string, unknown>, () => ({}));
  await writeFile(results, `${JSON.stringify({ ...existing, capture }, null, 2)}\n`);
  console.log(JSON.stringify({ capture }, null, 2));
}
