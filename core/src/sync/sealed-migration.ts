/**
 * Carts synced before encryption was switched on: the server still holds their items (and history) in plain
 * (docs/encryption.md, "Existing carts"). On the first sealed sync of a cart database this pass
 * replaces each plain copy on the server with the sealed form of THIS DEVICE'S OWN COPY of that
 * document, and a local document records that the database is done, so the pass runs once per database
 * and device.
 *
 * Nothing is taken from the server's plain copies: whoever runs the server could have written them, and
 * sealing one as it stands there would turn it into a trusted document. So:
 * - a plain (or otherwise not exactly sealed) document this device holds a readable copy of is written
 *   over, at the server's latest revision, with that copy sealed (`_bulk_docs`; one changed meanwhile
 *   answers "conflict" and is read again in the next round, up to 5 rounds);
 * - one it does not hold is left as it is and counted as `foreign`: sync has already reported it as
 *   unreadable (couch-replication.ts, `arrive`), and a device that holds it seals it from its own copy.
 * CouchDB keeps the bodies of older revisions until the database is compacted: the operator's
 * compaction, not this pass, removes them.
 */
import type { RxDatabase } from 'rxdb';
import type { FetchPort } from '../ports.ts';
import { checkEnvelope, type SealedItem } from './sealed-items.ts';

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
  /** This device's readable copy of a document (by the commands' rules), or null when it holds none. */
  readonly local: (id: string) => Promise<{ id: string } | null>;
  /** Seals this device's copy (the item seal, or the history seal). */
  readonly seal: (doc: { id: string }) => Promise<SealedItem>;
}

/** Whether a server document (CouchDB's form) is exactly a sealed one (sealed-items.ts, `checkEnvelope`). */
function isEnvelope(doc: NonNullable<CouchRow['doc']>): boolean {
  const { _id, _rev, ...rest } = doc;
  void _rev;
  try {
    checkEnvelope({ ...rest, id: _id }, '');
    return true;
  } catch {
    return false;
  }
}

/** The documents on the server that are not exactly sealed, one page after another. */
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
      if (row.doc && !row.id.startsWith('_') && !isEnvelope(row.doc)) found.push(row.doc);
    }
    if (rows.length < PAGE) return found;
    startkey = rows[rows.length - 1]!.id;
  }
}

/**
 * Replaces every plain document on the server that this device holds with its own copy, sealed.
 * Returns how many were sealed, how many of those are left (documents that kept changing through every
 * round; the next run tries again) and how many plain documents this device does not hold (`foreign`:
 * left on the server, reported as unreadable by sync).
 */
export async function sealPlainCopies(options: SealPassOptions): Promise<{ sealed: number; left: number; foreign: number }> {
  let sealed = 0;
  let left = 0;
  let foreign = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const plain = await plainDocs(options);
    const docs: { _id: string; _rev: string; enc: string; fp: string }[] = [];
    foreign = 0;
    for (const { _id, _rev } of plain) {
      const own = await options.local(_id);
      if (!own) {
        foreign += 1;
        continue;
      }
      const { enc, fp } = await options.seal(own);
      docs.push({ _id, _rev, enc, fp });
    }
    left = docs.length;
    if (docs.length === 0) break;
    const response = await options.fetch(`${options.dbUrl}_bulk_docs`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ docs }),
    });
    const results = (await response.json()) as { ok?: boolean; error?: string }[];
    const written = results.filter((result) => result.ok).length;
    sealed += written;
    left -= written;
    if (left === 0) break;
  }
  return { sealed, left, foreign };
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
