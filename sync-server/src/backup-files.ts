/**
 * Backups off the server and back (docs/backups.md, "Off the server"): `exportBackups` writes every
 * shopper's kept backups to a folder, with a SHA-256 of each file in `SHA256SUMS` (the format of
 * coreutils' `sha256sum`, so `sha256sum -c SHA256SUMS` checks a copy anywhere); `importBackups` puts
 * such a folder's backups back into the shoppers' `<db>-backups` databases, from where `restore-backup`
 * restores a day as usual. A file whose checksum does not match, a missing one, or a checksum file naming
 * anything but a backup's two files refuses the whole import before anything is written.
 *
 *   <folder>/SHA256SUMS                  "<sha-256 hex>  <path>" per file
 *   <folder>/<db>/<YYYY-MM-DD>.json      the backup's clear summary (days, counts, sizes; no content)
 *   <folder>/<db>/<YYYY-MM-DD>.json.gz   the backup's data exactly as stored (`gunzip` reads it)
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { couchStatus, unlessMissing, type CouchAdmin } from './couch-admin.ts';
import {
  BACKUP_ATTACHMENT, BackupError, checkDay, findShopper, listBackups, listShoppers,
  type BackupContent, type BackupSummary, type Shopper,
} from './backups.ts';
import { ADMINS_ONLY, backupsDbOf, ensureDb } from './shopper-dbs.ts';

export const CHECKSUM_FILE = 'SHA256SUMS';

/** The only paths a checksum file may name: a cart database's folder and a day's two files. */
const FILE_PATTERN = /^(userdb-[0-9a-f]+)\/(\d{4}-\d{2}-\d{2})\.json(\.gz)?$/;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export interface ExportResult {
  readonly shoppers: number;
  readonly backups: number;
  readonly bytes: number;
}

/**
 * Writes every shopper's backups into `folder` (created, 0700; it must be new or empty, so an export is
 * never mixed with another), files 0600: backups hold carts, sealed or, from before encryption, not.
 */
export async function exportBackups(couch: CouchAdmin, folder: string): Promise<ExportResult> {
  const existing = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (existing.length > 0) throw new BackupError('EXPORT_FOLDER', `${folder} is not empty: export into a new folder, so an export is never mixed with another.`);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const sums: string[] = [];
  const write = async (relative: string, data: Buffer) => {
    await writeFile(path.join(folder, relative), data, { mode: 0o600 });
    sums.push(`${sha256(data)}  ${relative}`);
  };
  let backups = 0;
  let bytes = 0;
  let shoppers = 0;
  for (const shopper of await listShoppers(couch)) {
    const kept = await listBackups(couch, shopper);
    if (kept.length === 0) continue;
    shoppers += 1;
    await mkdir(path.join(folder, shopper.dbName), { mode: 0o700 });
    const files = couch.db(backupsDbOf(shopper.dbName));
    for (const summary of kept) {
      const data = await files.attachment.get(summary.day, BACKUP_ATTACHMENT);
      await write(`${shopper.dbName}/${summary.day}.json`, Buffer.from(`${JSON.stringify(summary, null, 2)}\n`, 'utf8'));
      await write(`${shopper.dbName}/${summary.day}.json.gz`, data);
      backups += 1;
      bytes += data.length;
    }
  }
  await writeFile(path.join(folder, CHECKSUM_FILE), `${sums.join('\n')}${sums.length ? '\n' : ''}`, { mode: 0o600 });
  return { shoppers, backups, bytes };
}

export interface ImportedShopper {
  readonly shopper: string;
  /** Days written back into the shopper's backups. */
  readonly imported: readonly string[];
  /** Days the server already had a backup of (the server's own copy stands). */
  readonly present: readonly string[];
}

export interface ImportResult {
  readonly shoppers: readonly ImportedShopper[];
  /** Shoppers of the folder without an account on this server: their backups were not imported. */
  readonly unknown: readonly string[];
}

