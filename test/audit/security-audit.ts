/**
 * `npm run audit:security`: the quarterly security audit (docs/security.md) in one command. It runs the
 * suites that attack the sync server from outside, each against a fresh server it starts itself, and
 * the searches of the server's files, documents and logs for plaintext, then writes a dated report to
 * `docs/audits/security-<YYYY-MM-DD>.md` (and prints where). Exit code 0 only when every check passed.
 *
 * `TOTE_FUZZ_RUNS` sets how many requests the path fuzzer sends (default here 3000, three times the
 * `npm test` run); `TOTE_FUZZ_SEED` repeats a run.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What each suite shows, in the report's words. */
const SUITES: readonly { file: string; shows: string }[] = [
  { file: 'test/server/hostile.test.ts', shows: 'raw-path walks, design documents, least privilege, and the path fuzzer watching what CouchDB receives' },
  { file: 'test/server/sign-in-limits.test.ts', shows: 'no stranger can lock an owner out; failed sign-ins audited without the secret; no tried password on disk' },
  { file: 'test/server/proxy-hardening.test.ts', shows: 'hop-by-hop headers, oversized and deeply nested bodies, WebSocket origins, no-store, the admin hash' },
  { file: 'test/server/stock-pouchdb.test.ts', shows: 'a stock CouchDB client replicates its own cart and is refused another\'s' },
  { file: 'test/server/gateway.test.ts', shows: 'TLS 1.3 only, sessions, access rules per route, limits, keys and recovery' },
  { file: 'test/sync/encryption.test.ts', shows: 'the server\'s disk (LevelDB tables decompressed), documents and logs searched for what the shopper typed' },
  { file: 'test/sync/untrusted-server.test.ts', shows: 'a device takes nothing unsealed or invalid from the server' },
];

interface AssertionResult { readonly title: string; readonly fullName: string; readonly status: string; readonly duration?: number; readonly failureMessages?: string[] }
interface FileResult { readonly name: string; readonly assertionResults: AssertionResult[] }
interface VitestJson { readonly numPassedTests: number; readonly numFailedTests: number; readonly testResults: FileResult[] }

async function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

async function git(args: string[]): Promise<string> {
  return (await run('git', args, process.env)).output.trim();
}

async function main(): Promise<void> {
  const started = new Date();
  const day = started.toISOString().slice(0, 10);
  const jsonFile = path.join(tmpdir(), `tote-security-audit-${process.pid}.json`);
  const env = { ...process.env, TOTE_FUZZ_RUNS: process.env.TOTE_FUZZ_RUNS ?? '3000' };
  console.log(`Security audit ${day}: ${SUITES.length} suites, each against a fresh sync server.`);
  const vitest = await run(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'system',
    '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`, ...SUITES.map((suite) => suite.file)], env);
  const results = JSON.parse(await readFile(jsonFile, 'utf8').catch(() => '{"numPassedTests":0,"numFailedTests":0,"testResults":[]}')) as VitestJson;
  await rm(jsonFile, { force: true });
  const seed = /path fuzzer: seed (\d+), (\d+) runs/.exec(vitest.output);
  const reached = /path fuzzer: (\d+) requests reached CouchDB/.exec(vitest.output);
  const passed = vitest.code === 0 && results.numFailedTests === 0 && results.numPassedTests > 0;

  const lines = [
    `# Security audit ${day}`, '',
    `Result: **${passed ? 'passed' : 'FAILED'}**: ${results.numPassedTests} checks passed, ${results.numFailedTests} failed.`,
    `Commit ${await git(['rev-parse', '--short', 'HEAD'])}${(await git(['status', '--porcelain'])) ? ' (with uncommitted changes)' : ''}, Node ${process.version}, ${started.toISOString()}.`,
    `Made by \`npm run audit:security\` (docs/security.md). Every suite started its own fresh sync server (embedded CouchDB behind the gateway, as \`npm start\` starts it).`,
    '',
    `Path fuzzer: ${seed ? `seed ${seed[1]}, ${seed[2]} requests as a shopper, a guest and nobody` : 'did not run'}${reached ? `; ${reached[1]} of them allowed through to CouchDB, each to the caller's own database with the caller's own CouchDB user` : ''}. \`TOTE_FUZZ_SEED=${seed?.[1] ?? '<seed>'} npm run audit:security\` repeats it.`,
    '',
  ];
  for (const suite of SUITES) {
    const file = results.testResults.find((result) => result.name.endsWith(suite.file));
    const tests = file?.assertionResults ?? [];
    const failed = tests.filter((test) => test.status !== 'passed');
    lines.push(`## ${suite.file}: ${file ? `${tests.length - failed.length}/${tests.length} passed` : 'did not run'}`, '', suite.shows, '');
    for (const test of tests) lines.push(`- ${test.status === 'passed' ? 'passed' : `**${test.status}**`}: ${test.fullName}`);
    for (const test of failed) lines.push('', `### ${test.fullName}`, '', '```', ...(test.failureMessages ?? []).map((message) => message.slice(0, 2000)), '```');
    lines.push('');
  }
  const folder = path.join(root, 'docs/audits');
  await mkdir(folder, { recursive: true });
  const report = path.join(folder, `security-${day}.md`);
  await writeFile(report, `${lines.join('\n')}\n`);
  console.log(`\nSecurity audit ${passed ? 'passed' : 'FAILED'}: ${results.numPassedTests} passed, ${results.numFailedTests} failed. Report: ${path.relative(root, report)}`);
  process.exit(passed ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(`The security audit could not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
