/**
 * Daily backups of every shopper's data (docs/backups.md). For each shopper (guests are skipped) one
 * database `<db>-backups`, server admins only, holds one document per UTC day (`YYYY-MM-DD`) with a
 * gzip attachment of every current document of the cart and its history, exactly as stored: ciphertext
 * when the shopper's keys are on (the server never decrypts), deleted documents included. Counts and
 * sizes are in clear beside it. A run backs up the shoppers whose data changed since their last backup
 * (CouchDB's `update_seq`) and removes backups older than 30 days (backup-schedule.ts runs them). Pure CouchDB HTTP, so it works the
 * same against the embedded server and Apache CouchDB 3.x; several gateways may run it at once (the
 * second writer of a day's document gets 409 and leaves it).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { couchStatus, unlessMissing, type CouchAdmin } from './couch-admin.ts';
import { ACCOUNTS_DB, canonicalName } from './gateway/accounts.ts';
import { ADMINS_ONLY, backupsDbOf, ensureDb, historyDbOf } from './shopper-dbs.ts';

/** Backups are kept this many days, then removed. */
export const BACKUP_KEEP_DAYS = 30;
export const DAY_MS = 24 * 3600_000;
/** The backup attachment's name in each day's document. */
export const BACKUP_ATTACHMENT = 'backup.json.gz';

export type BackupErrorCode =
  | 'UNKNOWN_SHOPPER' | 'NO_BACKUP' | 'INVALID_DAY' | 'DAMAGED_BACKUP' | 'RESTORE_INCOMPLETE'
  // backups off the server (backup-files.ts)
  | 'EXPORT_FOLDER' | 'INVALID_EXPORT' | 'CHECKSUM_MISMATCH';

/** A refusal a support person can act on; `code` is stable, the message says what to check. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
  constructor(readonly code: BackupErrorCode, message: string) {
    super(message);
  }
}

/** One account with a cart (not a guest, not staff). */
export interface Shopper {
  readonly name: string;
  readonly dbName: string;
}

export interface BackedUpDb {
  /** `cart` (`<db>`) or `history` (`<db>-history`). */
  readonly role: 'cart' | 'history';
  readonly name: string;
  /** CouchDB's update_seq when it was read (opaque on CouchDB 3, a number on pouchdb-server). */
  readonly updateSeq: string | number;
  /** Documents, deleted ones included. */
  readonly docs: number;
  readonly deleted: number;
}

/** The clear part of a day's backup document: no document body, only what support may see. */
export interface BackupSummary {
  readonly day: string;
  readonly takenAt: number;
  readonly shopper: string;
  readonly databases: readonly BackedUpDb[];
  /** Documents of both databases. */
  readonly docs: number;
  /** Size of the gzip attachment, and of the JSON inside it. */
  readonly bytes: number;
  readonly rawBytes: number;
}

interface BackupDoc extends BackupSummary {
  _id: string;
  _rev?: string;
  type: 'tote-backup';
  format: 1;
  _attachments?: Record<string, { content_type: string; data?: string; length?: number; stub?: boolean }>;
}

/** What the gzip attachment holds. */
export interface BackupContent {
  readonly format: 1;
  readonly databases: Readonly<Record<string, readonly StoredDoc[]>>;
}

/** A CouchDB document as stored (its latest revision); never read by the server beyond `_id`, `_rev`, `_deleted`. */
export type StoredDoc = Readonly<Record<string, unknown>> & { readonly _id: string; readonly _rev?: string; readonly _deleted?: boolean };


/** The oldest day whose backup is kept at `now`: a backup taken on day D is removed on day D + 30. */
export function oldestKeptDay(now: number): string {
  return dayOf(now - (BACKUP_KEEP_DAYS - 1) * DAY_MS);
}

/** The UTC day of a time: `YYYY-MM-DD`. */
export function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** A day as typed by support: `YYYY-MM-DD` and a real date; BackupError('INVALID_DAY') otherwise. */
export function checkDay(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || dayOf(Date.parse(`${day}T00:00:00Z`)) !== day) {
    throw new BackupError('INVALID_DAY', `"${day}" is not a day: write it as YYYY-MM-DD, e.g. 2026-11-26.`);
  }
  return day;
}

/** The number of a sequence (`42` or CouchDB 3's `"42-g1AAAA..."`): equal numbers mean no write in between. */
function seqNumber(seq: unknown): number {
  if (typeof seq === 'number') return seq;
  const match = typeof seq === 'string' ? /^(\d+)/.exec(seq) : null;
  return match ? Number(match[1]) : 0;
}

