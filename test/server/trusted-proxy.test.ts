/**
 * The gateway behind a reverse proxy (TOTE_TRUST_PROXY, deploy/): the proxy's `X-Forwarded-For` names the
 * client, so request limits count per shopper's address, not the proxy's; anyone else's header is ignored.
 * Clients at other loopback addresses stand in for the proxy and for a client reaching the gateway directly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';

const PROXY = '127.0.0.2';
const PER_MINUTE = 3;

let server: RunningSyncServer;
let dataDir: string;
let proxy: GatewayClient;
let direct: GatewayClient;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-proxy-'));
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0, backupIntervalMs: 0, requestsPerMinute: PER_MINUTE, trustProxy: [PROXY] });
  proxy = gatewayClient(server.gateway.url, server.gateway.cert, { from: PROXY });
  direct = gatewayClient(server.gateway.url, server.gateway.cert, { from: '127.0.0.3' });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await direct?.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const statuses = async (client: GatewayClient, forwardedFor: string[]) => {
  const seen: number[] = [];
  for (const address of forwardedFor) seen.push((await client.request('GET', '/_tote/session', { headers: { 'x-forwarded-for': address } })).status);
  return seen;
};

describe('behind a trusted reverse proxy', () => {
  it('limits each client named by the proxy on its own, and ignores the header from anyone else', async () => {
    // Through the proxy: one shopper's address uses up its limit; another shopper behind the same proxy is not held up.
    expect(await statuses(proxy, Array(PER_MINUTE + 1).fill('203.0.113.7'))).toEqual([401, 401, 401, 429]);
    expect(await statuses(proxy, ['203.0.113.8'])).toEqual([401]);
    // Straight to the gateway, a made-up header changes nothing: the connection's address is counted.
    expect(await statuses(direct, ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'])).toEqual([401, 401, 401, 429]);
  });
});
