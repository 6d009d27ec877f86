/**
 * Restoring a shopper's data from one day's backup (docs/backups.md, "Restore"). Every document of the
 * backup is written back to the live database as its NEWEST revision, on top of whatever is there now
 * (deleted or not), so every device pulls it as an ordinary change; the server never decrypts it (a
 * sealed document goes back as the same ciphertext under the same id, which its envelope is bound to).
 *
 * Documents created after the backup are left as they are: the server cannot mark a sealed item removed
 * (that marker is inside the encrypted item), and a CouchDB deletion would bypass the devices' merge
 * rules (docs/merge.md). History entries made since stay too: they record what happened. So the cart
 * comes back with every item it had that day, as it was; what was added later is still there, and the
 * shopper's own "Restore to…" (docs/history.md), with the history now back, removes it in one step.
 */
import type { CouchAdmin } from './couch-admin.ts';
import { BackupError, docsOf, findShopper, readAllDocs, readBackup, type StoredDoc } from './backups.ts';
import type { AuditLog } from './gateway/audit.ts';
import { signalDataChanged } from './server-signals.ts';
import { shopperSecurity } from './shopper-couch-users.ts';
import { ensureDb, syncedDbsOf } from './shopper-dbs.ts';

export interface RestoredDb {
  readonly name: string;
  /** Documents written back (changed, removed since, or missing). */
  readonly written: number;
  /** Documents already as in the backup. */
  readonly unchanged: number;
  /** Documents made after the backup, left as they are. */
  readonly newer: number;
}

export interface RestoreResult {
  readonly shopper: string;
  readonly day: string;
  readonly databases: readonly RestoredDb[];
}

export interface RestoreRequest {
  readonly shopper: string;
  readonly day: string;
  /** Who asked (the support person), and why (the ticket): both go to the audit log. */
  readonly actor: string;
  readonly reason: string;
  readonly now: () => number;
  readonly audit?: AuditLog;
}

/** The body without CouchDB's revision bookkeeping. */
function bodyOf(doc: StoredDoc): Record<string, unknown> {
  const { _rev: _r, _revisions: _rs, _conflicts: _c, _deleted_conflicts: _dc, _local_seq: _l, ...body } = doc as Record<string, unknown>;
  if (!body._deleted) delete body._deleted;
  return body;
}

/** Same content, attachments compared by digest (inline data is not what CouchDB keeps to compare). */
function sameContent(a: StoredDoc, b: StoredDoc): boolean {
  const normal = (doc: StoredDoc) => {
    const body = bodyOf(doc);
    const attachments = body._attachments as Record<string, { digest?: string }> | undefined;
    if (attachments) body._attachments = Object.fromEntries(Object.entries(attachments).map(([name, meta]) => [name, meta.digest ?? null]));
    return JSON.stringify(Object.fromEntries(Object.entries(body).sort(([x], [y]) => (x < y ? -1 : 1))));
  };
  return normal(a) === normal(b);
}

/** Writes `docs` as the newest revisions; documents written meanwhile by a device (409) are read again and retried. */
async function writeNewest(couch: CouchAdmin, db: string, backup: readonly StoredDoc[]): Promise<{ written: number; unchanged: number; newer: number }> {
  let pending = backup;
  let written = 0;
  let unchanged = 0;
  let newer = 0;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt >= 5) {
      throw new BackupError('RESTORE_INCOMPLETE', `${pending.length} documents of ${db} kept changing during the restore (a device was writing); run the restore again.`);
    }
    const current = new Map((await readAllDocs(couch, db)).map((doc) => [doc._id, doc]));
    if (attempt === 0) {
      const backedUp = new Set(backup.map((doc) => doc._id));
      newer = [...current.values()].filter((doc) => !doc._deleted && !backedUp.has(doc._id)).length;
    }
    const writes: Record<string, unknown>[] = [];
    for (const doc of pending) {
      const now = current.get(doc._id);
      const nowDeleted = !now || now._deleted === true;
      if (nowDeleted && doc._deleted) { unchanged += 1; continue; }
      if (now && !nowDeleted && !doc._deleted && sameContent(now, doc)) { unchanged += 1; continue; }
      // On a live document: its current revision, so the backup's body becomes the newest. On a deleted
      // or missing one: no revision, which CouchDB writes on top of the deletion.
      writes.push({ ...bodyOf(doc), ...(now && !nowDeleted ? { _rev: now._rev } : {}) });
    }
    const retry = new Set<string>();
    for (let start = 0; start < writes.length; start += 200) {
      const answer = await couch.db(db).bulk({ docs: writes.slice(start, start + 200) });
      for (const row of answer) {
        if (!row.error) written += 1;
        else if (row.error === 'conflict') retry.add(row.id!);
        else throw new BackupError('RESTORE_INCOMPLETE', `CouchDB refused to write back a document of ${db} (${row.error ?? 'unknown error'}); documents before it were restored: run the restore again.`);
      }
    }
    pending = pending.filter((doc) => retry.has(doc._id));
  }
  return { written, unchanged, newer };
}

/**
 * Restores the shopper's cart and history from the backup of `day`, notifies their connected devices and
 * audits who, what and why (counts only). BackupError for an unknown shopper, a day without backup or a
 * damaged one; CouchUnreachableError when CouchDB does not answer.
 */
export async function restoreBackup(couch: CouchAdmin, request: RestoreRequest): Promise<RestoreResult> {
  const shopper = await findShopper(couch, request.shopper);
  const { content } = await readBackup(couch, shopper, request.day);
  const databases: RestoredDb[] = [];
  // Only the shopper's own cart and history, whatever the backup names.
  for (const db of syncedDbsOf(shopper.dbName).filter((name) => name in content.databases)) {
    // A database removed since (lost, or an account from before synced history) comes back with the
    // shopper's own CouchDB user as its member, as the gateway leaves it, so the shopper's devices reach
    // it at once (the gateway checks that user once per process).
    await ensureDb(couch, db, shopperSecurity(shopper.dbName, null));
    databases.push({ name: db, ...(await writeNewest(couch, db, docsOf(content, db))) });
  }
  await signalDataChanged(couch, { shopper: shopper.name, dbs: databases.map((db) => db.name), at: request.now(), cause: 'restore-backup' });
  request.audit?.append({
    at: request.now(), actor: request.actor, role: 'support', device: null, action: 'support.restore-backup', target: shopper.dbName,
    detail: {
      shopper: shopper.name, day: request.day, reason: request.reason,
      written: databases.reduce((sum, db) => sum + db.written, 0), unchanged: databases.reduce((sum, db) => sum + db.unchanged, 0),
      newer: databases.reduce((sum, db) => sum + db.newer, 0),
    },
  });
  return { shopper: shopper.name, day: request.day, databases };
}
