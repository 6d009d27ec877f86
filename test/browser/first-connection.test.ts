/**
 * A newcomer's first connection, with the sync server as `npm start` runs it (its default origins, its
 * own local authority, the trust page on the gateway's port + 1) and browsers that trust nothing but what
 * the newcomer gives them: each Chromium runs with a HOME of its own, whose `.pki/nssdb` starts empty, and
 * without --ignore-certificate-errors-spki-list.
 *
 * 1. Before trusting anything, the extension's sign-in says the certificate is not trusted (not "cannot reach").
 * 2. The newcomer runs the Debian commands `npm start` prints (certutil into `$HOME/.pki/nssdb`).
 * 3. The extension signs in; the desktop renderer signs in; an item added on one is seen on the other.
 *
 * The desktop renderer's origin. Electron serves it at `app://tote`, a scheme Chromium itself cannot be
 * given (an unknown scheme is handed to the system and never loads: net::ERR_ABORTED), so the exact
 * admission of `app://tote` is checked at the HTTP level in test/server/desktop-origin.test.ts. Here:
 * - served by the app's own protocol handler (serveAppRequest, with its CSP) at a plain web origin, the
 *   default server refuses it, and the renderer says so ("does not admit this app");
 * - served as a Chromium extension page without host permissions, the nearest thing Chromium has to a
 *   privileged standard secure scheme: CORS applies to it as to Electron's `app://` page, and the default
 *   server admits it by its `chrome-extension://*` rule (not by the `app://tote` rule).
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { startSyncServer, trustCommands, type RunningSyncServer } from '@tote/sync-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveAppRequest } from '../../desktop/electron/app-protocol.ts';
import { extensionId, launchDesktopWindow, launchWithExtension } from '../support/chromium.ts';
import { serveFolder, type StaticServer } from '../support/static-server.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const extensionDir = path.join(root, 'extension/.output/chrome-mv3');
const desktopDist = path.join(root, 'desktop/dist');

let dataDir: string;
let home: string;
let server: RunningSyncServer;
let serverUrl: string;
let shops: StaticServer;
let webHost: http.Server;
let webHostUrl: string;
let rendererExtension: string;
const profiles: string[] = [];
let extensionBrowser: BrowserContext | null = null;
let desktopBrowser: BrowserContext | null = null;
let env: NodeJS.ProcessEnv;

/** A free port whose next port is free too (the gateway and its trust page). */
async function freePortPair(): Promise<number> {
  const listen = (port: number) => new Promise<net.Server | null>((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(null));
    probe.listen(port, '127.0.0.1', () => resolve(probe));
  });
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await listen(0);
    const port = (first!.address() as AddressInfo).port;
    const second = port < 65535 ? await listen(port + 1) : null;
    await new Promise((resolve) => first!.close(resolve));
    if (second) {
      await new Promise((resolve) => second.close(resolve));
      return port;
    }
  }
  throw new Error('No two free ports in a row.');
}

async function profile(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tote-newcomer-profile-'));
  profiles.push(dir);
  return dir;
}

