import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_APP_ORIGIN } from '@tote/core/desktop-origin';
import { APP_CONTENT_SECURITY_POLICY, APP_INDEX_URL, resolveAppFile, serveAppRequest } from './app-protocol.ts';

let base: string;
let dist: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'tote-app-protocol-'));
  dist = path.join(base, 'dist');
  await mkdir(path.join(dist, 'assets'), { recursive: true });
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>Tote</title>');
  await writeFile(path.join(dist, 'assets', 'index.js'), 'console.log(1)');
  await writeFile(path.join(base, 'secret.txt'), 'outside');
  await mkdir(path.join(base, 'dist-other'));
  await writeFile(path.join(base, 'dist-other', 'index.html'), 'sibling');
  await symlink(path.join(base, 'secret.txt'), path.join(dist, 'assets', 'link-out.txt'));
  await symlink(base, path.join(dist, 'up'));
  await symlink(path.join(dist, 'index.html'), path.join(dist, 'assets', 'link-in.html'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('the app:// protocol handler', () => {
  it('serves the renderer at the origin the gateway admits', async () => {
    expect(APP_INDEX_URL).toBe(`${DESKTOP_APP_ORIGIN}/index.html`);
    expect(new URL(APP_INDEX_URL).protocol).toBe('app:');
    const page = await serveAppRequest(dist, APP_INDEX_URL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(APP_CONTENT_SECURITY_POLICY);
    expect(await page.text()).toContain('<title>Tote</title>');
    expect((await serveAppRequest(dist, 'app://tote/')).status).toBe(200);
    const script = await serveAppRequest(dist, 'app://tote/assets/index.js?v=1#x');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');
    expect((await serveAppRequest(dist, 'app://tote/assets/link-in.html')).status).toBe(200);
  });

  it('serves no file outside the build folder, however the path is spelt', async () => {
    const attacks = [
      'app://tote/../secret.txt', 'app://tote/assets/../../secret.txt', 'app://tote/%2e%2e/secret.txt',
      'app://tote/%2E%2E/%2e%2e/secret.txt', 'app://tote/.%2e/secret.txt', 'app://tote/assets%2f..%2f..%2fsecret.txt',
      'app://tote/..%2fsecret.txt', 'app://tote/..%5csecret.txt', 'app://tote/..\\secret.txt', 'app://tote/assets\\..\\..\\secret.txt',
      'app://tote//etc/passwd', 'app://tote/%2fetc%2fpasswd', `app://tote/${encodeURIComponent(path.join(base, 'secret.txt'))}`,
      'app://tote/C:/Windows/win.ini', 'app://tote/c%3a%5cWindows%5cwin.ini', 'app://tote/index.html%00.png',
      'app://tote/assets/link-out.txt', 'app://tote/up/secret.txt', 'app://tote/up/dist-other/index.html',
      'app://tote/../dist-other/index.html', 'app://tote/%zz', 'app://tote/./index.html',
      'app://other/index.html', 'file:///etc/passwd', 'https://tote/index.html', 'app://tote.evil/index.html',
    ];
    for (const url of attacks) {
      const decision = await resolveAppFile(dist, url);
      expect(decision.kind, url).toBe('refused');
      const answer = await serveAppRequest(dist, url);
      expect(answer.status, url).toBeGreaterThanOrEqual(400);
      expect(await answer.text(), url).toBe('');
    }
  });

  it('answers only reads, and nothing for a missing file', async () => {
    expect((await serveAppRequest(dist, APP_INDEX_URL, 'POST')).status).toBe(405);
    expect((await serveAppRequest(dist, 'app://tote/missing.js')).status).toBe(404);
    expect((await serveAppRequest(dist, 'app://tote/assets')).status).toBe(404);
  });
});
