/**
 * `npm run bench:capture-profile [-- [--sched] <page id>...]`: where the first run of the capture
 * spends its time in Chromium, on the shared pages, each in a fresh page as the content script runs.
 * - Without `--sched`: V8's sampling profiler (every 50 µs, which slows the run: read proportions only)
 *   gives self time by function over all pages (a native call is named with its caller), time with
 *   each function on the stack, and per page the split between the capture's code, the engine
 *   ("(program)"), garbage collection and idle time.
 * - With `--sched`: no profiler; Linux's scheduler figures for this browser's renderer threads while
 *   each capture runs: how long the page's main thread ran and how long it was ready but waiting for a
 *   core, and what the renderer's other threads (V8's compiler and collector helpers) ran meanwhile.
 *   This is what tells a first run's wall time from its CPU time on a shared machine.
 * Prints only: bench/results/latest.json is not touched.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { captureBundle } from '../extension/scripts/capture-bundle.ts';
import { htmlContentType } from '../extension/src/capture/charset.ts';
import { DEV_FOLDER } from '../test/support/capture-dev.ts';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const sched = process.argv.includes('--sched');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

/**
 * Linux's scheduler figures for every thread of Chromium's renderer processes: nanoseconds run and
 * nanoseconds spent ready but waiting for a core (/proc/<pid>/task/<tid>/schedstat), by thread name.
 */
function ourRenderers(): string[] {
  const parent = (pid: string) => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]!;
  return readdirSync('/proc').filter((pid) => {
    try {
      if (!/^\d+$/.test(pid) || !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) return false;
      // Only this browser's renderers: other work on the machine may run Chromium too.
      for (let up = parent(pid), i = 0; up !== '0' && up !== '1' && i < 5; up = parent(up), i += 1) if (up === browserPid) return true;
      return false;
    } catch {
      return false;
    }
  });
}

/** Read just before and after a capture, for the renderers found before it (so the window is the capture's). */
function rendererThreads(pids: readonly string[]): Map<string, { name: string; run: number; wait: number }> {
  const out = new Map<string, { name: string; run: number; wait: number }>();
  for (const pid of pids) {
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        // The main thread carries the process's name: named here as Chromium's tracing names it.
        const name = tid === pid ? 'CrRendererMain' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(' ').map(Number);
        out.set(`${pid}/${tid}`, { name, run: run!, wait: wait! });
      }
    } catch {
      // The process ended meanwhile.
    }
  }
  return out;
}
/** Every busy thread of the machine, summed from /proc/stat: user, nice, system, irq, softirq (in clock ticks). */
function machineBusy(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const n = fields.map(Number);
  return n[0]! + n[1]! + n[2]! + n[5]! + n[6]!;
}
const threadTotals = new Map<string, { run: number; wait: number }>();
let machineTicks = 0;
let wallTotal = 0;
const records = (JSON.parse(await readFile(path.join(DEV_FOLDER, 'expected.json'), 'utf8')) as { id: string; page_url: string }[])
  .filter((r) => only.length === 0 || only.includes(r.id));
