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
import type { CouchAdmin, CouchResponse } from './couch-admin.ts';
import { ACCOUNTS_DB, canonicalName } from './gateway/accounts.ts';
import { ADMINS_ONLY, backupsDbOf, ensureDb, historyDbOf } from './shopper-dbs.ts';

/** Backups are kept this many days, then removed. */
export const BACKUP_KEEP_DAYS = 30;
export const DAY_MS = 24 * 3600_000;
/** The backup attachment's name in each day's document. */
export const BACKUP_ATTACHMENT = 'backup.json.gz';

export type BackupErrorCode = 'UNKNOWN_SHOPPER' | 'NO_BACKUP' | 'INVALID_DAY' | 'DAMAGED_BACKUP' | 'RESTORE_INCOMPLETE';

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
  let startkey = JSON.stringify('account:');
  const endkey = JSON.stringify('account:\ufff0');
  for (let first = true; ; first = false) {
    const page = await couch.request<{ rows: { id: string; doc?: AccountRow }[] }>(
      'GET', `/${ACCOUNTS_DB}/_all_docs?include_docs=true&limit=500&startkey=${encodeURIComponent(startkey)}&endkey=${encodeURIComponent(endkey)}`,
    );
    const rows = first ? page.body.rows : page.body.rows.slice(1); // later pages start at the last row read
    for (const { doc } of rows) if (doc && doc.role === 'shopper' && !doc.guest && doc.dbName) shoppers.push({ name: doc.name, dbName: doc.dbName });
    if (page.body.rows.length < 500) return shoppers;
    startkey = JSON.stringify(page.body.rows.at(-1)!.id);
  }
}

/** The shopper of this name (compared as sign-in compares names); BackupError('UNKNOWN_SHOPPER') otherwise. */
export async function findShopper(couch: CouchAdmin, name: string): Promise<Shopper> {
  const canonical = canonicalName(name);
  const found = await couch.request<AccountRow>('GET', `/${ACCOUNTS_DB}/${encodeURIComponent(`account:${canonical}`)}`, undefined, [404]);
  if (found.status === 404 || !found.body.dbName || found.body.role !== 'shopper') {
    throw new BackupError('UNKNOWN_SHOPPER', `There is no shopper named "${canonical}". Check the spelling of the account name.`);
  }
  return { name: found.body.name, dbName: found.body.dbName };
}

/** update_seq of a database, or null when it does not exist (an account made before synced history). */
async function updateSeqOf(couch: CouchAdmin, db: string): Promise<string | number | null> {
  const info = await couch.request<{ update_seq?: string | number }>('GET', `/${db}`, undefined, [404]);
  return info.status === 404 ? null : (info.body.update_seq ?? 0);
}

interface ChangesPage {
  readonly results: { id: string; doc?: StoredDoc }[];
  readonly last_seq: string | number;
}

/** Every document's latest revision, deleted ones too, with attachments inline: CouchDB's `_changes`, in pages. */
export async function readAllDocs(couch: CouchAdmin, db: string): Promise<StoredDoc[]> {
  const docs: StoredDoc[] = [];
  let since: string | number = 0;
  for (;;) {
    const page: CouchResponse<ChangesPage> = await couch.request<ChangesPage>(
      'GET', `/${db}/_changes?include_docs=true&attachments=true&style=main_only&limit=500&since=${encodeURIComponent(String(since))}`, undefined, [404],
    );
    if (page.status === 404) return docs;
    for (const { id, doc } of page.body.results) if (doc && !id.startsWith('_design/')) docs.push(doc);
    // By id, as `_all_docs` lists them: the same data gives the same backup, whatever order it was written in.
    if (page.body.results.length < 500) return docs.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
    since = page.body.last_seq;
  }
}

/** The clear summary of every backup a shopper has, oldest first. */
export async function listBackups(couch: CouchAdmin, shopper: Shopper): Promise<BackupSummary[]> {
  const all = await couch.request<{ rows: { doc?: BackupDoc }[] }>(
    'GET', `/${backupsDbOf(shopper.dbName)}/_all_docs?include_docs=true&startkey=%220%22&endkey=%229%22`, undefined, [404],
  );
  if (all.status === 404) return [];
  return all.body.rows.flatMap(({ doc }) => (doc?.type === 'tote-backup' ? [summaryOf(doc)] : []));
}