interface AccountRow {
  readonly name: string;
  readonly role: string;
  readonly guest: boolean;
  readonly dbName: string | null;
}

/** Every shopper account (guests and staff left out), read in pages. */
export async function listShoppers(couch: CouchAdmin): Promise<Shopper[]> {
  const shoppers: Shopper[] = [];
  const accounts = couch.db<AccountRow>(ACCOUNTS_DB);
  let startkey = 'account:';
  for (let first = true; ; first = false) {
    const page = await accounts.list({ include_docs: true, limit: 500, startkey, endkey: 'account:\ufff0' });
    const rows = first ? page.rows : page.rows.slice(1); // later pages start at the last row read
    for (const { doc } of rows) if (doc && doc.role === 'shopper' && !doc.guest && doc.dbName) shoppers.push({ name: doc.name, dbName: doc.dbName });
    if (page.rows.length < 500) return shoppers;
    startkey = page.rows.at(-1)!.id;
  }
}

/** The shopper of this name (compared as sign-in compares names); BackupError('UNKNOWN_SHOPPER') otherwise. */
export async function findShopper(couch: CouchAdmin, name: string): Promise<Shopper> {
  const canonical = canonicalName(name);
  const found = await unlessMissing(couch.db<AccountRow>(ACCOUNTS_DB).get(`account:${canonical}`));
  if (!found?.dbName || found.role !== 'shopper') {
    throw new BackupError('UNKNOWN_SHOPPER', `There is no shopper named "${canonical}". Check the spelling of the account name.`);
  }
  return { name: found.name, dbName: found.dbName };
}

/** update_seq of a database, or null when it does not exist (an account made before synced history). */
async function updateSeqOf(couch: CouchAdmin, db: string): Promise<string | number | null> {
  const info = await unlessMissing(couch.server.db.get(db));
  return info === null ? null : ((info.update_seq as string | number | undefined) ?? 0);
}

/** Every document's latest revision, deleted ones too, with attachments inline: CouchDB's `_changes`, in pages. */
export async function readAllDocs(couch: CouchAdmin, db: string): Promise<StoredDoc[]> {
  const docs: StoredDoc[] = [];
  let since = '0';
  for (;;) {
    // nano's changes(): GET `_changes` with these query parameters (`attachments` is CouchDB's, not in nano's types).
    const page = await unlessMissing(couch.db<StoredDoc>(db).changes({ include_docs: true, style: 'main_only', limit: 500, since, attachments: true } as Parameters<ReturnType<CouchAdmin['db']>['changes']>[0]));
    if (!page) return docs;
    for (const { id, doc } of page.results as { id: string; doc?: StoredDoc }[]) if (doc && !id.startsWith('_design/')) docs.push(doc);
    // By id, as `_all_docs` lists them: the same data gives the same backup, whatever order it was written in.
    if (page.results.length < 500) return docs.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
    since = String(page.last_seq);
  }
}

/** The clear summary of every backup a shopper has, oldest first. */
export async function listBackups(couch: CouchAdmin, shopper: Shopper): Promise<BackupSummary[]> {
  const all = await unlessMissing(couch.db<BackupDoc>(backupsDbOf(shopper.dbName)).list({ include_docs: true, startkey: '0', endkey: '9' }));
  return (all?.rows ?? []).flatMap(({ doc }) => (doc?.type === 'tote-backup' ? [summaryOf(doc)] : []));
}

function summaryOf(doc: BackupDoc): BackupSummary {
  const { day, takenAt, shopper, databases, docs, bytes, rawBytes } = doc;
  return { day, takenAt, shopper, databases, docs, bytes, rawBytes };
}

/** The documents of one day's backup; BackupError('NO_BACKUP') when there is none, 'DAMAGED_BACKUP' when it cannot be read. */
export async function readBackup(couch: CouchAdmin, shopper: Shopper, day: string): Promise<{ summary: BackupSummary; content: BackupContent }> {
  checkDay(day);
  const found = await unlessMissing(couch.db<BackupDoc>(backupsDbOf(shopper.dbName)).get(day, { attachments: true }));
  if (found?.type !== 'tote-backup') {
    const days = (await listBackups(couch, shopper)).map((backup) => backup.day);
    throw new BackupError('NO_BACKUP', `${shopper.name} has no backup of ${day}. `
      + (days.length ? `Backups kept: ${days[0]} to ${days.at(-1)} (${days.length}).` : 'No backup is kept for this shopper.'));
  }
  const data = found._attachments?.[BACKUP_ATTACHMENT]?.data;
  try {
    const content = JSON.parse(gunzipSync(Buffer.from(data ?? '', 'base64')).toString('utf8')) as BackupContent;
    if (content.format !== 1 || typeof content.databases !== 'object') throw new Error('unknown format');
    return { summary: summaryOf(found), content };
  } catch {
    throw new BackupError('DAMAGED_BACKUP', `The backup of ${day} for ${shopper.name} cannot be read: its attachment is missing or damaged. Choose another day.`);
  }
}

