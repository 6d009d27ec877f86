import { describe, expect, it } from 'vitest';
import { CouchError, CouchUnreachableError } from '../couch-admin.ts';
import { GatewayError } from './errors.ts';
import { RateLimited } from './rate-limits.ts';
import { errorKind } from './route-kind.ts';
import { upstreamFailure, whileFull } from './storage-errors.ts';

describe('errorKind', () => {
  it('names the gateway\'s own refusals by their error code, and a Redis outage as such', () => {
    expect(errorKind(new GatewayError(400, 'bad_request', 'Send a JSON object.'))).toBe('bad_request');
    expect(errorKind(new GatewayError(409, 'conflict', 'Taken.'))).toBe('conflict');
    expect(errorKind(new RateLimited('requests', 'Too many requests.', 1000))).toBe('too_many_requests');
    expect(errorKind(new GatewayError(503, 'unavailable', 'The session store is restarting.', 2, 'state_unavailable'))).toBe('state_unavailable');
    // The other 503s are not Redis: a full disk, and CouchDB answering with a failure of its own.
    expect(errorKind(whileFull('GET'))).toBe('insufficient_storage');
    expect(errorKind(upstreamFailure('{"error":"unknown"}'))).toBe('couch_error');
    // A code that is not one word of the fixed set is never used as a label.
    expect(errorKind(new GatewayError(400, 'userdb-616c696365 is bad', 'x'))).toBe('other');
  });

  it('tells CouchDB not answering from CouchDB answering with an error, never quoting the message', () => {
    expect(errorKind(new CouchUnreachableError('http://127.0.0.1:5984', { cause: new Error('connect ECONNREFUSED') }))).toBe('couch_unreachable');
    expect(errorKind(new CouchError(500, 'error', 'boom', 'GET', '/userdb-616c696365'))).toBe('couch_error');
    // @fastify/reply-from's errors for a forwarded request
    expect(errorKind(Object.assign(new Error('connect ECONNREFUSED'), { code: 'FST_REPLY_FROM_INTERNAL_SERVER_ERROR', statusCode: 500 }))).toBe('couch_unreachable');
    expect(errorKind(Object.assign(new Error('Gateway Timeout'), { code: 'FST_REPLY_FROM_GATEWAY_TIMEOUT', statusCode: 504 }))).toBe('couch_timeout');
    expect(errorKind(Object.assign(new Error('reset'), { code: 'ECONNRESET', statusCode: 500 }))).toBe('couch_unreachable');
  });

  it('names Fastify\'s refusals of a body, and anything else as internal', () => {
    expect(errorKind(Object.assign(new Error('too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }))).toBe('too_large');
    expect(errorKind(new SyntaxError('Unexpected token'))).toBe('bad_request');
    expect(errorKind(Object.assign(new Error('empty'), { code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 }))).toBe('bad_request');
    expect(errorKind(new TypeError('x is undefined'))).toBe('internal');
    expect(errorKind('a string')).toBe('internal');
  });
});
