/**
 * The gateway's routes fuzzed with hostile headers and bodies (docs/reliability.md, "Hostile requests"),
 * sent byte by byte (test/support/raw-http.ts) as the shop's owner signed in, as a stranger with a
 * made-up session and as nobody: huge, repeated and odd headers, every content-type, content-lengths
 * that lie, chunked bodies with bad sizes or no end, both framings at once, bad and deeply nested JSON,
 * 10 MB bodies, UTF-16 and Latin-1 bytes. fast-check picks the cases; the seed is printed.
 *
 * Every request gets an answer within 15 s, never a 5xx but 503; a connection closed without an answer
 * only where the client itself broke the framing (sent less than it announced, both framings, a body
 * the gateway refuses before it has all of it). Afterwards the embedded CouchDB still runs and the
 * owner signs in, writes and reads as before.
 *
 * `TOTE_FUZZ_RUNS` sets the number of cases (200 in `npm test`); `TOTE_FUZZ_SEED` replays; `TOTE_FUZZ_TRACE`
 * names a file each case is appended to, with its time and answer.
 */
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { rawRequest, type RawAnswer, type RawRequest } from '../support/raw-http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { recordFaultRun } from './ledger.ts';

const RUNS = Number(process.env.TOTE_FUZZ_RUNS ?? 200);
const SEED = Number(process.env.TOTE_FUZZ_SEED ?? Date.now() % 2_147_483_647);
const MB = 1024 * 1024;

let server: TestServer;
let client: GatewayClient;
let owner: { token: string; dbName: string };
let crashed = false;

beforeAll(async () => {
  const lots = 1_000_000_000;
  server = await startTestServer({ tuning: { rateLimits: {
    requestsPerMinute: lots, signupsPerAddressPerHour: lots, loginFailuresPerPair: lots, loginFailuresPerAccount: lots, loginFailuresPerAddress: lots,
  } } });
  void server.running.exited.then(() => { crashed = true; });
  client = gatewayClient(server.running.gateway.url, server.account.cert);
  const answer = await client.logIn(server.account.username, server.account.password, 'fuzz owner');
  owner = { token: (answer.body as { token: string }).token, dbName: server.running.shopper.dbName };
});

afterAll(async () => {
  await client?.close();
  await server?.dispose();
});

type Who = 'owner' | 'stranger' | 'nobody';
type Framing = 'exact' | 'short' | 'long' | 'none' | 'chunked' | 'chunked-bad-size' | 'chunked-unended' | 'chunked-and-length' | 'two-lengths';
type Body =
  | { readonly kind: 'none' }
  | { readonly kind: 'json'; readonly text: string }
  | { readonly kind: 'bad-json'; readonly text: string }
  | { readonly kind: 'deep'; readonly depth: number }
  | { readonly kind: 'large'; readonly bytes: number }
  | { readonly kind: 'utf16'; readonly text: string }
  | { readonly kind: 'latin1'; readonly text: string };

interface Case {
  readonly who: Who;
  readonly method: string;
  readonly route: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Body;
  readonly framing: Framing;
}

const ROUTES = [
  '/_tote/signup', '/_tote/login', '/_tote/prelogin', '/_tote/guest', '/_tote/session', '/_tote/session/renew', '/_tote/sessions',
  '/_tote/password', '/_tote/keyring', '/_tote/recover', '/_tote/recover/keyring', '/_tote/account', '/_tote/admin/audit',
  '/_tote/admin/accounts', '/_tote/support/shoppers/x', '/_tote/live', '/_tote/logout', '/_tote/analytics', '/_tote/admin/analytics',
  '/_tote/admin', '/_tote/admin/', '/_tote/admin/assets/index-x.js', '/_tote/admin/assets/..%2f..%2fpackage.json', '/_tote/admin/metrics', '/_tote/admin/openapi.json',
  '/{db}', '/{db}/', '/{db}/_bulk_docs', '/{db}/_all_docs', '/{db}/_bulk_get', '/{db}/_revs_diff', '/{db}/_changes',
  '/{db}/_changes?feed=longpoll&timeout=300&since=now', '/{db}/_changes?feed=eventsource&timeout=300', '/{db}/_local/fuzz', '/{db}/fuzz-doc',
  '/{db}/_design/x', '/{db}/_find', '/{db}/_security', '/{db}-history/_bulk_docs', '/{db}-history/_all_docs',
  '/', '/_session', '/_users/org.couchdb.user:x', '/_all_dbs', '/_utils/', '/_up', '/nope', '/%ff%fe', '/{db}/%00',
];

