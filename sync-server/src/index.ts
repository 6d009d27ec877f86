/**
 * @tote/sync-server: starts the sync server. Embedded (pouchdb-server on loopback) by default;
 * with `couchUrl` it provisions an existing Apache CouchDB 3.x instead. See docs/sync-server.md.
 */
import path from 'node:path';
import { defaultConfig, ensureCredentials, validateConfig, type Credentials, type SyncServerConfig } from './config.ts';
import { startEmbeddedCouch, type EmbeddedCouch } from './embedded-couch.ts';
import { ensureStrongAdminHash, pouchdbAdminHash } from './admin-hash.ts';
import { configureCors, ensureAdmin, ensureShopper, ensureSystemDbs } from './provision.ts';
import { backupSchedule, sharedBackupLock, type BackupRun, type BackupSchedule } from './backup-schedule.ts';
import { restoreBackup, type RestoreResult } from './backup-restore.ts';
import { ensureSignalsDb, watchSignals, type SignalWatch } from './server-signals.ts';
import { storageGuard, type StorageGuard } from './storage-guard.ts';
import { accountStore } from './gateway/accounts.ts';
import { auditLog } from './gateway/audit.ts';
import { startGateway, type Gateway } from './gateway/gateway.ts';
import { isDiskFull } from './gateway/storage-errors.ts';
import { defaultRateLimits, type RateLimitConfig } from './gateway/rate-limits.ts';
import { sessionService } from './gateway/sessions.ts';
import { fileBackedState, redisState, type SharedState } from './gateway/shared-state.ts';
import { ensureTls } from './gateway/tls.ts';
import { fileURLToPath } from 'node:url';
import { startTrustPage, type TrustPage } from './gateway/trust-page.ts';

export {
  ConfigError, configFromEnv, defaultConfig, validateConfig,
  type Config, type Credentials, type StoredCredentials, type SyncServerConfig,
} from './config.ts';
export {
  basicAuth, couchAdmin, CouchError, couchStatus, CouchUnreachableError, unlessMissing, type CouchAdmin, type SecurityObject,
} from './couch-admin.ts';
export { EmbeddedCouchError, freePort, startEmbeddedCouch, type EmbeddedCouch } from './embedded-couch.ts';
export { ADMIN_PBKDF2_ITERATIONS } from './admin-hash.ts';
export { ensureShopper, type ProvisionedShopper } from './provision.ts';
export { backupsDbOf, historyDbName, historyDbOf, shopperDbName } from './shopper-dbs.ts';
export { couchPasswordOf, couchUserOf } from './shopper-couch-users.ts';
export { ACCOUNTS_DB, GUEST_TTL_MS, SESSION_TIMEOUT, type Account, type Role } from './gateway/accounts.ts';
export { AUDIT_DB, type AuditEntry } from './gateway/audit.ts';
export { defaultRateLimits, type RateLimitConfig } from './gateway/rate-limits.ts';
export { UPGRADE_HANDSHAKE_MS } from './gateway/gateway.ts';
export {
  BACKUP_ATTACHMENT, BACKUP_KEEP_DAYS, BackupError, dayOf, findShopper, listBackups, readBackup,
  type BackupErrorCode, type BackupSummary, type BackupContent, type StoredDoc,
} from './backups.ts';
export { runBackups, type BackupRun } from './backup-schedule.ts';
export { CHECKSUM_FILE, exportBackups, importBackups, type ExportResult, type ImportResult } from './backup-files.ts';
export { restoreBackup, type RestoreResult, type RestoredDb } from './backup-restore.ts';
export { SIGNALS_DB } from './server-signals.ts';
export { AUTHORITY_NICKNAME, trustCommands, type TrustCommands } from './gateway/trust-commands.ts';
export { EXIT as SUPPORT_EXIT, runSupportCommand, SupportError, type SupportIo } from './support-cli.ts';
export { restorePointsOf, stampOfHistoryId, type RestorePoint } from './restore-points.ts';

/** The admin dashboard as `npm run build` leaves it (admin/, docs/operations.md). */
const ADMIN_UI_DIR = fileURLToPath(new URL('../../admin/dist', import.meta.url));

/** Settings for tests and tools that are not part of the environment configuration. */
export interface GatewayTuning {
  readonly rateLimits?: Partial<RateLimitConfig>;
  readonly maxDocBytes?: number;
  readonly maxHistoryDocBytes?: number;
  readonly maxBodyBytes?: number;
  readonly live?: { readonly warnBeforeMs: number; readonly checkEveryMs: number; readonly pingEveryMs?: number };
  /** The gateway's clock (tests move it to expire sessions and guests). */
  readonly now?: () => number;
  /** Where the request log goes instead of standard output (at the configured `logLevel`). */
  readonly logStream?: NodeJS.WritableStream;
  /** The built admin dashboard; `admin/dist` of this repository by default, null for none (the page then answers 503). */
  readonly adminUiDir?: string | null;
  /** Free bytes the embedded CouchDB's disk needs before it is started again after it filled up (storage-guard.ts); 64 MiB by default. */
  readonly minFreeBytes?: number;
}

