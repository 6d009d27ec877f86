/**
 * Configuration from the environment, with embedded defaults so `npm start` needs nothing else.
 * Generated secrets are kept in the data folder (mode 0600) and printed only when first generated.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DESKTOP_APP_ORIGIN } from '@tote/core/desktop-origin';

export interface Credentials {
  readonly name: string;
  readonly password: string;
}

export interface SyncServerConfig {
  /** Port of the embedded server (0 picks a free one). Ignored with `couchUrl`. */
  readonly port: number;
  /** Where the embedded server keeps its files (`<dataDir>/couch`) and where generated secrets are kept. */
  readonly dataDir: string;
  /** An Apache CouchDB 3.x to use instead of the embedded server (no trailing slash, no credentials). */
  readonly couchUrl: string | null;
  /** The server admin; null: generated once into `<dataDir>/admin.json`. Required with `couchUrl`. */
  readonly admin: Credentials | null;
  /** The shopper account; null: `shopper` with a password generated once into `<dataDir>/shopper.json`. */
  readonly shopper: Credentials | null;
  /** Origins allowed by CORS: exact origins (`scheme://host[:port]`) or `*`. */
  readonly corsOrigins: readonly string[];
  /** The gateway (HTTPS, the only address clients use). 0 picks a free port. */
  readonly gatewayPort: number;
  /** Where the gateway listens: loopback by default; `0.0.0.0` to serve other machines. */
  readonly gatewayHost: string;
  /** Origins the gateway admits by CORS: exact origins, or `chrome-extension://*` for every origin of a scheme. */
  readonly gatewayOrigins: readonly string[];
  /** A real certificate and key (PEM files); null: a self-signed one generated into `<dataDir>/tls/`. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  /**
   * The plain-HTTP trust page on loopback (gateway/trust-page.ts): null, the gateway's port + 1 (any free
   * port when the gateway's is 0); -1: none.
   */
  readonly trustPagePort: number | null;
  /** Redis for sessions, rate limits and live fan-out shared by several gateway instances; null: in memory. */
  readonly redisUrl: string | null;
  /** Requests per address per minute through the gateway. */
  readonly requestsPerMinute: number;
  /** How often shoppers' data is backed up (docs/backups.md): a day; 0 turns automatic backups off. */
  readonly backupIntervalMs: number;
  /**
   * Addresses (IPs or CIDR ranges) of reverse proxies in front of the gateway whose `X-Forwarded-For` names
   * the client; empty: none, the connection's address is the client's (rate limits count per address).
   */
  readonly trustProxy: readonly string[];
  /** Prometheus's bearer token for `/_tote/metrics` (docs/operations.md); null: only admin accounts read them. */
  readonly metricsToken: string | null;
  /** The gateway's request log on standard output (JSON lines, docs/operations.md); `silent`: none. */
  readonly logLevel: LogLevel;
}

export const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = typeof LOG_LEVELS[number];

/** The scrape token: long enough not to be guessed, and only characters a bearer header carries as they are. */
const METRICS_TOKEN = /^[A-Za-z0-9._~+/=-]{32,512}$/;

/** The name the brief and other packages may use. */
export type Config = SyncServerConfig;

/** The embedded server listens on loopback only. */
export const EMBEDDED_HOST = '127.0.0.1';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const defaultConfig: SyncServerConfig = {
  port: 5984,
  dataDir: path.join(repoRoot, 'data'),
  couchUrl: null,
  admin: null,
  shopper: null,
  corsOrigins: ['*'],
  gatewayPort: 6984,
  gatewayHost: EMBEDDED_HOST,
  // The extensions (any id: each install of an unpacked build has its own) and the desktop app's own origin.
  gatewayOrigins: ['chrome-extension://*', 'moz-extension://*', DESKTOP_APP_ORIGIN],
  tls: null,
  trustPagePort: null,
  redisUrl: null,
  requestsPerMinute: 3000,
  backupIntervalMs: 24 * 3600_000,
  trustProxy: [],
  metricsToken: null,
  // The library (tests, benchmarks) logs nothing unless asked; `npm start` logs requests (configFromEnv).
  logLevel: 'silent',
};

function credentialsFromEnv(env: NodeJS.ProcessEnv, userVar: string, passwordVar: string): Credentials | null {
  const name = env[userVar];
  const password = env[passwordVar];
  if (!name && !password) return null;
  if (!name || !password) throw new ConfigError(`Set both ${userVar} and ${passwordVar}, or neither.`);
  return { name, password };
}

