import { describe, expect, it } from 'vitest';
import { answerHeaders, connectionListed, forwardedRequestHeaders, noStore } from './proxy-headers.ts';

describe('answerHeaders', () => {
  it('drops hop-by-hop headers, proxy-* headers, those named in Connection, and server and x-powered-by', () => {
    const upstream = {
      connection: 'keep-alive, X-Trace-Hop', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', te: 'trailers', trailer: 'expires',
      upgrade: 'h2c', 'proxy-authenticate': 'Basic', 'proxy-connection': 'keep-alive', 'x-trace-hop': 'a', server: 'CouchDB/3.3.3', 'x-powered-by': 'Express',
      'content-type': 'application/json', 'content-length': '12', etag: '"1-abc"', 'cache-control': 'must-revalidate', 'set-cookie': ['a=b'],
    };
    expect(answerHeaders(upstream)).toEqual({
      'content-type': 'application/json', 'content-length': '12', etag: '"1-abc"', 'cache-control': 'must-revalidate', 'set-cookie': ['a=b'],
    });
  });

  it('leaves an answer without such headers as it is, and does not change its input', () => {
    const upstream = { 'content-type': 'text/plain', date: 'Mon, 01 Jan 2024 00:00:00 GMT' };
    expect(answerHeaders(upstream)).toEqual(upstream);
    const withHop = { connection: 'close', 'content-type': 'text/plain' };
    answerHeaders(withHop);
    expect(withHop).toEqual({ connection: 'close', 'content-type': 'text/plain' });
  });
});

describe('forwardedRequestHeaders', () => {
  it('drops hop-by-hop headers, expect and the client\'s credentials, keeps what CouchDB needs', () => {
    const client = {
      connection: 'Upgrade, X-Only-To-Gateway', upgrade: 'websocket', 'x-only-to-gateway': '1', 'keep-alive': '300', 'transfer-encoding': 'chunked',
      expect: '100-continue', 'proxy-authorization': 'Basic eA==', te: 'trailers',
      'content-type': 'application/json', 'content-length': '2', authorization: 'Bearer t', cookie: 'AuthSession=x', accept: 'application/json',
      'if-match': '1-a', 'x-forwarded-for': '10.0.0.1',
    };
    expect(forwardedRequestHeaders(client)).toEqual({ 'content-type': 'application/json', 'content-length': '2', accept: 'application/json', 'if-match': '1-a' });
  });
});

describe('connectionListed', () => {
  it('reads a Connection header in any case, with spaces and repeated values', () => {
    expect(connectionListed(' Keep-Alive ,X-A,,x-b ')).toEqual(['keep-alive', 'x-a', 'x-b']);
    expect(connectionListed(['close', 'X-C'])).toEqual(['close', 'x-c']);
    expect(connectionListed(undefined)).toEqual([]);
  });
});

describe('noStore', () => {
  it('is every answer but Fauxton\'s files', () => {
    for (const url of ['/_tote/login', '/_tote/keyring', '/userdb-61/_changes?since=0', '/_session', '/_utilsx', '/', '/_tote/admin/', '/_tote/admin/analytics', '/_tote/admin/metrics']) expect(noStore(url), url).toBe(true);
    for (const url of ['/_utils', '/_utils/', '/_utils/dashboard.assets/js/bundle.js?v=1', '/_tote/admin/assets/index-Bx1.js']) expect(noStore(url), url).toBe(false);
  });
});
