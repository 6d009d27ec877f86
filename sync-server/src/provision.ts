/**
 * Idempotent setup of the CouchDB side: the server admin, CORS, one shopper account and that
 * shopper's database, whose `_security` admits only that shopper. Safe to run at every start.
 */
import type { Credentials } from './config.ts';
import { couchAdmin, CouchError, type CouchAdmin } from './couch-admin.ts';

/** couch_peruser's naming: "userdb-" + hex of the UTF-8 user name (the same rule as @tote/core). */
export function shopperDbName(username: string): string {
  return `userdb-${Buffer.from(username, 'utf8').toString('hex')}`;
}

/** On a fresh pouchdb-server ("admin party") the first admin must be created without credentials. */
export async function ensureAdmin(url: string, admin: Credentials): Promise<CouchAdmin> {
  const party = couchAdmin(url, null);
  const anonymous = await party.request<{ userCtx?: { roles?: string[] } }>('GET', '/_session');
  if (anonymous.body.userCtx?.roles?.includes('_admin')) await party.setConfig('admins', admin.name, admin.password);
  const authed = couchAdmin(url, admin);
  const session = await authed.request<{ userCtx?: { roles?: string[] } }>('GET', '/_session', undefined, [401]);
  if (!session.body?.userCtx?.roles?.includes('_admin')) {
    throw new CouchError(session.status, `the server did not accept "${admin.name}" as a server admin: check the admin credentials`, '/_session');
  }
  return authed;
}

export async function configureCors(couch: CouchAdmin, origins: readonly string[]): Promise<void> {
  await couch.setConfig('httpd', 'enable_cors', 'true');
  await couch.setConfig('chttpd', 'enable_cors', 'true');
  await couch.setConfig('cors', 'origins', origins.join(', '));
  await couch.setConfig('cors', 'credentials', 'true');
  await couch.setConfig('cors', 'headers', 'accept, authorization, content-type, origin, referer');
  await couch.setConfig('cors', 'methods', 'GET, PUT, POST, HEAD, DELETE');
}

export interface ProvisionedShopper {
  readonly name: string;
  readonly dbName: string;
}

export async function ensureShopper(couch: CouchAdmin, shopper: Credentials): Promise<ProvisionedShopper> {
  const userPath = `/_users/${encodeURIComponent(`org.couchdb.user:${shopper.name}`)}`;
  const existing = await couch.request<{ _rev?: string }>('GET', userPath, undefined, [404]);
  // Writing the password again keeps the account in step with the configuration.
  await couch.request('PUT', userPath, {
    ...(existing.status === 200 ? { _rev: existing.body._rev } : {}),
    _id: `org.couchdb.user:${shopper.name}`, name: shopper.name, password: shopper.password, roles: [], type: 'user',
  });
  const dbName = shopperDbName(shopper.name);
  await couch.request('PUT', `/${dbName}`, undefined, [412]);
  await couch.request('PUT', `/${dbName}/_security`, {
    admins: { names: [], roles: [] },
    members: { names: [shopper.name], roles: [] },
  });
  return { name: shopper.name, dbName };
}
