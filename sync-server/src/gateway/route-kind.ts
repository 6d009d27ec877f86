/**
 * What a request was and how it failed, in words that name no shopper: the labels of the metrics
 * (metrics.ts) and the fields of the request log (logging.ts), never the raw path, whose first segment
 * is a shopper's database, nor an error's message, which may quote one.
 *
 * - The gateway's own routes by their pattern: `/_tote/sessions/:id` is `sessions/:id`, the id left out.
 * - CouchDB routes by what the access rules decided (access.ts): `couch:<ShopperRoute>` (`couch:_changes`,
 *   `couch:doc`, …) for a shopper, `couch:admin` for a CouchDB admin (Fauxton), `couch:sign-in` for
 *   CouchDB's own sign-in, `couch:refused` when the rules refused it, `couch:unchecked` when it was
 *   answered before they ran (no valid session, a limit).
 * - `unmatched`: no route took it (a method no route serves).
 */
import type { FastifyRequest } from 'fastify';
import { CouchError, CouchUnreachableError } from '../couch-admin.ts';
import { GatewayError } from './errors.ts';

const TOTE = '/_tote/';

export function routeKind(request: FastifyRequest): string {
  const pattern = request.routeOptions.url;
  if (pattern === undefined) return 'unmatched';
  if (pattern.startsWith(TOTE)) return pattern.slice(TOTE.length);
  const decision = request.decision;
  if (!decision) return 'couch:unchecked';
  if (!decision.allow) return 'couch:refused';
  if ('route' in decision) {
    if (decision.route) return `couch:${decision.route}`;
    return decision.forward === 'caller' ? 'couch:admin' : 'couch:sign-in';
  }
  return 'couch:unchecked';
}

/** The gateway's own error codes (CouchDB's shape, `{error, reason}`): a fixed set of words. */
const ERROR_CODE = /^[a-z_]{1,40}$/;

/**
 * Why a request failed: the gateway's error code (`bad_request`, `unauthorized`, `forbidden`, `not_found`,
 * `conflict`, `too_large`, `too_many_requests`, `insufficient_storage`, …), `state_unavailable` (Redis did not answer),
 * `couch_unreachable` and `couch_timeout` (CouchDB did not answer), `couch_error` (CouchDB answered the
 * gateway's own work with an error), or `internal`.
 */
export function errorKind(error: unknown): string {
  if (error instanceof GatewayError) {
    if (error.kind) return error.kind;
    return ERROR_CODE.test(error.error) ? error.error : 'other';
  }
  if (error instanceof CouchUnreachableError) return 'couch_unreachable';
  if (error instanceof CouchError) return 'couch_error';
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'string') {
    // @fastify/reply-from's errors when CouchDB does not answer a forwarded request, and undici's own.
    if (code.includes('TIMEOUT')) return 'couch_timeout';
    if (code.startsWith('FST_REPLY_FROM_') || code.startsWith('UND_ERR') || code === 'ECONNRESET' || code === 'ECONNREFUSED') return 'couch_unreachable';
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'too_large';
  }
  if (error instanceof SyntaxError || (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500)) return 'bad_request';
  return 'internal';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** How the request failed (errorKind), when it did; set by the first onError hook. */
    failure?: string;
  }
}

/** Notes how a request failed, once, for whoever reports it (metrics, the request log). */
export function noteFailure(request: FastifyRequest, error: unknown): void {
  request.failure ??= errorKind(error);
}
