/**
 * A device in a Chromium process of the test's own, so the test can kill it: the real Tote core in a
 * page (page-device-entry.ts, bundled here and served on loopback), on the page's real IndexedDB in a
 * profile folder that outlives the process. Chromium is started by the test (not by playwright-core's
 * launcher, which keeps its process to itself) and driven over CDP: the test knows the browser's pid and
 * its process group, and can SIGKILL the whole browser or only its renderers, then start a browser
 * again on the same profile and origin (docs/faults.md, "A device killed inside a bulk write").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Argon2idParams, CartCommand } from '@tote/core';
import { QUIET_ARGS } from './chromium.ts';
import { serveFolder, type StaticServer } from './static-server.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface PageItems {
  readonly live: readonly { id: string; title: string; quantity: number; note: string }[];
  readonly removed: readonly string[];
}

export type DispatchOutcome = { ok: true; written: number } | { ok: false; code: string; message: string };

/** What the page offers (page-device-entry.ts). */
export interface PageDevice {
  open(name: string, deviceId: string, passwordKdf?: Argon2idParams): Promise<void>;
  signIn(serverUrl: string, name: string, password: string): Promise<void>;
  /** Adds `count` products, one dispatch each. */
  fill(count: number, prefix: string): Promise<void>;
  /** One bulk command: clearing the cart, or bringing back every removed item; resolves when its items are written. */
  bulk(kind: 'clear' | 'bringBack'): Promise<DispatchOutcome>;
  /** A restore of the cart to the moment `to` (docs/history.md rule 23); resolves when its items are written. */
  restore(to: number): Promise<DispatchOutcome>;
  dispatch(command: CartCommand): Promise<DispatchOutcome>;
  items(): PageItems;
  /** The conflict notices the shopper has (docs/merge.md), each as one line. */
  conflictNotices(): string[];
  notices(): { id: string; title: string | null; message: string }[];
  syncPhase(): string;
  awaitInSync(): Promise<void>;
  close(): Promise<void>;
}

/** The page, bundled with esbuild and served on a loopback port that stays the same for the whole test (one origin). */
export async function servePageDevice(): Promise<StaticServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tote-page-device-'));
  await build({ entryPoints: [path.join(here, 'page-device-entry.ts')], bundle: true, format: 'esm', target: 'es2022',
    outfile: path.join(dir, 'device.js'), logLevel: 'warning' });
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>Tote device</title><script type="module" src="./device.js"></script>');
  const site = await serveFolder(dir);
  return { url: site.url, close: async () => { await site.close(); await rm(dir, { recursive: true, force: true }); } };
}

export interface BrowserDevice {
  readonly page: Page;
  /** The browser process (the leader of its process group). */
  readonly pid: number;
  /** Resolves when the browser process has ended: its exit code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  call<K extends keyof PageDevice>(method: K, ...args: Parameters<PageDevice[K]>): Promise<Awaited<ReturnType<PageDevice[K]>>>;
  /** Told when the page starts a bulk write, and when the core says it is stored. */
  onWrite: { started: () => void; stored: () => void };
  /** SIGKILL to the browser's whole process group (browser, zygote, renderers, utilities); resolves once all are gone. */
  killBrowser(): Promise<void>;
  /** SIGKILL to every renderer process (found over CDP); the browser itself stays. Returns their pids. */
  killRenderers(): Promise<number[]>;
  /** Closes the browser as the shopper would (its files are written out). */
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly profile: string;
  /** The test's key store, outliving the browser as the operating system's does. */
  readonly keys: Map<string, string>;
  readonly args?: readonly string[];
  /** False: a page of the same origin without the app (no Tote code runs), to reach its IndexedDB beneath the app. */
  readonly app?: boolean;
}

/** Starts Chromium on `profile` and opens the device page of `site` (not yet the app: call `open`). */
export async function startBrowserDevice(site: StaticServer, { profile, keys, args = [], app = true }: OpenOptions): Promise<BrowserDevice> {
  const child = spawn(CHROMIUM, ['--headless', '--remote-debugging-port=0', `--user-data-dir=${profile}`, ...QUIET_ARGS, ...args, 'about:blank'], {
    detached: true, stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let browser: Browser;
  try {
    browser = await chromium.connectOverCDP(await devToolsUrl(child));
  } catch (error) {
    if (groupAlive(child.pid!)) process.kill(-child.pid!, 'SIGKILL'); // no browser of ours left behind
    throw error;
  }
  const context = browser.contexts()[0]!;
  const onWrite = { started: () => undefined as void, stored: () => undefined as void };
  await context.exposeFunction('toteKeyLoad', (name: string) => keys.get(name) ?? null);
  await context.exposeFunction('toteKeySave', (name: string, key: string) => void keys.set(name, key));
  await context.exposeFunction('toteKeyClear', (name: string) => void keys.delete(name));
  await context.exposeFunction('toteWriteStarted', () => onWrite.started());
  await context.exposeFunction('toteWriteStored', () => onWrite.stored());
  const page = context.pages()[0] ?? await context.newPage();
  if (app) {
    await page.goto(`${site.url}/index.html`);
    await page.waitForFunction(() => 'toteDevice' in globalThis);
  } else {
    await page.goto(`${site.url}/without-app`); // the static server's "not found" page: same origin, no script
  }
  const pid = child.pid!;
  const gone = async () => {
    await exited;
    // The rest of the group (renderers, zygote) follows the browser out.
    for (let i = 0; i < 100 && groupAlive(pid); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  return {
    page, pid, exited, onWrite,
    call: (method, ...args) => page.evaluate(([name, values]) => {
      const target = (globalThis as unknown as { toteDevice: Record<string, (...a: unknown[]) => unknown> }).toteDevice;
      return target[name as string]!(...(values as unknown[]));
    }, [method, args] as const) as never,
    async killBrowser() {
      process.kill(-pid, 'SIGKILL');
      await gone();
      await browser.close().catch(() => undefined);
    },
    async killRenderers() {
      const cdp = await browser.newBrowserCDPSession();
      const { processInfo } = await cdp.send('SystemInfo.getProcessInfo') as { processInfo: { type: string; id: number }[] };
      const renderers = processInfo.filter((info) => info.type === 'renderer').map((info) => info.id);
      for (const rendererPid of renderers) {
        try {
          process.kill(rendererPid, 'SIGKILL');
        } catch {
          // already gone (a spare renderer Chromium ended meanwhile)
        }
      }
      return renderers;
    },
    async close() {
      const cdp = await browser.newBrowserCDPSession().catch(() => null); // none when the browser is already gone
      await cdp?.send('Browser.close').catch(() => undefined);
      const closed = await Promise.race([exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 15_000))]);
      if (!closed) process.kill(-pid, 'SIGKILL');
      await gone();
      await browser.close().catch(() => undefined);
    },
  };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The DevTools address Chromium prints once it listens (`--remote-debugging-port=0` picks a free port). */
function devToolsUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${seen}`)), 30_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      seen += chunk;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        child.stderr!.removeAllListeners('data');
        child.stderr!.resume(); // drained from now on, unread
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`Chromium exited (${code}): ${seen}`)));
  });
}
