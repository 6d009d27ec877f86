/**
 * `npm run bench:reliability`: the fault tests (test/faults) run with a ledger (test/faults/ledger.ts),
 * summed by kind into `reliability.*` of bench/results/latest.json (docs/reliability.md): faults
 * injected by kind, changes written, and what went wrong: changes lost, items doubled, devices not
 * converged, processes crashed by themselves, test files failed. All but the first two must be 0.
 *
 * Forms (each test's own variables, when set, win):
 * - short: what `npm test` runs (2 kill points each, 3 network and clock runs, 200 fuzz cases); part of `npm run bench`;
 * - default (`npm run bench:reliability`): bounded to about 10 minutes on a 2-core machine: 30 + 20 kill
 *   points, 6 network and clock runs, 1000 fuzz cases;
 * - long (`TOTE_RELIABILITY_LONG=1`): 100 kill points each, the network faults' long form, 3000 fuzz cases.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FaultRun } from '../test/faults/ledger.ts';
import { mergeResults } from './results-file.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type ReliabilityForm = 'short' | 'default' | 'long';

const FORMS: Record<ReliabilityForm, Record<string, string>> = {
  short: {},
  default: { TOTE_KILL_POINTS: '30', TOTE_GATEWAY_KILL_POINTS: '20', TOTE_FAULTS_RUNS: '6', TOTE_CLOCK_RUNS: '6', TOTE_FUZZ_RUNS: '1000' },
  long: { TOTE_KILL_POINTS: '100', TOTE_GATEWAY_KILL_POINTS: '100', TOTE_FAULTS_LONG: '1', TOTE_CLOCK_RUNS: '25', TOTE_FUZZ_RUNS: '3000' },
};

export interface ReliabilityFigures {
  readonly form: ReliabilityForm;
  readonly duration_s: number;
  readonly test_files: number;
  readonly failed_tests: number;
  readonly runs_by_kind: Record<string, number>;
  readonly faults_by_kind: Record<string, number>;
  readonly faults: number;
  readonly changes_written: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly not_converged: number;
  readonly crashes: number;
  readonly fuzz_cases: number;
}

/** Sums a ledger's runs (one JSON line each). */
export function sumLedger(lines: readonly FaultRun[]) {
  const runs: Record<string, number> = {};
  const faults: Record<string, number> = {};
  const total = { faults: 0, changes_written: 0, lost: 0, duplicated: 0, not_converged: 0, crashes: 0, fuzz_cases: 0 };
  for (const run of lines) {
    runs[run.kind] = (runs[run.kind] ?? 0) + 1;
    faults[run.kind] = (faults[run.kind] ?? 0) + run.faults;
    total.faults += run.faults;
    total.changes_written += run.changesWritten;
    total.lost += run.lost;
    total.duplicated += run.duplicated;
    total.not_converged += run.notConverged;
    total.crashes += run.crashes;
    total.fuzz_cases += run.fuzzCases ?? 0;
  }
  return { runs_by_kind: runs, faults_by_kind: faults, ...total };
}

export async function benchReliability(form: ReliabilityForm = 'default'): Promise<ReliabilityFigures> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tote-reliability-'));
  const ledger = path.join(dir, 'ledger.jsonl');
  const report = path.join(dir, 'vitest.json');
  const files = (await readdir(path.join(root, 'test/faults'))).filter((name) => name.endsWith('.test.ts')).sort().map((name) => `test/faults/${name}`);
  const env: NodeJS.ProcessEnv = { ...process.env, TOTE_RELIABILITY_LEDGER: ledger };
  for (const [name, value] of Object.entries(FORMS[form])) env[name] ??= value;
  const started = Date.now();
  try {
    const vitest = path.join(root, 'node_modules/.bin/vitest');
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(vitest, ['run', ...files, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    const lines = existsSync(ledger)
      ? (await readFile(ledger, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as FaultRun)
      : [];
    const results = existsSync(report) ? JSON.parse(await readFile(report, 'utf8')) as { numTotalTestSuites?: number; numFailedTests?: number; numFailedTestSuites?: number } : null;
    // No report at all (vitest itself failed): every file counts as failed.
    const failed = results ? (results.numFailedTests ?? 0) + (results.numFailedTestSuites ?? 0) : files.length;
    if (code !== 0 && failed === 0) console.error(`bench: vitest exited with ${code}`);
    return {
      form, duration_s: Math.round((Date.now() - started) / 1000), test_files: files.length,
      failed_tests: code !== 0 && failed === 0 ? 1 : failed, ...sumLedger(lines),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function reliabilityTargets(figures: ReliabilityFigures): Record<string, boolean> {
  return {
    'reliability.lost == 0': figures.lost === 0,
    'reliability.duplicated == 0': figures.duplicated === 0,
    'reliability.not_converged == 0': figures.not_converged === 0,
    'reliability.crashes == 0': figures.crashes === 0,
    'reliability.failed_tests == 0': figures.failed_tests === 0,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const form: ReliabilityForm = process.env.TOTE_RELIABILITY_LONG === '1' ? 'long' : process.env.TOTE_RELIABILITY_SHORT === '1' ? 'short' : 'default';
  benchReliability(form).then(async (reliability) => {
    const targets = reliabilityTargets(reliability);
    await mergeResults({ reliability }, targets);
    console.log(JSON.stringify({ reliability, targets }, null, 2));
    process.exit(Object.values(targets).every(Boolean) ? 0 : 1);
  }, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
