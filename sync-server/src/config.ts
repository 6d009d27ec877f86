/**
 * Configuration from the environment, with embedded defaults so `npm start` needs nothing else.
 * Generated secrets are kept in the data folder (mode 0600) and printed only when first generated.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Credentials {
  readonly name: string;
  readonly password: string;
}

export interface SyncServerConfig {
  /** Port of the embedded server (0 picks a free one). */
  readonly port: number;
  /** Where the embedded server keeps its files and where generated secrets are kept. */
  readonly dataDir: string;
  /** An Apache CouchDB 3.x to use instead of the embedded server. */
  readonly couchUrl: string | null;
  readonly admin: Credentials | null;
  readonly shopper: Credentials | null;
  /** Origins allowed by CORS (the desktop renderer's; the extension needs none). */
  readonly corsOrigins: readonly string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function credentialsFromEnv(env: NodeJS.ProcessEnv, userVar: string, passwordVar: string): Credentials | null {
  const name = env[userVar];
  const password = env[passwordVar];
  if (!name && !password) return null;
  if (!name || !password) throw new ConfigError(`Set both ${userVar} and ${passwordVar}, or neither.`);
  return { name, password };
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): SyncServerConfig {
  const port = Number(env.TOTE_PORT ?? 5984);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`TOTE_PORT must be a port number, not "${env.TOTE_PORT}".`);
  const couchUrl = env.COUCHDB_URL ? env.COUCHDB_URL.replace(/\/+$/, '') : null;
  if (couchUrl && !/^https?:\/\//.test(couchUrl)) throw new ConfigError('COUCHDB_URL must start with http:// or https://.');
  const admin = credentialsFromEnv(env, 'TOTE_ADMIN_USER', 'TOTE_ADMIN_PASSWORD');
  if (couchUrl && !admin) throw new ConfigError('With COUCHDB_URL, set TOTE_ADMIN_USER and TOTE_ADMIN_PASSWORD to a CouchDB server admin.');
  return {
    port,
    dataDir: path.resolve(env.TOTE_DATA_DIR ?? path.join(repoRoot, 'data')),
    couchUrl,
    admin,
    shopper: credentialsFromEnv(env, 'TOTE_SHOPPER_USER', 'TOTE_SHOPPER_PASSWORD'),
    corsOrigins: (env.TOTE_CORS_ORIGINS ?? '*').split(',').map((origin) => origin.trim()).filter(Boolean),
  };
}

export interface StoredCredentials extends Credentials {
  /** True when the password was generated just now (print it once). */
  readonly generated: boolean;
}

/** Returns the given credentials, or ones kept in `<dataDir>/<file>`, or new ones stored there. */
export async function ensureCredentials(dataDir: string, file: string, defaultName: string, given: Credentials | null): Promise<StoredCredentials> {
  if (given) return { ...given, generated: false };
  const where = path.join(dataDir, file);
  try {
    const stored = JSON.parse(await readFile(where, 'utf8')) as Credentials;
    if (typeof stored.name === 'string' && typeof stored.password === 'string') return { ...stored, generated: false };
    throw new ConfigError(`${where} is not valid: delete it to generate new credentials.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const created = { name: defaultName, password: randomBytes(18).toString('base64url') };
  await mkdir(dataDir, { recursive: true });
  await writeFile(where, `${JSON.stringify(created)}\n`, { mode: 0o600 });
  return { ...created, generated: true };
}
