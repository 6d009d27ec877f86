/**
 * A push in one round trip (docs/sync.md, rule 7). RxDB's CouchDB push first reads the server's
 * current documents (`POST _all_docs`) to learn their `_rev` and check for conflicts, then writes
 * (`_bulk_docs`): two round trips for every change. This device has usually seen the revision already:
 * every document the server sent it (`_changes`, the live channel, `_all_docs`) and every one it wrote
 * (`_bulk_docs` and its answer) names one. So the revision of each version is noted by its content
 * (sealed documents carry `fp`, a keyed fingerprint of their plaintext, the same one RxDB's conflict
 * check compares), and a push whose ancestor (`assumedMasterState`) is a version seen here goes straight
 * to `_bulk_docs` with that revision.
 *
 * CouchDB is the judge, so nothing can be overwritten unseen: a write whose revision is no longer the
 * current one is refused as a conflict, and those rows (with any whose ancestor was never seen) take
 * RxDB's own path, which reads the server's version and hands it to the conflict handler. A document
 * new on this device is written without a revision, as RxDB's path would (CouchDB refuses it if the id
 * exists).
 */
import type { RxReplicationWriteToMasterRow, WithDeleted } from 'rxdb';
import type { FetchPort } from '../ports.ts';

type Doc = Record<string, unknown>;

const isObject = (value: unknown): value is Doc => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What identifies one version of a document: its id, the fingerprint of its content, and whether it is removed. */
function versionKey(id: unknown, doc: Doc): string | null {
  if (typeof id !== 'string' || typeof doc.fp !== 'string') return null;
  return `${id}|${doc.fp}|${doc._deleted === true}`;
}

export interface KnownRevisions {
  /** Notes the revision of each document the server sent or took (CouchDB's form: `_id`, `_rev`). */
  observe(docs: readonly unknown[]): void;
  /** Reads revisions out of a server answer to `path` (`_changes`, `_all_docs`), or a write's request and answer (`_bulk_docs`). */
  observeAnswer(path: string, body: unknown, request?: unknown): void;
  /** The server revision of this version (as the push modifier made it, `id` as primary key), if it was seen. */
  revisionOf(doc: Doc): string | undefined;
}

export function knownRevisions(limit = 20_000): KnownRevisions {
  const revisions = new Map<string, string>();
  const note = (id: unknown, doc: Doc, rev: unknown) => {
    const key = versionKey(id, doc);
    if (key === null || typeof rev !== 'string') return;
    revisions.delete(key);
    revisions.set(key, rev);
    if (revisions.size > limit) revisions.delete(revisions.keys().next().value!);
  };
  const observe = (docs: readonly unknown[]) => {
    for (const doc of docs) if (isObject(doc)) note(doc._id, doc, doc._rev);
  };
  return {
    observe,
    observeAnswer(path, body, request) {
      if (path.endsWith('/_changes')) {
        const results = isObject(body) && Array.isArray(body.results) ? body.results as unknown[] : [];
        observe(results.map((row) => (isObject(row) ? row.doc : null)));
      } else if (path.endsWith('/_all_docs')) {
        const rows = isObject(body) && Array.isArray(body.rows) ? body.rows as unknown[] : [];
        observe(rows.map((row) => (isObject(row) ? row.doc : null)));
      } else if (path.endsWith('/_bulk_docs') && Array.isArray(body) && isObject(request) && Array.isArray(request.docs)) {
        // Each result by its id: the answer's order need not be the request's (pouchdb-server's is not).
        const sent = new Map<unknown, Doc>();
        for (const doc of request.docs as unknown[]) if (isObject(doc)) sent.set(doc._id, doc);
        for (const row of body as unknown[]) {
          if (!isObject(row) || row.ok !== true) continue;
          const doc = sent.get(row.id);
          if (doc) note(row.id, doc, row.rev);
        }
      }
    },
    revisionOf(doc) {
      const key = versionKey(doc.id, doc);
      return key === null ? undefined : revisions.get(key);
    },
  };
}

type PushHandler<T> = (rows: RxReplicationWriteToMasterRow<T>[]) => Promise<WithDeleted<T>[]>;

/**
 * RxDB's push handler `readThenWrite`, with the rows whose ancestor's revision is known written first
 * in one `_bulk_docs`; the rest, and those CouchDB refused as conflicts, go through `readThenWrite`.
 */
export function oneTripPush<T>(options: { dbUrl: string; fetch: FetchPort; known: KnownRevisions; readThenWrite: PushHandler<T> }): PushHandler<T> {
  const { dbUrl, fetch, known, readThenWrite } = options;
  return async (rows) => {
    const direct: { row: RxReplicationWriteToMasterRow<T>; doc: Doc }[] = [];
    const rest: RxReplicationWriteToMasterRow<T>[] = [];
    for (const row of rows) {
      const assumed = row.assumedMasterState as Doc | undefined;
      const rev = assumed ? known.revisionOf(assumed) : undefined;
      if (assumed && rev === undefined) {
        rest.push(row);
        continue;
      }
      const { id, ...content } = row.newDocumentState as Doc;
      direct.push({ row, doc: { ...content, _id: id, ...(rev ? { _rev: rev } : {}) } });
    }
    if (direct.length > 0) {
      const response = await fetch(`${dbUrl}_bulk_docs?`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ docs: direct.map((each) => each.doc) }),
      });
      const answer = (await response.json()) as { id?: string; ok?: boolean; error?: string; reason?: string }[];
      if (!Array.isArray(answer) || answer.length !== direct.length) throw new Error('The sync server answered a write with something else than a list of results.');
      // Each document's result is found by its id, never by its place: CouchDB's answer need not keep the
      // request's order (pouchdb-server's does not), and a refused write taken for another's success would
      // count as pushed while the server never took it.
      const results = new Map(answer.map((result) => [result.id, result]));
      for (const { row, doc } of direct) {
        const result = results.get(doc._id as string);
        if (!result) throw new Error(`The sync server's answer to a write says nothing of ${String(doc._id)}.`);
        if (result.ok) continue;
        // Refused because the server moved on (or the id exists): RxDB's path reads its version and merges.
        if (result.error === 'conflict') rest.push(row);
        else throw new Error(`The sync server refused a document (${result.error ?? 'unknown'}: ${result.reason ?? ''}).`);
      }
    }
    return rest.length > 0 ? readThenWrite(rest) : [];
  };
}
