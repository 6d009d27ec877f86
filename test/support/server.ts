/** Starts the real sync server (embedded CouchDB behind the HTTPS gateway) on free loopback ports with a throw-away data folder. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSyncServer, type GatewayTuning, type RunningSyncServer } from '@tote/sync-server';
import type { Account } from './devices.ts';

export interface TestServer {
  readonly account: Account;
  readonly dataDir: string;
  /** The gateway's port (kept across restarts). */
  readonly port: number;
  readonly running: RunningSyncServer;
  stop(): Promise<void>;
  /** Starts it again on the same ports and data folder (after stop()). */
  restart(): Promise<void>;
  /** Stops it and deletes its data folder. */
  dispose(): Promise<void>;
}

/** `origins`: extra web origins the gateway admits by CORS (a test page serving the desktop renderer). */
export async function startTestServer(options: { origins?: string[]; tuning?: GatewayTuning } = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tote-server-'));
  const gatewayOrigins = ['chrome-extension://*', ...(options.origins ?? [])];
  let running = await startSyncServer({ dataDir, port: 0, gatewayPort: 0, gatewayOrigins }, options.tuning);
  const couchPort = Number(new URL(running.url).port);
  const port = running.gateway.port;
  const account: Account = {
    serverUrl: `https://127.0.0.1:${port}`, username: running.shopper.name, password: running.shopper.password, cert: running.gateway.cert,
  };
  let stopped = false;
  return {
    account, dataDir, port,
    get running() {
      return running;
    },
    async stop() {
      stopped = true;
      await running.stop();
    },
    async restart() {
      running = await startSyncServer({ dataDir, port: couchPort, gatewayPort: port, gatewayOrigins }, options.tuning);
      stopped = false;
    },
    async dispose() {
      if (!stopped) await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