export interface RunningGateway {
  /** What clients use: `https://localhost:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The certificate (PEM) clients must trust when it is self-signed. */
  readonly cert: string;
  readonly certFile: string;
  /** base64 SHA-256 of the certificate's public key, for Chromium's --ignore-certificate-errors-spki-list. */
  readonly spkiSha256: string;
  /** SHA-256 fingerprint of the server certificate (`AB:CD:…`), as `npm start` prints it and the desktop app pins it. */
  readonly fingerprint256: string;
  /** The local authority that signed a generated certificate (null with TOTE_TLS_CERT): the file to trust. */
  readonly authority: { readonly certFile: string; readonly cert: string; readonly fingerprint256: string; readonly generated: boolean } | null;
  /** True when this start replaced an older data folder's self-signed certificate with one the authority signed. */
  readonly migrated: boolean;
  /** The plain-HTTP trust page on loopback (gateway/trust-page.ts); null when off, or its port was taken (`trustPageProblem`). */
  readonly trustPage: { readonly url: string; readonly port: number } | null;
  readonly trustPageProblem: string | null;
  /** Removes guests idle for 7 days; returns how many. */
  cleanupGuests(): Promise<number>;
  /** Devices connected to the live channel of this instance. */
  liveConnections(): number;
  /** Every route the gateway serves, as declared: method(s) and pattern. */
  readonly routes: readonly { readonly method: string; readonly url: string }[];
  /** Writes pending audit entries. */
  flushAudit(): Promise<void>;
}

/** The daily backups this process keeps (docs/backups.md). */
export interface RunningBackups {
  /** One backup run now, on the server's clock (waits for a run already going). */
  run(): Promise<BackupRun>;
  /** Restores a shopper's cart and history from one day's backup; audited with `actor` and `reason`. */
  restore(shopper: string, day: string, by: { actor: string; reason: string }): Promise<RestoreResult>;
}

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
  /** The embedded server's process id, or null (a new one after it was started again, storage-guard.ts). */
  readonly pid: number | null;
  readonly admin: Credentials & { readonly generated: boolean };
  readonly shopper: Credentials & { readonly dbName: string; readonly dbUrl: string; readonly generated: boolean };
  /** The HTTPS gateway in front of CouchDB. */
  readonly gateway: RunningGateway;
  readonly backups: RunningBackups;
  /** Settles when the embedded server exits on its own or by stop(), not when it is restarted after a full disk (never, for an external CouchDB). */
  readonly exited: Promise<number | null>;
  /** Stops the embedded server (nothing to stop for an external CouchDB). Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts (or, with `couchUrl`, connects to) the server and provisions it. Options not given take the
 * defaults of `defaultConfig`, not the environment: `main.ts` passes `configFromEnv()` for that.
 */
