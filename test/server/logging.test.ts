/**
 * The gateway's request log from the outside (docs/operations.md, "Logs"): the real sync server with its
 * log stream captured while a shopper signs up, signs in, syncs a cart with a known title, fails a
 * sign-in, and an admin signs in to Fauxton with CouchDB's cookie. Every line is JSON; each request is
 * one line with its request id (the `x-request-id` it was answered with), route kind, status and time;
 * and nothing in the whole log is a secret or names the shopper's cart: not the password, the session
 * token or id, the cookie, the title, the database, nor the shopper's name.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { gatewayClient, type Answer, type GatewayClient } from '../support/gateway.ts';

const NAME = 'logged.shopper@example.com';
const PASSWORD = 'Quiet lantern 4417 orchard';
const WRONG_PASSWORD = 'Loud lantern 9921 meadow';
const TITLE = 'Enamel teapot, sage green 6183';

let server: RunningSyncServer;
let client: GatewayClient;
let dataDir: string;
let log = '';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-logging-'));
  const logStream = new Writable({ write(chunk, _encoding, done) { log += String(chunk); done(); } });
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0, logLevel: 'info' }, { logStream });
  client = gatewayClient(server.gateway.url, server.gateway.cert);
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Line { level: number; time: string; reqId?: string; msg: string; method?: string; route?: string; status?: number; ms?: number; error?: string }

describe('the request log', () => {
  it('has one JSON line per request, and no secret and no cart in any line', async () => {
    const answers: Answer<unknown>[] = [];
    const send = async <T = Record<string, unknown>>(method: string, target: string, options?: Parameters<GatewayClient['request']>[2]) => {
      const answer = await client.request<T>(method, target, options);
      answers.push(answer);
      return answer;
    };
    const signUp = await send<{ token: string; session: { id: string }; account: { dbName: string } }>('POST', '/_tote/signup', { body: { name: NAME, password: PASSWORD, device: 'kitchen laptop' } });
    expect(signUp.status).toBe(201);
    const dbName = signUp.body.account.dbName;
    const signIn = await send<{ token: string; session: { id: string } }>('POST', '/_tote/login', { body: { name: NAME, password: PASSWORD, device: 'phone' } });
    expect(signIn.status).toBe(200);
    const { token } = signIn.body;
    // The cart synced as a stock CouchDB client would: the title in plain text in the bodies both ways.
    expect((await send('POST', `/${dbName}/_bulk_docs`, { token, body: { docs: [{ _id: 'item-teapot', title: TITLE }] } })).status).toBe(201);
    expect((await send('PUT', `/${dbName}/_local/checkpoint-1`, { token, body: { last_seq: 1, note: TITLE } })).status).toBe(201);
    const pulled = await send<{ results: { doc: { title: string } }[] }>('GET', `/${dbName}/_changes?since=0&include_docs=true`, { token });
    expect(pulled.body.results.map((row) => row.doc.title)).toEqual([TITLE]);
    expect((await send('POST', `/${dbName}/_all_docs`, { token, body: { keys: ['item-teapot'] } })).status).toBe(200);
    expect((await send('POST', '/_tote/login', { body: { name: NAME, password: WRONG_PASSWORD } })).status).toBe(401);
    expect((await send('POST', `/${dbName}/_bulk_docs`, { token: 'not-a-session', body: { docs: [{ title: TITLE }] } })).status).toBe(401);
    // Fauxton's sign-in: CouchDB's cookie, used through the gateway.
    const fauxton = await send('POST', '/_session', { body: { name: server.admin.name, password: server.admin.password } });
    expect(fauxton.status).toBe(200);
    const cookie = /AuthSession=([^;]+)/.exec(fauxton.headers.get('set-cookie') ?? '')?.[1];
    expect(cookie).toBeTruthy();
    expect((await send('GET', `/${dbName}/item-teapot`, { headers: { cookie: `AuthSession=${cookie}` } })).status).toBe(200);
    const live = await client.live(token);
    await live.next('ready');
    live.close();

    await expect.poll(() => log.split('\n').filter((text) => text.includes('"msg":"request"')).length).toBeGreaterThanOrEqual(answers.length);
    const lines = log.trim().split('\n').map((text) => JSON.parse(text) as Line);
    const requests = lines.filter((line) => line.msg === 'request');
    for (const answer of answers) {
      const id = answer.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const mine = requests.filter((line) => line.reqId === id);
      expect(mine, `one line for ${id}`).toHaveLength(1);
      expect(mine[0]!.status).toBe(answer.status);
      expect(typeof mine[0]!.ms).toBe('number');
      expect(new Date(mine[0]!.time).toISOString()).toBe(mine[0]!.time);
    }
    const lineOf = (answer: Answer<unknown>) => requests.find((line) => line.reqId === answer.headers.get('x-request-id'))!;
    expect(lineOf(signUp)).toMatchObject({ method: 'POST', route: 'signup', status: 201 });
    expect(lineOf(answers[2]!)).toMatchObject({ method: 'POST', route: 'couch:_bulk_docs', status: 201 });
    expect(lineOf(answers[3]!)).toMatchObject({ method: 'PUT', route: 'couch:local', status: 201 });
    expect(lineOf(answers[6]!)).toMatchObject({ route: 'login', status: 401, error: 'unauthorized' });
    expect(lineOf(fauxton)).toMatchObject({ route: 'couch:sign-in', status: 200 });
    expect(lineOf(answers[answers.length - 1]!)).toMatchObject({ route: 'couch:admin', status: 200 });

    for (const [what, secret] of [
      ['password', PASSWORD], ['wrong password', WRONG_PASSWORD], ['admin password', server.admin.password], ['session token', token],
      ['first session token', signUp.body.token], ['session id', signIn.body.session.id], ['cookie', cookie!], ['title', TITLE],
      ['database', dbName], ['shopper name', NAME], ['device name', 'kitchen laptop'],
    ] as const) {
      expect(log.includes(secret), `the log holds the ${what}`).toBe(false);
    }
  });
});
