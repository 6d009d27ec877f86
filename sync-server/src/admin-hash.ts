/**
 * The embedded server's admin password hash. pouchdb-server stores admins in its config.json as
 * `-pbkdf2-<key>,<salt>,<iterations>` (PBKDF2-HMAC-SHA1, 20-byte key, hex salt) and hashes a plain password
 * with 10 iterations; it verifies any iteration count stored. Tote stores the admin with
 * `ADMIN_PBKDF2_ITERATIONS` and re-hashes a weaker stored hash at start.
 *
 * The count is a trade-off particular to pouchdb-server: it verifies the hash on every request with Basic
 * auth, in plain JavaScript on its single thread (about 10 µs per iteration), and the gateway forwards
 * every request it allows as the admin. Measured through the gateway (4 clients): 10 iterations 5 ms a
 * request, 1000: 10 ms, 5000: 28 ms, 10000: 70 ms. Apache CouchDB (COUCHDB_URL) hashes its admins itself.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import type { Credentials } from './config.ts';
import type { CouchAdmin } from './couch-admin.ts';

export const ADMIN_PBKDF2_ITERATIONS = 1000;

const STORED = /^-pbkdf2-([\da-f]+),([\da-f]+),(\d+)$/;

/** A hash pouchdb-server accepts as a stored admin password (it keeps values starting `-pbkdf2-` as they are). */
export function pouchdbAdminHash(password: string, iterations = ADMIN_PBKDF2_ITERATIONS, salt = randomBytes(16).toString('hex')): string {
  const key = pbkdf2Sync(password, salt, iterations, 20, 'sha1').toString('hex');
  return `-pbkdf2-${key},${salt},${iterations}`;
}

/** The iteration count of a stored admin hash; null for anything else (a plain password not yet hashed). */
export function adminHashIterations(stored: string | null): number | null {
  const match = STORED.exec(stored ?? '');
  return match ? Number(match[3]) : null;
}

/**
 * Rewrites the embedded server's admin hash when it was stored with fewer iterations (by pouchdb-server
 * itself, or by an older Tote). Only the hash changes: the password stays. Returns whether it rewrote.
 */
export async function ensureStrongAdminHash(couch: CouchAdmin, admin: Credentials, iterations = ADMIN_PBKDF2_ITERATIONS): Promise<boolean> {
  const stored = await couch.getConfig('admins', admin.name);
  if ((adminHashIterations(stored) ?? 0) >= iterations) return false;
  return couch.setConfig('admins', admin.name, pouchdbAdminHash(admin.password, iterations));
}
