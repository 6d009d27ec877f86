/**
 * main.ts, bundled as the app ships it (esbuild), run in Node against a stand-in of the part of Electron's
 * API it uses (recorded calls, no behaviour of Electron's own). This checks the wiring only: that the thin
 * main process calls the tested modules at the right moments. It is not an Electron test; Electron itself
 * cannot run here (README, "What is verified where").
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build } from 'esbuild';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL } from './app-protocol.ts';
import { certificateFingerprint } from './certificate-pins.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
let base: string;
let bundle: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'tote-main-wiring-'));
  await mkdir(path.join(base, 'dist'), { recursive: true });
  await writeFile(path.join(base, 'dist', 'index.html'), '<!doctype html><title>Tote</title>');
  const result = await build({
    entryPoints: [path.join(here, 'main.ts')], bundle: true, platform: 'node', format: 'cjs', write: false,
    external: ['electron', 'electron-updater'], logLevel: 'silent',
  });
  bundle = result.outputFiles[0]!.text;
}, 60_000);

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

type Handler = (...args: never[]) => unknown;

/** A stand-in for the Electron API main.ts uses: records what it is asked, answers as told. */
function electronStandIn(options: { gotLock: boolean; dialogResponse: number; userData: string }) {
  const calls: string[] = [];
  const appEvents = new Map<string, Handler>();
  const ipc = new Map<string, Handler>();
  const windows: StandInWindow[] = [];
  const notifications: unknown[] = [];
  const dialogs: { message: string; detail: string }[] = [];
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  let isReady = false;
  let protocolHandler: ((request: Request) => Promise<Response>) | null = null;
  let verifyProc: Handler | null = null;
  class StandInWindow {
    loaded: string | null = null;
    focused = 0;
    constructor(readonly options: unknown) { windows.push(this); calls.push('new BrowserWindow'); }
    webContents = { on: () => undefined, setWindowOpenHandler: () => undefined };
    once() {}
    on() {}
    show() {}
    focus() { this.focused += 1; }
    isMinimized() { return false; }
    isDestroyed() { return false; }
    restore() {}
    loadURL(url: string) { this.loaded = url; return Promise.resolve(); }
    static getAllWindows() { return windows; }
  }
  const electron = {
    app: {
      requestSingleInstanceLock: () => { calls.push('requestSingleInstanceLock'); return options.gotLock; },
      quit: () => void calls.push('quit'),
      on: (event: string, handler: Handler) => void appEvents.set(event, handler),
      whenReady: () => { calls.push('whenReady'); return readyPromise; },
      isReady: () => isReady,
      getVersion: () => '0.1.0',
      getPath: () => options.userData,
      isPackaged: false,
    },
    BrowserWindow: StandInWindow,
    dialog: {
      showMessageBox: async (box: { message: string; detail: string }) => { dialogs.push(box); return { response: options.dialogResponse }; },
    },
    ipcMain: { handle: (channel: string, handler: Handler) => void ipc.set(channel, handler) },
    Menu: { buildFromTemplate: (template: unknown) => template, setApplicationMenu: () => void calls.push('setApplicationMenu') },
    nativeImage: { createFromPath: () => ({ resize: () => ({}) }) },
    Notification: class {
      static isSupported() { return true; }
      constructor(readonly options: unknown) { notifications.push(options); }
      on() { return this; }
      show() {}
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown) => void calls.push(`registerSchemesAsPrivileged ${isReady ? 'after' : 'before'} ready ${JSON.stringify(schemes)}`),
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => { calls.push(`protocol.handle ${scheme}`); protocolHandler = handler; },
    },
    safeStorage: { isEncryptionAvailable: () => false, encryptString: () => Buffer.alloc(0), decryptString: () => '' },
    session: { defaultSession: { setCertificateVerifyProc: (proc: Handler) => { calls.push('setCertificateVerifyProc'); verifyProc = proc; } } },
    shell: { openExternal: async () => undefined },
    Tray: class { setToolTip() {} setContextMenu() {} on() {} },
  };
  return {
    electron, calls, appEvents, ipc, windows, notifications, dialogs,
    becomeReady: async () => { isReady = true; ready(); await new Promise((resolve) => setTimeout(resolve, 50)); },
    get protocolHandler() { return protocolHandler; },
    get verifyProc() { return verifyProc; },
  };
}

