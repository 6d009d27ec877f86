/**
 * The embedded CouchDB-compatible server (pouchdb-server, LevelDB on disk) as a child process bound to
 * 127.0.0.1. A separate process, like a real CouchDB: it can be stopped and killed on its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

const require = createRequire(import.meta.url);

export interface EmbeddedCouch {
  readonly url: string;
  readonly port: number;
  /** Where the databases live on disk (one folder per database). */
  readonly dataDir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The embedded CouchDB server exited (${child.exitCode}): ${output()}`);
    try {
      if ((await fetch(`${url}/`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`The embedded CouchDB server did not answer within ${timeoutMs} ms: ${output()}`);
}

export async function startEmbeddedCouch(options: { dataDir: string; port: number }): Promise<EmbeddedCouch> {
  const dataDir = path.join(options.dataDir, 'couch');
  await mkdir(dataDir, { recursive: true });
  const port = options.port === 0 ? await freePort() : options.port;
  const bin = require.resolve('pouchdb-server/bin/pouchdb-server');
  const child = spawn(process.execPath, [bin, '--host', '127.0.0.1', '--port', String(port), '--dir', dataDir,
    '--config', path.join(dataDir, 'config.json'), '--no-stdout-logs'], { cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntilUp(url, child, () => output, 15_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url, port, dataDir,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