function summaryOf(doc: BackupDoc): BackupSummary {
  const { day, takenAt, shopper, databases, docs, bytes, rawBytes } = doc;
  return { day, takenAt, shopper, databases, docs, bytes, rawBytes };
}

/** The documents of one day's backup; BackupError('NO_BACKUP') when there is none, 'DAMAGED_BACKUP' when it cannot be read. */
export async function readBackup(couch: CouchAdmin, shopper: Shopper, day: string): Promise<{ summary: BackupSummary; content: BackupContent }> {
  checkDay(day);
  const found = await couch.request<BackupDoc>('GET', `/${backupsDbOf(shopper.dbName)}/${day}?attachments=true`, undefined, [404]);
  if (found.status === 404 || found.body.type !== 'tote-backup') {
    const days = (await listBackups(couch, shopper)).map((backup) => backup.day);
    throw new BackupError('NO_BACKUP', `${shopper.name} has no backup of ${day}. `
      + (days.length ? `Backups kept: ${days[0]} to ${days.at(-1)} (${days.length}).` : 'No backup is kept for this shopper.'));
  }
  const data = found.body._attachments?.[BACKUP_ATTACHMENT]?.data;
  try {
    const content = JSON.parse(gunzipSync(Buffer.from(data ?? '', 'base64')).toString('utf8')) as BackupContent;
    if (content.format !== 1 || typeof content.databases !== 'object') throw new Error('unknown format');
    return { summary: summaryOf(found.body), content };
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
  const previous = backups.find((backup) => backup.day === day) ? await couch.request<{ _rev: string }>('GET', `/${backupsDb}/${day}`, undefined, [404]) : null;
  const doc: BackupDoc = {
    _id: day, ...(previous?.status === 200 ? { _rev: previous.body._rev } : {}), type: 'tote-backup', format: 1,
    day, takenAt: now, shopper: shopper.name, databases: described, docs: described.reduce((sum, db) => sum + db.docs, 0),
    bytes: gz.length, rawBytes: raw.length,
    _attachments: { [BACKUP_ATTACHMENT]: { content_type: 'application/gzip', data: gz.toString('base64') } },
  };
  const saved = await couch.request('PUT', `/${backupsDb}/${day}`, doc, [409]);
  // Now that the latest revisions are kept here, the live databases are compacted: the bodies of older
  // revisions (plain copies from before encryption, pruned history) go from disk. Asked, not awaited.
  for (const db of dbs) await couch.request('POST', `/${db.name}/_compact`, {}, [202, 404]).catch(() => undefined);
  // 409: another gateway instance wrote this day's backup at the same moment; its copy stands.
  return { taken: saved.status !== 409, bytes: saved.status !== 409 ? gz.length : 0 };
}

/** Removes a shopper's backups older than BACKUP_KEEP_DAYS (deleted, then compacted so their bytes are gone). */
export async function pruneBackups(couch: CouchAdmin, shopper: Shopper, now: number): Promise<number> {
  const keepFrom = oldestKeptDay(now);
  const backupsDb = backupsDbOf(shopper.dbName);
  const old = await couch.request<{ rows: { id: string; value: { rev: string } }[] }>(
    'GET', `/${backupsDb}/_all_docs?startkey=%220%22&endkey=${encodeURIComponent(JSON.stringify(keepFrom))}&inclusive_end=false`, undefined, [404],
  );
  if (old.status === 404 || old.body.rows.length === 0) return 0;
  await couch.request('POST', `/${backupsDb}/_bulk_docs`, { docs: old.body.rows.map((row) => ({ _id: row.id, _rev: row.value.rev, _deleted: true })) });
  // Deleted documents keep their attachments until the database is compacted.
  await couch.request('POST', `/${backupsDb}/_compact`, {}, [202]).catch(() => undefined);
  return old.body.rows.length;
}

/** Reads a backup's content back (for restore and tests): the documents of each database. */
export function docsOf(content: BackupContent, db: string): readonly StoredDoc[] {
  return content.databases[db] ?? [];
}
