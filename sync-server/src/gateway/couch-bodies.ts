/**
 * What a shopper may send on the routes access.ts allows them (docs/sync-server.md, "Access rules"):
 * the shape and size of bodies and the query options, checked on the parsed request before it is
 * forwarded. Refusals are 400 with a reason, 413 for oversized documents.
 *
 * No code from clients: a document id starting with `_` (`_design/…`, `_local/…`, `_security`) is
 * refused on every write route (`_bulk_docs`, `POST /{db}`, `PUT /{db}/{id}`); CouchDB filter
 * functions and views are refused in queries. Local documents (replication checkpoints) are held to
 * the cart document's size limit.
 */
import type { ShopperRoute } from './access.ts';
import { GatewayError } from './errors.ts';
import { queryValue, type RequestTarget } from './request-target.ts';

// A body the gateway did not parse as JSON (another content type) arrives as bytes: never an object here,
// so every rule below is decided on the parsed form and nothing unparsed is forwarded to a write route.
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);

/**
 * Query options a shopper may not use: CouchDB filter functions and views run server code (and
 * `filter=_selector` brings pouchdb-server down); replication needs none of them.
 */
export function checkShopperQuery(target: RequestTarget): void {
  const filter = queryValue(target, 'filter');
  if (filter !== null && filter !== '_doc_ids') throw new GatewayError(400, 'bad_request', 'Only the _doc_ids filter is supported.');
  if (queryValue(target, 'view') !== null) throw new GatewayError(400, 'bad_request', 'Views are not available.');
}

/** An id a shopper may write: a string that does not start with `_` (no design, local or system documents). */
function checkWrittenId(id: unknown): void {
  if (id === undefined) return;
  if (typeof id !== 'string' || id === '') throw new GatewayError(400, 'bad_request', 'A document id is a non-empty string.');
  if (id.startsWith('_')) throw new GatewayError(403, 'forbidden', 'Design documents and other ids starting with "_" cannot be written.');
}

/** Shape and size of what a shopper sends on `route`. Returns how many documents it writes. */
export function checkShopperBody(route: ShopperRoute, method: string, target: RequestTarget, body: unknown, maxDocBytes: number): number {
  if (Buffer.isBuffer(body) && body.length > 0 && method !== 'GET' && method !== 'HEAD') {
    throw new GatewayError(415, 'unsupported_media_type', 'Send cart data as JSON, with Content-Type: application/json.');
  }
  const tooLarge = (doc: unknown) => Buffer.byteLength(JSON.stringify(doc)) > maxDocBytes;
  const large = () => new GatewayError(413, 'too_large', `A cart document may be at most ${Math.round(maxDocBytes / 1024)} KB.`);
  const reads = method === 'GET' || method === 'HEAD' || method === 'DELETE';
  switch (route) {
    case '_bulk_docs': {
      if (!isObject(body) || !Array.isArray(body.docs) || !body.docs.every(isObject)) {
        throw new GatewayError(400, 'bad_request', '_bulk_docs takes {"docs": [ {...}, ... ]}.');
      }
      for (const doc of body.docs) checkWrittenId(doc._id);
      if (body.docs.some(tooLarge)) throw large();
      return body.docs.length;
    }
    case '_bulk_get':
      if (!isObject(body) || !Array.isArray(body.docs) || !body.docs.every((doc) => isObject(doc) && typeof doc.id === 'string')) {
        throw new GatewayError(400, 'bad_request', '_bulk_get takes {"docs": [ {"id": "..."}, ... ]}.');
      }
      return 0;
    case '_revs_diff':
      if (!isObject(body) || !Object.values(body).every((revs) => Array.isArray(revs) && revs.every((rev) => typeof rev === 'string'))) {
        throw new GatewayError(400, 'bad_request', '_revs_diff takes {"doc id": ["rev", ...], ...}.');
      }
      return 0;
    case '_all_docs':
      if (method === 'POST' && (!isObject(body) || (body.keys !== undefined && !(Array.isArray(body.keys) && body.keys.every((key) => typeof key === 'string'))))) {
        throw new GatewayError(400, 'bad_request', '_all_docs takes {"keys": ["id", ...]}.');
      }
      return 0;
    case 'doc':
    case 'local': {
      if (reads) return method === 'DELETE' ? 1 : 0;
      if (!isObject(body)) throw new GatewayError(400, 'bad_request', 'A document is a JSON object (Content-Type: application/json).');
      // POST /{db} takes its id from the body; PUT /{db}/{id} from the path, and a body naming another is refused.
      const pathId = target.segments.slice(1).join('/');
      if (method === 'POST') checkWrittenId(body._id);
      else if (body._id !== undefined && body._id !== pathId) throw new GatewayError(400, 'bad_request', 'The document id in the body differs from the one in the address.');
      if (tooLarge(body)) throw large();
      return 1;
    }
    default:
      return 0;
  }
}
