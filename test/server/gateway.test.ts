/**
 * The gateway from the outside: the real sync server (embedded CouchDB behind the gateway) over TLS,
 * driven by real HTTPS, TLS and WebSocket clients.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';

let server: RunningSyncServer;
let client: GatewayClient;
let dataDir: string;
let clockOffset = 0;
const now = () => Date.now() + clockOffset;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-gateway-'));
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0 }, {
    now, live: { warnBeforeMs: 60_000, checkEveryMs: 200, pingEveryMs: 300 },
    rateLimits: { loginFailuresPerAccount: 5, loginFailuresPerAddress: 50, signupsPerAddressPerHour: 1000 },
  });
  client = gatewayClient(server.gateway.url, server.gateway.cert);
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const doc = (id: string, extra: Record<string, unknown> = {}) => ({ _id: id, title: 'Walnut desk', priceMinor: 12_900, ...extra });

describe('transport', () => {
  it('speaks TLS 1.3 and refuses a TLS 1.2-only client', async () => {
    const { port } = server.gateway;
    const handshake = (options: tls.ConnectionOptions) => new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: server.gateway.cert, ...options }, () => {
        const version = socket.getProtocol() ?? '';
        socket.end();
        resolve(version);
      });
      socket.once('error', reject);
    });
    await expect(handshake({})).resolves.toBe('TLSv1.3');
    await expect(handshake({ maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol version|alert|handshake/i);
  });

  it('refuses TLS 1.2 from openssl s_client too', async () => {
    const run = (flag: string) => new Promise<string>((resolve) => {
      const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${server.gateway.port}`, '-servername', 'localhost', flag], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      child.on('close', () => resolve(output));
    });
    expect(await run('-tls1_3')).toMatch(/New, TLSv1\.3, Cipher is TLS_/);
    const refused = await run('-tls1_2');
    expect(refused).toMatch(/alert protocol version/);
    expect(refused).toMatch(/Cipher is \(NONE\)/);
  });

  it('does not answer plain HTTP', async () => {
    await expect(fetch(`http://127.0.0.1:${server.gateway.port}/_tote/session`).then((r) => r.status)).rejects.toThrow();
  });

  it('sends HSTS and security headers, and CORS only to the extension\'s and the desktop app\'s origins', async () => {
    const plain = await client.request('GET', '/_tote/session');
    expect(plain.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
    expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
    const extension = await client.request('OPTIONS', '/_tote/login', { headers: { origin: 'chrome-extension://abcdefghijklmnop', 'access-control-request-method': 'POST' } });
    expect(extension.headers.get('access-control-allow-origin')).toBe('chrome-extension://abcdefghijklmnop');
    const stranger = await client.request('OPTIONS', '/_tote/login', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('accounts and sessions', () => {
  it('signs up, signs in, changes the password and signs out', async () => {
    const alice = await client.signUp('Alice.Accounts@example.com', 'first password');
    expect(alice.dbName).toMatch(/^userdb-[0-9a-f]+$/);
    expect((await client.signUp('alice.accounts@example.com').catch((error: Error) => error.message))).toMatch(/409/);
    expect((await client.logIn('alice.accounts@example.com', 'wrong password')).status).toBe(401);
    const second = await client.logIn('ALICE.accounts@example.com', 'first password', 'laptop');
    expect(second.status).toBe(200);
    const secondToken = (second.body as { token: string }).token;

    const listed = await client.request<{ sessions: { device: string }[] }>('GET', '/_tote/sessions', { token: alice.token });
    expect(listed.body.sessions.map((session) => session.device)).toEqual(['test device', 'laptop']);

    expect((await client.request('POST', '/_tote/password', { token: alice.token, body: { oldPassword: 'nope nope', newPassword: 'second password' } })).status).toBe(403);
    expect((await client.request('POST', '/_tote/password', { token: alice.token, body: { oldPassword: 'first password', newPassword: 'second password' } })).status).toBe(204);
    // other sessions end with a password change; this one stays
    expect((await client.request('GET', `/${alice.dbName}`, { token: secondToken })).status).toBe(401);
    expect((await client.request('GET', `/${alice.dbName}`, { token: alice.token })).status).toBe(200);
    expect((await client.logIn('alice.accounts@example.com', 'first password')).status).toBe(401);
    expect((await client.logIn('alice.accounts@example.com', 'second password')).status).toBe(200);

    expect((await client.request('POST', '/_tote/logout', { token: alice.token })).status).toBe(204);
    const after = await client.request('GET', `/${alice.dbName}`, { token: alice.token });
    expect(after.status).toBe(401);
    expect(after.body.reason).toMatch(/sign in again/i);
  });

  it('refuses weak input at sign-up with a reason', async () => {
    const short = await client.request('POST', '/_tote/signup', { body: { name: 'bo', password: 'long enough password' } });
    expect(short.status).toBe(400);
    expect(short.body.reason).toMatch(/3 to 128/);
    const weak = await client.request('POST', '/_tote/signup', { body: { name: 'weak.password', password: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.body.reason).toMatch(/at least 8/);
  });

  it('revokes one device\'s session, and that device gets 401', async () => {
    const phone = await client.signUp('revoke.me@example.com', 'correct horse battery', 'phone');
    const laptop = (await client.logIn('revoke.me@example.com', 'correct horse battery', 'laptop')).body as { token: string; session: { id: string } };
    expect((await client.request('DELETE', `/_tote/sessions/${laptop.session.id}`, { token: phone.token })).status).toBe(204);
    expect((await client.request('GET', `/${phone.dbName}/_all_docs`, { token: laptop.token })).status).toBe(401);
    expect((await client.request('GET', `/${phone.dbName}/_all_docs`, { token: phone.token })).status).toBe(200);
  });

  it('keeps the session timeout between 15 and 120 minutes, expires idle sessions and slides while active', async () => {
    const shopper = await client.signUp('timeout.shopper@example.com');
    for (const bad of [10, 121, 30.5, '30']) {
      const answer = await client.request('PATCH', '/_tote/account', { token: shopper.token, body: { sessionTimeoutMinutes: bad } });
      expect(answer.status).toBe(400);
      expect(answer.body.reason).toMatch(/15 to 120/);
    }
    expect((await client.request('PATCH', '/_tote/account', { token: shopper.token, body: { sessionTimeoutMinutes: 120 } })).status).toBe(200);
    const longest = await client.request<{ session: { expiresAt: number } }>('POST', '/_tote/session/renew', { token: shopper.token });
    expect(longest.body.session.expiresAt - now()).toBeGreaterThan(119 * 60_000);
    expect(longest.body.session.expiresAt - now()).toBeLessThanOrEqual(120 * 60_000);
    expect((await client.request('PATCH', '/_tote/account', { token: shopper.token, body: { sessionTimeoutMinutes: 15 } })).status).toBe(200);
    const renewed = await client.request<{ session: { expiresAt: number } }>('POST', '/_tote/session/renew', { token: shopper.token });
    expect(renewed.body.session.expiresAt - now()).toBeGreaterThan(14 * 60_000);
    expect(renewed.body.session.expiresAt - now()).toBeLessThanOrEqual(15 * 60_000);

    clockOffset += 10 * 60_000; // active again after 10 minutes: renewed for 15 more
    expect((await client.request('POST', '/_tote/session/renew', { token: shopper.token })).status).toBe(200);
    clockOffset += 10 * 60_000;
    expect((await client.request('GET', `/${shopper.dbName}`, { token: shopper.token })).status).toBe(200);
    clockOffset += 6 * 60_000; // 16 minutes idle: gone
    expect((await client.request('GET', `/${shopper.dbName}`, { token: shopper.token })).status).toBe(401);
    expect((await client.request('POST', '/_tote/session/renew', { token: shopper.token })).status).toBe(401);
  });

  it('rate-limits guessing passwords from one address: 429 with Retry-After, even for the right password (test/server/sign-in-limits.test.ts: the owner elsewhere is not held up)', async () => {
    await client.signUp('brute.force@example.com', 'the real password');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await client.logIn('brute.force@example.com', `guess ${attempt}`)).status).toBe(401);
    }
    const blocked = await client.logIn('brute.force@example.com', 'guess 6');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await client.logIn('brute.force@example.com', 'the real password')).status).toBe(429);
    // other accounts are not locked out by it
    expect((await client.logIn('revoke.me@example.com', 'correct horse battery')).status).toBe(200);
  });
});

describe('access rules', () => {
  let alice: { token: string; dbName: string };
  let bob: { token: string; dbName: string };

  beforeAll(async () => {
    alice = await client.signUp('alice.access@example.com');
    bob = await client.signUp('bob.access@example.com');
    const written = await client.request('POST', `/${bob.dbName}/_bulk_docs`, { token: bob.token, body: { docs: [doc('bob-item-1')] } });
    expect(written.status).toBe(201);
  });

  it('lets a shopper use their own database', async () => {
    expect((await client.request('GET', `/${alice.dbName}/_changes?include_docs=true`, { token: alice.token })).status).toBe(200);
    expect((await client.request('PUT', `/${alice.dbName}/item-1`, { token: alice.token, body: doc('item-1') })).status).toBe(201);
  });

  it('gives shopper A no way into shopper B\'s data: 403 on every route', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', ''], ['GET', '/_changes?include_docs=true'], ['POST', '/_changes', {}], ['GET', '/_all_docs?include_docs=true'],
      ['POST', '/_all_docs', { keys: ['bob-item-1'] }], ['POST', '/_bulk_get', { docs: [{ id: 'bob-item-1' }] }],
      ['POST', '/_find', { selector: {} }], ['GET', '/bob-item-1'], ['GET', '/bob-item-1/photo.jpg'],
      ['POST', '/_bulk_docs', { docs: [doc('planted')] }], ['PUT', '/planted', doc('planted')], ['DELETE', '/bob-item-1'],
      ['POST', '/_revs_diff', { 'bob-item-1': ['1-x'] }], ['GET', '/_local/checkpoint'], ['GET', '/_security'],
    ];
    for (const [method, route, body] of routes) {
      const answer = await client.request(method, `/${bob.dbName}${route}`, { token: alice.token, body });
      expect(answer.status, `${method} ${route}`).toBe(403);
      expect(JSON.stringify(answer.body)).not.toContain('Walnut');
    }
    expect((await client.request('GET', `/${bob.dbName}/bob-item-1`, { token: bob.token })).body.title).toBe('Walnut desk');
  });

  it('keeps each shopper\'s history in <db>-history: usable by its shopper like the cart, refused to everyone else', async () => {
    const history = `${alice.dbName}-history`;
    const entry = { _id: '0mvxs3yao0000:laptop', i: 'item-1', q: 2 };
    const written = await client.request<{ ok: boolean }[]>('POST', `/${history}/_bulk_docs`, { token: alice.token, body: { docs: [entry] } });
    expect(written.status).toBe(201);
    expect(written.body[0]).toMatchObject({ ok: true });
    const changes = await client.request<{ results: { id: string; doc: { q: number } }[] }>('GET', `/${history}/_changes?include_docs=true`, { token: alice.token });
    expect(changes.status).toBe(200);
    expect(changes.body.results.map((row) => [row.id, row.doc.q])).toEqual([['0mvxs3yao0000:laptop', 2]]);
    // nothing of it in the cart's database
    expect((await client.request('GET', `/${alice.dbName}/${encodeURIComponent(entry._id)}`, { token: alice.token })).status).toBe(404);

    for (const [method, route, body] of [
      ['GET', '/_changes?include_docs=true'], ['POST', '/_bulk_docs', { docs: [{ _id: 'planted' }] }], ['POST', '/_all_docs', { keys: [entry._id] }],
      ['POST', '/_bulk_get', { docs: [{ id: entry._id }] }], ['GET', `/${encodeURIComponent(entry._id)}`], ['GET', ''],
    ] as [string, string, unknown?][]) {
      const answer = await client.request(method, `/${history}${route}`, { token: bob.token, body });
      expect(answer.status, `${method} ${route}`).toBe(403);
      expect(JSON.stringify(answer.body)).not.toContain('item-1');
    }
    expect((await client.request('GET', `/${bob.dbName}-history/_changes`, { token: bob.token })).status).toBe(200);
  });

  it('creates the history database with the cart\'s _security at sign-up, for the configured shopper, and on first use for older accounts', async () => {
    const basic = `Basic ${Buffer.from(`${server.admin.name}:${server.admin.password}`).toString('base64')}`;
    const security = async (db: string) => (await client.request('GET', `/${db}/_security`, { headers: { authorization: basic } })).body;
    const carol = await client.signUp('carol.history@example.com');
    expect(await security(`${carol.dbName}-history`)).toEqual(await security(carol.dbName));
    // Before first use, server admins only; from the first request on, the shopper's own CouchDB user is the one member (below).
    expect(await security(`${carol.dbName}-history`)).toMatchObject({ members: { names: [] } });
    expect(await security(`${server.shopper.dbName}-history`)).toEqual(await security(server.shopper.dbName));
    expect(await security(`${server.shopper.dbName}-history`)).toMatchObject({ members: { names: expect.arrayContaining([server.shopper.name]) } });

    // An account made before history was synced has no history database: its first use creates it.
    expect((await client.request('DELETE', `/${carol.dbName}-history`, { headers: { authorization: basic } })).status).toBe(200);
    expect((await client.request('GET', `/${carol.dbName}-history`, { headers: { authorization: basic } })).status).toBe(404);
    const first = await client.request('POST', `/${carol.dbName}-history/_bulk_docs`, { token: carol.token, body: { docs: [{ _id: '0mvxs3yao0000:phone', i: 'x' }] } });
    expect(first.status).toBe(201);
    expect(await security(carol.dbName)).toEqual({ admins: { names: [], roles: ['_admin'] }, members: { names: [`tote-${carol.dbName}`], roles: [] } });
    expect(await security(`${carol.dbName}-history`)).toEqual(await security(carol.dbName));
    expect((await client.request('GET', `/${carol.dbName}-history/_all_docs`, { token: carol.token })).body).toMatchObject({ total_rows: 1 });
  });

  it('lets no shopper list databases or read server-wide routes', async () => {
    for (const route of ['/_all_dbs', '/_users/_all_docs', '/_config', '/tote-accounts/_all_docs', '/tote-audit/_all_docs', '/_dbs_info', '/']) {
      expect((await client.request('GET', route, { token: alice.token })).status, route).toBe(403);
    }
    expect((await client.request('GET', '/_all_dbs')).status).toBe(401);
  });

  it('lets support see who a shopper is but never their cart, and audits it', async () => {
    const admin = await client.logIn(server.admin.name, server.admin.password);
    const adminToken = (admin.body as { token: string }).token;
    expect((await client.request('POST', '/_tote/admin/accounts', { token: adminToken, body: { name: 'sam.support', password: 'support password', role: 'support' } })).status).toBe(201);
    const sam = (await client.logIn('sam.support', 'support password', 'help desk')).body as { token: string };

    const view = await client.request('GET', '/_tote/support/shoppers/bob.access@example.com', { token: sam.token });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ name: 'bob.access@example.com', documents: 1 });
    expect(JSON.stringify(view.body)).not.toContain('Walnut');
    for (const route of ['/_all_docs?include_docs=true', '/_changes?include_docs=true', '/bob-item-1']) {
      expect((await client.request('GET', `/${bob.dbName}${route}`, { token: sam.token })).status).toBe(403);
    }
    expect((await client.request('GET', '/_tote/admin/audit', { token: sam.token })).status).toBe(403);

    const audit = await client.request<{ entries: { actor: string; action: string; target: string | null; device: string | null }[] }>('GET', '/_tote/admin/audit?limit=500', { token: adminToken });
    expect(audit.body.entries).toContainEqual(expect.objectContaining({ actor: 'sam.support', action: 'support.view', target: 'bob.access@example.com', device: 'help desk' }));
    expect(audit.body.entries).toContainEqual(expect.objectContaining({ actor: 'bob.access@example.com', action: 'cart.write', target: bob.dbName }));
    expect(JSON.stringify(audit.body)).not.toContain('Walnut');
  });

  it('admits CouchDB server admins (Fauxton) and nobody else to everything', async () => {
    const basic = `Basic ${Buffer.from(`${server.admin.name}:${server.admin.password}`).toString('base64')}`;
    const dbs = await client.request<string[]>('GET', '/_all_dbs', { headers: { authorization: basic } });
    expect(dbs.status).toBe(200);
    expect(dbs.body).toContain(bob.dbName);
    const wrong = `Basic ${Buffer.from(`${server.admin.name}:not-it`).toString('base64')}`;
    expect((await client.request('GET', '/_all_dbs', { headers: { authorization: wrong } })).status).toBe(401);
    // Fauxton only for the server admin: the browser is asked for the admin's name and password first.
    const fauxton = await client.request('GET', '/_utils/');
    expect(fauxton.status).toBe(401);
    expect(fauxton.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await client.request('GET', '/_utils/', { headers: { authorization: basic } })).status).toBe(200);
    expect((await client.request('GET', '/_utils/', { token: alice.token })).status).toBe(403);
  });
});

describe('bounded requests', () => {
  let carol: { token: string; dbName: string };
  beforeAll(async () => { carol = await client.signUp('carol.bounds@example.com'); });

  it('answers 413 to an oversized cart document and 400 to malformed or misshapen JSON, and stays up', async () => {
    const huge = await client.request('POST', `/${carol.dbName}/_bulk_docs`, { token: carol.token, body: { docs: [doc('big', { note: 'x'.repeat(70 * 1024) })] } });
    expect(huge.status).toBe(413);
    expect(huge.body.reason).toMatch(/64 KB/);
    const bigPut = await client.request('PUT', `/${carol.dbName}/big`, { token: carol.token, body: doc('big', { note: 'x'.repeat(70 * 1024) }) });
    expect(bigPut.status).toBe(413);
    const enormous = await client.request('POST', `/${carol.dbName}/_bulk_docs`, { token: carol.token, raw: `{"docs":[${'"x",'.repeat(3_000_000)}"x"]}` });
    expect(enormous.status).toBe(413);
    const broken = await client.request('POST', `/${carol.dbName}/_bulk_docs`, { token: carol.token, raw: '{"docs": [ {"_id": "a", ' });
    expect(broken.status).toBe(400);
    expect(broken.body.reason).toMatch(/not valid JSON/);
    const shape = await client.request('POST', `/${carol.dbName}/_bulk_docs`, { token: carol.token, body: { docs: 'all of them' } });
    expect(shape.status).toBe(400);
    expect(shape.body.reason).toMatch(/_bulk_docs takes/);
    const getShape = await client.request('POST', `/${carol.dbName}/_bulk_get`, { token: carol.token, body: { docs: [{ rev: '1-a' }] } });
    expect(getShape.status).toBe(400);
    // server code through filters and views is refused (filter=_selector would bring the embedded server down)
    const selector = await client.request('POST', `/${carol.dbName}/_changes?filter=_selector`, { token: carol.token, body: { selector: { title: 'x' } } });
    expect(selector.status).toBe(400);
    expect((await client.request('GET', `/${carol.dbName}/_changes?filter=app/evil`, { token: carol.token })).status).toBe(400);
    // nothing was written, and the server still serves
    const all = await client.request<{ rows: unknown[] }>('GET', `/${carol.dbName}/_all_docs`, { token: carol.token });
    expect(all.status).toBe(200);
    expect(all.body.rows).toHaveLength(0);
  });
});

describe('live channel', () => {
  it('tells a shopper\'s other devices about a change at once, and who is online', async () => {
    const phone = await client.signUp('dana.live@example.com', 'correct horse battery', 'phone');
    const laptop = (await client.logIn('dana.live@example.com', 'correct horse battery', 'laptop')).body as { token: string };
    const stranger = await client.signUp('eve.live@example.com');
    const laptopLive = await client.live(laptop.token);
    await laptopLive.next('ready');
    const strangerLive = await client.live(stranger.token);
    await strangerLive.next('ready');
    const phoneLive = await client.live(phone.token);
    await phoneLive.next('ready');
    const devices = await laptopLive.next('devices');
    expect(devices.online).toBeDefined();
    await expect.poll(async () => {
      const latest = laptopLive.messages.filter((message) => message.type === 'devices').at(-1) ?? devices;
      return (latest.online as { device: string }[]).map((device) => device.device).sort();
    }).toEqual(['laptop', 'phone']);

    const started = Date.now();
    expect((await client.request('POST', `/${phone.dbName}/_bulk_docs`, { token: phone.token, body: { docs: [doc('live-1')] } })).status).toBe(201);
    expect(await laptopLive.next('changed')).toMatchObject({ db: phone.dbName });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(phoneLive.messages.some((message) => message.type === 'changed')).toBe(false); // not told about its own write
    expect(strangerLive.messages.some((message) => message.type === 'changed')).toBe(false);
    for (const socket of [laptopLive, phoneLive, strangerLive]) socket.close();
  });

  it('warns before the session ends and says when it has ended', async () => {
    const shopper = await client.signUp('frank.live@example.com');
    const live = await client.live(shopper.token);
    await live.next('ready');
    clockOffset += 29.5 * 60_000; // 30 s left of a 30-minute session
    const warning = await live.next('session-expiring');
    expect(Number(warning.expiresAt)).toBeGreaterThan(now());
    clockOffset += 60_000;
    await live.next('session-expired');
    expect((await live.closed).code).toBe(4401);
  });

  it('pings connected devices (keeping an extension awake) and drops one that stopped answering', async () => {
    const shopper = await client.signUp('gina.live@example.com', 'correct horse battery', 'phone');
    const laptop = (await client.logIn('gina.live@example.com', 'correct horse battery', 'laptop')).body as { token: string };
    const awake = await client.live(shopper.token);
    const vanished = await client.live(laptop.token, { answerPings: false });
    await awake.next('ready');
    await vanished.next('ready');
    // two ping rounds: the one that never answered is dropped and the other device sees it go offline
    expect((await vanished.closed).code).toBe(1006);
    await expect.poll(() => awake.messages.filter((message) => message.type === 'ping').length).toBeGreaterThanOrEqual(2);
    await expect.poll(() => {
      const lastDevices = awake.messages.filter((message) => message.type === 'devices').at(-1) as { online: { device: string }[] } | undefined;
      return lastDevices?.online.map((device) => device.device);
    }).toEqual(['phone']);
    expect(server.gateway.liveConnections()).toBeGreaterThanOrEqual(1);
    awake.close();
  });

  it('refuses a socket that does not sign in', async () => {
    const live = await client.live('not-a-token');
    await live.next('session-expired');
    expect((await live.closed).code).toBe(4401);
  });
});

describe('guest carts', () => {
  it('gives a guest a synced cart of its own, removed 7 days after its last activity', async () => {
    const guest = await client.request<{ token: string; secret: string; account: { name: string; dbName: string; guest: boolean } }>('POST', '/_tote/guest', { body: { device: 'phone' } });
    expect(guest.status).toBe(201);
    expect(guest.body.account.guest).toBe(true);
    const { token, account } = guest.body;
    expect((await client.request('POST', `/${account.dbName}/_bulk_docs`, { token, body: { docs: [doc('guest-item')] } })).status).toBe(201);
    expect((await client.request('POST', `/${account.dbName}-history/_bulk_docs`, { token, body: { docs: [{ _id: '0mvxs3yao0000:phone', i: 'guest-item' }] } })).status).toBe(201);
    const again = await client.logIn(account.name, guest.body.secret);
    expect(again.status).toBe(200);

    clockOffset += 6 * 24 * 3600_000;
    expect(await server.gateway.cleanupGuests()).toBe(0);
    clockOffset += 2 * 24 * 3600_000;
    expect(await server.gateway.cleanupGuests()).toBeGreaterThanOrEqual(1);
    expect((await client.logIn(account.name, guest.body.secret)).status).toBe(401);
    const basic = `Basic ${Buffer.from(`${server.admin.name}:${server.admin.password}`).toString('base64')}`;
    expect((await client.request('GET', `/${account.dbName}`, { headers: { authorization: basic } })).status).toBe(404);
    expect((await client.request('GET', `/${account.dbName}-history`, { headers: { authorization: basic } })).status).toBe(404);
  });
});

describe('request rate', () => {
  it('counts prelogins that name an account still on its password against the address; other names are not counted', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tote-gateway-prelogin-'));
    let offset = 0;
    const limited = await startSyncServer({ dataDir: dir, port: 0, gatewayPort: 0 }, {
      now: () => Date.now() + offset, rateLimits: { loginFailuresPerAddress: 3, signupsPerAddressPerHour: 1000 },
    });
    const limitedClient = gatewayClient(limited.gateway.url, limited.gateway.cert);
    const prelogin = (name: string) => limitedClient.request<{ auth?: string; reason?: string }>('POST', '/_tote/prelogin', { body: { name } });
    try {
      // An account made with its password (as by a Tote from before the auth secret).
      await limitedClient.signUp('still.on.password@example.com', 'the real password');
      for (let i = 0; i < 10; i += 1) expect((await prelogin(`nobody.${i}@example.com`)).body).toEqual({ auth: 'derived-v1' });
      for (let i = 0; i < 3; i += 1) expect((await prelogin('still.on.password@example.com')).body).toEqual({ auth: 'password' });
      const refused = await prelogin('still.on.password@example.com');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.body.reason).toMatch(/Too many sign-in attempts from this address/);
      // Refused for every name from there, so the refusal itself tells nothing.
      expect((await prelogin('nobody.else@example.com')).status).toBe(429);
      // Signing in itself is not refused by it.
      expect((await limitedClient.logIn('still.on.password@example.com', 'the real password')).status).toBe(200);
      offset += 15 * 60_000 + 1_000;
      expect((await prelogin('still.on.password@example.com')).body).toEqual({ auth: 'password' });
    } finally {
      await limitedClient.close();
      await limited.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers 429 with Retry-After past the per-address budget, and serves again after the window', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tote-gateway-rate-'));
    let offset = 0;
    const limited = await startSyncServer({ dataDir: dir, port: 0, gatewayPort: 0, requestsPerMinute: 20 }, { now: () => Date.now() + offset });
    const limitedClient = gatewayClient(limited.gateway.url, limited.gateway.cert);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 25; i += 1) statuses.push((await limitedClient.request('GET', '/_tote/session')).status);
      expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
      expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
      const blocked = await limitedClient.request('GET', '/_tote/session');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(blocked.body.reason).toMatch(/Too many requests/);
      offset += 61_000;
      expect((await limitedClient.request('GET', '/_tote/session')).status).toBe(401);
    } finally {
      await limitedClient.close();
      await limited.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('key records', () => {
  // What a device stores: opaque to the server (docs/encryption.md); shaped like the real one.
  const record = (tag: string) => ({
    version: 1,
    password: { version: 1, kind: 'password', kdf: { name: 'argon2id', memoryKiB: 65536, iterations: 3, parallelism: 1 }, salt: `salt-${tag}`, iv: `iv-${tag}`, wrappedKey: `wrapped-${tag}` },
    recovery: { version: 1, kind: 'recovery', kdf: { name: 'hkdf-sha256' }, salt: `rsalt-${tag}`, iv: `riv-${tag}`, wrappedKey: `rwrapped-${tag}` },
  });
  let dana: { token: string; dbName: string };
  let erin: { token: string; dbName: string };
  beforeAll(async () => {
    dana = await client.signUp('dana.keys@example.com', 'dana first password');
    erin = await client.signUp('erin.keys@example.com', 'erin first password');
  });

  it('stores a shopper\'s record once, hands it back to their sessions, and refuses a second one with 409', async () => {
    expect((await client.request('GET', '/_tote/keyring', { token: dana.token })).body).toEqual({ keyring: null });
    expect((await client.request('PUT', '/_tote/keyring', { token: dana.token, body: { keyring: record('dana-1') } })).status).toBe(201);
    const other = (await client.logIn('dana.keys@example.com', 'dana first password', 'second device')).body as { token: string };
    const read = await client.request('GET', '/_tote/keyring', { token: other.token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ keyring: record('dana-1') });
    const second = await client.request('PUT', '/_tote/keyring', { token: other.token, body: { keyring: record('dana-2') } });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ error: 'conflict', reason: expect.stringMatching(/already has its keys/) });
    expect((await client.request('GET', '/_tote/keyring', { token: dana.token })).body).toEqual({ keyring: record('dana-1') });
    expect((await client.request('DELETE', '/_tote/keyring', { token: dana.token })).status).toBe(405);
    expect((await client.request('GET', '/_tote/keyring')).status).toBe(401);
  });

  it('gives shopper B no way to read or replace A\'s record', async () => {
    expect((await client.request('GET', '/_tote/keyring', { token: erin.token })).body).toEqual({ keyring: null });
    for (const [method, route] of [['GET', '/_tote/keyring/dana.keys@example.com'], ['PUT', '/_tote/keyring/dana.keys@example.com'],
      ['GET', '/tote-accounts/account:dana.keys@example.com'], ['GET', `/${dana.dbName}/_local/keyring`]] as const) {
      const answer = await client.request(method, route, { token: erin.token, ...(method === 'PUT' ? { body: { keyring: record('planted') } } : {}) });
      expect([403, 404], `${method} ${route}`).toContain(answer.status);
      expect(JSON.stringify(answer.body)).not.toContain('dana-1');
    }
    // B's own record is B's; A's is untouched.
    expect((await client.request('PUT', '/_tote/keyring', { token: erin.token, body: { keyring: record('erin-1') } })).status).toBe(201);
    expect((await client.request('GET', '/_tote/keyring', { token: erin.token })).body).toEqual({ keyring: record('erin-1') });
    expect((await client.request('GET', '/_tote/keyring', { token: dana.token })).body).toEqual({ keyring: record('dana-1') });
  });

  it('answers 413 to an oversized record and 400 to one that is not a JSON object', async () => {
    const fresh = await client.signUp('fern.keys@example.com');
    const huge = await client.request('PUT', '/_tote/keyring', { token: fresh.token, body: { keyring: { ...record('big'), padding: 'x'.repeat(9 * 1024) } } });
    expect(huge.status).toBe(413);
    expect(huge.body.reason).toMatch(/8 KB/);
    for (const keyring of ['a string', [record('list')], null, 42]) {
      const answer = await client.request('PUT', '/_tote/keyring', { token: fresh.token, body: { keyring } });
      expect(answer.status, JSON.stringify(keyring)).toBe(400);
      expect(answer.body.reason).toMatch(/JSON object/);
    }
    expect((await client.request('PUT', '/_tote/keyring', { token: fresh.token, body: {} })).status).toBe(400);
    expect((await client.request('PUT', '/_tote/keyring', { token: fresh.token, raw: '[1, 2]' })).status).toBe(400);
    expect((await client.request('GET', '/_tote/keyring', { token: fresh.token })).body).toEqual({ keyring: null });
  });

  it('keeps no record for guests or staff accounts', async () => {
    const guest = await client.request<{ token: string }>('POST', '/_tote/guest', { body: { device: 'kiosk' } });
    const refused = await client.request('PUT', '/_tote/keyring', { token: guest.body.token, body: { keyring: record('guest') } });
    expect(refused.status).toBe(403);
    expect(refused.body.reason).toMatch(/stays on its device/);
    expect((await client.request('GET', '/_tote/keyring', { token: guest.body.token })).status).toBe(403);
    const admin = (await client.logIn(server.admin.name, server.admin.password)).body as { token: string };
    expect((await client.request('GET', '/_tote/keyring', { token: admin.token })).status).toBe(403);
  });

  it('replaces the record in the same write as a password change; a wrong old password or a bad record changes neither', async () => {
    const wrong = await client.request('POST', '/_tote/password', { token: dana.token, body: { oldPassword: 'not dana at all', newPassword: 'dana second password', keyring: record('dana-2') } });
    expect(wrong.status).toBe(403);
    const badRecord = await client.request('POST', '/_tote/password', { token: dana.token, body: { oldPassword: 'dana first password', newPassword: 'dana second password', keyring: 'not an object' } });
    expect(badRecord.status).toBe(400);
    expect((await client.request('GET', '/_tote/keyring', { token: dana.token })).body).toEqual({ keyring: record('dana-1') });
    expect((await client.logIn('dana.keys@example.com', 'dana second password')).status).toBe(401);

    const changed = await client.request('POST', '/_tote/password', { token: dana.token, body: { oldPassword: 'dana first password', newPassword: 'dana second password', keyring: record('dana-2') } });
    expect(changed.status).toBe(204);
    expect((await client.request('GET', '/_tote/keyring', { token: dana.token })).body).toEqual({ keyring: record('dana-2') });
    const again = await client.logIn('dana.keys@example.com', 'dana second password');
    expect(again.status).toBe(200);
    expect((await client.request('GET', '/_tote/keyring', { token: (again.body as { token: string }).token })).body).toEqual({ keyring: record('dana-2') });
    // a password change without a record keeps the stored one
    expect((await client.request('POST', '/_tote/password', { token: dana.token, body: { oldPassword: 'dana second password', newPassword: 'dana third password' } })).status).toBe(204);
    expect((await client.request('GET', '/_tote/keyring', { token: dana.token })).body).toEqual({ keyring: record('dana-2') });
  });

  it('audits every write of a record without its content', async () => {
    await server.gateway.flushAudit();
    const admin = (await client.logIn(server.admin.name, server.admin.password)).body as { token: string };
    const audit = await client.request<{ entries: { actor: string; action: string; detail?: Record<string, unknown> }[] }>('GET', '/_tote/admin/audit?limit=1000&actor=dana.keys@example.com', { token: admin.token });
    const actions = audit.body.entries.map((entry) => entry.action);
    expect(actions).toContain('account.keyring');
    expect(audit.body.entries).toContainEqual(expect.objectContaining({ action: 'account.password', detail: expect.objectContaining({ keyring: true }) }));
    expect(JSON.stringify(audit.body)).not.toMatch(/wrapped-|salt-|iv-dana/);
  });
});

describe('recovery', () => {
  // Shaped like a real key record; the server keeps it opaque (docs/encryption.md, "Recovery").
  const record = (tag: string, recoveryTag = tag) => ({
    version: 1,
    password: { version: 1, kind: 'password', kdf: { name: 'argon2id', memoryKiB: 65536, iterations: 3, parallelism: 1 }, salt: `salt-${tag}`, iv: `iv-${tag}`, wrappedKey: `wrapped-${tag}` },
    recovery: { version: 1, kind: 'recovery', kdf: { name: 'hkdf-sha256' }, salt: `rsalt-${recoveryTag}`, iv: `riv-${recoveryTag}`, wrappedKey: `rwrapped-${recoveryTag}` },
  });
  /** A recovery proof as a device derives it: 32 bytes, base64url (the server cannot tell how it was made). */
  const newProof = () => randomBytes(32).toString('base64url');
  const verifierOf = (proof: string) => createHash('sha256').update(proof).digest('hex');
  const refusal = { error: 'forbidden', reason: 'This recovery key does not match the account.' };
  const rita = { name: 'rita.recovery@example.com', password: 'rita old password', proof: newProof() };
  let ritaToken: string;
  /** Every answer seen in this block, to check no verifier ever leaves the server. */
  const seen: unknown[] = [];
  const ask = async (method: string, path: string, options: Parameters<GatewayClient['request']>[2] = {}) => {
    const answer = await client.request(method, path, options);
    seen.push(answer.body);
    return answer;
  };

  beforeAll(async () => {
    ritaToken = (await client.signUp(rita.name, rita.password)).token;
  });

  it('keeps only a verifier of the proof with the first record, and hands the record to the right proof; a wrong proof and an unknown account get the same 403', async () => {
    const malformed = await ask('PUT', '/_tote/keyring', { token: ritaToken, body: { keyring: record('rita-1'), recoveryProof: 'not a proof' } });
    expect(malformed.status).toBe(400);
    expect((await ask('GET', '/_tote/keyring', { token: ritaToken })).body).toEqual({ keyring: null });
    expect((await ask('PUT', '/_tote/keyring', { token: ritaToken, body: { keyring: record('rita-1'), recoveryProof: rita.proof } })).status).toBe(201);

    const right = await ask('POST', '/_tote/recover/keyring', { body: { name: 'Rita.Recovery@Example.com ', recoveryProof: rita.proof } });
    expect(right.status).toBe(200);
    expect(right.body).toEqual({ keyring: record('rita-1') });

    const wrong = await ask('POST', '/_tote/recover/keyring', { body: { name: rita.name, recoveryProof: newProof() } });
    const unknown = await ask('POST', '/_tote/recover/keyring', { body: { name: 'nobody.here@example.com', recoveryProof: newProof() } });
    const noRecord = await ask('POST', '/_tote/recover/keyring', { body: { name: 'revoke.me@example.com', recoveryProof: newProof() } });
    for (const answer of [wrong, unknown, noRecord]) {
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual(refusal);
    }
    // A record stored before the server kept verifiers: it cannot be recovered, and says so.
    const legacy = await client.signUp('old.record@example.com', 'old record password');
    expect((await ask('PUT', '/_tote/keyring', { token: legacy.token, body: { keyring: record('old') } })).status).toBe(201);
    const unavailable = await ask('POST', '/_tote/recover/keyring', { body: { name: 'old.record@example.com', recoveryProof: newProof() } });
    expect(unavailable.status).toBe(409);
    expect(unavailable.body.reason).toMatch(/cannot be opened with a recovery key/);

    expect((await ask('POST', '/_tote/recover/keyring', { body: { name: rita.name, recoveryProof: 'short' } })).status).toBe(400);
    expect((await ask('POST', '/_tote/recover/keyring', { body: { recoveryProof: rita.proof } })).status).toBe(400);
    expect((await ask('GET', '/_tote/recover/keyring')).status).toBe(405);
    expect((await ask('PUT', '/_tote/recover', { body: {} })).status).toBe(405);

    // A password change keeps the verifier.
    const changed = await ask('POST', '/_tote/password', { token: ritaToken, body: { oldPassword: rita.password, newPassword: 'rita middle password', keyring: record('rita-2', 'rita-1') } });
    expect(changed.status).toBe(204);
    rita.password = 'rita middle password';
    expect((await ask('POST', '/_tote/recover/keyring', { body: { name: rita.name, recoveryProof: rita.proof } })).body).toEqual({ keyring: record('rita-2', 'rita-1') });
  });

  it('rate-limits guessing recovery proofs like failed sign-ins: 429 with Retry-After, even for the right proof', async () => {
    const sam = await client.signUp('sam.recovery@example.com', 'sam real password');
    const proof = newProof();
    expect((await client.request('PUT', '/_tote/keyring', { token: sam.token, body: { keyring: record('sam'), recoveryProof: proof } })).status).toBe(201);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await ask('POST', '/_tote/recover/keyring', { body: { name: 'sam.recovery@example.com', recoveryProof: newProof() } })).status).toBe(403);
    }
    for (const path of ['/_tote/recover/keyring', '/_tote/recover']) {
      const blocked = await ask('POST', path, { body: { name: 'sam.recovery@example.com', recoveryProof: proof, newPassword: 'sam new password', keyring: record('sam-2', 'sam') } });
      expect(blocked.status, path).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // The same budget as signing in: from this address the password waits too; other accounts do not.
    expect((await client.logIn('sam.recovery@example.com', 'sam real password')).status).toBe(429);
    expect((await ask('POST', '/_tote/recover/keyring', { body: { name: rita.name, recoveryProof: rita.proof } })).status).toBe(200);
  });

  it('sets the new password and the re-wrapped record in one go, ends every old session and opens a working one, answered like a sign-in', async () => {
    const laptop = (await client.logIn(rita.name, rita.password, 'laptop')).body as { token: string; account: { dbName: string } };
    const dbName = laptop.account.dbName;
    const attempt = (body: Record<string, unknown>) => ask('POST', '/_tote/recover', { body: { name: rita.name, recoveryProof: rita.proof, newPassword: 'rita new password', keyring: record('rita-3', 'rita-1'), device: 'phone', ...body } });

    // Refusals change nothing.
    expect((await attempt({ recoveryProof: newProof() })).body).toEqual(refusal);
    expect((await attempt({ name: 'nobody.here@example.com' })).body).toEqual(refusal);
    const weak = await attempt({ newPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.reason).toMatch(/at least 8/);
    const otherRecovery = await attempt({ keyring: record('rita-3', 'planted') });
    expect(otherRecovery.status).toBe(400);
    expect(otherRecovery.body.reason).toMatch(/recovery wrapping/);
    expect((await attempt({ keyring: 'not an object' })).status).toBe(400);
    expect((await ask('GET', '/_tote/keyring', { token: laptop.token })).body).toEqual({ keyring: record('rita-2', 'rita-1') });
    expect((await ask('GET', `/${dbName}`, { token: ritaToken })).status).toBe(200);

    const recovered = await attempt({});
    expect(recovered.status).toBe(200);
    const login = await client.logIn(rita.name, 'rita new password', 'tablet');
    expect(login.status).toBe(200);
    const shape = (body: unknown) => JSON.stringify(body, (key, value: unknown) => (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : typeof value));
    expect(shape(recovered.body)).toBe(shape(login.body));
    const answer = recovered.body as { token: string; session: { device: string }; account: { name: string; dbName: string } };
    expect(answer.account).toMatchObject({ name: rita.name, dbName });
    expect(answer.session.device).toBe('phone');

    for (const token of [ritaToken, laptop.token]) expect((await ask('GET', `/${dbName}`, { token })).status).toBe(401);
    expect((await client.logIn(rita.name, rita.password)).status).toBe(401);
    expect((await ask('GET', `/${dbName}`, { token: answer.token })).status).toBe(200);
    expect((await ask('PUT', `/${dbName}/recovered-item`, { token: answer.token, body: doc('recovered-item') })).status).toBe(201);
    expect((await ask('GET', '/_tote/keyring', { token: answer.token })).body).toEqual({ keyring: record('rita-3', 'rita-1') });
    expect((await ask('GET', '/_tote/session', { token: answer.token })).status).toBe(200);
    // The recovery key still works afterwards.
    expect((await ask('POST', '/_tote/recover/keyring', { body: { name: rita.name, recoveryProof: rita.proof } })).body).toEqual({ keyring: record('rita-3', 'rita-1') });
    ritaToken = answer.token;
  });

  it('never hands out the verifier, and audits recovery without the proof or the record', async () => {
    const admin = (await client.logIn(server.admin.name, server.admin.password)).body as { token: string };
    seen.push((await client.request('GET', `/_tote/support/shoppers/${encodeURIComponent(rita.name)}`, { token: admin.token })).body);
    seen.push((await client.request('GET', '/_tote/sessions', { token: ritaToken })).body);
    seen.push((await client.request('GET', '/tote-accounts/account:rita.recovery@example.com', { token: ritaToken })).body);
    const text = JSON.stringify(seen);
    expect(text).not.toContain(verifierOf(rita.proof));
    expect(text).not.toMatch(/verifier/i);

    await server.gateway.flushAudit();
    const audit = await client.request<{ entries: { actor: string; action: string; detail?: Record<string, unknown> }[] }>('GET', `/_tote/admin/audit?limit=1000&actor=${encodeURIComponent(rita.name)}`, { token: admin.token });
    expect(audit.body.entries).toContainEqual(expect.objectContaining({ action: 'account.recovery-keyring', detail: { ok: true } }));
    // A wrong proof is a failed sign-in, audited as such, with the address it came from.
    expect(audit.body.entries).toContainEqual(expect.objectContaining({ action: 'signin.failed', detail: { route: 'recover/keyring', address: '127.0.0.1', status: 403 } }));
    expect(audit.body.entries).toContainEqual(expect.objectContaining({ action: 'account.recover', detail: expect.objectContaining({ ok: true, sessionsEnded: 2 }) }));
    expect(audit.body.entries).toContainEqual(expect.objectContaining({ action: 'account.keyring', detail: expect.objectContaining({ recovery: true }) }));
    const logged = JSON.stringify(audit.body);
    expect(logged).not.toContain(rita.proof);
    expect(logged).not.toContain(verifierOf(rita.proof));
    expect(logged).not.toMatch(/rwrapped-|rsalt-/);
  });
});
