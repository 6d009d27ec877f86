/**
 * What the extension's builds promise, read from the built manifests (`npm test` builds first):
 * Firefox gets a fixed id (its storage, and so the cart, belongs to that id), both builds ask for the
 * same permissions, and the pages may compile WebAssembly (key derivation) but never `eval`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const output = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../extension/.output');
const manifest = async (build: string) => JSON.parse(await readFile(path.join(output, build, 'manifest.json'), 'utf8')) as Record<string, unknown>;

describe('extension builds', () => {
  it('Firefox has a fixed id and the same permissions as Chrome', async () => {
    const [chrome, firefox] = await Promise.all([manifest('chrome-mv3'), manifest('firefox-mv2')]);
    expect(firefox.browser_specific_settings).toEqual({ gecko: { id: 'tote@tote.app', strict_min_version: '115.0' } });
    expect(chrome.browser_specific_settings).toBeUndefined();
    for (const permission of ['storage', 'alarms', 'contextMenus', 'notifications']) {
      expect(chrome.permissions).toContain(permission);
      expect(firefox.permissions).toContain(permission);
    }
  });

  it('allows WebAssembly for key derivation but never eval', async () => {
    const chrome = await manifest('chrome-mv3');
    const policy = (chrome.content_security_policy as { extension_pages: string }).extension_pages;
    expect(policy).toContain("'wasm-unsafe-eval'");
    expect(policy).not.toMatch(/'unsafe-eval'/);
  });
});
