/**
 * The gateway attacked from outside, as an outsider would (docs/security.md): raw paths sent byte for
 * byte (`curl --path-as-is`), every encoding, two shoppers, a guest and nobody signed in, against the
 * sync server started the way `npm start` starts it. A second gateway runs in front of a recorder of
 * what CouchDB receives (couch-recorder.ts, given as COUCHDB_URL would be), so the path fuzzer checks
 * not only the answers but what actually reached CouchDB, and with whose credentials.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { couchPasswordOf, couchUserOf, startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { startCouchRecorder, type CouchRecorder } from '../support/couch-recorder.ts';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { rawRequest, type RawAnswer } from '../support/raw-http.ts';

const VICTIM_MARKER = 'Victim walnut desk 7731';
const VICTIM_HISTORY_MARKER = 'victim-history-7732';
const SECRETS = ['passwordHash', 'recoveryVerifier', 'derived_key', 'password_scheme', '-pbkdf2-', 'couch_httpd_auth', VICTIM_MARKER, VICTIM_HISTORY_MARKER];

interface Shopper { readonly token: string; readonly dbName: string; readonly name: string }

let server: RunningSyncServer;
let client: GatewayClient;
let dataDir: string;
let victim: Shopper;
let attacker: Shopper;
let guest: Shopper;
const basicAdmin = () => `Basic ${Buffer.from(`${server.admin.name}:${server.admin.password}`).toString('base64')}`;
const raw = (method: string, target: string, headers: Record<string, string> = {}, body?: string) =>
  rawRequest(server.gateway.port, server.gateway.cert, { method, target, headers: { accept: 'application/json', ...headers }, ...(body === undefined ? {} : { body }) });
const bearer = (who: Shopper) => ({ authorization: `Bearer ${who.token}` });
/** Straight to CouchDB as its server admin (what the operator sees). */
const couch = async <T>(method: string, target: string, body?: unknown): Promise<{ status: number; body: T }> => {
  const response = await fetch(`${server.url}${target}`, {
    method, headers: { authorization: basicAdmin(), 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
};
const leaks = (answer: RawAnswer) => SECRETS.filter((secret) => answer.body.includes(secret));

async function shopper(name: string): Promise<Shopper> {
  const signed = await client.signUp(name, 'correct horse battery');
  return { ...signed, name };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-hostile-'));
  // As `npm start` starts it: embedded CouchDB, default limits and origins; only the ports are free ones.
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0 });
  client = gatewayClient(server.gateway.url, server.gateway.cert);
  victim = await shopper('victim.hostile@example.com');
  attacker = await shopper('attacker.hostile@example.com');
  const made = await client.request<{ token: string; account: { dbName: string; name: string } }>('POST', '/_tote/guest', { body: { device: 'guest device' } });
  guest = { token: made.body.token, dbName: made.body.account.dbName, name: made.body.account.name };
  expect((await client.request('POST', `/${victim.dbName}/_bulk_docs`, { token: victim.token, body: { docs: [{ _id: 'victim-item', title: VICTIM_MARKER }] } })).status).toBe(201);
  expect((await client.request('POST', `/${victim.dbName}-history/_bulk_docs`, { token: victim.token, body: { docs: [{ _id: '0mvxs3yao0000:victim', i: VICTIM_HISTORY_MARKER }] } })).status).toBe(201);
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The victim's data is all there, as it was written, and nobody added a design document anywhere. */
async function victimIntact(): Promise<void> {
  const items = await couch<{ rows: { id: string }[] }>('GET', `/${victim.dbName}/_all_docs`);
  expect(items.status).toBe(200);
  expect(items.body.rows.map((row) => row.id)).toEqual(['victim-item']);
  const history = await couch<{ rows: { id: string }[] }>('GET', `/${victim.dbName}-history/_all_docs`);
  expect(history.body.rows.map((row) => row.id)).toEqual(['0mvxs3yao0000:victim']);
  for (const db of [victim.dbName, `${victim.dbName}-history`, attacker.dbName, `${attacker.dbName}-history`, guest.dbName, `${guest.dbName}-history`]) {
    const designs = await couch<{ rows: unknown[] }>('GET', `/${db}/_all_docs?startkey=${encodeURIComponent('"_design/"')}&endkey=${encodeURIComponent('"_design0"')}`);
    expect(designs.body.rows, `design documents in ${db}`).toEqual([]);
  }
}

describe('the reported ways around the gateway, each refused', () => {
  it('refuses backslash and dot-segment walks from one shopper\'s database into another\'s, on every method', async () => {
    for (const walk of [
      `/${attacker.dbName}/x\\..\\..\\${victim.dbName}/_all_docs?include_docs=true`,
      `/${attacker.dbName}/x/../../${victim.dbName}/_all_docs?include_docs=true`,
      `/${attacker.dbName}/x%5C..%5C..%5C${victim.dbName}/_all_docs`,
      `/${attacker.dbName}/%2e%2e/${victim.dbName}/_all_docs`,
      `/${attacker.dbName}%2F..%2F${victim.dbName}/_all_docs`,
    ]) {
      for (const method of ['GET', 'DELETE', 'PUT', 'POST']) {
        const answer = await raw(method, walk, { ...bearer(attacker), 'content-type': 'application/json' }, method === 'GET' || method === 'DELETE' ? undefined : '{"docs":[]}');
        expect(answer.status, `${method} ${walk}`).toBe(400);
        expect(leaks(answer), `${method} ${walk}`).toEqual([]);
      }
    }
    const deleteVictim = await raw('DELETE', `/${attacker.dbName}/x\\..\\..\\${victim.dbName}`, bearer(attacker));
    expect(deleteVictim.status).toBe(400);
    await victimIntact();
    // Nothing refused is written to the audit log as a write, least of all credited to the attacker's own database.
    await server.gateway.flushAudit();
    const audit = await couch<{ rows: { doc: { actor: string; action: string; target: string | null } }[] }>('GET', '/tote-audit/_all_docs?include_docs=true');
    const writes = audit.body.rows.map((row) => row.doc).filter((entry) => entry.actor === attacker.name && entry.action === 'cart.write');
    expect(writes).toEqual([]);
  });

  it('holds local documents to the cart document\'s size limit', async () => {
    const big = JSON.stringify({ _id: '_local/checkpoint', history: 'x'.repeat(70 * 1024) });
    const answer = await raw('PUT', `/${attacker.dbName}/_local/checkpoint`, { ...bearer(attacker), 'content-type': 'application/json' }, big);
    expect(answer.status).toBe(413);
    const small = await raw('PUT', `/${attacker.dbName}/_local/checkpoint`, { ...bearer(attacker), 'content-type': 'application/json' }, JSON.stringify({ _id: '_local/checkpoint', last_seq: 3 }));
    expect(small.status).toBe(201);
  });

  it('gives nobody without a session the accounts database, CouchDB\'s configuration or Fauxton', async () => {
    for (const [method, target, body] of [
      ['POST', '/_utils/x\\..\\..\\tote-accounts/_find', '{"selector":{}}'],
      ['GET', '/_utils/x\\..\\..\\tote-accounts/_all_docs?include_docs=true'],
      ['GET', '/_utils/x\\..\\..\\_config'],
      ['GET', '/_utils/x/../../_config/couch_httpd_auth'],
      ['GET', '/_utils/%2e%2e/_users/_all_docs'],
      ['GET', '/_config'], ['GET', '/tote-accounts/_all_docs'], ['GET', '/_users/_all_docs'],
    ] as const) {
      const answer = await raw(method, target, { 'content-type': 'application/json' }, body);
      expect([400, 401], `${method} ${target}`).toContain(answer.status);
      expect(leaks(answer), `${method} ${target}`).toEqual([]);
    }
    const fauxton = await raw('GET', '/_utils/');
    expect(fauxton.status).toBe(401);
    expect(fauxton.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect((await raw('GET', '/_utils/', { authorization: basicAdmin() })).status).toBe(200);
  });

  it('stores no design document from a shopper or a guest, by any write route', async () => {
    for (const who of [attacker, guest]) {
      const design = { _id: '_design/evil', validate_doc_update: 'function () { require("child_process").execSync("touch /tmp/tote-pwned") }' };
      const json = { ...bearer(who), 'content-type': 'application/json' };
      const attempts: [string, string, string?][] = [
        ['POST', `/${who.dbName}/_bulk_docs`, JSON.stringify({ docs: [design] })],
        ['POST', `/${who.dbName}/_bulk_docs`, JSON.stringify({ new_edits: false, docs: [{ ...design, _rev: '1-abc' }] })],
        ['POST', `/${who.dbName}`, JSON.stringify(design)],
        ['POST', `/${who.dbName}-history`, JSON.stringify(design)],
        ['PUT', `/${who.dbName}/_design/evil`, JSON.stringify(design)],
        ['PUT', `/${who.dbName}/_design%2Fevil`, JSON.stringify(design)],
        ['PUT', `/${who.dbName}/_design/evil/code.js`, 'evil()'],
        ['PUT', `/${who.dbName}/item/attachment.js`, 'evil()'],
        ['PUT', `/${who.dbName}/item`, JSON.stringify({ ...design, _id: '_design/evil' })],
        ['COPY', `/${who.dbName}/item`, undefined],
        ['PUT', `/${who.dbName}/_local/_security`, JSON.stringify({ security: { admins: { names: [couchUserOf(who.dbName)] } } })],
        ['PUT', `/${who.dbName}/_security`, JSON.stringify({ admins: { names: [couchUserOf(who.dbName)] } })],
        ['POST', `/${who.dbName}/_index`, JSON.stringify({ index: { fields: ['title'] } })],
        ['GET', `/${who.dbName}/_design/evil/_view/all`, undefined],
        ['POST', `/${who.dbName}/_changes?filter=_view&view=evil/all`, '{}'],
      ];
      for (const [method, target, body] of attempts) {
        const answer = await raw(method, target, method === 'COPY' ? { ...json, destination: '_design/evil' } : json, body);
        expect(answer.status, `${method} ${target}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, `${method} ${target}`).toBeLessThan(500);
      }
    }
    await victimIntact();
  });

  it('forwards a shopper\'s requests with their own CouchDB user, which CouchDB itself keeps to their databases', async () => {
    const session = await raw('GET', '/_session', bearer(attacker));
    expect(session.status).toBe(200);
    expect(session.body).not.toContain('_admin');
    expect(JSON.parse(session.body)).toMatchObject({ userCtx: { name: couchUserOf(attacker.dbName), roles: [] } });
    // CouchDB's own rules, straight to CouchDB with that user's credentials: the gateway is not the only guard.
    // (Not tried: deleting or creating a database as a non-admin, which brings pouchdb-server down; the gateway never forwards either.)
    const own = { authorization: `Basic ${Buffer.from(`${couchUserOf(attacker.dbName)}:${couchPasswordOf(server.admin, attacker.dbName)}`).toString('base64')}`, 'content-type': 'application/json' };
    expect((await fetch(`${server.url}/${attacker.dbName}/_all_docs`, { headers: own })).status).toBe(200);
    for (const [method, target, body] of [
      ['GET', `/${victim.dbName}/_all_docs`], ['GET', `/${victim.dbName}-history/_all_docs`], ['GET', '/tote-accounts/_all_docs'],
      ['PUT', `/${attacker.dbName}/_design/evil`, { views: {} }], ['PUT', `/${attacker.dbName}/_security`, { admins: { names: [couchUserOf(attacker.dbName)] } }],
      ['GET', '/_config'],
    ] as const) {
      const answer = await fetch(`${server.url}${target}`, { method, headers: own, ...(body ? { body: JSON.stringify(body) } : {}) });
      expect([401, 403], `${method} ${target} straight to CouchDB`).toContain(answer.status);
    }
    await victimIntact();
  });
});

describe('a path fuzzer against every route and role, watching what CouchDB receives', () => {
  let recorder: CouchRecorder;
  let second: RunningSyncServer;
  let secondDir: string;
  let fuzzVictim: Shopper;
  let fuzzAttacker: Shopper;
  let fuzzGuest: Shopper;

  beforeAll(async () => {
    recorder = await startCouchRecorder(server.url);
    secondDir = await mkdtemp(path.join(tmpdir(), 'tote-hostile-recorded-'));
    // A second gateway, configured as production is: an external CouchDB (here, through the recorder).
    second = await startSyncServer({ dataDir: secondDir, couchUrl: recorder.url, admin: { name: server.admin.name, password: server.admin.password }, gatewayPort: 0, backupIntervalMs: 0 });
    const other = gatewayClient(second.gateway.url, second.gateway.cert);
    fuzzVictim = await other.signUp('victim.fuzz@example.com', 'correct horse battery').then((made) => ({ ...made, name: 'victim.fuzz@example.com' }));
    fuzzAttacker = await other.signUp('attacker.fuzz@example.com', 'correct horse battery').then((made) => ({ ...made, name: 'attacker.fuzz@example.com' }));
    const made = await other.request<{ token: string; account: { dbName: string; name: string } }>('POST', '/_tote/guest', { body: {} });
    fuzzGuest = { token: made.body.token, dbName: made.body.account.dbName, name: made.body.account.name };
    await other.request('POST', `/${fuzzVictim.dbName}/_bulk_docs`, { token: fuzzVictim.token, body: { docs: [{ _id: 'victim-item', title: VICTIM_MARKER }] } });
    // Each own database used once, so the shoppers' CouchDB users exist before the fuzzing starts.
    await other.request('GET', `/${fuzzAttacker.dbName}`, { token: fuzzAttacker.token });
    await other.request('GET', `/${fuzzGuest.dbName}`, { token: fuzzGuest.token });
    await other.close();
  });

  afterAll(async () => {
    await second?.stop();
    await recorder?.close();
    if (secondDir) await rm(secondDir, { recursive: true, force: true });
  });

  /** Pieces an attacker puts together: names of databases and routes, separators, and their encodings. */
  const pathPiece = () => fc.oneof(
    fc.constantFrom(fuzzVictim.dbName, `${fuzzVictim.dbName}-history`, `${fuzzVictim.dbName}-backups`, fuzzAttacker.dbName, `${fuzzAttacker.dbName}-history`,
      fuzzGuest.dbName, 'tote-accounts', 'tote-audit', '_users', '_replicator', '_config', '_utils', '_session', '_all_dbs', '_node', '_replicate', '_uuids'),
    fc.constantFrom('_all_docs', '_changes', '_find', '_design', 'evil', '_view', '_security', '_local', '_bulk_docs', '_bulk_get', '_index', 'victim-item', 'x', '_compact', '_purge'),
    // The gateway's own routes, in every position.
    fc.constantFrom('_tote', 'keyring', 'session', 'sessions', 'live', 'support', 'shoppers', 'admin', 'audit', 'accounts', 'recover', 'password', 'guest', 'metrics', 'health', 'ready'),
    fc.constantFrom('..', '.', '%2e%2e', '%2E%2E', '.%2e', '%252e%252e', '%c0%ae%c0%ae', '%e0%80%ae', '\u2025', '%00', '%0a', ';', ';x=1', '%3b', '%', '%zz', '%41'),
  );
  const separator = () => fc.oneof(
    { arbitrary: fc.constant('/'), weight: 8 },
    { arbitrary: fc.constantFrom('\\', '%2F', '%2f', '%5C', '%5c', '//', '/./', '/../', '%252F', '%c0%af', '%e2%88%95', '%ef%bc%8f', '\u2215', '\uff0f', ';/', '%00/'), weight: 4 },
  );
  const encodeSome = (text: string, mask: number) => [...text].map((char, index) => ((mask >> (index % 30)) & 1 ? `%${char.charCodeAt(0).toString(16).padStart(2, '0')}` : char)).join('');
  const target = () => fc.tuple(
    // Often starting in a database the caller may use, so that the rest of the path is what is tried.
    fc.constantFrom('', `/${fuzzAttacker.dbName}`, `/${fuzzAttacker.dbName}-history`, `/${fuzzGuest.dbName}`, `/${fuzzGuest.dbName}-history`, '/_tote'),
    fc.array(fc.tuple(separator(), pathPiece(), fc.integer({ min: 0, max: 2 ** 30 - 1 }), fc.boolean()), { minLength: 0, maxLength: 4 }),
    fc.constantFrom('', '', '', '?include_docs=true', '?filter=_selector', '?filter=_view&view=evil/all', '?since=0&since=now', '?keys=%5B%22victim-item%22%5D', '?x=%00', '#frag'),
  ).map(([start, parts, query]) => {
    const pathText = (start === '' && parts.length === 0 ? '/' : start) + parts.map(([sep, piece, mask, encode]) => `${sep}${encode && !piece.includes('%') ? encodeSome(piece, mask) : piece}`).join('');
    return `${pathText.startsWith('/') ? '' : '/'}${pathText}${query}`;
  });
  const roles = ['attacker', 'guest', 'anonymous'] as const;

  it('never lets a shopper, a guest or an anonymous request reach another shopper\'s database or a system database', async () => {
    const seed = Number(process.env.TOTE_FUZZ_SEED ?? Date.now() % 2 ** 31);
    const runs = Number(process.env.TOTE_FUZZ_RUNS ?? 1000);
    console.log(`path fuzzer: seed ${seed}, ${runs} runs (TOTE_FUZZ_SEED=${seed} repeats them)`);
    // The control: a shopper's own request is seen by the recorder, with the shopper's own CouchDB user.
    const control = recorder.requests.length;
    const own = await rawRequest(second.gateway.port, second.gateway.cert, { method: 'GET', target: `/${fuzzAttacker.dbName}/_all_docs`, headers: { authorization: `Bearer ${fuzzAttacker.token}` }, localAddress: '127.0.0.2' });
    expect(own.status).toBe(200);
    expect(recorder.requests.slice(control)).toContainEqual({ method: 'GET', target: `/${fuzzAttacker.dbName}/_all_docs`, user: couchUserOf(fuzzAttacker.dbName) });
    const before = recorder.requests.length;
    const sent: string[] = [];
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...roles), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD'), target(),
      async (role, method, fuzzed) => {
        const who = role === 'attacker' ? fuzzAttacker : role === 'guest' ? fuzzGuest : null;
        const headers: Record<string, string> = { 'content-type': 'application/json', ...(who ? { authorization: `Bearer ${who.token}` } : {}) };
        const body = method === 'POST' || method === 'PUT' ? JSON.stringify({ docs: [{ _id: '_design/evil', views: {} }], selector: {}, keys: ['victim-item'] }) : undefined;
        sent.push(`${role} ${method} ${fuzzed}`);
        // From an address of its own, as an attacker elsewhere would be (its request budget is not the owner's).
        const answer = await rawRequest(second.gateway.port, second.gateway.cert, { method, target: fuzzed, headers, localAddress: '127.0.0.2', ...(body ? { body } : {}) });
        expect(answer.status === 503 || (answer.status >= 200 && answer.status < 500), `${role} ${method} ${fuzzed}: ${answer.status}`).toBe(true);
        expect(leaks(answer), `${role} ${method} ${fuzzed}`).toEqual([]);
      },
    ), { seed, numRuns: runs });

    // What CouchDB received meanwhile: shoppers' requests only with their own user, only to their own databases;
    // the server admin's only on the gateway's own work (accounts, audit, signals, the shoppers' own users and databases).
    const owners = new Map([[couchUserOf(fuzzAttacker.dbName), fuzzAttacker.dbName], [couchUserOf(fuzzGuest.dbName), fuzzGuest.dbName]]);
    const adminWork = [
      /^\/tote-accounts\/account%3A(attacker\.fuzz%40example\.com|guest-[0-9a-f]+)(\?|$)/, /^\/tote-audit(\/|$)/, /^\/tote-signals\//, /^\/_session$/,
    ];
    const received = recorder.requests.slice(before);
    console.log(`path fuzzer: ${received.length} requests reached CouchDB`);
    expect(received.length).toBeGreaterThan(0);
    for (const request of received) {
      const where = `${request.user ?? 'anonymous'} ${request.method} ${request.target}`;
      expect(request.target, where).not.toMatch(/\\|%5C|%2F|\/\.\.?(\/|$|\?)|%2E|%00/i);
      // The database a request is about is its first segment (a document may be named anything, a database's name included).
      const database = request.target.split('?')[0]!.split('/')[1] ?? '';
      expect(database, where).not.toContain(fuzzVictim.dbName);
      if (request.user !== null && owners.has(request.user)) {
        const db = owners.get(request.user)!;
        expect([db, `${db}-history`, '_session'], where).toContain(database);
        expect(request.target === '/_session' || database !== '_session', where).toBe(true);
      } else if (request.user === server.admin.name) {
        // A guest the fuzzer made (`POST /_tote/guest`) gets its databases made by the gateway, as any guest does.
        const guestMade = /^userdb-([0-9a-f]+)(-history)?$/.exec(database)?.[1];
        const forNewGuest = guestMade !== undefined && Buffer.from(guestMade, 'hex').toString('utf8').startsWith('guest-');
        expect(forNewGuest || adminWork.some((pattern) => pattern.test(request.target)), where).toBe(true);
      } else {
        // Without credentials: CouchDB's own sign-in, and the readiness probe's look at CouchDB's root (health.ts).
        expect((request.method === 'POST' && request.target === '/_session') || (request.method === 'GET' && request.target === '/'), where).toBe(true);
      }
    }
    expect(sent.length).toBe(runs);
    const items = await couch<{ rows: { id: string }[] }>('GET', `/${fuzzVictim.dbName}/_all_docs`);
    expect(items.body.rows.map((row) => row.id)).toEqual(['victim-item']);
    // The owner still signs in and reads their cart, from their own address.
    const owner = gatewayClient(second.gateway.url, second.gateway.cert);
    const signedIn = await owner.logIn('victim.fuzz@example.com', 'correct horse battery');
    expect(signedIn.status).toBe(200);
    const cart = await owner.request<{ rows: { doc: { title: string } }[] }>('GET', `/${fuzzVictim.dbName}/_all_docs?include_docs=true`, { token: (signedIn.body as { token: string }).token });
    expect(cart.body.rows.map((row) => row.doc.title)).toEqual([VICTIM_MARKER]);
    await owner.close();
    for (const db of [fuzzAttacker.dbName, `${fuzzAttacker.dbName}-history`, fuzzGuest.dbName, `${fuzzGuest.dbName}-history`]) {
      const designs = await couch<{ rows: unknown[] }>('GET', `/${db}/_all_docs?startkey=${encodeURIComponent('"_design/"')}&endkey=${encodeURIComponent('"_design0"')}`);
      expect(designs.body.rows, db).toEqual([]);
    }
  }, 240_000);
});
