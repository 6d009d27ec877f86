/**
 * The documents a shopper's write carries to their other devices over the live channel
 * (docs/sync-server.md, "Live channel"; docs/sync.md, "Changes on the live channel").
 *
 * When CouchDB accepts a `_bulk_docs` write, the gateway holds both halves of what another device
 * would otherwise fetch with `_changes`: the documents as the device sent them (sealed) and, from
 * CouchDB's answer, the revision each one now has. It joins the two by id and passes the
 * documents on as they came, with their new `_rev`: it never looks inside one (ids and revisions only).
 *
 * Left out, so that devices fetch them with `_changes` as before: documents CouchDB refused (a
 * conflict), writes that set their own revisions (`new_edits: false`, whose answer names none), and a
 * write whose documents together exceed `maxBytes` (the `changed` notice alone goes out).
 */

/** Above this many bytes of documents, a write is announced without them. */
export const DEFAULT_LIVE_DOCS_BYTES = 64 * 1024;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);

/**
 * What a write tells the shopper's other devices: `nothing` when CouchDB took none of its documents
 * (every one a conflict: no notice at all, or devices would pull for nothing), else the written
 * documents with their new revisions, or null when the write is announced without them.
 * `request` is the body the gateway forwarded, `answer` CouchDB's parsed answer to it.
 */
export function liveDocuments(request: unknown, answer: unknown, maxBytes = DEFAULT_LIVE_DOCS_BYTES): Record<string, unknown>[] | 'nothing' | null {
  if (!isObject(request) || !Array.isArray(request.docs) || request.new_edits === false || !Array.isArray(answer)) return null;
  const sent = request.docs as unknown[];
  if (answer.length !== sent.length) return null;
  if (answer.every((row) => isObject(row) && typeof row.error === 'string')) return 'nothing';
  // The answer's rows are joined to the request's documents by id: CouchDB need not answer in the request's
  // order (pouchdb-server does not). A row for no document sent, or an id sent twice, and nothing goes.
  const byId = new Map<string, Record<string, unknown>>();
  for (const doc of sent) {
    if (!isObject(doc) || typeof doc._id !== 'string' || byId.has(doc._id)) return null;
    byId.set(doc._id, doc);
  }
  const docs: Record<string, unknown>[] = [];
  let bytes = 0;
  for (const row of answer as unknown[]) {
    if (!isObject(row) || typeof row.error === 'string') continue;
    const doc = typeof row.id === 'string' ? byId.get(row.id) : undefined;
    if (!doc || row.ok !== true || typeof row.rev !== 'string') return null;
    const passed = { ...doc, _rev: row.rev };
    bytes += Buffer.byteLength(JSON.stringify(passed));
    if (bytes > maxBytes) return null;
    docs.push(passed);
  }
  return docs;
}

/** CouchDB's whole answer, read to pass it on and to learn the revisions; rejects if the connection broke mid-answer. */
export async function readAnswer(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
