/**
 * The audit log: one append-only CouchDB database (`tote-audit`) with an entry per cart write and per
 * support or admin action: who, which device, what, when. Entries never carry cart contents (ids and
 * counts only). A validate_doc_update function refuses any change to an existing entry. Writes are
 * batched (one `_bulk_docs` per flush) so cart writes do not wait for the log.
 */
import { randomBytes } from 'node:crypto';
import { couchStatus, unlessMissing, type CouchAdmin } from '../couch-admin.ts';
import { ADMINS_ONLY } from '../shopper-dbs.ts';

export const AUDIT_DB = 'tote-audit';

export interface AuditEntry {
  readonly at: number;
  /** The account (or `couch-admin:<name>` for Fauxton users). */
  readonly actor: string;
  readonly role: string;
  readonly device: string | null;
  /** `cart.write`, `account.signup`, `session.revoke`, `support.view`, ... */
  readonly action: string;
  /** What it acted on: a database, an account. */
  readonly target: string | null;
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AuditLog {
  append(entry: AuditEntry): void;
  /** Writes what is waiting. */
  flush(): Promise<void>;
  /** The newest entries first. */
  read(options?: { limit?: number; actor?: string; action?: string }): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

const appendOnly = `function (newDoc, oldDoc) {
  if (oldDoc) throw({ forbidden: 'The audit log is append-only.' });
}`;

/** Entries kept while CouchDB cannot take them (a day of a busy server's writes is far below). */
const MAX_PENDING = 100_000;
const RETRY_MS = 1_000;

export async function auditLog(couch: CouchAdmin, onError: (error: unknown) => void = () => {}): Promise<AuditLog> {
  await couch.createDb(AUDIT_DB);
  await couch.putSecurity(AUDIT_DB, ADMINS_ONLY);
  const db = couch.db<AuditEntry>(AUDIT_DB);
  const design = couch.db<{ validate_doc_update: string }>(AUDIT_DB);
  if (!(await unlessMissing(design.get('_design/audit')))) {
    await design.insert({ validate_doc_update: appendOnly }, '_design/audit').catch((error: unknown) => {
      if (couchStatus(error) !== 409) throw error; // another gateway wrote it first
    });
  }

  let pending: (AuditEntry & { _id: string })[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let flushing: Promise<void> = Promise.resolve();
  let closed = false;

  /**
   * A batch CouchDB did not take (it is down or restarting) goes back in front of what came since and is
   * tried again a second later: the log keeps every entry through an outage. Entries keep their ids, so a
   * batch that was written after all is not written twice (CouchDB answers those as conflicts). Past
   * MAX_PENDING entries the oldest are dropped, and that is reported.
   */
  const requeue = (batch: typeof pending, error: unknown) => {
    pending = [...batch, ...pending];
    if (pending.length > MAX_PENDING) {
      onError(new Error(`The audit log could not be written for a long time: its ${pending.length - MAX_PENDING} oldest waiting entries were dropped.`));
      pending = pending.slice(-MAX_PENDING);
    }
    onError(error);
    if (!closed) {
      timer ??= setTimeout(() => void flush(), RETRY_MS);
      timer.unref?.();
    }
  };

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = pending;
    pending = [];
    if (batch.length > 0) {
      flushing = flushing.then(() => db.bulk({ docs: batch }).then(() => {}, (error: unknown) => requeue(batch, error)));
    }
    return flushing;
  };

  return {
    append(entry) {
      // Sortable ids: time first, so `_all_docs` reads the log in order.
      pending.push({ _id: `${String(entry.at).padStart(15, '0')}-${randomBytes(6).toString('hex')}`, ...entry });
      if (pending.length >= 200) void flush();
      else timer ??= setTimeout(() => void flush(), 100);
    },
    flush,
    async read({ limit = 100, actor, action } = {}) {
      await flush();
      const rows = await db.list({ include_docs: true, descending: true, limit: Math.min(Math.max(1, limit), 1000) * (actor || action ? 10 : 1) });
      return rows.rows
        .flatMap((row) => (row.doc && !row.id.startsWith('_design/') ? [row.doc] : []))
        .map((doc) => ({ at: doc.at, actor: doc.actor, role: doc.role, device: doc.device, action: doc.action, target: doc.target, ...(doc.detail ? { detail: doc.detail } : {}) }))
        .filter((entry) => (!actor || entry.actor === actor) && (!action || entry.action === action))
        .slice(0, limit);
    },
    async close() {
      await flush();
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