async function signIn(page: Page) {
  await page.getByTestId('account-server').fill(serverUrl);
  await page.getByTestId('account-name').fill(server.shopper.name);
  await page.getByTestId('account-password').fill(server.shopper.password);
  await page.getByTestId('account-signin').click();
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-newcomer-server-'));
  home = await mkdtemp(path.join(tmpdir(), 'tote-newcomer-home-'));
  env = { ...process.env, HOME: home };
  const gatewayPort = await freePortPair();
  // As `npm start` runs it: default origins, generated authority, trust page on the gateway's port + 1.
  server = await startSyncServer({ dataDir, port: 0, gatewayPort });
  serverUrl = server.gateway.url;
  expect(server.gateway.trustPage?.port).toBe(gatewayPort + 1);
  shops = await serveFolder(path.join(root, 'test/fixtures/shop'));
  // The renderer's build, answered by the desktop's own app:// handler, at a plain web origin.
  webHost = http.createServer((request, response) => {
    void serveAppRequest(desktopDist, `app://tote${request.url ?? '/'}`, request.method).then(async (answer) => {
      const headers: Record<string, string> = {};
      answer.headers.forEach((value, name) => { headers[name] = value; });
      response.writeHead(answer.status, headers).end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => webHost.listen(0, '127.0.0.1', resolve));
  webHostUrl = `http://127.0.0.1:${(webHost.address() as AddressInfo).port}`;
  // The same build as an extension page: no host permissions, so CORS applies; WebAssembly for Argon2id.
  rendererExtension = await mkdtemp(path.join(tmpdir(), 'tote-newcomer-renderer-'));
  await cp(desktopDist, rendererExtension, { recursive: true });
  await writeFile(path.join(rendererExtension, 'manifest.json'), JSON.stringify({
    manifest_version: 3, name: 'Tote desktop renderer (test host)', version: '0.1.0',
    content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self';" },
  }));
});

afterAll(async () => {
  await extensionBrowser?.close();
  await desktopBrowser?.close();
  await shops?.close();
  await new Promise((resolve) => (webHost ? webHost.close(resolve) : resolve(undefined)));
  await server?.stop();
  for (const dir of [dataDir, home, rendererExtension, ...profiles]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a newcomer\'s first connection, with the server\'s defaults', () => {
  let extensionProfile: string;
  let popupUrl: string;

  it('before trusting the authority, the extension says the certificate is not trusted and where to read how', async () => {
    extensionProfile = await profile();
    extensionBrowser = await launchWithExtension(extensionProfile, extensionDir, [], env);
    popupUrl = `chrome-extension://${await extensionId(extensionBrowser)}/popup.html`;
    const popup = await extensionBrowser.newPage();
    await popup.goto(popupUrl);
    await signIn(popup);
    await expect.poll(() => popup.getByTestId('account-message').textContent(), { timeout: 20_000 }).toContain('does not trust its certificate');
    expect(await popup.getByTestId('account-message').textContent()).toContain(server.gateway.trustPage!.url);
    await extensionBrowser.close();
    extensionBrowser = null;
  });

  it('trusts the authority with the printed Debian commands, in a fresh NSS store', async () => {
    const debian = trustCommands(server.gateway.authority!.certFile)[0]!;
    // Every command but installing certutil (the machine has it: .ci/run installs libnss3-tools).
    for (const command of debian.commands.filter((line) => !line.includes('apt-get'))) {
      await run('bash', ['-c', command], { env });
    }
    const { stdout } = await run('certutil', ['-d', `sql:${home}/.pki/nssdb`, '-L'], { env });
    expect(stdout).toMatch(/Tote local sync server\s+C,,/);
  });

  it('the extension signs in', async () => {
    extensionBrowser = await launchWithExtension(extensionProfile, extensionDir, [], env);
    const popup = await extensionBrowser.newPage();
    await popup.goto(popupUrl);
    await signIn(popup);
    await expect.poll(() => popup.getByTestId('sync-status').textContent(), { timeout: 20_000 }).toContain('In sync');
    await popup.close();
  });

  it('the desktop renderer at a web origin is refused by the default server, and says so', async () => {
    desktopBrowser = await launchDesktopWindow(await profile(), [], { env });
    const page = await desktopBrowser.newPage();
    const answer = await page.goto(`${webHostUrl}/index.html`);
    expect(answer?.headers()['content-security-policy']).toContain("default-src 'none'");
    await signIn(page);
    await expect.poll(() => page.getByTestId('account-message').textContent(), { timeout: 20_000 }).toContain('does not admit this app');
    await desktopBrowser.close();
    desktopBrowser = null;
  });

  it('the desktop renderer under a privileged scheme signs in; an item added on one is seen on the other', async () => {
    const desktopProfile = await profile();
    desktopBrowser = await launchDesktopWindow(desktopProfile, [`--disable-extensions-except=${rendererExtension}`, `--load-extension=${rendererExtension}`], { env });
    // The renderer host has no service worker: find its id on the extensions page's data.
    const hostId = await rendererExtensionId(desktopBrowser);
    const desktop = await desktopBrowser.newPage();
    await desktop.goto(`chrome-extension://${hostId}/index.html`);
    await signIn(desktop);
    await expect.poll(() => desktop.getByTestId('sync-status').textContent(), { timeout: 20_000 }).toContain('In sync');

    const shop = await extensionBrowser!.newPage();
    await shop.goto(`${shops.url}/kettle.html`);
    await shop.locator('tote-capture button').click();
    await desktop.getByTestId('item-title').filter({ hasText: 'Red Kettle 1.7 l' }).waitFor({ timeout: 10_000 });

    const row = desktop.getByTestId('item').filter({ hasText: 'Red Kettle 1.7 l' });
    await row.getByTestId('item-quantity').fill('2');
    await row.getByTestId('item-quantity').press('Enter');
    await row.getByTestId('item-quantity').blur();
    const popup = await extensionBrowser!.newPage();
    await popup.goto(popupUrl);
    await expect.poll(() => popup.getByTestId('item').filter({ hasText: 'Red Kettle 1.7 l' }).getByTestId('item-quantity').inputValue(), { timeout: 10_000 }).toBe('2');
  });
});

/** The id Chromium gave the unpacked renderer host (it has no worker to read it from): from its preferences. */
async function rendererExtensionId(context: BrowserContext): Promise<string> {
  const page = await context.newPage();
  await page.goto('chrome://extensions/');
  const id = await page.evaluate(async () => {
    const api = (globalThis as unknown as { chrome: { management: { getAll(): Promise<{ id: string; name: string }[]> } } }).chrome.management;
    return (await api.getAll()).find((item) => item.name.startsWith('Tote desktop renderer'))?.id ?? null;
  });
  await page.close();
  if (!id) throw new Error('The renderer host extension did not load.');
  return id;
}