function runMain(standIn: ReturnType<typeof electronStandIn>): void {
  const requireReal = createRequire(path.join(here, 'main.ts'));
  const fakeRequire = (name: string) => {
    if (name === 'electron') return standIn.electron;
    if (name === 'electron-updater') return { default: { autoUpdater: { on() {}, setFeedURL() {}, checkForUpdatesAndNotify: async () => undefined } } };
    return requireReal(name);
  };
  const module = { exports: {} };
  const wrapper = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {${bundle}\n})`) as (...args: unknown[]) => void;
  wrapper(module.exports, fakeRequire, module, path.join(base, 'dist-electron', 'main.cjs'), path.join(base, 'dist-electron'));
}

describe('main.ts wired to a stand-in of Electron\'s API', () => {
  it('registers app:// as privileged before ready, serves the renderer from it, and loads the app\'s own origin', async () => {
    const standIn = electronStandIn({ gotLock: true, dialogResponse: 0, userData: await mkdtemp(path.join(base, 'user-')) });
    runMain(standIn);
    expect(standIn.calls[0]).toMatch(/^registerSchemesAsPrivileged before ready .*"scheme":"app".*"standard":true,"secure":true/);
    await standIn.becomeReady();
    expect(standIn.calls).toEqual(expect.arrayContaining(['protocol.handle app', 'setCertificateVerifyProc', 'setApplicationMenu', 'new BrowserWindow']));
    expect(standIn.windows[0]!.loaded).toBe(APP_INDEX_URL);
    const page = await standIn.protocolHandler!({ url: APP_INDEX_URL, method: 'GET' } as Request);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Tote</title>');
    expect((await standIn.protocolHandler!({ url: 'app://tote/../dist/index.html', method: 'GET' } as Request)).status).toBe(400);
  });

  it('a second launch quits; in the first, a second launch focuses the window', async () => {
    const second = electronStandIn({ gotLock: false, dialogResponse: 0, userData: base });
    runMain(second);
    expect(second.calls).toContain('quit');
    expect(second.calls).not.toContain('whenReady');

    const first = electronStandIn({ gotLock: true, dialogResponse: 0, userData: await mkdtemp(path.join(base, 'user-')) });
    runMain(first);
    await first.becomeReady();
    first.appEvents.get('second-instance')!();
    expect(first.windows).toHaveLength(1);
    expect(first.windows[0]!.focused).toBe(1);
  });

  it('asks about an unpinned certificate with its fingerprint, pins it on yes, and refuses another one after', async () => {
    const userData = await mkdtemp(path.join(base, 'user-'));
    const standIn = electronStandIn({ gotLock: true, dialogResponse: 1, userData });
    runMain(standIn);
    await standIn.becomeReady();
    const [server, other] = await Promise.all([1, 2].map(async () => (await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', curve: 'P-256' })).cert));
    const verify = (cert: string) => new Promise<number>((resolve) => standIn.verifyProc!({ hostname: 'localhost', certificate: { data: cert }, verificationResult: 'net::ERR_CERT_AUTHORITY_INVALID' } as never, resolve as never));
    expect(await verify(server!)).toBe(0);
    expect(standIn.dialogs[0]!.detail).toContain(certificateFingerprint(server!));
    expect(JSON.parse(await readFile(path.join(userData, 'certificate-pins.json'), 'utf8'))).toEqual({ localhost: certificateFingerprint(server!) });
    expect(await verify(server!)).toBe(0);
    expect(await verify(other!)).toBe(-2);
    expect(standIn.dialogs).toHaveLength(2); // the question, then the warning that the certificate changed
    const trusted = await new Promise<number>((resolve) => standIn.verifyProc!({ hostname: 'sync.example', certificate: { data: other }, verificationResult: 'net::OK' } as never, resolve as never));
    expect(trusted).toBe(-3);
  });

  it('shows notifications asked for by the app\'s own page only', async () => {
    const standIn = electronStandIn({ gotLock: true, dialogResponse: 0, userData: await mkdtemp(path.join(base, 'user-')) });
    runMain(standIn);
    await standIn.becomeReady();
    const notify = standIn.ipc.get('tote:notify')! as (event: unknown, request: unknown) => unknown;
    notify({ senderFrame: { url: 'app://tote/index.html' } }, { kind: 'conflict', count: 1 });
    expect(standIn.notifications).toHaveLength(1);
    expect(() => notify({ senderFrame: { url: 'https://evil.example/' } }, { kind: 'conflict', count: 1 })).toThrow(/Not Tote/);
    notify({ senderFrame: { url: 'app://tote/index.html' } }, { kind: 'run', command: 'x' });
    expect(standIn.notifications).toHaveLength(1);
  });
});
