/**
 * Idempotent setup of the CouchDB side: the server admin, CORS, one shopper account and that
 * shopper's database, whose `_security` admits only that shopper. Safe to run at every start: when
 * everything is already as configured it only reads (no new revisions, no config writes).
 */
import type { Credentials } from './config.ts';
import { couchAdmin, CouchError, passwordWorks, unlessMissing, type CouchAdmin } from './couch-admin.ts';
import { shopperDbName, syncedDbsOf } from './shopper-dbs.ts';

export { shopperDbName } from './shopper-dbs.ts';

/**
 * Returns a client authenticated as the server admin. A fresh pouchdb-server runs in "admin party"
 * (anyone is admin): the admin is created there first. Apache CouchDB 3 has no admin party; there the
 * admin must already exist (it is set up with CouchDB itself). `storedAs`: what to store for the password
 * (the embedded server's strong hash, admin-hash.ts); by default the password, hashed by the server.
 */
export async function ensureAdmin(url: string, admin: Credentials, storedAs: string = admin.password): Promise<CouchAdmin> {
  const party = couchAdmin(url, null);
  if ((await party.session()).roles.includes('_admin')) await party.setConfig('admins', admin.name, storedAs);
  const authed = couchAdmin(url, admin);
  const session = await authed.session().catch((error: unknown) => {
    if (error instanceof CouchError && error.status === 401) return null;
    throw error;
  });
  if (!session?.roles.includes('_admin')) {
    throw new CouchError(session ? 200 : 401, 'unauthorized', `the server does not accept "${admin.name}" as a server admin: check the admin credentials (admin.json or TOTE_ADMIN_*)`, 'GET', '/_session');
  }
  return authed;
}

export const CORS_HEADERS = 'accept, authorization, content-type, origin, referer';
export const CORS_METHODS = 'GET, PUT, POST, HEAD, DELETE';

/** CORS for the given exact origins (or `*`), with credentials. CouchDB 3 reads `[chttpd]`, pouchdb-server `[httpd]`. */
export async function configureCors(couch: CouchAdmin, origins: readonly string[]): Promise<void> {
  await couch.setConfig('httpd', 'enable_cors', 'true');
  await couch.setConfig('chttpd', 'enable_cors', 'true');
  // pouchdb-server splits on ", " exactly; CouchDB accepts that too.
  await couch.setConfig('cors', 'origins', origins.join(', '));
  await couch.setConfig('cors', 'credentials', 'true');
  await couch.setConfig('cors', 'headers', CORS_HEADERS);
  await couch.setConfig('cors', 'methods', CORS_METHODS);
}

/** The system databases a fresh single-node CouchDB 3 may lack (pouchdb-server has them). */
export async function ensureSystemDbs(couch: CouchAdmin): Promise<void> {
  for (const db of ['_users', '_replicator']) await couch.createDb(db);
}

export interface ProvisionedShopper {
  readonly name: string;
  readonly dbName: string;
  /** What this run changed: nothing on a second run with the same configuration. */
  readonly changed: { readonly user: boolean; readonly db: boolean; readonly security: boolean };
}

interface UserDoc {
  _id: string;
  _rev?: string;
  name: string;
  type: string;
  roles: string[];
  password?: string;
}


/**
 * The shopper in `_users` (type user, no roles, the configured password) and its own databases (the
 * cart and its history, `<db>-history`), where it is the only member and only server admins administer.
 * Never `PUT /{db}` as a non-admin: pouchdb-server crashes on it.
 */
export async function ensureShopper(couch: CouchAdmin, shopper: Credentials): Promise<ProvisionedShopper> {
  const id = `org.couchdb.user:${shopper.name}`;
  const users = couch.db<UserDoc>('_users');
  const current = await unlessMissing(users.get(id));
  const userInShape = current !== null && current.type === 'user' && current.name === shopper.name
    && Array.isArray(current.roles) && current.roles.length === 0;
  let userChanged = false;
  if (!userInShape || !(await passwordWorks(couch.url, shopper))) {
    const doc: UserDoc = { _id: id, name: shopper.name, type: 'user', roles: [], password: shopper.password };
    if (current?._rev) doc._rev = current._rev;
    await users.insert(doc, id);
    userChanged = true;
  }

  const dbName = shopperDbName(shopper.name);
  const wanted = { admins: { names: [], roles: [] }, members: { names: [shopper.name], roles: [] } };
  const same = (a: { readonly names?: readonly string[]; readonly roles?: readonly string[] } | undefined, b: { names: string[]; roles: string[] }): boolean =>
    JSON.stringify(a?.names ?? []) === JSON.stringify(b.names) && JSON.stringify(a?.roles ?? []) === JSON.stringify(b.roles);
  let dbCreated = false;
  let securityChanged = false;
  // The cart and its history (shopper-dbs.ts), with the same `_security`.
  for (const db of syncedDbsOf(dbName)) {
    const created = await couch.createDb(db);
    const security = await couch.getSecurity(db);
    const securityInShape = same(security.admins, wanted.admins) && same(security.members, wanted.members);
    if (!securityInShape) await couch.putSecurity(db, wanted);
    dbCreated ||= created;
    securityChanged ||= !securityInShape;
  }
  return { name: shopper.name, dbName, changed: { user: userChanged, db: dbCreated, security: securityChanged } };
}
