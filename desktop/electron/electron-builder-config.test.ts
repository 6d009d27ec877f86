/**
 * electron-builder.yml, checked by electron-builder's own configuration check (app-builder-lib's
 * validateConfiguration against its scheme.json: what `electron-builder` runs before packaging), and the
 * files it names.
 */
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ICNS_TYPES, ICO_SIZES, LINUX_SIZES } from '../scripts/icons.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration(config: unknown, logger: unknown): Promise<void> };
const yaml = require('js-yaml') as { load(text: string): unknown };

async function config(): Promise<Record<string, Record<string, unknown>>> {
  return yaml.load(await readFile(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, Record<string, unknown>>;
}

const noLog = { isEnabled: false, add() {} };
const pngSize = (png: Buffer) => [png.readUInt32BE(16), png.readUInt32BE(20)];

describe('electron-builder.yml', () => {
  it('passes electron-builder\'s own configuration check', async () => {
    await expect(validateConfiguration(await config(), noLog)).resolves.toBeUndefined();
    // The check is real: an unknown option is refused.
    await expect(validateConfiguration({ ...(await config()), linux: { target: ['deb'], homepage: 'x' } }, noLog)).rejects.toThrow(/configuration\.linux/);
  }, 30_000); // compiling electron-builder's schema takes seconds on a busy machine

  it('names the app, its homepage and an author with an e-mail (the deb needs them), for AppImage, deb, dmg and NSIS', async () => {
    const c = await config();
    expect(c.appId).toBe('app.tote.desktop');
    expect(c.extraMetadata).toMatchObject({ homepage: expect.stringMatching(/^https:\/\//), author: { name: 'Tote', email: expect.stringMatching(/^[^@\s]+@[^@\s]+$/) } });
    expect(c.linux).toMatchObject({ target: ['AppImage', 'deb', 'dir'], category: 'Office', maintainer: expect.stringMatching(/<[^@\s]+@[^@\s]+>$/) });
    expect(c.mac).toMatchObject({ target: ['dmg', 'zip'], category: 'public.app-category.shopping' });
    expect(c.win).toMatchObject({ target: ['nsis'] });
    expect(c.publish).toMatchObject({ provider: 'generic', url: expect.stringMatching(/^https:\/\//) });
    const desktopPackage = JSON.parse(await readFile(path.join(root, 'desktop/package.json'), 'utf8')) as Record<string, unknown>;
    expect(desktopPackage.dependencies ?? {}).toEqual({});
  });

  it('has icons for all three platforms, drawn by scripts/icons.ts', async () => {
    const resources = path.join(root, 'desktop/build-resources');
    for (const size of LINUX_SIZES) expect(pngSize(await readFile(path.join(resources, 'icons', `${size}x${size}.png`)))).toEqual([size, size]);
    expect(pngSize(await readFile(path.join(resources, 'icon.png')))).toEqual([1024, 1024]);
    const ico = await readFile(path.join(resources, 'icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, ICO_SIZES.length]);
    const icns = await readFile(path.join(resources, 'icon.icns'));
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types: string[] = [];
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) types.push(icns.subarray(at, at + 4).toString('ascii'));
    expect(types).toEqual(ICNS_TYPES.map(([type]) => type));
    // The window, tray and notification icon ships inside the renderer's build.
    expect((await stat(path.join(root, 'desktop/public/icon.png'))).size).toBeGreaterThan(0);
  });
});