const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,24}$/);
/** Header values that can go on the wire (no CR or LF: those would end the header, which the framing cases do on purpose). */
const headerValue = fc.string({ unit: 'grapheme', maxLength: 200 }).map((value) => value.replace(/[\r\n]/g, ' '));
const contentType = fc.constantFrom(
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16le', 'APPLICATION/JSON', 'application/json, text/plain',
  'text/plain', 'text/html; charset=latin1', 'multipart/form-data; boundary=----fuzz', 'application/x-www-form-urlencoded', 'application/octet-stream',
  '', ';;;', 'application/', '*/*', 'application/json; charset=', 'application/json;charset=\u00ff',
);
const oddHeader: fc.Arbitrary<ReadonlyArray<readonly [string, string]>> = fc.oneof(
  contentType.map((value) => [['content-type', value]] as const),
  fc.tuple(contentType, contentType).map(([a, b]) => [['content-type', a], ['content-type', b]] as const),
  fc.constantFrom('gzip', 'deflate', 'br', 'zstd', 'gzip, gzip', 'identity', 'x-nonsense').map((value) => [['content-encoding', value]] as const),
  fc.integer({ min: 1_000, max: 40_000 }).map((size) => [['x-fuzz-large', 'a'.repeat(size)]] as const),
  fc.integer({ min: 50, max: 400 }).map((count) => Array.from({ length: count }, (_, index) => [`x-fuzz-${index}`, 'v'] as const)),
  fc.tuple(headerName, headerValue).map(([name, value]) => [[name, value]] as const),
  headerValue.map((value) => [['x-tote-device', value]] as const),
  headerValue.map((value) => [['origin', value]] as const),
  fc.constantFrom('chrome-extension://abc', 'null', 'https://evil.example', 'app://tote').map((value) => [['origin', value]] as const),
  fc.constantFrom('Bearer', 'Bearer ', 'Basic', 'Basic !!!', 'Basic Og==', 'Digest x', 'bearer bearer bearer').map((value) => [['authorization', value]] as const),
  headerValue.map((value) => [['cookie', `AuthSession=${value}`]] as const),
  fc.constantFrom('*', 'text/html', 'application/json;q=0', '').map((value) => [['accept', value]] as const),
  fc.constant([['expect', '100-continue']] as const),
  fc.constant([['upgrade', 'websocket'], ['connection', 'upgrade']] as const),
  fc.constant([['host', 'evil.example']] as const),
);

const body: fc.Arbitrary<Body> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'none' } as const) },
  { weight: 4, arbitrary: fc.json({ maxDepth: 4 }).map((text) => ({ kind: 'json', text }) as const) },
  { weight: 2, arbitrary: fc.oneof(
    fc.object({ maxDepth: 2 }).map((value) => ({ docs: [{ _id: 'fuzz', ...value }] })),
    fc.record({ name: fc.string(), password: fc.string(), device: fc.string() }),
    fc.record({ keys: fc.array(fc.string(), { maxLength: 5 }) }),
    fc.record({ docs: fc.array(fc.record({ id: fc.string(), rev: fc.string() }), { maxLength: 5 }) }),
  ).map((value) => ({ kind: 'json', text: JSON.stringify(value) }) as const) },
  { weight: 2, arbitrary: fc.oneof(fc.string({ maxLength: 100 }), fc.constantFrom('{', '{"docs":[', '{"a":1,}', '[1,2', 'null', '"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}'))
    .map((text) => ({ kind: 'bad-json', text }) as const) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 200_000 }).map((depth) => ({ kind: 'deep', depth }) as const) },
  { weight: 1, arbitrary: fc.constantFrom(MB, 7 * MB, 10 * MB).map((bytes) => ({ kind: 'large', bytes }) as const) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 2 }).map((text) => ({ kind: 'utf16', text }) as const) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((text) => ({ kind: 'latin1', text: `{"name":"${text}\u00e9\u00ff"}` }) as const) },
);

const fuzzCase: fc.Arbitrary<Case> = fc.record({
  who: fc.constantFrom<Who>('owner', 'owner', 'stranger', 'nobody'),
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'COPY', 'TRACE', 'get', 'PROPFIND'),
  route: fc.constantFrom(...ROUTES),
  headers: fc.array(oddHeader, { maxLength: 3 }).map((groups) => groups.flat()),
  body,
  framing: fc.oneof(
    { weight: 6, arbitrary: fc.constant<Framing>('exact') },
    { weight: 3, arbitrary: fc.constantFrom<Framing>('short', 'long', 'none', 'chunked', 'chunked-bad-size', 'chunked-unended', 'chunked-and-length', 'two-lengths') },
  ),
});

function bodyBytes(value: Body): Buffer | null {
  switch (value.kind) {
    case 'none': return null;
    case 'json': case 'bad-json': return Buffer.from(value.text, 'utf8');
    case 'deep': return Buffer.from(`${'['.repeat(value.depth)}${']'.repeat(value.depth)}`);
    case 'large': return Buffer.from(`{"docs":[{"_id":"large","enc":"${'x'.repeat(value.bytes)}"}]}`);
    case 'utf16': return Buffer.from(`\ufeff${value.text}`, 'utf16le');
    case 'latin1': return Buffer.from(value.text, 'latin1');
  }
}

