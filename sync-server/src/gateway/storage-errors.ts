/**
 * CouchDB's own failures as the gateway answers them (docs/reliability.md, "A full disk"). Devices must
 * get an answer they can act on, never a bare 500, and never CouchDB's reason, which names files on
 * the server:
 * - a full disk under CouchDB's data folder: 507 Insufficient Storage with Retry-After. The embedded
 *   pouchdb-server (LevelDB) answers a write then with 500 `{"error":"bad_request","reason":"IO error:
 *   <file>: No space left on device"}` (seen); Apache CouchDB 3.x with a 500 whose reason is `enospc`;
 * - any other 5xx of CouchDB: 503 with Retry-After (the cart storage is in trouble; the device retries).
 * Reads keep working on a full disk, and writes work again as soon as there is room: nothing to restart.
 */
import type { Readable } from 'node:stream';
import { GatewayError } from './errors.ts';

/** Seconds a device is told to wait when the disk is full: freeing space takes an operator. */
export const DISK_FULL_RETRY_AFTER_S = 30;
/** Seconds a device is told to wait after another failure of CouchDB. */
export const UNAVAILABLE_RETRY_AFTER_S = 5;
/** An error body longer than this is not read further (error bodies are a few hundred bytes). */
const MAX_ERROR_BODY = 16 * 1024;

const DISK_FULL = /no space left on device|enospc|disk quota exceeded|edquot|insufficient_storage/i;

/** True when a CouchDB error's text says its disk is full. */
export function isDiskFull(text: string): boolean {
  return DISK_FULL.test(text);
}

export function storageFull(): GatewayError {
  return new GatewayError(507, 'insufficient_storage',
    'The sync server is out of storage space. Your changes are kept on your device and will sync once it has room again.', DISK_FULL_RETRY_AFTER_S);
}

/** What a request that needs CouchDB gets while its disk is full: 507 for a write, 503 for a read (CouchDB is stopped meanwhile). */
export function whileFull(method: string): GatewayError {
  if (method !== 'GET' && method !== 'HEAD') return storageFull();
  // 503 (a read needs no room), named as the 507 is, so a device can tell the shopper why.
  return new GatewayError(503, 'insufficient_storage', 'The sync server is out of storage space and cannot be read for the moment. Your cart is kept on your device.', DISK_FULL_RETRY_AFTER_S);
}

/** What the gateway answers for a 5xx of CouchDB whose body was `body`. */
export function upstreamFailure(body: string): GatewayError {
  if (isDiskFull(body)) return storageFull();
  return new GatewayError(503, 'unavailable', 'The cart storage failed to answer. Your changes are kept on your device; try again in a moment.', UNAVAILABLE_RETRY_AFTER_S, 'couch_error');
}

/** The start of an upstream error body, as text; the rest is drained and dropped. Never rejects. */
export async function readErrorBody(stream: Readable): Promise<string> {
  let text = '';
  try {
    for await (const chunk of stream) {
      if (text.length < MAX_ERROR_BODY) text += Buffer.from(chunk as Buffer).toString('utf8');
    }
  } catch {
    // the connection to CouchDB broke mid-answer: what was read is what there is
  }
  return text.slice(0, MAX_ERROR_BODY);
}
