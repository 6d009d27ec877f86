/**
 * Carts synced before encryption was switched on: the server still holds their items (and history) in plain
 * (docs/encryption.md, "Existing carts"). On the first sealed sync of a cart database this pass
 * replaces each plain copy on the server with its sealed form, and a local document records that the
 * database is done, so the pass runs once per database and device.
 *
 * It works on the server's latest revisions: each plain document is sealed as it stands there and
 * written back over its own revision (`_bulk_docs`), so nothing anyone changed in the meantime is
 * overwritten; a document changed meanwhile answers "conflict" and is read again in the next round.
 * CouchDB keeps the bodies of older revisions until the database is compacted: the operator's
 * compaction, not this pass, removes them.
 *
 * Plain documents pulled later (from a device that has not switched yet) are still accepted as they
 * are (couch-replication.ts, `arrive`): nothing typed on another device is dropped.
 */
import type { RxDatabase } from 'rxdb';
import type { FetchPort } from '../ports.ts';
import { isSealed, type SealedItem } from './sealed-items.ts';

/** Any RxDB database with local documents (the cart database has them). */
type LocalDocuments = Pick<RxDatabase, 'getLocal' | 'upsertLocal'>;

/** The local document (never synced) listing the databases whose server copies are sealed. */
export const SEALED_COPIES_DOC = 'sealed-copies';
const PAGE = 200;
const ROUNDS = 5;

interface CouchRow {
  readonly id: string;
  readonly doc?: (Record<string, unknown> & { _id: string; _rev: string; _deleted?: boolean }) | null;
}

export interface SealPassOptions {
  /** The shopper's database URL, ending in '/'. */
  readonly dbUrl: string;
  /** Sends the session's credentials; answers that are not OK throw (couch-replication.ts). */
  readonly fetch: FetchPort;
  /** Seals one plain document as it stands on the server (the item seal, or the history seal). */
  readonly seal: (doc: { id: string; _deleted?: boolean }) => Promise<SealedItem>;
}

/** The plain item documents on the server, one page after another. */
async function plainDocs(options: SealPassOptions): Promise<NonNullable<CouchRow['doc']>[]> {
  const found: NonNullable<CouchRow['doc']>[] = [];
  let startkey: string | null = null;
  for (;;) {
    const query = new URLSearchParams({ include_docs: 'true', limit: String(PAGE) });
    if (startkey !== null) {
      query.set('startkey', JSON.stringify(startkey));
      query.set('skip', '1');
    }
    const response = await options.fetch(`${options.dbUrl}_all_docs?${query}`);
    const rows = ((await response.json()) as { rows?: CouchRow[] }).rows ?? [];
    for (const row of rows) {
      if (row.doc && !row.id.startsWith('_') && !isSealed(row.doc)) found.push(row.doc);
    }
    if (rows.length < PAGE) return found;
    startkey = rows[rows.length - 1]!.id;
  }
}

/**
 * Seals every plain item document on the server. Returns how many were sealed and how many plain ones
 * are left (documents that kept changing through every round; the next run tries again).
 */
export async function sealPlainCopies(options: SealPassOptions): Promise<{ sealed: number; left: number }> {
  let sealed = 0;
  let left = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const plain = await plainDocs(options);
    left = plain.length;
    if (plain.length === 0) break;
    const docs = await Promise.all(plain.map(async ({ _id, _rev, ...rest }) => {
      const { id, enc, fp } = await options.seal({ ...rest, id: _id });
      return { _id: id, _rev, enc, fp, ...(rest._deleted ? { _deleted: true } : {}) };
    }));
    const response = await options.fetch(`${options.dbUrl}_bulk_docs`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ docs }),
    });
    const results = (await response.json()) as { ok?: boolean; error?: string }[];
    const written = results.filter((result) => result.ok).length;
    sealed += written;
    left -= written;
    if (left === 0) break;
  }
  return { sealed, left };
}

/** Whether this database's server copies were already sealed from this device. */
export async function sealedCopiesDone(db: LocalDocuments, dbUrl: string): Promise<boolean> {
  const doc = await db.getLocal<{ dbUrls: string[] }>(SEALED_COPIES_DOC);
  return ((doc?.get('dbUrls') ?? []) as string[]).includes(dbUrl);
}

export async function recordSealedCopies(db: LocalDocuments, dbUrl: string): Promise<void> {
  const doc = await db.getLocal<{ dbUrls: string[] }>(SEALED_COPIES_DOC);
  const dbUrls = (doc?.get('dbUrls') ?? []) as string[];
  if (!dbUrls.includes(dbUrl)) await db.upsertLocal(SEALED_COPIES_DOC, { dbUrls: [...dbUrls, dbUrl] });
}
