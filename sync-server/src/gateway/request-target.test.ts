import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readTarget, upstreamTarget } from './request-target.ts';

const read = (raw: string) => {
  const reading = readTarget(raw);
  if (!reading.ok) throw new Error(`refused ${raw}: ${reading.reason}`);
  return reading.target;
};

describe('one reading of a request target', () => {
  it('reads what replication sends into decoded segments and query parameters', () => {
    expect(read('/userdb-61/_changes?style=all_docs&since=12&include_docs=true')).toEqual({
      segments: ['userdb-61', '_changes'], trailingSlash: false, query: [['style', 'all_docs'], ['since', '12'], ['include_docs', 'true']],
    });
    expect(read('/userdb-61-history/0mvxs3yao0000%3Alaptop').segments).toEqual(['userdb-61-history', '0mvxs3yao0000:laptop']);
    expect(read('/userdb-61/_local/abc123').segments).toEqual(['userdb-61', '_local', 'abc123']);
    expect(read('/').segments).toEqual([]);
    expect(read('/userdb-61/')).toMatchObject({ segments: ['userdb-61'], trailingSlash: true });
    expect(upstreamTarget(read('/_utils/')).path).toBe('/_utils/');
    expect(read('/db/_all_docs?keys=%5B%22a%20b%22%5D').query).toEqual([['keys', '["a b"]']]);
  });

  it('builds the upstream target from the reading alone, and reading that again gives the same', () => {
    const target = read('/userdb-61/0mvxs3yao0000%3Alaptop?rev=1-abc&startkey=%22x%22');
    const upstream = upstreamTarget(target);
    expect(upstream).toEqual({ path: '/userdb-61/0mvxs3yao0000:laptop', query: 'rev=1-abc&startkey=%22x%22' });
    expect(read(`${upstream.path}?${upstream.query}`)).toEqual(target);
  });

  it('round-trips every segment it accepts: the path CouchDB gets is the path that was decided on', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), { maxLength: 5 }), (segments) => {
      const raw = `/${segments.map(encodeURIComponent).join('/')}`;
      const reading = readTarget(raw);
      if (!reading.ok) return; // refused: nothing is forwarded
      const upstream = upstreamTarget(reading.target);
      // WHATWG URL, as undici builds the upstream request, leaves it as it is.
      expect(new URL(upstream.path, 'http://127.0.0.1:5984').pathname).toBe(upstream.path);
      expect(readTarget(upstream.path)).toEqual(reading);
    }), { numRuns: 500 });
  });

  it('refuses targets that another parser could read differently', () => {
    for (const raw of [
      'userdb-61', '/a\\b', '/a/./b', '/a/../b', '/a/%2E%2E/b', '/a/%2e/b', '/a%2Fb', '/a%2fb', '/a%5Cb', '/a%5cb', '/a;b', '/a//b', '//a',
      '/a%00', '/a%0A', '/a%7F', '/a%zz', '/a%4', '/a%C0%AF', '/a%C0%AE%C0%AE', '/a%ED%A0%80', '/a%252e', '/a%25', '/%61', '/a%2D',
      '/a b', '/a\u0000', '/a\u00e9', '/a\u2215b', '/a%E2%88%95b', '/a%EF%BC%8Fb', '/a%EF%BC%BCb', '/a?x=1#f', '/a?x=%zz', '/a?x=1&x=2',
      '/a?x=%00', `/${'a'.repeat(9000)}`,
    ]) expect(readTarget(raw), JSON.stringify(raw)).toMatchObject({ ok: false });
  });
});
