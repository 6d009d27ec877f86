/**
 * Least privilege towards CouchDB (docs/sync-server.md, "Least privilege"): every shopper and guest has
 * a CouchDB user of their own, `tote-<db>`, a member of exactly their cart database and its history, and
 * the gateway forwards their requests with that user's credentials, never the server admin's. CouchDB's
 * own `_security` then refuses another shopper's database, a system database, design documents and
 * `_security` itself, even if the gateway's access rules (gateway/access.ts) ever let such a request by.
 *
 * The user's password is derived, never stored: HMAC-SHA-256 of the database name under the server
 * admin's password. Every gateway instance holds the admin's credentials (it provisions), so every
 * instance derives the same password without sharing a new secret; 256 random-looking bits, so the
 * weak hash pouchdb-server keeps for `_users` (PBKDF2, 10 iterations) protects nothing guessable.
 *
 * Works on the embedded pouchdb-server (pouchdb-security enforces members and keeps design documents to
 * database admins) and on Apache CouchDB 3.x (the same `_users` and `_security` contract).
 * Never `PUT /{db}` as this user: pouchdb-server crashes on it (FACTS.md).
 */
import { createHmac } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Credentials } from './config.ts';
import { basicAuth, couchStatus, passwordWorks, unlessMissing, type CouchAdmin } from './couch-admin.ts';
import { ensureDb, syncedDbsOf, type SecurityObject } from './shopper-dbs.ts';

/** The CouchDB user of the shopper whose cart database is `dbName`. */
export function couchUserOf(dbName: string): string {
  return `tote-${dbName}`;
}

/** That user's password, derived from the server admin's (never stored by the gateway). */
export function couchPasswordOf(admin: Credentials, dbName: string): string {
  return createHmac('sha256', admin.password).update(`tote shopper couch user v1\0${dbName}`).digest('base64url');
}

/**
 * The `_security` of a shopper's two databases: the shopper's CouchDB user is the one member; only
 * server admins administer. Names already there (the configured shopper's own CouchDB user, provision.ts)
 * are kept.
 */
export function shopperSecurity(dbName: string, current: Partial<SecurityObject> | null): SecurityObject {
  const keep = (current?.members?.names ?? []).filter((name) => name !== couchUserOf(dbName) && !name.startsWith('tote-'));
  return { admins: { names: [], roles: ['_admin'] }, members: { names: [...keep, couchUserOf(dbName)].sort(), roles: [] } };
}

interface UserDoc {
  _id: string;
  _rev?: string;
  name: string;
  type: 'user';
  roles: string[];
  password?: string;
}

/**
 * Makes sure the shopper's CouchDB user exists with its derived password and is the member of both of
 * the shopper's databases (created when missing, as older accounts may lack `<db>-history`). Idempotent:
 * when all is in place it only reads. Returns the credentials to forward with.
 */
export async function ensureShopperCouchUser(couch: CouchAdmin, admin: Credentials, dbName: string): Promise<Credentials> {
  const credentials = { name: couchUserOf(dbName), password: couchPasswordOf(admin, dbName) };
  const id = `org.couchdb.user:${credentials.name}`;
  const users = couch.db<UserDoc>('_users');
  const current = await unlessMissing(users.get(id));
  const inShape = current !== null && current.type === 'user' && current.name === credentials.name && Array.isArray(current.roles) && current.roles.length === 0;
  if (!inShape || !(await passwordWorks(couch.url, credentials))) {
    const doc: UserDoc = { _id: id, name: credentials.name, type: 'user', roles: [], password: credentials.password };
    if (current?._rev) doc._rev = current._rev;
    // Another gateway instance may be writing the same user at the same moment: then its write must work.
    const conflict = await users.insert(doc, id).then(() => false, (error: unknown) => {
      if (couchStatus(error) === 409) return true;
      throw error;
    });
    if (conflict && !(await passwordWorks(couch.url, credentials))) {
      throw new Error(`The CouchDB user ${credentials.name} was changed at the same time and does not sign in; try again.`);
    }
  }
  for (const db of syncedDbsOf(dbName)) {
    const created = await ensureDb(couch, db, shopperSecurity(dbName, null));
    if (created) continue;
    const security = await couch.getSecurity(db);
    const wanted = shopperSecurity(dbName, security);
    if (!isDeepStrictEqual(security, wanted)) await couch.putSecurity(db, wanted);
  }
  return credentials;
}

/** Removes the shopper's CouchDB user (with the account; its databases are deleted by the caller). */
export async function removeShopperCouchUser(couch: CouchAdmin, dbName: string): Promise<void> {
  const id = `org.couchdb.user:${couchUserOf(dbName)}`;
  const users = couch.db<UserDoc>('_users');
  const found = await unlessMissing(users.get(id));
  if (found?._rev) {
    await users.destroy(id, found._rev).catch((error: unknown) => {
      if (couchStatus(error) !== 404 && couchStatus(error) !== 409) throw error;
    });
  }
}

/** Per gateway process: each shopper's user is checked once, then its credentials are reused. */
export interface ShopperCouchUsers {
  /** The `Authorization` header to forward the shopper's requests with. */
  authorization(dbName: string): Promise<string>;
  /** Forgets a shopper (removed account), so a later account of the same name is provisioned anew. */
  forget(dbName: string): void;
}

export function shopperCouchUsers(couch: CouchAdmin, admin: Credentials): ShopperCouchUsers {
  const known = new Map<string, Promise<string>>();
  return {
    authorization(dbName) {
      let header = known.get(dbName);
      if (!header) {
        header = ensureShopperCouchUser(couch, admin, dbName).then(basicAuth);
        known.set(dbName, header);
        header.catch(() => known.delete(dbName));
      }
      return header;
    },
    forget(dbName) {
      known.delete(dbName);
    },
  };
}
