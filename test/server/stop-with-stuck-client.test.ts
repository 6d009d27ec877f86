/**
 * A request that asks to upgrade to a WebSocket on a path the gateway refuses (one that does not parse,
 * so it never reaches the live channel's route) leaves Node's HTTP handling with its socket. The gateway
 * neither keeps such a socket open nor waits for it when it stops (npm start's Ctrl-C, a deploy's
 * SIGTERM): found by test/faults/gateway-fuzz.test.ts, where stopping hung for ever.
 */
import { execFileSync } from 'node:child_process';
import { UPGRADE_HANDSHAKE_MS } from '@tote/sync-server';
import { afterAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../support/raw-http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer | undefined;

afterAll(async () => {
  await server?.dispose();
});

/** Sockets the gateway holds open, as the system sees them. */
function gatewaySockets(port: number): number {
  return execFileSync('ss', ['-tnH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' }).split('\n').filter(Boolean).length;
}

const upgradeOnRefusedPath = {
  method: 'PUT', target: '/%ff%fe', headOnly: true,
  headers: [['content-type', 'application/json'], ['upgrade', 'websocket'], ['connection', 'upgrade']] as const,
  // Deeply nested JSON, 230 kB: the gateway answers before it has read it.
  body: `${'['.repeat(116_487)}${']'.repeat(116_487)}`,
};

describe('a socket that asked for an upgrade on a refused path', () => {
  it('is closed by the gateway, and does not keep the server from stopping', async () => {
    server = await startTestServer();
    const { port } = server;
    const before = gatewaySockets(port);
    expect((await rawRequest(port, server.account.cert, upgradeOnRefusedPath)).status).toBe(400);
    expect(gatewaySockets(port)).toBeGreaterThan(before);
    await expect.poll(() => gatewaySockets(port), { timeout: UPGRADE_HANDSHAKE_MS + 5_000, interval: 250 }).toBe(before);

    // Stopped while such a socket is still open.
    expect((await rawRequest(port, server.account.cert, upgradeOnRefusedPath)).status).toBe(400);
    const stopped = await Promise.race([
      server.stop().then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 5_000)),
    ]);
    expect(stopped, 'the server stops within 5 s').toBe(true);
  }, 60_000);
});