/** Reads the TOTE_* and COUCHDB_URL variables (docs/sync-server.md); throws ConfigError on bad values. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): SyncServerConfig {
  if (env.TOTE_HOST && env.TOTE_HOST !== EMBEDDED_HOST) {
    throw new ConfigError(`TOTE_HOST can only be ${EMBEDDED_HOST}: the embedded server must not be reachable from other machines.`);
  }
  const portText = env.TOTE_PORT?.trim() || String(defaultConfig.port);
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new ConfigError(`TOTE_PORT must be a port number (0-65535), not "${env.TOTE_PORT}".`);
  let couchUrl: string | null = null;
  let admin = credentialsFromEnv(env, 'TOTE_ADMIN_USER', 'TOTE_ADMIN_PASSWORD');
  if (env.COUCHDB_URL) {
    const parsed = parseCouchUrl(env.COUCHDB_URL);
    couchUrl = parsed.url;
    admin ??= parsed.admin;
    if (!admin) throw new ConfigError('With COUCHDB_URL, set TOTE_ADMIN_USER and TOTE_ADMIN_PASSWORD to a CouchDB server admin (or put them in the URL).');
  }
  const gatewayPortText = env.TOTE_GATEWAY_PORT?.trim() || String(defaultConfig.gatewayPort);
  if (!/^\d+$/.test(gatewayPortText) || Number(gatewayPortText) > 65535) throw new ConfigError(`TOTE_GATEWAY_PORT must be a port number (0-65535), not "${env.TOTE_GATEWAY_PORT}".`);
  const rateText = env.TOTE_REQUESTS_PER_MINUTE?.trim() || String(defaultConfig.requestsPerMinute);
  if (!/^\d+$/.test(rateText) || Number(rateText) < 1) throw new ConfigError(`TOTE_REQUESTS_PER_MINUTE must be a positive whole number, not "${env.TOTE_REQUESTS_PER_MINUTE}".`);
  const backupText = env.TOTE_BACKUP_INTERVAL_MS?.trim() || String(defaultConfig.backupIntervalMs);
  if (!/^\d+$/.test(backupText)) throw new ConfigError(`TOTE_BACKUP_INTERVAL_MS must be a whole number of milliseconds (0: no automatic backups), not "${env.TOTE_BACKUP_INTERVAL_MS}".`);
  const trustText = env.TOTE_TRUST_PAGE_PORT?.trim();
  if (trustText && trustText !== 'off' && (!/^\d+$/.test(trustText) || Number(trustText) > 65535)) throw new ConfigError(`TOTE_TRUST_PAGE_PORT must be a port number (0-65535) or off, not "${env.TOTE_TRUST_PAGE_PORT}".`);
  if (Boolean(env.TOTE_TLS_CERT) !== Boolean(env.TOTE_TLS_KEY)) throw new ConfigError('Set both TOTE_TLS_CERT and TOTE_TLS_KEY (PEM files), or neither for a generated local certificate.');
  return validateConfig({
    gatewayPort: Number(gatewayPortText),
    gatewayHost: env.TOTE_GATEWAY_HOST?.trim() || defaultConfig.gatewayHost,
    gatewayOrigins: env.TOTE_GATEWAY_ORIGINS === undefined
      ? defaultConfig.gatewayOrigins
      : env.TOTE_GATEWAY_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean),
    tls: env.TOTE_TLS_CERT && env.TOTE_TLS_KEY ? { certFile: path.resolve(env.TOTE_TLS_CERT), keyFile: path.resolve(env.TOTE_TLS_KEY) } : null,
    trustPagePort: !trustText ? null : trustText === 'off' ? -1 : Number(trustText),
    redisUrl: env.REDIS_URL?.trim() || null,
    metricsToken: env.TOTE_METRICS_TOKEN?.trim() || null,
    logLevel: (env.TOTE_LOG_LEVEL?.trim() || 'info') as LogLevel,
    requestsPerMinute: Number(rateText),
    backupIntervalMs: Number(backupText),
    trustProxy: (env.TOTE_TRUST_PROXY ?? '').split(',').map((entry) => entry.trim()).filter(Boolean),
    port: Number(portText),
    dataDir: path.resolve(env.TOTE_DATA_DIR || defaultConfig.dataDir),
    couchUrl,
    admin,
    shopper: credentialsFromEnv(env, 'TOTE_SHOPPER_USER', 'TOTE_SHOPPER_PASSWORD'),
    corsOrigins: env.TOTE_CORS_ORIGINS === undefined
      ? defaultConfig.corsOrigins
      : env.TOTE_CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean),
  });
}

/** Splits `http://user:pass@host:5984/` into a clean base URL and the admin credentials it carried. */
function parseCouchUrl(text: string): { url: string; admin: Credentials | null } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`COUCHDB_URL is not a URL: "${text}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('COUCHDB_URL must start with http:// or https://.');
  const admin = url.username ? { name: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : null;
  url.username = '';
  url.password = '';
  return { url: url.toString().replace(/\/+$/, ''), admin: admin?.password ? admin : null };
}

/** Checks a whole configuration (also what startSyncServer is given); throws ConfigError. */
export function validateConfig(config: SyncServerConfig): SyncServerConfig {
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) throw new ConfigError(`The port must be 0-65535, not ${config.port}.`);
  if (!config.dataDir) throw new ConfigError('The data folder must be set.');
  if (config.couchUrl !== null && !/^https?:\/\/[^/]/.test(config.couchUrl)) throw new ConfigError(`The CouchDB URL must start with http:// or https://, not "${config.couchUrl}".`);
  if (config.couchUrl !== null && !config.admin) throw new ConfigError('An external CouchDB needs server admin credentials.');
  if (config.admin) checkCredentials(config.admin, 'admin');
  if (config.shopper) checkCredentials(config.shopper, 'shopper');
  if (!Number.isInteger(config.gatewayPort) || config.gatewayPort < 0 || config.gatewayPort > 65535) throw new ConfigError(`The gateway port must be 0-65535, not ${config.gatewayPort}.`);
  if (config.trustPagePort !== null && (!Number.isInteger(config.trustPagePort) || config.trustPagePort < -1 || config.trustPagePort > 65535)) throw new ConfigError(`The trust page port must be 0-65535, -1 (none) or null (the gateway's + 1), not ${config.trustPagePort}.`);
  if (!Number.isSafeInteger(config.backupIntervalMs) || config.backupIntervalMs < 0) throw new ConfigError(`The backup interval must be a whole number of milliseconds, 0 or more, not ${config.backupIntervalMs}.`);
  if (config.metricsToken !== null && !METRICS_TOKEN.test(config.metricsToken)) {
    throw new ConfigError('TOTE_METRICS_TOKEN must be 32 to 512 characters of letters, digits and ._~+/=- (for example: openssl rand -base64 32).');
  }
  if (!LOG_LEVELS.includes(config.logLevel)) throw new ConfigError(`TOTE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${config.logLevel}".`);
  if (config.redisUrl !== null && !/^rediss?:\/\//.test(config.redisUrl)) throw new ConfigError(`REDIS_URL must start with redis:// or rediss://, not "${config.redisUrl}".`);
  for (const origin of config.gatewayOrigins) {
    if (!/^[a-z][a-z0-9+.-]*:\/\/[^/\s,]+$/i.test(origin)) throw new ConfigError(`Gateway origin "${origin}" is not an origin like chrome-extension://<id> or https://example.com.`);
  }
  for (const entry of config.trustProxy) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined || (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128)))) {
      throw new ConfigError(`TOTE_TRUST_PROXY entry "${entry}" is not an IP address or a CIDR range like 172.28.0.10 or 10.0.0.0/8.`);
    }
  }
  if (config.corsOrigins.length === 0) throw new ConfigError('TOTE_CORS_ORIGINS must list at least one origin (or be *).');
  for (const origin of config.corsOrigins) {
    if (origin !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/[^/\s*,]+$/i.test(origin)) {
      throw new ConfigError(`CORS origin "${origin}" is not an exact origin like http://localhost:5173 (CouchDB accepts exact origins or *).`);
    }
  }
  return config;
}