export async function startSyncServer(options: Partial<SyncServerConfig> = {}, tuning: GatewayTuning = {}): Promise<RunningSyncServer> {
  const config = validateConfig({ ...defaultConfig, ...options });
  const now = tuning.now ?? Date.now;
  const admin = await ensureCredentials(config.dataDir, 'admin.json', 'admin', config.admin);
  const shopper = await ensureCredentials(config.dataDir, 'shopper.json', 'shopper', config.shopper);
  const tls = await ensureTls(config.dataDir, config.tls);
  let embedded: EmbeddedCouch | null = null;
  let state: SharedState | null = null;
  let gateway: Gateway | null = null;
  let backups: BackupSchedule | null = null;
  let signals: SignalWatch | null = null;
  let trustPage: TrustPage | null = null;
  let storage: StorageGuard | null = null;
  if (!config.couchUrl) embedded = await startEmbeddedCouch({ dataDir: config.dataDir, port: config.port });
  const url = embedded?.url ?? (config.couchUrl as string);
  // What `exited` reports: the embedded server's exit, unless the storage guard stopped it to reopen it.
  let reportExit: (code: number | null) => void = () => {};
  const exited = new Promise<number | null>((resolve) => { reportExit = resolve; });
  let reopening = false;
  const follow = (child: EmbeddedCouch) => void child.exited.then((code) => { if (!reopening) reportExit(code); });
  if (embedded) {
    follow(embedded);
    const first = embedded;
    storage = storageGuard({
      dir: first.dataDir, minFreeBytes: tuning.minFreeBytes ?? 64 * 1024 * 1024, checkEveryMs: 1_000,
      stop: async () => {
        reopening = true;
        await embedded!.stop();
      },
      start: async () => {
        embedded = await startEmbeddedCouch({ dataDir: config.dataDir, port: first.port });
        reopening = false;
        follow(embedded);
      },
      onError: (error) => console.error(`The embedded CouchDB could not be started again after its disk filled up: ${error instanceof Error ? error.message : String(error)}`),
    });
  }
  const guard = storage;
  try {
    // The embedded server's admin is stored with a strong hash from the start; a data folder from before
    // (pouchdb-server's own 10 iterations) is re-hashed.
    const couch = await ensureAdmin(url, admin, embedded ? pouchdbAdminHash(admin.password) : admin.password);
    if (embedded) await ensureStrongAdminHash(couch, admin);
    await ensureSystemDbs(couch);
    await configureCors(couch, config.corsOrigins);
    // Every request through the gateway would otherwise be a line in the embedded server's log.txt, a
    // cost paid on every sync request under load; warnings and errors are still written there.
    if (embedded) await couch.setConfig('log', 'level', 'warning');
    const { dbName } = await ensureShopper(couch, shopper);
    state = config.redisUrl ? await redisState(config.redisUrl) : await fileBackedState(path.join(config.dataDir, 'gateway-state.json'), now);
    const accounts = await accountStore(couch);
    await accounts.ensure({ name: admin.name, password: admin.password, role: 'admin' }, now());
    await accounts.ensure({ name: shopper.name, password: shopper.password, role: 'shopper' }, now());
    const audit = await auditLog(couch, (error) => {
      if (isDiskFull(String(error))) guard?.reportFull();
      console.error(`Audit log write failed: ${String(error)}`);
    });
    gateway = await startGateway({
      host: config.gatewayHost, port: config.gatewayPort, tls, couch, admin, accounts, state, audit,
      sessions: sessionService(state, now),
      rateLimits: { ...defaultRateLimits, requestsPerMinute: config.requestsPerMinute, ...tuning.rateLimits },
      corsOrigins: config.gatewayOrigins,
      maxDocBytes: tuning.maxDocBytes ?? 64 * 1024,
      ...(tuning.maxHistoryDocBytes !== undefined ? { maxHistoryDocBytes: tuning.maxHistoryDocBytes } : {}),
      maxBodyBytes: tuning.maxBodyBytes ?? 8 * 1024 * 1024,
      live: tuning.live ?? { warnBeforeMs: 2 * 60_000, checkEveryMs: 15_000 },
      trustProxy: config.trustProxy,
      now,
      metricsToken: config.metricsToken,
      log: { level: config.logLevel, ...(tuning.logStream ? { stream: tuning.logStream } : {}) },
      ...(guard ? { storage: guard } : {}),
      adminUiDir: tuning.adminUiDir === undefined ? ADMIN_UI_DIR : tuning.adminUiDir,
    });
    const running = gateway;
    // Server-side changes (a restore, possibly by the support tool in another process) reach the shopper's
    // connected devices through the live channel, once even with several gateways (server-signals.ts).
    await ensureSignalsDb(couch);
    signals = watchSignals(couch.url, admin, (id, signal) => void (async () => {
      if ((await state!.hit(`signal:${id}`, 3600_000)).count !== 1) return;
      for (const db of signal.dbs) await running.live.publish(signal.shopper, { type: 'changed', db, by: 'server' });
    })().catch(() => undefined), { onError: () => undefined });
    // With REDIS_URL, instances sharing Redis run each interval's backup once between them.
    backups = backupSchedule(couch, {
      intervalMs: config.backupIntervalMs, now, audit, lock: sharedBackupLock(state, config.backupIntervalMs),
      onError: (error) => console.error(`Backup failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    const schedule = backups;
    const gatewayPort = (running.app.server.address() as { port: number }).port;
    let trustPageProblem: string | null = null;
    if (config.trustPagePort !== -1) {
      const port = config.trustPagePort ?? (config.gatewayPort === 0 ? 0 : gatewayPort + 1);
      // Not fatal: the gateway works without it; the banner says why it is missing.
      trustPage = await startTrustPage({ port, gatewayUrl: running.url, tls, origins: config.gatewayOrigins }).catch((error: unknown) => {
        trustPageProblem = `the trust page could not listen on 127.0.0.1:${port} (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
        return null;
      });
    }
    const page = trustPage;
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
      get pid() {
        return embedded?.pid ?? null;
      },
      admin,
      shopper: { ...shopper, dbName, dbUrl: `${url}/${dbName}` },
      gateway: {
        url: running.url, port: gatewayPort, cert: tls.cert, certFile: tls.certFile, spkiSha256: tls.spkiSha256,
        fingerprint256: tls.fingerprint256, authority: tls.authority, migrated: tls.migrated,
        trustPage: page ? { url: page.url, port: page.port } : null, trustPageProblem,
        cleanupGuests: () => running.cleanupGuests(),
        liveConnections: () => running.live.connections,
        routes: running.routes,
        flushAudit: () => audit.flush(),
      },
      backups: {
        run: () => schedule.run(),
        restore: (shopper, day, by) => restoreBackup(couch, { shopper, day, ...by, now, audit }),
      },
      exited,
      stop: async () => {
        await guard?.close();
        await schedule.close();
        await signals?.close();
        await page?.close();
        await running.close().catch(() => {});
        await state?.close().catch(() => {});
        await embedded?.stop();
      },
    };
  } catch (error) {
    await guard?.close();
    await trustPage?.close();
    await backups?.close();
    await signals?.close();
    await gateway?.close().catch(() => {});
    await state?.close().catch(() => {});
    await embedded?.stop();
    throw error;
  }
}
