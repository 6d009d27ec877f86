/**
 * @tote/sync-server: starts the sync server. Embedded (pouchdb-server on loopback) by default;
 * with `couchUrl` it provisions an existing Apache CouchDB 3.x instead. See docs/sync-server.md.
 */
import { configFromEnv, ensureCredentials, type Credentials, type SyncServerConfig } from './config.ts';
import { startEmbeddedCouch, type EmbeddedCouch } from './embedded-couch.ts';
import { configureCors, ensureAdmin, ensureShopper } from './provision.ts';

export { ConfigError, configFromEnv, type Credentials, type SyncServerConfig } from './config.ts';
export { CouchError } from './couch-admin.ts';
export { shopperDbName } from './provision.ts';

export interface RunningSyncServer {
  /** The base URL clients sync with. */
  readonly url: string;
  readonly embedded: boolean;
  /** The embedded server's database folder (one sub-folder per database), or null for an external CouchDB. */
  readonly couchDataDir: string | null;
  readonly admin: Credentials & { readonly generated: boolean };
  readonly shopper: Credentials & { readonly dbName: string; readonly dbUrl: string; readonly generated: boolean };
  stop(): Promise<void>;
}

export async function startSyncServer(overrides: Partial<SyncServerConfig> = {}): Promise<RunningSyncServer> {
  const config: SyncServerConfig = { ...configFromEnv({}), ...overrides };
  const admin = await ensureCredentials(config.dataDir, 'admin.json', 'admin', config.admin);
  const shopper = await ensureCredentials(config.dataDir, 'shopper.json', 'shopper', config.shopper);
  let embedded: EmbeddedCouch | null = null;
  const url = config.couchUrl ?? (embedded = await startEmbeddedCouch({ dataDir: config.dataDir, port: config.port })).url;
  try {
    const couch = await ensureAdmin(url, admin);
    await configureCors(couch, config.corsOrigins);
    const { dbName } = await ensureShopper(couch, shopper);
    return {
      url,
      embedded: embedded !== null,
      couchDataDir: embedded?.dataDir ?? null,
      admin,
      shopper: { ...shopper, dbName, dbUrl: `${url}/${dbName}` },
      stop: async () => { await embedded?.stop(); },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
