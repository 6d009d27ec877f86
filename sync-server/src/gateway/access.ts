/**
 * Which CouchDB routes a caller may use through the gateway, and with whose CouchDB credentials the
 * request is forwarded. Pure: a method, the request target as read once (request-target.ts) and who
 * is asking in; allowed or a refusal with its status out. The rules are an allow-list per role
 * (docs/sync-server.md, "Access rules"); nothing passes by default.
 *
 * - A CouchDB server admin (Fauxton, with CouchDB's own credentials): everything, forwarded with the
 *   admin's own credentials (the gateway adds none).
 * - A signed-in shopper or guest: their own databases only (the cart `<db>` and its history
 *   `<db>-history`, with the same rules), and in them only what replication needs: the database's
 *   info, `_changes`, `_all_docs`, `_bulk_get`, `_bulk_docs`, `_revs_diff`, `_ensure_full_commit`,
 *   documents whose id does not start with `_`, and `_local` checkpoints. Never another's database,
 *   `<db>-backups`, design documents, `_security`, `_index`, views, attachments, or a server-wide
 *   route; `GET /_session` answers as the shopper's own CouchDB user (forwarded without its query). Forwarded with that CouchDB
 *   user's credentials (shopper-couch-users.ts), a member of just these two databases, so CouchDB's
 *   own `_security` refuses anything else even if these rules ever erred.
 * - Support and admin accounts of the gateway: no cart database at all (they work through `/_tote/...`).
 * - Nobody signed in: only CouchDB's sign-in (`POST /_session`, Fauxton's form), forwarded without
 *   credentials and without its query; Fauxton's pages (`/_utils`) answer 401 with a Basic challenge, so the browser asks for
 *   the server admin's name and password first.
 *
 * The account's wrapped-key record (`/_tote/keyring`, decided by `decideKeyring`): a shopper's own,
 * through their session; no guest (its key stays on its device), no staff account, no CouchDB admin.
 *
 * Recovery with the recovery key (`/_tote/recover/keyring`, `/_tote/recover`, decided by
 * `decideRecovery`): open to callers without a session, like sign-in; the recovery proof in the body
 * is what the gateway checks (accounts.ts), rate-limited like failed sign-ins.
 *
 * Operations (docs/operations.md): `/_tote/health` and `/_tote/ready` answer anyone (they tell only
 * whether the server and its dependencies are up); `/_tote/metrics` (decided by `decideMetrics`) only the
 * scrape token or an admin account's session.
 */
import { historyDbOf } from '../shopper-dbs.ts';
import type { Role } from './accounts.ts';
import { readTarget, type RequestTarget } from './request-target.ts';

export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'couch-admin' }
  | { readonly kind: 'account'; readonly dbName: string | null; readonly guest?: boolean };

/** What a shopper's request does, as the body rules (couch-bodies.ts) and the audit log name it. */
export type ShopperRoute =
  | 'db' | 'doc' | 'local' | 'session'
  | '_changes' | '_all_docs' | '_bulk_get' | '_bulk_docs' | '_revs_diff' | '_ensure_full_commit';

/**
 * With whose credentials CouchDB gets the request: `shopper`, the caller's own CouchDB user (a member
 * of just its databases); `caller`, the credentials the caller sent (CouchDB admins); `none`.
 */
export type ForwardAs = 'shopper' | 'caller' | 'none';

/** A refusal, with the status the gateway answers; `challenge`: ask for Basic credentials (Fauxton). */
export type Refusal = { readonly allow: false; readonly status: 400 | 401 | 403 | 405; readonly reason: string; readonly challenge?: true };
/** Allowed: whether it writes, and which shopper database it is about (for the audit log and the live channel). */
export type Permit = { readonly allow: true; readonly write: boolean; readonly db: string | null };

/** A decision on a CouchDB route. */
export type Decision =
  | Permit & {
    readonly forward: ForwardAs;
    /** The route, for shoppers; null for CouchDB admins and CouchDB's sign-in. */
    readonly route: ShopperRoute | null;
    /** The target as read: the one form the upstream URL is built from. */
    readonly target: RequestTarget;
  }
  | Refusal;

/** A decision on one of the gateway's own routes (`/_tote/...`). */
export type RouteDecision = Permit | Refusal;

const PER_DB: Partial<Record<ShopperRoute, readonly string[]>> = {
  // No HEAD: a feed's head would wait as long as the feed (the embedded server never ends a longpoll
  // without a change, whatever its timeout), and no client asks the feed for headers alone.
  _changes: ['GET', 'POST'],
  _all_docs: ['GET', 'HEAD', 'POST'],
  _bulk_get: ['POST'],
  _bulk_docs: ['POST'],
  _revs_diff: ['POST'],
  _ensure_full_commit: ['POST'],
};
const READ_ONLY_POSTS = new Set<ShopperRoute>(['_changes', '_all_docs', '_bulk_get', '_revs_diff', '_ensure_full_commit']);
const DOC_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE'];
const isRead = (method: string) => method === 'GET' || method === 'HEAD';
/**
 * Checkpoints of replicators: CouchDB's are hex digests, PouchDB's base64 with `.` and `_` for `/` and `+`
 * (so they may start with `_`, or with `.`: one replication in 64, for good, as the id is the same at
 * every run between the same two databases). Never `_security`, where pouchdb-server keeps a database's
 * access rules. Dot segments (`.`, `..`) never get here: the target is refused when read
 * (request-target.ts); they are refused here too.
 */