/** CouchDB's rules for `_users` names, plus what Basic auth and the config file can carry. */
export function checkCredentials({ name, password }: Credentials, what: string): void {
  if (!name || name.length > 128) throw new ConfigError(`The ${what} user name must be 1-128 characters.`);
  if (name.startsWith('_')) throw new ConfigError(`The ${what} user name must not start with "_" (CouchDB reserves those).`);
  if (name.includes(':')) throw new ConfigError(`The ${what} user name must not contain ":" (Basic auth separates name and password with it).`);
  if (/[\s\p{Cc}]/u.test(name)) throw new ConfigError(`The ${what} user name must not contain spaces or control characters.`);
  if (!password) throw new ConfigError(`The ${what} password must not be empty.`);
}

export interface StoredCredentials extends Credentials {
  /** True when the password was generated just now (print it once). */
  readonly generated: boolean;
}

/** Returns the given credentials, or ones kept in `<dataDir>/<file>`, or new ones stored there (0600). */
export async function ensureCredentials(dataDir: string, file: string, defaultName: string, given: Credentials | null): Promise<StoredCredentials> {
  if (given) return { ...given, generated: false };
  const where = path.join(dataDir, file);
  let text: string | null = null;
  try {
    text = await readFile(where, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== null) {
    let stored: Partial<Credentials> | null = null;
    try {
      stored = JSON.parse(text) as Partial<Credentials>;
    } catch {
      // reported below
    }
    if (typeof stored?.name !== 'string' || typeof stored.password !== 'string' || !stored.name || !stored.password) {
      throw new ConfigError(`${where} is not valid ({"name": ..., "password": ...}): fix it, or delete it to generate new credentials.`);
    }
    return { name: stored.name, password: stored.password, generated: false };
  }
  const created = { name: defaultName, password: randomBytes(18).toString('base64url') };
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // 'wx': never overwrite a file another start wrote meanwhile.
  await writeFile(where, `${JSON.stringify(created)}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(where, 0o600); // the mode above is subject to the umask
  return { ...created, generated: true };
}
