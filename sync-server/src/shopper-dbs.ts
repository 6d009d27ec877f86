/**
 * The databases of one shopper (or guest), all named from the shopper's cart database
 * (`userdb-<hex of name>`, couch_peruser's naming):
 *
 * | database              | holds                                            | reachable by                      |
 * |-----------------------|--------------------------------------------------|-----------------------------------|
 * | `<db>`                | the cart's items                                 | the shopper, through the gateway  |
 * | `<db>-history`        | the cart's history entries (docs/history.md)     | the shopper, through the gateway  |
 * | `<db>-backups`        | daily backups of both (docs/backups.md)          | server admins only                |
 *
 * `userdb-` names are hex after the prefix, so no shopper's database can be named like another's
 * `-history` or `-backups` database. The same helpers exist in @tote/core (core/src/sync/sync-target.ts).
 */
import { isDeepStrictEqual } from 'node:util';
import { couchStatus, type CouchAdmin, type SecurityObject } from './couch-admin.ts';

export type { SecurityObject } from './couch-admin.ts';

/** couch_peruser's naming: "userdb-" + hex of the UTF-8 user name (the same rule as @tote/core). */
export function shopperDbName(username: string): string {
  return `userdb-${Buffer.from(username, 'utf8').toString('hex')}`;
}

/** The shopper's synced history: `<shopperDb>-history`. */
export function historyDbOf(dbName: string): string {
  return `${dbName}-history`;
}

export function historyDbName(username: string): string {
  return historyDbOf(shopperDbName(username));
}

/** The shopper's daily backups (admins only, never reachable through the gateway by shoppers). */
export function backupsDbOf(dbName: string): string {
  return `${dbName}-backups`;
}

/** The databases a shopper syncs: the cart and its history. */
export function syncedDbsOf(dbName: string): readonly [string, string] {
  return [dbName, historyDbOf(dbName)];
}

/**
 * Whose synced database `db` is: the shopper's name for `<db>` or `<db>-history`, else null (a backups
 * database, a system database, a name not made by `shopperDbName`).
 */
export function shopperOfSyncedDb(db: string): string | null {
  const match = /^userdb-((?:[0-9a-f]{2})+)(-history)?$/.exec(db);
  if (!match) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(match[1]!, 'hex'));
  } catch {
    return null;
  }
}

/** Server admins only: the gateway reaches these databases for the shopper after its own checks. */
export const ADMINS_ONLY: SecurityObject = { admins: { names: [], roles: ['_admin'] }, members: { names: [], roles: ['_admin'] } };

/**
 * Creates `dbName` with `security` unless it exists (idempotent; a database that exists keeps its
 * `_security`). Returns whether it created it.
 */
export async function ensureDb(couch: CouchAdmin, dbName: string, security: SecurityObject): Promise<boolean> {
  if (!(await couch.createDb(dbName))) return false;
  await putSecurity(couch, dbName, security);
  return true;
}

/**
 * Sets `_security`. Two gateway instances can create the same database at once (both are told it was
 * created by the embedded server); the second write of `_security` may then be refused as a conflict,
 * which is fine when what is there is what was wanted.
 */
async function putSecurity(couch: CouchAdmin, dbName: string, security: SecurityObject): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await couch.putSecurity(dbName, security);
      return;
    } catch (error) {
      if (couchStatus(error) !== 409) throw error;
    }
    if (isDeepStrictEqual(await couch.getSecurity(dbName), security)) return;
  }
  throw new Error(`The access rules of ${dbName} could not be set: the server kept answering 409 conflict.`);
}

/** Deletes a database; one that is already gone is fine. */
export async function deleteDb(couch: CouchAdmin, dbName: string): Promise<void> {
  await couch.destroyDb(dbName);
}
