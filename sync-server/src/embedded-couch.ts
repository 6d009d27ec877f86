/**
 * The embedded CouchDB-compatible server (pouchdb-server, LevelDB on disk) as a child process bound to
 * 127.0.0.1. A separate process, like a real CouchDB: it can be stopped and killed on its own, and it
 * exits by itself when this process goes away (see parent-watch.cjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_HOST } from './config.ts';

const require = createRequire(import.meta.url);
const parentWatch = fileURLToPath(new URL('./parent-watch.cjs', import.meta.url));
const couchTuning = fileURLToPath(new URL('./couch-tuning.cjs', import.meta.url));

export interface EmbeddedCouch {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** The child's process id. */
  readonly pid: number;
  /** Where the databases live on disk (one folder per database), with config.json and log.txt. */
  readonly dataDir: string;
  /** The server's log file (pouchdb-server writes it; nothing goes to this process's stdout). */
  readonly logFile: string;
  /** Settles when the child exits, for whatever reason, with its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Stops the child: SIGTERM, then SIGKILL after `graceMs`. Resolves once it has exited. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

export class EmbeddedCouchError extends Error {
  override readonly name = 'EmbeddedCouchError';
}

/** A port free on loopback right now (pouchdb-server cannot listen on port 0 and report it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, EMBEDDED_HOST, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function ensurePortFree(port: number): Promise<void> {
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, EMBEDDED_HOST, resolve);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EmbeddedCouchError(code === 'EADDRINUSE'
      ? `Port ${port} on ${EMBEDDED_HOST} is already in use (another CouchDB or Tote sync server?). Set TOTE_PORT to another port.`
      : `Cannot listen on ${EMBEDDED_HOST}:${port}: ${(error as Error).message}`);
  }
  await new Promise((resolve) => server.close(resolve));
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new EmbeddedCouchError(`The embedded CouchDB server exited (${child.exitCode ?? child.signalCode}) while starting: ${output() || 'no output'}`);
    }
    try {
      const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(1_000) });
      // pouchdb-server's welcome; CouchDB's would be { couchdb: 'Welcome' }. Anything else is not ours.
      const body = (await response.json()) as { 'express-pouchdb'?: string };
      if (response.ok && body['express-pouchdb']) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new EmbeddedCouchError(`The embedded CouchDB server did not answer within ${timeoutMs} ms: ${output() || 'no output'}`);
}

export async function startEmbeddedCouch(options: { dataDir: string; port: number; startTimeoutMs?: number }): Promise<EmbeddedCouch> {
  const couchDir = path.join(options.dataDir, 'couch');
  await mkdir(couchDir, { recursive: true, mode: 0o700 }); // config.json holds the admin's password hash
  const port = options.port === 0 ? await freePort() : options.port;
  if (options.port !== 0) await ensurePortFree(port);
  const bin = require.resolve('pouchdb-server/bin/pouchdb-server');
  // pouchdb-server has no log-file flag: its log goes to the config's log.file, "./log.txt" by default,
  // so the child runs in the couch folder and everything it writes stays inside the data folder.
  const child = spawn(process.execPath, ['--require', parentWatch, '--require', couchTuning, bin,
    '--host', EMBEDDED_HOST, '--port', String(port), '--dir', couchDir,
    '--config', path.join(couchDir, 'config.json'),
    // -n is --no-stdout-logs: spelled out, the option parser (nomnom) reads it as "stdout-logs = false" and ignores it.
    '-n'],
  // NODE_OPTIONS cleared: loaders of the parent (tsx, vitest) have no business in the server and slow its start.
  { cwd: couchDir, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.stdin?.on('error', () => { /* the child is gone; exit is reported through `exited` */ });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnError = new Promise<never>((_, reject) => child.once('error', (error) => reject(new EmbeddedCouchError(`Cannot start pouchdb-server: ${error.message}`))));
  spawnError.catch(() => {});

  const stop = async (graceMs = 3_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    child.stdin?.destroy();
  };

  const url = `http://${EMBEDDED_HOST}:${port}`;
  try {
    await Promise.race([waitUntilUp(url, child, () => output, options.startTimeoutMs ?? 15_000), spawnError]);
  } catch (error) {
    await stop(500);
    throw error;
  }
  return { url, port, pid: child.pid ?? -1, dataDir: couchDir, logFile: path.join(couchDir, 'log.txt'), exited, stop };
}
