/**
 * The desktop app's origin and the first connection, against a sync server started with its defaults (no
 * extra origins): the gateway admits exactly the origin the desktop's main process registers and serves
 * the renderer from, and refuses every other; the local authority alone is enough to trust the gateway;
 * the trust page next to it explains, hands out the authority and tells an app why it was refused.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { fetch } from 'undici';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, DESKTOP_APP_ORIGIN } from '../../desktop/electron/app-protocol.ts';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';

let dataDir: string;
let server: RunningSyncServer;
let client: GatewayClient;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-desktop-origin-'));
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0 });
  // Trusting the authority only, as a shopper's system would: not the gateway's own certificate.
  client = gatewayClient(server.gateway.url, server.gateway.authority!.cert);
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const preflight = (origin: string) => client.request('OPTIONS', '/_tote/login', { headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });

describe('the desktop app\'s origin at a default sync server', () => {
  it('is the origin the main process serves the renderer from', () => {
    // Node's URL gives non-special schemes an opaque origin; Chromium serialises a registered standard scheme as scheme://host.
    const page = new URL(APP_INDEX_URL);
    expect(`${page.protocol}//${page.host}`).toBe(DESKTOP_APP_ORIGIN);
  });

  it('admits exactly that origin, with credentials, and refuses every other', async () => {
    const admitted = await preflight(DESKTOP_APP_ORIGIN);
    expect(admitted.status).toBeLessThan(300);
    expect(admitted.headers.get('access-control-allow-origin')).toBe(DESKTOP_APP_ORIGIN);
    expect(admitted.headers.get('access-control-allow-credentials')).toBe('true');
    const login = await client.request('POST', '/_tote/login', { headers: { origin: DESKTOP_APP_ORIGIN }, body: { name: server.shopper.name, password: server.shopper.password, device: 'Desktop' } });
    expect(login.status).toBe(200);
    expect(login.headers.get('access-control-allow-origin')).toBe(DESKTOP_APP_ORIGIN);
    for (const origin of ['file://', 'null', 'app://tote.evil', 'app://toter', 'app://other', 'https://tote', 'http://127.0.0.1:5173', 'tote://app']) {
      expect((await preflight(origin)).headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('lets that origin, and no web page, open the live channel', async () => {
    const open = (origin: string) => new Promise<number>((resolve) => {
      const socket = new WebSocket(`${server.gateway.url.replace('https:', 'wss:')}/_tote/live`, { ca: server.gateway.authority!.cert, origin });
      socket.on('open', () => { socket.close(); resolve(101); });
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('error', () => resolve(-1));
    });
    expect(await open(DESKTOP_APP_ORIGIN)).toBe(101);
    expect(await open('http://127.0.0.1:5173')).toBe(403);
  });
});

describe('the trust page', () => {
  it('listens on loopback next to the gateway and explains trust, with the commands and fingerprints', async () => {
    expect(server.gateway.trustPage).not.toBeNull();
    const answer = await fetch(`${server.gateway.trustPage!.url}/`);
    expect(answer.status).toBe(200);
    const html = await answer.text();
    expect(html).toContain(server.gateway.authority!.fingerprint256);
    expect(html).toContain(server.gateway.fingerprint256);
    expect(html).toContain('certutil -d &#34;sql:$HOME/.pki/nssdb&#34; -A -t &#34;C,,&#34;');
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('hands out the authority\'s certificate, never a key', async () => {
    const answer = await fetch(`${server.gateway.trustPage!.url}/tote-local-ca.crt`);
    const text = await answer.text();
    expect(text).toBe(server.gateway.authority!.cert);
    expect(text).not.toContain('PRIVATE');
  });

  it('serves nothing of the sync API', async () => {
    for (const target of ['/_tote/login', '/_session', `/${server.shopper.dbName}`, '/_utils/', '/_all_dbs']) {
      expect((await fetch(`${server.gateway.trustPage!.url}${target}`)).status, target).toBe(404);
    }
    expect((await fetch(`${server.gateway.trustPage!.url}/_tote/login`, { method: 'POST', body: '{}' })).status).toBe(405);
  });

  it('tells an app whether the gateway admits its origin', async () => {
    const probe = async (origin: string) => (await fetch(`${server.gateway.trustPage!.url}/probe`, { headers: { origin } })).json() as Promise<Record<string, unknown>>;
    expect(await probe(DESKTOP_APP_ORIGIN)).toMatchObject({ tote: 'sync-server', originAdmitted: true, gateway: server.gateway.url, certificateFingerprint: server.gateway.fingerprint256 });
    expect(await probe('http://127.0.0.1:5173')).toMatchObject({ originAdmitted: false });
  });
});
