import { historyDbOf } from '../shopper-dbs.ts';

/**
 * Which CouchDB routes a caller may use through the gateway. Pure: a method, a path and who is asking
 * in; allowed or a refusal with its status out. Every path is decided here, nothing passes by default.
 *
 * - A CouchDB server admin (Fauxton, with CouchDB's own credentials): everything.
 * - A signed-in shopper or guest: their own databases only (the cart `<db>` and its history
 *   `<db>-history`, with the same rules), and in them only what replication and document access need.
 *   Never another's, and never `<db>-backups` (server admins only, docs/backups.md). No design documents, `_security`, maintenance or server-wide routes.
 * - Support and admin accounts of the gateway: no cart database at all (they work through `/_tote/...`).
 * - Nobody signed in: Fauxton's files and CouchDB's `/_session` (for admins to sign in), nothing else.
 *
 * The account's wrapped-key record (`/_tote/keyring`, decided by `decideKeyring`): a shopper's own,
 * through their session; no guest (its key stays on its device), no staff account, no CouchDB admin.
 *
 * Recovery with the recovery key (`/_tote/recover/keyring`, `/_tote/recover`, decided by
 * `decideRecovery`): open to callers without a session, like sign-in; the recovery proof in the body
 * is what the gateway checks (accounts.ts), rate-limited like failed sign-ins.
 */
export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'couch-admin' }
  | { readonly kind: 'account'; readonly dbName: string | null; readonly guest?: boolean };

export type Decision =
  | { readonly allow: true; readonly write: boolean; readonly db: string | null }
  | { readonly allow: false; readonly status: 401 | 403 | 405; readonly reason: string };

const PER_DB: Record<string, readonly string[]> = {
  _changes: ['GET', 'HEAD', 'POST'],
  _all_docs: ['GET', 'HEAD', 'POST'],
  _bulk_get: ['POST'],
  _bulk_docs: ['POST'],
  _revs_diff: ['POST'],
  _missing_revs: ['POST'],
  _ensure_full_commit: ['POST'],
  _find: ['POST'],
};

const WRITES = new Set(['PUT', 'POST', 'DELETE']);
const READ_ONLY_POSTS = new Set(['_changes', '_all_docs', '_bulk_get', '_revs_diff', '_missing_revs', '_find', '_ensure_full_commit']);

function segments(pathname: string): string[] | null {
  try {
    return pathname.split('/').filter((part) => part !== '').map((part) => decodeURIComponent(part));
  } catch {
    return null;
  }
}

export function decide(method: string, pathname: string, caller: Caller): Decision {
  const parts = segments(pathname);
  if (parts === null) return { allow: false, status: 403, reason: 'This address is not valid.' };
  const [first = '', second, ...rest] = parts;
  if (caller.kind === 'couch-admin') return { allow: true, write: WRITES.has(method), db: first.startsWith('_') ? null : first || null };
  if (first === '_utils' || (first === '_session' && parts.length === 1)) return { allow: true, write: false, db: null };
  if (caller.kind === 'anonymous') return { allow: false, status: 401, reason: 'Sign in first.' };
  if (first === '' ) return { allow: false, status: 403, reason: 'Only server admins can read the server root.' };
  if (first.startsWith('_')) return { allow: false, status: 403, reason: `Only server admins can use ${first}.` };
  if (!caller.dbName || (first !== caller.dbName && first !== historyDbOf(caller.dbName))) return { allow: false, status: 403, reason: 'This database belongs to another account.' };

  if (second === undefined) {
    if (method === 'GET' || method === 'HEAD') return { allow: true, write: false, db: first };
    if (method === 'POST') return { allow: true, write: true, db: first };
    return { allow: false, status: 403, reason: 'Only server admins can create or delete databases.' };
  }
  if (second === '_local') {
    if (rest.length === 1 && ['GET', 'HEAD', 'PUT', 'DELETE'].includes(method)) return { allow: true, write: method !== 'GET' && method !== 'HEAD', db: first };
    return { allow: false, status: 403, reason: 'Not allowed on local documents.' };
  }
  if (second.startsWith('_')) {
    const methods = PER_DB[second];
    if (!methods || rest.length > 0) return { allow: false, status: 403, reason: `Only server admins can use ${second}.` };
    if (!methods.includes(method)) return { allow: false, status: 405, reason: `${second} does not take ${method}.` };
    return { allow: true, write: method === 'POST' && !READ_ONLY_POSTS.has(second), db: first };
  }
  // A document (`/db/doc`) or one of its attachments (`/db/doc/file`).
  if (!['GET', 'HEAD', 'PUT', 'DELETE'].includes(method)) return { allow: false, status: 405, reason: `Documents do not take ${method}.` };
  return { allow: true, write: WRITES.has(method), db: first };
}

/**
 * `/_tote/keyring` and a key record sent with a password change: always the caller's own account (the
 * route names no account, so no session can reach another's). `write` for PUT; a password change carrying a record is decided as a PUT.
 */
export function decideKeyring(method: string, caller: Caller): Decision {
  if (caller.kind === 'anonymous') return { allow: false, status: 401, reason: 'Sign in first.' };
  if (caller.kind === 'couch-admin') return { allow: false, status: 403, reason: 'Key records belong to shoppers\' sessions.' };
  if (!caller.dbName) return { allow: false, status: 403, reason: 'Staff accounts hold no cart and no keys.' };
  if (caller.guest) return { allow: false, status: 403, reason: 'A guest cart\'s key stays on its device.' };
  if (method === 'GET' || method === 'HEAD') return { allow: true, write: false, db: caller.dbName };
  if (method === 'PUT') return { allow: true, write: true, db: caller.dbName };
  return { allow: false, status: 405, reason: `The keyring does not take ${method}.` };
}

/**
 * `/_tote/recover/keyring` (the key record for a recovery proof) and `/_tote/recover` (a new password
 * with it): anyone may ask, signed in or not, like sign-in; only POST. `write` for `/_tote/recover`,
 * which changes the account. `db` is null: which account is named in the body, not by the caller.
 */
export function decideRecovery(method: string, route: 'keyring' | 'recover', _caller: Caller): Decision {
  if (method !== 'POST') return { allow: false, status: 405, reason: `Recovery takes POST, not ${method}.` };
  return { allow: true, write: route === 'recover', db: null };
}
