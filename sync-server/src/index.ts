/**
 * @tote/sync-server: starts the sync server. Embedded (pouchdb-server on loopback) by default;
 * with `couchUrl` it provisions an existing Apache CouchDB 3.x instead. See docs/sync-server.md.
 */
import { defaultConfig, ensureCredentials, validateConfig, type Credentials, type SyncServerConfig } from './config.ts';
import { startEmbeddedCouch, type EmbeddedCouch } from './embedded-couch.ts';
import { configureCors, ensureAdmin, ensureShopper, ensureSystemDbs } from './provision.ts';

export {
  ConfigError, configFromEnv, defaultConfig, validateConfig,
  type Config, type Credentials, type StoredCredentials, type SyncServerConfig,
} from './config.ts';
export { basicAuth, couchAdmin, CouchError, CouchUnreachableError, type CouchAdmin } from './couch-admin.ts';
export { EmbeddedCouchError, freePort } from './embedded-couch.ts';
export { ensureShopper, shopperDbName, type ProvisionedShopper } from './provision.ts';

export interface RunningSyncServer {
  /** The base URL clients sync with (no trailing slash, no credentials). */
  readonly url: string;
  /** `url` with the admin credentials in it, for tools that take credentials only in the URL (PouchDB, nano). Secret. Node's fetch refuses such URLs. */
  readonly adminUrl: string;
  /** Fauxton, the admin web UI: `<url>/_utils/`. */
  readonly fauxtonUrl: string;
  /** True when this process started the embedded server; false with an external CouchDB. */
  readonly embedded: boolean;
  /** Where generated credentials (and, embedded, the databases) are kept. */
  readonly dataDir: string;
  /** The embedded server's database folder (one sub-folder per database), or null for an external CouchDB. */
  readonly couchDataDir: string | null;
  /** The embedded server's process id, or null. */
  readonly pid: number | null;
  readonly admin: Credentials & { readonly generated: boolean };
  readonly shopper: Credentials & { readonly dbName: string; readonly dbUrl: string; readonly generated: boolean };
  /** Settles when the embedded server exits on its own or by stop() (never, for an external CouchDB). */
  readonly exited: Promise<number | null>;
  /** Stops the embedded server (nothing to stop for an external CouchDB). Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts (or, with `couchUrl`, connects to) the server and provisions it. Options not given take the
 * defaults of `defaultConfig`, not the environment: `main.ts` passes `configFromEnv()` for that.
 */
export async function startSyncServer(options: Partial<SyncServerConfig> = {}): Promise<RunningSyncServer> {
  const config = validateConfig({ ...defaultConfig, ...options });
  const admin = await ensureCredentials(config.dataDir, 'admin.json', 'admin', config.admin);
  const shopper = await ensureCredentials(config.dataDir, 'shopper.json', 'shopper', config.shopper);
  let embedded: EmbeddedCouch | null = null;
  if (!config.couchUrl) embedded = await startEmbeddedCouch({ dataDir: config.dataDir, port: config.port });
  const url = embedded?.url ?? (config.couchUrl as string);
  try {
    const couch = await ensureAdmin(url, admin);
    await ensureSystemDbs(couch);
    await configureCors(couch, config.corsOrigins);
    const { dbName } = await ensureShopper(couch, shopper);
    const adminUrl = new URL(url);
    adminUrl.username = encodeURIComponent(admin.name);
    adminUrl.password = encodeURIComponent(admin.password);
    return {
      url,
      adminUrl: adminUrl.toString().replace(/\/$/, ''),
      fauxtonUrl: `${url}/_utils/`,
      embedded: embedded !== null,
      dataDir: config.dataDir,
      couchDataDir: embedded?.dataDir ?? null,
      pid: embedded?.pid ?? null,
      admin,
      shopper: { ...shopper, dbName, dbUrl: `${url}/${dbName}` },
      exited: embedded?.exited ?? new Promise<never>(() => {}),
      stop: async () => { await embedded?.stop(); },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