/** Chunked framing of `bytes`: in a few chunks, with an extension on one; `end: false` leaves the last chunk off. */
function chunked(bytes: Buffer, options: { badSize?: boolean; end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += 4096) {
    const piece = bytes.subarray(start, start + 4096);
    const size = options.badSize && start === 0 ? 'zz' : piece.length.toString(16);
    parts.push(Buffer.from(`${size}${start === 0 ? ';fuzz=1' : ''}\r\n`), piece, Buffer.from('\r\n'));
  }
  if (options.end !== false) parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

function request(next: Case): { raw: RawRequest; brokenByClient: boolean } {
  const target = next.route.replace('{db}', owner.dbName);
  const headers: (readonly [string, string])[] = [['accept', 'application/json']];
  if (next.who === 'owner') headers.push(['authorization', `Bearer ${owner.token}`]);
  if (next.who === 'stranger') headers.push(['authorization', `Bearer fuzz${'0'.repeat(20)}`]);
  headers.push(...next.headers);
  const bytes = bodyBytes(next.body) ?? Buffer.alloc(0);
  const large = next.body.kind === 'large' || next.body.kind === 'deep';
  const base = { method: next.method, target, timeoutMs: 15_000, headOnly: true };
  switch (next.framing) {
    case 'exact': return { raw: { ...base, headers, body: bytes }, brokenByClient: large };
    case 'short': return { raw: { ...base, headers, body: bytes, contentLength: Math.floor(bytes.length / 2) }, brokenByClient: true };
    case 'long': return { raw: { ...base, headers, body: bytes, contentLength: bytes.length + 100, endAfterSending: true }, brokenByClient: true };
    case 'none': return { raw: { ...base, headers, body: bytes, contentLength: 'none' }, brokenByClient: true };
    case 'chunked': return { raw: { ...base, headers: [...headers, ['transfer-encoding', 'chunked']], body: chunked(bytes), contentLength: 'none' }, brokenByClient: large };
    case 'chunked-bad-size': return { raw: { ...base, headers: [...headers, ['transfer-encoding', 'chunked']], body: chunked(bytes, { badSize: true }), contentLength: 'none' }, brokenByClient: true };
    case 'chunked-unended': return { raw: { ...base, headers: [...headers, ['transfer-encoding', 'chunked']], body: chunked(bytes, { end: false }), contentLength: 'none', endAfterSending: true }, brokenByClient: true };
    case 'chunked-and-length': return { raw: { ...base, headers: [...headers, ['transfer-encoding', 'chunked']], body: chunked(bytes) }, brokenByClient: true };
    case 'two-lengths': return { raw: { ...base, headers: [...headers, ['content-length', String(bytes.length + 1)]], body: bytes }, brokenByClient: true };
  }
}

describe('the gateway fuzzed with hostile headers and bodies', () => {
  it('answers every request in time, never with a 5xx but 503, and still serves the owner afterwards', async () => {
    console.log(`gateway fuzz: seed ${SEED}, ${RUNS} cases (replay with TOTE_FUZZ_SEED=${SEED}; TOTE_FUZZ_RUNS for more)`);
    const statuses = new Map<number, number>();
    let cases = 0;
    await fc.assert(fc.asyncProperty(fuzzCase, async (next) => {
      cases += 1;
      const { raw, brokenByClient } = request(next);
      let answer: RawAnswer;
      const started = Date.now();
      try {
        answer = await rawRequest(server.port, server.account.cert, raw);
      } catch (error) {
        throw new Error(`${next.method} ${next.route} (${next.framing}, ${next.body.kind}): ${(error as Error).message}`);
      }
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (process.env.TOTE_FUZZ_TRACE) appendFileSync(process.env.TOTE_FUZZ_TRACE, `${Date.now() - started} ms ${next.who} ${next.method} ${next.route} ${next.framing} ${next.body.kind} -> ${answer.status}\n`);
      const what = `${next.who} ${next.method} ${next.route} (${next.framing}, ${next.body.kind}) answered ${answer.status} ${answer.body.slice(0, 300)}`;
      if (answer.status === 0) expect(brokenByClient, what).toBe(true);
      else expect(answer.status < 500 || answer.status === 503, what).toBe(true);
      expect(crashed, 'the embedded CouchDB died').toBe(false);
    }), { seed: SEED, numRuns: RUNS, endOnFailure: true });
    console.log(`gateway fuzz: ${cases} cases, answers ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);

    // The owner signs in afresh, writes and reads: the gateway serves them as before.
    const signedIn = await client.logIn(server.account.username, server.account.password, 'after the fuzz');
    expect(signedIn.status).toBe(200);
    const fresh = (signedIn.body as { token: string }).token;
    const written = await client.request('POST', `/${owner.dbName}/_bulk_docs`, { token: fresh, body: { docs: [{ _id: 'after-fuzz', enc: 'x' }] } });
    expect(written.status, JSON.stringify(written.body)).toBe(201);
    const read = await client.request<{ rows: { id: string }[] }>('GET', `/${owner.dbName}/_all_docs`, { token: fresh });
    expect(read.body.rows.map((row) => row.id)).toContain('after-fuzz');
    expect((await client.request('GET', `/${owner.dbName}/_changes?since=0&limit=1`, { token: fresh })).status).toBe(200);
    expect(crashed).toBe(false);
    recordFaultRun({ kind: 'gateway-fuzz', faults: cases, changesWritten: 1, lost: 0, duplicated: 0, notConverged: 0, crashes: crashed ? 1 : 0, fuzzCases: cases });
  }, 900_000);
});
