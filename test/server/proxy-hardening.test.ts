/**
 * The gateway as a well-behaved proxy, against the real sync server: no hop-by-hop or identifying headers
 * from CouchDB, large and deeply nested bodies answered 201/413/400 and never 502, the live channel's
 * upgrade checked by Origin, answers kept out of caches, and a strong admin hash in the embedded server.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { ADMIN_PBKDF2_ITERATIONS, startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';

let server: RunningSyncServer;
let client: GatewayClient;
let dataDir: string;
let shopper: { token: string; dbName: string };

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-proxy-hardening-'));
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0 });
  client = gatewayClient(server.gateway.url, server.gateway.cert);
  shopper = await client.signUp('hannah.proxy@example.com');
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const basic = () => `Basic ${Buffer.from(`${server.admin.name}:${server.admin.password}`).toString('base64')}`;
// `connection`, `keep-alive` and `transfer-encoding` are also the gateway's own, for its connection with the
// client (Node chunks an answer of unknown length itself): checked on the wire below.
const HOP_BY_HOP = ['upgrade', 'proxy-connection', 'te', 'trailer'];

/** curl, as a user would send it: `Expect: 100-continue` for bodies over 1 MB, the certificate trusted by file. */
async function curl(args: string[]): Promise<{ status: number; headers: string; body: string }> {
  const certFile = path.join(dataDir, 'gateway.crt');
  await writeFile(certFile, server.gateway.cert);
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-s', '-D', '-', '--cacert', certFile, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('error', reject);
    child.on('close', () => {
      // the last header block (after any `100 Continue`)
      const blocks = output.split('\r\n\r\n');
      const bodyStart = blocks.findIndex((block) => !/^HTTP\/1\.1 100/.test(block));
      const headers = blocks[bodyStart] ?? '';
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(headers)?.[1]), headers, body: blocks.slice(bodyStart + 1).join('\r\n\r\n') });
    });
  });
}