/** Reads `SHA256SUMS` and every file it names, checking each; BackupError('CHECKSUM_MISMATCH' | 'INVALID_EXPORT') otherwise. */
async function verifiedFiles(folder: string): Promise<Map<string, Buffer>> {
  const listing = await readFile(path.join(folder, CHECKSUM_FILE), 'utf8').catch(() => {
    throw new BackupError('INVALID_EXPORT', `${folder} has no readable ${CHECKSUM_FILE}: it is not a folder written by export-backups. Nothing was imported.`);
  });
  const files = new Map<string, Buffer>();
  for (const [index, line] of listing.split('\n').entries()) {
    if (line.trim() === '') continue;
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!match || !FILE_PATTERN.test(match[2]!)) {
      throw new BackupError('INVALID_EXPORT', `Line ${index + 1} of ${CHECKSUM_FILE} is not "<sha-256>  <database>/<YYYY-MM-DD>.json[.gz]". Nothing was imported.`);
    }
    const [, expected, relative] = match as unknown as [string, string, string];
    const data = await readFile(path.join(folder, relative)).catch(() => {
      throw new BackupError('INVALID_EXPORT', `${relative} is listed in ${CHECKSUM_FILE} but missing from ${folder}. Nothing was imported.`);
    });
    const actual = sha256(data);
    if (actual !== expected) {
      throw new BackupError('CHECKSUM_MISMATCH', `${relative}: its SHA-256 is ${actual}, but ${CHECKSUM_FILE} says ${expected}. `
        + 'The file was changed or damaged after the export; use an intact copy. Nothing was imported.');
    }
    files.set(relative, data);
  }
  return files;
}

interface FolderBackup {
  readonly dbName: string;
  readonly day: string;
  readonly summary: BackupSummary;
  readonly data: Buffer;
}

/** The backups of a verified folder, each with its summary and data, readable (DAMAGED_BACKUP otherwise). */
function backupsOf(files: Map<string, Buffer>): FolderBackup[] {
  const backups: FolderBackup[] = [];
  for (const [relative, data] of files) {
    const [, dbName, day, gz] = FILE_PATTERN.exec(relative)!;
    if (gz) continue;
    const summaryFile = relative;
    const dataFile = `${relative}.gz`;
    const stored = files.get(dataFile);
    if (!stored) throw new BackupError('INVALID_EXPORT', `${summaryFile} has no ${dataFile} beside it in ${CHECKSUM_FILE}. Nothing was imported.`);
    try {
      const summary = JSON.parse(data.toString('utf8')) as BackupSummary;
      const content = JSON.parse(gunzipSync(stored).toString('utf8')) as BackupContent;
      if (summary.day !== checkDay(day!) || typeof summary.shopper !== 'string' || content.format !== 1 || typeof content.databases !== 'object') throw new Error('shape');
      backups.push({ dbName: dbName!, day: day!, summary, data: stored });
    } catch {
      throw new BackupError('DAMAGED_BACKUP', `${summaryFile} or ${dataFile} cannot be read as a backup, though its checksum matches: it was written so. Nothing was imported.`);
    }
  }
  return backups.sort((a, b) => (a.dbName + a.day < b.dbName + b.day ? -1 : 1));
}

/**
 * Puts the backups of an exported folder back into each shopper's `<db>-backups` (made, admins only,
 * when missing), after checking every file against `SHA256SUMS`. A day the server already has a backup
 * of is left as the server has it. Shoppers without an account here are reported, not imported.
 */
export async function importBackups(couch: CouchAdmin, folder: string): Promise<ImportResult> {
  const backups = backupsOf(await verifiedFiles(folder));
  const byShopper = new Map<string, FolderBackup[]>();
  for (const backup of backups) byShopper.set(backup.summary.shopper, [...(byShopper.get(backup.summary.shopper) ?? []), backup]);
  const shoppers: ImportedShopper[] = [];
  const unknown: string[] = [];
  for (const [name, own] of byShopper) {
    const shopper: Shopper | null = await findShopper(couch, name).catch((error: unknown) => {
      if (error instanceof BackupError && error.code === 'UNKNOWN_SHOPPER') return null;
      throw error;
    });
    if (!shopper || own.some((backup) => backup.dbName !== shopper.dbName)) {
      unknown.push(name);
      continue;
    }
    await ensureDb(couch, backupsDbOf(shopper.dbName), ADMINS_ONLY);
    const db = couch.db(backupsDbOf(shopper.dbName));
    const imported: string[] = [];
    const present: string[] = [];
    for (const { day, summary, data } of own) {
      if (await unlessMissing(db.get(day))) {
        present.push(day);
        continue;
      }
      const doc = {
        type: 'tote-backup', format: 1, ...summary,
        _attachments: { [BACKUP_ATTACHMENT]: { content_type: 'application/gzip', data: data.toString('base64') } },
      };
      const written = await db.insert(doc, day).then(() => true, (error: unknown) => {
        if (couchStatus(error) === 409) return false; // written meanwhile (a backup run): that copy stands
        throw error;
      });
      (written ? imported : present).push(day);
    }
    shoppers.push({ shopper: shopper.name, imported, present });
  }
  return { shoppers, unknown };
}
