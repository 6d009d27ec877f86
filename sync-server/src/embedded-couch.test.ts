/** The embedded server's process: it never outlives the process that started it. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task();
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('embedded CouchDB process', () => {
  it('exits when the process that started it is killed (SIGKILL, no chance to clean up)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tote-orphan-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const script = path.join(dir, 'parent.mts');
    await writeFile(script, [
      `import { startEmbeddedCouch } from ${JSON.stringify(path.join(here, 'embedded-couch.ts'))};`,
      `const couch = await startEmbeddedCouch({ dataDir: ${JSON.stringify(dir)}, port: 0 });`,
      'console.log(JSON.stringify({ pid: couch.pid, url: couch.url }));',
      'setInterval(() => {}, 1000);',
    ].join('\n'));
    const parent = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(async () => { if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL'); });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] as string);
      });
      parent.once('exit', (code) => reject(new Error(`parent exited (${code}) before starting the server: ${out}`)));
    });
    const { pid, url } = JSON.parse(line) as { pid: number; url: string };
    cleanup.push(async () => { if (isRunning(pid)) process.kill(pid, 'SIGKILL'); });
    expect((await fetch(`${url}/`)).status).toBe(200);

    parent.kill('SIGKILL');
    const deadline = Date.now() + 5_000;
    while (isRunning(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(isRunning(pid)).toBe(false);
    await expect(fetch(`${url}/`)).rejects.toThrow();
  });
});

describe('embedded CouchDB: databases come and go (couch-tuning.cjs keeps the list of databases)', () => {
  it('finds a database at once after it is created, and no longer after it is deleted, however often the list was read', async () => {
    const { startEmbeddedCouch } = await import('./embedded-couch.ts');
    const dir = await mkdtemp(path.join(tmpdir(), 'tote-dblist-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const couch = await startEmbeddedCouch({ dataDir: dir, port: 0 });
    cleanup.push(() => couch.stop());
    const call = async (method: string, route: string, body?: unknown) => {
      const response = await fetch(`${couch.url}${route}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, body: await response.json() as Record<string, unknown> };
    };
    expect((await call('GET', '/_all_dbs')).status).toBe(200);
    for (let round = 0; round < 3; round += 1) {
      // Many at once, each used the moment its creation is answered, while the list is read meanwhile.
      const names = Array.from({ length: 12 }, (_, i) => `shop-${round}-${i}`);
      const reads = Array.from({ length: 12 }, () => call('GET', '/_all_dbs'));
      const made = await Promise.all(names.map(async (name) => {
        const created = await call('PUT', `/${name}`);
        const written = await call('PUT', `/${name}/item`, { title: name });
        return [created.status, written.status];
      }));
      await Promise.all(reads);
      expect(made).toEqual(names.map(() => [201, 201]));
      expect((await call('GET', '/_all_dbs')).body).toEqual(expect.arrayContaining(names));
      for (const name of names) expect((await call('DELETE', `/${name}`)).status).toBe(200);
      const gone = await Promise.all(names.map((name) => call('GET', `/${name}/item`)));
      expect(gone.map((r) => r.status)).toEqual(names.map(() => 404));
      expect((await call('GET', '/_all_dbs')).body).not.toEqual(expect.arrayContaining([names[0]]));
      // Created again under the same name: a new, empty database, not "file exists".
      expect((await call('PUT', `/${names[0]}`)).status).toBe(201);
      expect((await call('GET', `/${names[0]}/item`)).status).toBe(404);
      expect((await call('DELETE', `/${names[0]}`)).status).toBe(200);
    }
  });
});