describe('headers of proxied answers', () => {
  it('passes on no hop-by-hop headers and never says what runs behind the gateway', async () => {
    const answers = [
      await client.request('GET', `/${shopper.dbName}/_changes?since=0`, { token: shopper.token }),
      await client.request('POST', `/${shopper.dbName}/_bulk_docs`, { token: shopper.token, body: { docs: [{ _id: 'item-1', title: 'Walnut desk' }] } }),
      await client.request('GET', '/_all_dbs', { headers: { authorization: basic() } }),
      await client.request('GET', '/_utils/', { headers: { authorization: basic() } }),
      await client.request('GET', '/_tote/session', { token: shopper.token }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBeLessThan(300);
      for (const name of [...HOP_BY_HOP, 'server', 'x-powered-by']) expect(answer.headers.get(name), name).toBeNull();
    }
    // Seen on the wire (fetch hides some): only the gateway's own connection headers (Fastify keeps an idle
    // connection 72 s; CouchDB's `keep-alive: timeout=5` was for its connection with the gateway).
    const raw = await curl([`${server.gateway.url}/${shopper.dbName}/_all_docs`, '-H', `authorization: Bearer ${shopper.token}`]);
    expect(raw.status).toBe(200);
    expect(raw.headers).not.toMatch(/^(x-powered-by|server):/im);
    expect(raw.headers.match(/^transfer-encoding:/gim)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(raw.headers.match(/^connection:.*$/gim)).toEqual(['Connection: keep-alive']);
    expect(raw.headers.match(/^keep-alive:.*$/gim)).toEqual(['Keep-Alive: timeout=72']);
  });
});

describe('request bodies', () => {
  const bigDocs = (count: number, bytes: number, prefix: string) => ({ docs: Array.from({ length: count }, (_, index) => ({ _id: `${prefix}-${index}`, note: 'x'.repeat(bytes) })) });

  it('accepts valid bodies of 1.5 to 8 MB, also sent with Expect: 100-continue', async () => {
    for (const [count, prefix] of [[50, 'mid'], [125, 'large']] as const) {
      const file = path.join(dataDir, `${prefix}.json`);
      await writeFile(file, JSON.stringify(bigDocs(count, 60_000, prefix)));
      const answer = await curl(['-X', 'POST', `${server.gateway.url}/${shopper.dbName}/_bulk_docs`, '-H', `authorization: Bearer ${shopper.token}`,
        '-H', 'content-type: application/json', '-H', 'expect: 100-continue', '--data-binary', `@${file}`]);
      expect(answer.status, prefix).toBe(201);
      expect(JSON.parse(answer.body)).toHaveLength(count);
    }
    const sent = await client.request('POST', `/${shopper.dbName}/_bulk_docs`, { token: shopper.token, body: bigDocs(40, 60_000, 'fetch') });
    expect(sent.status).toBe(201);
  });

  it('refuses bodies over the limits with 413 and a reason, never 502', async () => {
    const huge = await client.request('POST', `/${shopper.dbName}/_bulk_docs`, { token: shopper.token, body: bigDocs(150, 60_000, 'huge') });
    expect(huge.status).toBe(413);
    expect(huge.body.reason).toMatch(/larger than 8 MB/);
    const bigDoc = await client.request('POST', `/${shopper.dbName}/_bulk_docs`, { token: shopper.token, body: bigDocs(1, 2_000_000, 'one') });
    expect(bigDoc.status).toBe(413);
    expect(bigDoc.body.reason).toMatch(/64 KB/);
  });

  it('names a JSON body plainly to CouchDB whatever parameters its content type carries, and refuses unparsed bytes on write routes', async () => {
    const odd = await client.request('PUT', `/${shopper.dbName}/charset-doc`, {
      token: shopper.token, raw: '{"enc":"x"}', headers: { 'content-type': 'application/json; charset=' },
    });
    expect(odd.status).toBe(201);
    for (const type of ['text/plain', 'application/octet-stream', 'application/x-json-stream']) {
      const bytes = await client.request('POST', `/${shopper.dbName}/_bulk_docs`, {
        token: shopper.token, raw: '{"docs":[{"_id":"_design/x","views":{}}]}', headers: { 'content-type': type },
      });
      expect([400, 415], type).toContain(bytes.status);
    }
  });

  it('takes a history document as large as a 10 000-item clear writes (about 1 MB) on the history database only', async () => {
    const entry = { _id: '00000000000000:laptop', e: 'x'.repeat(1_000_000) };
    const history = await client.request('POST', `/${shopper.dbName}-history/_bulk_docs`, { token: shopper.token, body: { docs: [entry] } });
    expect(history.status).toBe(201);
    const cart = await client.request('POST', `/${shopper.dbName}/_bulk_docs`, { token: shopper.token, body: { docs: [entry] } });
    expect(cart.status).toBe(413);
    const tooBig = await client.request('POST', `/${shopper.dbName}-history/_bulk_docs`, { token: shopper.token, body: { docs: [{ ...entry, _id: 'b', e: 'x'.repeat(2_200_000) }] } });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.reason).toMatch(/2048 KB/);
  });

  it('refuses JSON nested deeper than 64 levels with 400 before parsing it, for shoppers, admins and account routes', async () => {
    const deep = (levels: number) => `{"docs":[{"_id":"deep","x":${'['.repeat(levels)}${']'.repeat(levels)}}]}`;
    const cases: [string, string, Record<string, string>][] = [
      ['POST', `/${shopper.dbName}/_bulk_docs`, { authorization: `Bearer ${shopper.token}` }],
      ['PUT', `/${shopper.dbName}/deep`, { authorization: `Bearer ${shopper.token}` }],
      ['POST', `/${shopper.dbName}/_bulk_docs`, { authorization: basic() }],
      ['POST', '/_tote/login', {}],
    ];
    for (const levels of [100, 100_000]) {
      for (const [method, route, headers] of cases) {
        const answer = await client.request(method, route, { raw: deep(levels), headers });
        expect(answer.status, `${method} ${route} ${levels}`).toBe(400);
        expect(answer.body.reason).toMatch(/more than 64 levels/);
      }
    }
    // 60 levels is a valid document.
    expect((await client.request('PUT', `/${shopper.dbName}/nested`, { token: shopper.token, raw: `{"x":${'['.repeat(60)}${']'.repeat(60)}}` })).status).toBe(201);
    expect((await client.request('GET', `/${shopper.dbName}`, { token: shopper.token })).status).toBe(200);
  });
});

describe('live channel upgrade', () => {
  const open = (origin?: string) => new Promise<{ opened: boolean; status?: number }>((resolve) => {
    const socket = new WebSocket(`${server.gateway.url.replace(/^https/, 'wss')}/_tote/live`, { ca: server.gateway.cert, ...(origin ? { origin } : {}) });
    socket.once('open', () => {
      socket.close();
      resolve({ opened: true });
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve({ opened: false, status: response.statusCode });
      socket.terminate();
    });
    socket.once('error', () => resolve({ opened: false }));
  });

  it('refuses an origin CORS refuses, admits the extension\'s and the desktop app\'s, and clients that send none', async () => {
    expect(await open('https://evil.example')).toEqual({ opened: false, status: 403 });
    expect(await open('null')).toEqual({ opened: false, status: 403 });
    expect(await open('chrome-extension://abcdefghijklmnop')).toEqual({ opened: true });
    expect(await open('app://tote')).toEqual({ opened: true });
    expect(await open()).toEqual({ opened: true });
  });
});

describe('caching', () => {
  it('marks every answer carrying a token, a secret or cart data no-store; Fauxton\'s files may be cached', async () => {
    const guest = await client.request<{ token: string }>('POST', '/_tote/guest', { body: {} });
    const prelogin = await client.request('POST', '/_tote/prelogin', { body: { name: 'hannah.proxy@example.com' } });
    const login = await client.logIn('hannah.proxy@example.com', 'correct horse battery');
    const renew = await client.request('POST', '/_tote/session/renew', { token: shopper.token });
    const keyring = await client.request('GET', '/_tote/keyring', { token: shopper.token });
    const recover = await client.request('POST', '/_tote/recover/keyring', { body: { name: 'nobody@example.com', recoveryProof: 'x'.repeat(43) } });
    const signup = await client.request('POST', '/_tote/signup', { body: { name: 'ivy.proxy@example.com', password: 'correct horse battery' } });
    const cart = await client.request('GET', `/${shopper.dbName}/_all_docs?include_docs=true`, { token: shopper.token });
    const admin = await client.request('GET', '/_config', { headers: { authorization: basic() } });
    const refused = await client.request('GET', '/_all_dbs');
    for (const [name, answer] of Object.entries({ guest, prelogin, login, renew, keyring, recover, signup, cart, admin, refused })) {
      expect(answer.headers.get('cache-control'), name).toBe('no-store');
    }
    expect((await client.request('GET', '/_utils/')).headers.get('cache-control')).not.toBe('no-store');
  });
});

describe('the embedded server\'s admin', () => {
  const storedHash = async (dir: string, name: string) => {
    const config = JSON.parse(await readFile(path.join(dir, 'couch', 'config.json'), 'utf8')) as { admins: Record<string, string> };
    return config.admins[name]!;
  };
  const iterationsOf = (stored: string) => Number(/^-pbkdf2-[\da-f]+,[\da-f]+,(\d+)$/.exec(stored)?.[1]);

  it('is stored with a strong PBKDF2 iteration count, and still signs in to Fauxton through the gateway', async () => {
    expect(ADMIN_PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(1000);
    expect(iterationsOf(await storedHash(dataDir, server.admin.name))).toBe(ADMIN_PBKDF2_ITERATIONS);
    expect((await client.request('GET', '/_utils/', { headers: { authorization: basic() } })).status).toBe(200);
    const session = await client.request<{ userCtx: { name: string; roles: string[] } }>('GET', '/_session', { headers: { authorization: basic() } });
    expect(session.body.userCtx).toMatchObject({ name: server.admin.name, roles: ['_admin'] });
    expect((await client.request('GET', '/_all_dbs', { headers: { authorization: basic() } })).status).toBe(200);
  });

  it('re-hashes a data folder\'s weak admin hash (pouchdb-server\'s own 10 iterations) at start', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tote-admin-hash-'));
    try {
      const first = await startSyncServer({ dataDir: dir, port: 0, gatewayPort: 0 });
      const admin = first.admin;
      await first.stop();
      // As pouchdb-server writes it for a plain password: -pbkdf2-<key>,<salt>,10
      const configFile = path.join(dir, 'couch', 'config.json');
      const config = JSON.parse(await readFile(configFile, 'utf8')) as { admins: Record<string, string> };
      const salt = randomBytes(16).toString('hex');
      config.admins[admin.name] = `-pbkdf2-${pbkdf2Sync(admin.password, salt, 10, 20, 'sha1').toString('hex')},${salt},10`;
      await writeFile(configFile, JSON.stringify(config, null, 2));

      const again = await startSyncServer({ dataDir: dir, port: 0, gatewayPort: 0 });
      try {
        await expect.poll(async () => iterationsOf(await storedHash(dir, admin.name))).toBe(ADMIN_PBKDF2_ITERATIONS);
        const fauxton = gatewayClient(again.gateway.url, again.gateway.cert);
        const auth = { authorization: `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}` };
        expect((await fauxton.request('GET', '/_utils/', { headers: auth })).status).toBe(200);
        expect((await fauxton.request('GET', '/_all_dbs', { headers: auth })).status).toBe(200);
        await fauxton.close();
      } finally {
        await again.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
