/**
 * What the extension's builds and packages promise, read from the built manifests (`npm test` builds
 * first) and from the archives `npm run zip` writes: both builds are Manifest V3; Firefox gets a fixed id
 * (its storage, and so the cart, belongs to that id), the first versions that read its data-collection
 * declaration, and that declaration (docs/privacy.md); both builds ask for the same permissions; the pages
 * may compile WebAssembly (key derivation) but never `eval`; the sources archive rebuilds the add-on.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { readZip, type ZipArchive } from '../support/zip.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const output = path.join(root, 'extension/.output');
const manifest = async (build: string) => JSON.parse(await readFile(path.join(output, build, 'manifest.json'), 'utf8')) as Record<string, unknown>;

const FIREFOX_SETTINGS = {
  gecko: {
    id: 'tote@tote.app',
    strict_min_version: '140.0',
    data_collection_permissions: { required: ['authenticationInfo', 'websiteContent', 'browsingActivity'] },
  },
  gecko_android: { strict_min_version: '142.0' },
};

describe('extension builds', () => {
  it('both are Manifest V3; Firefox has a fixed id, its data collection declared and the same permissions as Chrome', async () => {
    const [chrome, firefox] = await Promise.all([manifest('chrome-mv3'), manifest('firefox-mv3')]);
    expect(chrome.manifest_version).toBe(3);
    expect(firefox.manifest_version).toBe(3);
    expect(firefox.browser_specific_settings).toEqual(FIREFOX_SETTINGS);
    expect(chrome.browser_specific_settings).toBeUndefined();
    for (const permission of ['storage', 'alarms', 'contextMenus', 'notifications']) {
      expect(chrome.permissions).toContain(permission);
      expect(firefox.permissions).toContain(permission);
    }
    // Firefox runs an MV3 background as an event page, Chrome as a service worker.
    expect(firefox.background).toEqual({ scripts: ['background.js'] });
    expect(chrome.background).toMatchObject({ service_worker: 'background.js' });
  });

  it('allows WebAssembly for key derivation but never eval', async () => {
    for (const build of ['chrome-mv3', 'firefox-mv3']) {
      const policy = ((await manifest(build)).content_security_policy as { extension_pages: string }).extension_pages;
      expect(policy).toContain("'wasm-unsafe-eval'");
      expect(policy).not.toMatch(/'unsafe-eval'/);
    }
  });
});

describe('npm run zip', () => {
  const zips: Record<'chrome' | 'firefox' | 'sources', ZipArchive> = {} as never;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // Without vitest's NODE_ENV=test, which would build Svelte's development code into the packages (and
    // into the builds the later browser tests load).
    env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_ENV' && !name.startsWith('VITEST')));
    await promisify(execFile)('npm', ['run', 'zip'], { cwd: root, env, timeout: 180_000 });
    const files = await readdir(output);
    for (const kind of ['chrome', 'firefox', 'sources'] as const) {
      expect(files).toContain(`tote-0.1.0-${kind}.zip`);
      zips[kind] = await readZip(path.join(output, `tote-0.1.0-${kind}.zip`));
    }
  }, 240_000);

  it('writes the Chrome and Firefox packages, both Manifest V3, Firefox with its data collection declared', () => {
    const chrome = JSON.parse(zips.chrome.text('manifest.json')) as Record<string, unknown>;
    const firefox = JSON.parse(zips.firefox.text('manifest.json')) as Record<string, unknown>;
    expect(chrome.manifest_version).toBe(3);
    expect(firefox.manifest_version).toBe(3);
    expect(firefox.browser_specific_settings).toEqual(FIREFOX_SETTINGS);
    for (const zip of [zips.chrome, zips.firefox]) {
      expect(zip.names).toContain('popup.html');
      expect(zip.names).toContain('content-scripts/content.js');
    }
  });

  it("writes the sources Firefox's review rebuilds from: the extension, the core it bundles, the lock file and the steps", () => {
    const names = zips.sources.names;
    for (const file of ['package.json', 'package-lock.json', 'tsconfig.base.json', 'README.md', 'docs/privacy.md',
      'core/package.json', 'core/src/index.ts', 'extension/package.json', 'extension/wxt.config.ts', 'extension/src/entrypoints/background.ts',
      'sync-server/package.json', 'desktop/package.json']) {
      expect(names).toContain(file);
    }
    // Nothing built, installed or private.
    expect(names.filter((name) => /(^|\/)(node_modules|\.output|\.wxt|dist|data)\//.test(name) || name.startsWith('.'))).toEqual([]);
    expect(names.filter((name) => name.startsWith('sync-server/') || name.startsWith('desktop/'))).toEqual(['desktop/package.json', 'sync-server/package.json']);
    const readme = zips.sources.text('README.md');
    expect(readme).toContain('Node 22');
    expect(readme).toContain('npm ci');
    expect(readme).toContain('npm run zip');
    expect(readme).toContain('extension/.output/firefox-mv3');
  });

  it('the sources archive, unpacked on its own, rebuilds the Firefox package byte for byte with the README\'s steps', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tote-sources-'));
    try {
      for (const name of zips.sources.names) {
        await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
        await writeFile(path.join(dir, name), zips.sources.bytes(name));
      }
      const run = (args: string[]) => promisify(execFile)('npm', args, { cwd: dir, env: { ...env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, timeout: 300_000 });
      await run(['ci', '--no-audit', '--no-fund', '--prefer-offline']);
      await run(['run', 'build:firefox', '-w', '@tote/extension']);
      const built = path.join(dir, 'extension/.output/firefox-mv3');
      const files = (await readdir(built, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile())
        .map((entry) => path.relative(built, path.join(entry.parentPath, entry.name)));
      expect(files.sort()).toEqual([...zips.firefox.names].sort());
      for (const file of files) expect((await readFile(path.join(built, file))).equals(zips.firefox.bytes(file)), file).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 400_000);
});