/**
 * Backs up one shopper unless nothing changed since the last backup. Today's document is replaced when
 * the data changed again the same day (a run after a restart, or a shorter interval).
 */
export async function backUpShopper(couch: CouchAdmin, shopper: Shopper, now: number): Promise<{ taken: boolean; bytes: number }> {
  const dbs = [{ role: 'cart' as const, name: shopper.dbName }, { role: 'history' as const, name: historyDbOf(shopper.dbName) }];
  const seqs = await Promise.all(dbs.map((db) => updateSeqOf(couch, db.name)));
  const backups = await listBackups(couch, shopper);
  const last = backups.at(-1);
  // Unchanged data is not backed up again, unless its latest backup is about to be removed: a shopper
  // who changed nothing for 30 days keeps one backup (a fresh one), and nothing older than the window.
  const unchanged = last
    ? dbs.every((db, index) => seqNumber(last.databases.find((done) => done.name === db.name)?.updateSeq) === seqNumber(seqs[index]))
      && last.day >= oldestKeptDay(now)
    : seqs.every((seq) => seqNumber(seq) === 0);
  if (unchanged) return { taken: false, bytes: 0 };

  const databases: Record<string, StoredDoc[]> = {};
  const described: BackedUpDb[] = [];
  for (const [index, db] of dbs.entries()) {
    const docs = await readAllDocs(couch, db.name);
    databases[db.name] = docs;
    described.push({ role: db.role, name: db.name, updateSeq: seqs[index] ?? 0, docs: docs.length, deleted: docs.filter((doc) => doc._deleted).length });
  }
  const raw = Buffer.from(JSON.stringify({ format: 1, databases } satisfies BackupContent), 'utf8');
  const gz = gzipSync(raw);
  const day = dayOf(now);
  const backupsDb = backupsDbOf(shopper.dbName);
  await ensureDb(couch, backupsDb, ADMINS_ONLY);
  const backupDocs = couch.db<BackupDoc>(backupsDb);
  const previous = backups.find((backup) => backup.day === day) ? await unlessMissing(backupDocs.get(day)) : null;
  const doc: BackupDoc = {
    _id: day, ...(previous ? { _rev: previous._rev } : {}), type: 'tote-backup', format: 1,
    day, takenAt: now, shopper: shopper.name, databases: described, docs: described.reduce((sum, db) => sum + db.docs, 0),
    bytes: gz.length, rawBytes: raw.length,
    _attachments: { [BACKUP_ATTACHMENT]: { content_type: 'application/gzip', data: gz.toString('base64') } },
  };
  // 409: another gateway instance wrote this day's backup at the same moment; its copy stands.
  const taken = await backupDocs.insert(doc, day).then(() => true, (error: unknown) => {
    if (couchStatus(error) === 409) return false;
    throw error;
  });
  // Now that the latest revisions are kept here, the live databases are compacted: the bodies of older
  // revisions (plain copies from before encryption, pruned history) go from disk. Asked, not awaited.
  for (const db of dbs) await couch.server.db.compact(db.name).catch(() => undefined);
  return { taken, bytes: taken ? gz.length : 0 };
}

/** Removes a shopper's backups older than BACKUP_KEEP_DAYS (deleted, then compacted so their bytes are gone). */
export async function pruneBackups(couch: CouchAdmin, shopper: Shopper, now: number): Promise<number> {
  const keepFrom = oldestKeptDay(now);
  const backupsDb = backupsDbOf(shopper.dbName);
  const backups = couch.db(backupsDb);
  const old = await unlessMissing(backups.list({ startkey: '0', endkey: keepFrom, inclusive_end: false }));
  if (!old || old.rows.length === 0) return 0;
  await backups.bulk({ docs: old.rows.map((row) => ({ _id: row.id, _rev: row.value.rev, _deleted: true })) });
  // Deleted documents keep their attachments until the database is compacted.
  await couch.server.db.compact(backupsDb).catch(() => undefined);
  return old.rows.length;
}

/** Reads a backup's content back (for restore and tests): the documents of each database. */
export function docsOf(content: BackupContent, db: string): readonly StoredDoc[] {
  return content.databases[db] ?? [];
}