const LOCAL_ID = /^[A-Za-z0-9_.][A-Za-z0-9._:=+-]{0,199}$/;
const isCheckpointId = (id: string) => LOCAL_ID.test(id) && id !== '_security' && id !== '.' && id !== '..';

const refused = (status: 400 | 401 | 403 | 405, reason: string) => ({ allow: false, status, reason }) as const;

/** Reads the raw target once and decides on that reading (request-target.ts). */
export function decide(method: string, rawTarget: string, caller: Caller): Decision {
  const reading = readTarget(rawTarget);
  if (!reading.ok) return refused(400, reading.reason);
  return decideTarget(method, reading.target, caller);
}

export function decideTarget(method: string, target: RequestTarget, caller: Caller): Decision {
  const parts = target.segments;
  const [first = '', second, ...rest] = parts;
  const allow = (write: boolean, db: string | null, forward: ForwardAs, route: ShopperRoute | null): Decision =>
    ({ allow: true, write, db, forward, route, target });

  if (caller.kind === 'couch-admin') return allow(!isRead(method), first.startsWith('_') || first === '' ? null : first, 'caller', null);
  if (caller.kind === 'anonymous') {
    // CouchDB's sign-in reads its body alone: the query is not forwarded (the least the route needs).
    if (first === '_session' && parts.length === 1 && method === 'POST') return { allow: true, write: false, db: null, forward: 'none', route: null, target: { ...target, query: [] } };
    if (first === '_utils') return { ...refused(401, 'Fauxton is for the server admin: sign in with the admin\'s name and password.'), challenge: true };
    return refused(401, 'Sign in first.');
  }
  if (!caller.dbName) return refused(403, 'Staff accounts hold no cart: use the support routes under /_tote.');
  if (first === '_session' && parts.length === 1) {
    // Who the shopper is takes no parameters: the query is not forwarded (the least the route needs).
    if (!isRead(method)) return refused(405, 'Sign in through /_tote/login.');
    return { allow: true, write: false, db: null, forward: 'shopper', route: 'session', target: { ...target, query: [] } };
  }
  if (first === '') return refused(403, 'Only server admins can read the server root.');
  if (first.startsWith('_')) return refused(403, `Only server admins can use ${first}.`);
  if (first !== caller.dbName && first !== historyDbOf(caller.dbName)) return refused(403, 'This database belongs to another account.');

  if (second === undefined) {
    if (isRead(method)) return allow(false, first, 'shopper', 'db');
    if (method === 'POST') return allow(true, first, 'shopper', 'doc');
    return refused(403, 'Only server admins can create or delete databases.');
  }
  if (second === '_local') {
    if (rest.length !== 1 || !isCheckpointId(rest[0]!)) return refused(403, 'Only replication checkpoints are allowed as local documents.');
    if (!DOC_METHODS.includes(method)) return refused(405, `Local documents do not take ${method}.`);
    return allow(!isRead(method), first, 'shopper', 'local');
  }
  if (second.startsWith('_')) {
    const methods = PER_DB[second as ShopperRoute];
    if (!methods || rest.length > 0) return refused(403, `Only server admins can use ${second}.`);
    if (!methods.includes(method)) return refused(405, `${second} does not take ${method}.`);
    return allow(method === 'POST' && !READ_ONLY_POSTS.has(second as ShopperRoute), first, 'shopper', second as ShopperRoute);
  }
  if (rest.length > 0) return refused(403, 'Attachments are not available: a cart item carries none.');
  if (!DOC_METHODS.includes(method)) return refused(405, `Documents do not take ${method}.`);
  return allow(!isRead(method), first, 'shopper', 'doc');
}

/**
 * `/_tote/keyring` and a key record sent with a password change: always the caller's own account (the
 * route names no account, so no session can reach another's). `write` for PUT; a password change carrying a record is decided as a PUT.
 */
export function decideKeyring(method: string, caller: Caller): RouteDecision {
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
export function decideRecovery(method: string, route: 'keyring' | 'recover', _caller: Caller): RouteDecision {
  if (method !== 'POST') return { allow: false, status: 405, reason: `Recovery takes POST, not ${method}.` };
  return { allow: true, write: route === 'recover', db: null };
}

/**
 * `/_tote/metrics`: Prometheus with the scrape token (`TOTE_METRICS_TOKEN`, `scraper`), or a session of a
 * gateway admin account, as the admin routes; only GET and HEAD. Metrics name no shopper, but they tell
 * how busy the server is and what fails: nothing for shoppers, support, CouchDB admins or strangers.
 */
export function decideMetrics(method: string, caller: Caller, role: Role | null, scraper: boolean): RouteDecision {
  if (method !== 'GET' && method !== 'HEAD') return { allow: false, status: 405, reason: `Metrics take GET, not ${method}.` };
  if (scraper || (caller.kind === 'account' && role === 'admin')) return { allow: true, write: false, db: null };
  if (caller.kind === 'anonymous') return { allow: false, status: 401, reason: 'Send the scrape token, or sign in as an admin.' };
  return { allow: false, status: 403, reason: 'Metrics are for admin accounts and the scrape token.' };
}
