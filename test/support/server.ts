/** Starts the real sync server on a free loopback port with a throw-away data folder. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSyncServer } from '@tote/sync-server';
import type { Account } from './devices.ts';

export interface TestServer {
  readonly account: Account;
  readonly dataDir: string;
  readonly port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder (after stop()). */
  restart(): Promise<void>;
  /** Stops it and deletes its data folder. */
  dispose(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tote-server-'));
  let running = await startSyncServer({ dataDir, port: 0, gatewayPort: 0 });
  const port = Number(new URL(running.url).port);
  const account: Account = { serverUrl: running.url, username: running.shopper.name, password: running.shopper.password };
  let stopped = false;
  return {
    account, dataDir, port,
    async stop() {
      stopped = true;
      await running.stop();
    },
    async restart() {
      running = await startSyncServer({ dataDir, port, gatewayPort: 0 });
      stopped = false;
    },
    async dispose() {
      if (!stopped) await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