// Readable, so the profile names functions (minifying changes the first run by about 2 %: docs/benchmarks.md).
const bundle = await captureBundle(undefined, { minify: false });
const bundleLines = bundle.split('\n');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND', `--tote-capture-profile=${process.pid}`],
});
/** The browser process: the one started with this run's marker switch. */
const browserPid = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).find((pid) => {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes(`--tote-capture-profile=${process.pid}`) && !cmd.includes('--type=');
  } catch {
    return false;
  }
}) ?? '';
const self = new Map<string, number>();
/** Time with the function on the stack (counted once per sample however deep it recurses). */
const inclusive = new Map<string, number>();
const perPage: { id: string; ms: number; cpu: number; sampled: number; split: Record<string, number> }[] = [];
try {
  for (const record of records) {
    const html = gunzipSync(await readFile(path.join(DEV_FOLDER, 'pages', `${record.id}.html.gz`)));
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const target = new URL(record.page_url);
    target.hash = '';
    const cdp = await context.newCDPSession(page);
    await cdp.send('Fetch.enable', { patterns: [{ urlPattern: target.href.replace(/[*?\\]/g, (c) => `\\${c}`), requestStage: 'Request' }] });
    cdp.on('Fetch.requestPaused', (event) => {
      const answer = event.resourceType === 'Document'
        ? cdp.send('Fetch.fulfillRequest', { requestId: event.requestId, responseCode: 200, responseHeaders: [{ name: 'Content-Type', value: htmlContentType(html) }], body: html.toString('base64') })
        : cdp.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'BlockedByClient' });
      answer.catch(() => undefined);
    });
    await page.goto(record.page_url, { waitUntil: 'load', timeout: 30_000 });
    await page.evaluate(bundle);
    await page.evaluate('document.body ? document.body.offsetHeight : 0');
    await cdp.send('Performance.enable');
    const threadTime = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? 0;
    const capture = `(() => { const s = performance.now(); globalThis.__toteCapture.extractProduct(document, ${JSON.stringify(record.page_url)}); return performance.now() - s; })()`;
    if (sched) {
      const before = await threadTime();
      const pids = ourRenderers();
      const threadsBefore = rendererThreads(pids);
      const busyBefore = machineBusy();
      const ms = await page.evaluate(capture) as number;
      const busy = machineBusy() - busyBefore;
      const threadsAfter = rendererThreads(pids);
      const cpu = (await threadTime() - before) * 1000;
      const split: Record<string, number> = {};
      for (const [key, after] of threadsAfter) {
        const was = threadsBefore.get(key) ?? { run: 0, wait: 0 };
        const total = threadTotals.get(after.name) ?? { run: 0, wait: 0 };
        total.run += (after.run - was.run) / 1e6;
        total.wait += (after.wait - was.wait) / 1e6;
        threadTotals.set(after.name, total);
        if (after.name === 'CrRendererMain') {
          split['main run'] = (split['main run'] ?? 0) + (after.run - was.run) / 1e6;
          split['main waiting for a core'] = (split['main waiting for a core'] ?? 0) + (after.wait - was.wait) / 1e6;
        }
      }
      machineTicks += busy;
      wallTotal += ms;
      perPage.push({ id: record.id, ms, cpu, sampled: 0, split });
      await context.close();
      continue;
    }
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
    const before = await threadTime();
    await cdp.send('Profiler.start');
    const ms = await page.evaluate(capture) as number;
    const { profile } = await cdp.send('Profiler.stop') as unknown as { profile: Profile };
    const cpu = (await threadTime() - before) * 1000;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parentOf = new Map<number, ProfileNode>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n);
    const split: Record<string, number> = {};
    let sampled = 0;
    profile.samples.forEach((id, i) => {
      const node = byId.get(id)!;
      const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      const f = node.callFrame;
      const where = f.url === '' && f.lineNumber >= 0 ? (bundleLines[f.lineNumber] ?? '').trim().slice(0, 60) : f.url.split('/').pop();
      // Native calls (querySelectorAll, getAttribute, a pattern's test) are named by their caller.
      const caller = f.lineNumber < 0 && !f.functionName.startsWith('(') ? parentOf.get(id)?.callFrame : undefined;
      const key = caller ? `${f.functionName} in ${caller.functionName || '(anonymous)'} @${caller.lineNumber} ${(bundleLines[caller.lineNumber] ?? '').trim().slice(0, 50)}` : `${f.functionName || '(anonymous)'} @${f.lineNumber} ${where}`;
      self.set(key, (self.get(key) ?? 0) + dt);
      const onStack = new Set<string>();
      for (let n: ProfileNode | undefined = node; n; n = parentOf.get(n.id)) {
        const cf = n.callFrame;
        if (cf.lineNumber >= 0) onStack.add(`${cf.functionName || '(anonymous)'} @${cf.lineNumber} ${(bundleLines[cf.lineNumber] ?? '').trim().slice(0, 50)}`);
      }
      for (const k of onStack) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
      const kind = f.functionName.startsWith('(') ? f.functionName : 'capture';
      split[kind] = (split[kind] ?? 0) + dt;
      sampled += dt;
    });
    perPage.push({ id: record.id, ms, cpu, sampled, split });
    await context.close();
  }
} finally {
  await browser.close();
}
const r = (n: number) => Math.round(n * 10) / 10;
for (const p of perPage.sort((a, b) => b.ms - a.ms)) console.log(`${p.id.padEnd(28)} wall ${r(p.ms)} cpu ${r(p.cpu)}${sched ? '' : ` sampled ${r(p.sampled)}`}  ${Object.entries(p.split).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${r(v)}`).join(', ')}`);
if (sched) {
  console.log('\nrenderer threads during the captures (ms run, ms waiting for a core):');
  for (const [name, t] of [...threadTotals].sort((a, b) => b[1].run - a[1].run)) if (t.run + t.wait > 0.5) console.log(`  ${name.padEnd(20)} run ${r(t.run)}  waiting ${r(t.wait)}`);
  console.log(`machine: ${r(machineTicks * 10)} ms of CPU busy on all cores during ${r(wallTotal)} ms of captures`);
  process.exit(0);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log(`\nself time over ${perPage.length} pages: ${r(total)} ms`);
for (const [key, ms] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log(`${String(r(ms)).padStart(8)}  ${key}`);
console.log('\ninclusive:');
for (const [key, ms] of [...inclusive.entries()].sort((a, b) => b[1] - a[1]).slice(0, 70)) console.log(`${String(r(ms)).padStart(8)}  ${key}`);
