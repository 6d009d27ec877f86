/**
 * bench/results/latest.json, shared by the benchmarks that run on their own (`bench:reliability`,
 * `bench:soak`) and `npm run bench`: each writes its own keys and targets, and keeps the others'.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');

/** Sets `part`'s keys and `targets` in the results file, leaving every other key as it was. */
export async function mergeResults(part: Record<string, unknown>, targets: Record<string, boolean> = {}): Promise<void> {
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    // no results yet
  }
  const merged = { ...existing, ...part, targets: { ...(existing.targets as Record<string, boolean> | undefined), ...targets } };
  await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(merged, null, 2)}\n`);
}
