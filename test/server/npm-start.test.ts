/**
 * `npm start` as a newcomer runs it: nothing configured, an empty data folder. It must come up, print
 * the gateway's and Fauxton's addresses and how to sign in as admin, and those instructions must work.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@tote/sync-server';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let child: ChildProcess;
let output = '';
let dataDir: string;
let client: GatewayClient | null = null;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-npm-start-'));
  const gatewayPort = await freePort();
  child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, TOTE_DATA_DIR: dataDir, TOTE_PORT: '0', TOTE_GATEWAY_PORT: String(gatewayPort), NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npm, tsx and the server stop together
  });
  const collect = (chunk: Buffer) => { output += chunk.toString(); };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const deadline = Date.now() + 60_000;
  while (!output.includes('Press Ctrl+C to stop.')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 90_000);

afterAll(async () => {
  await client?.close();
  if (child.pid && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGINT');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start on a fresh machine', () => {
  it('prints the gateway, Fauxton and how to sign in as admin, and that sign-in works', async () => {
    const gateway = /running at (https:\/\/\S+)/.exec(output)?.[1];
    expect(gateway).toMatch(/^https:\/\/localhost:\d+$/);
    expect(output).toContain(`admin UI (Fauxton): ${gateway}/_utils/`);
    const admin = /log in as "([^"]+)" with the generated password below/.exec(output)?.[1];
    const password = /generated admin password \(shown once, kept in [^)]+\): (\S+)/.exec(output)?.[1];
    expect(admin).toBeTruthy();
    expect(password).toBeTruthy();

    const certFile = /certificate (\S+)/.exec(output)?.[1];
    const { readFile } = await import('node:fs/promises');
    client = gatewayClient(gateway!, await readFile(certFile!, 'utf8'));
    // Fauxton asks for the admin's name and password (a Basic challenge), and opens with them.
    expect((await client.request('GET', '/_utils/')).status).toBe(401);
    expect((await client.request('GET', '/_utils/', { headers: { authorization: `Basic ${Buffer.from(`${admin}:${password}`).toString('base64')}` } })).status).toBe(200);
    // Fauxton signs in with CouchDB's cookie session, through the gateway.
    const session = await client.request<{ ok: boolean; roles: string[] }>('POST', '/_session', { body: { name: admin, password } });
    expect(session.status).toBe(200);
    expect(session.body.roles).toContain('_admin');
    // The same credentials open the gateway's admin routes.
    const login = await client.request<{ token: string; account: { role: string } }>('POST', '/_tote/login', { body: { name: admin, password, device: 'admin console' } });
    expect(login.status).toBe(200);
    expect(login.body.account.role).toBe('admin');
    const audit = await client.request('GET', '/_tote/admin/audit', { token: login.body.token });
    expect(audit.status).toBe(200);
    // The request log on standard output: one JSON line per request, found by the id the answer carried (docs/operations.md).
    const id = audit.headers.get('x-request-id');
    await expect.poll(() => output.split('\n').find((line) => line.includes(`"reqId":"${id}"`))).toBeDefined();
    const line = JSON.parse(output.split('\n').find((each) => each.includes(`"reqId":"${id}"`))!) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'request', method: 'GET', route: 'admin/audit', status: 200 });
    expect((await client.request('POST', '/_session', { body: { name: admin, password: 'not the password' } })).status).toBe(401);
  });
});
