import { describe, expect, it } from 'vitest';
import { knownRevisions } from './known-revisions.ts';

const version = (id: string, fp: string, deleted = false) => ({ id, enc: `sealed-${fp}`, fp, _deleted: deleted });

describe('knownRevisions', () => {
  it('knows the revision of every version the server sent, by its content', () => {
    const known = knownRevisions();
    known.observeAnswer('/db/_changes', { results: [{ id: 'a', doc: { _id: 'a', _rev: '3-x', enc: 'e', fp: 'fp-a3' } }], last_seq: 9 });
    known.observeAnswer('/db/_all_docs', { rows: [{ id: 'b', doc: { _id: 'b', _rev: '1-y', enc: 'e', fp: 'fp-b1' } }, { key: 'gone', error: 'not_found' }] });
    known.observe([{ _id: 'c', _rev: '2-z', enc: 'e', fp: 'fp-c2' }]);
    expect(known.revisionOf(version('a', 'fp-a3'))).toBe('3-x');
    expect(known.revisionOf(version('b', 'fp-b1'))).toBe('1-y');
    expect(known.revisionOf(version('c', 'fp-c2'))).toBe('2-z');
    // another content of the same document, or the same content removed, is another version
    expect(known.revisionOf(version('a', 'fp-other'))).toBeUndefined();
    expect(known.revisionOf(version('a', 'fp-a3', true))).toBeUndefined();
  });

  it('learns the revisions of its own writes from the request and CouchDB\'s answer, not of refused ones', () => {
    const known = knownRevisions();
    const request = { docs: [{ _id: 'a', enc: 'e', fp: 'fp-a1', _deleted: false }, { _id: 'b', _rev: '1-old', enc: 'e', fp: 'fp-b2' }] };
    known.observeAnswer('/db/_bulk_docs', [{ ok: true, id: 'a', rev: '1-a' }, { id: 'b', error: 'conflict' }], request);
    expect(known.revisionOf(version('a', 'fp-a1'))).toBe('1-a');
    expect(known.revisionOf(version('b', 'fp-b2'))).toBeUndefined();
    // an answer out of step with the request teaches nothing
    known.observeAnswer('/db/_bulk_docs', [{ ok: true, id: 'b', rev: '2-b' }], request);
    expect(known.revisionOf(version('b', 'fp-b2'))).toBeUndefined();
  });

  it('keeps the latest revision of a content seen twice, and forgets the oldest past its limit', () => {
    const known = knownRevisions(2);
    known.observe([{ _id: 'a', _rev: '1-a', fp: 'same' }, { _id: 'a', _rev: '3-a', fp: 'same' }]);
    expect(known.revisionOf({ id: 'a', fp: 'same', _deleted: false })).toBe('3-a');
    known.observe([{ _id: 'b', _rev: '1-b', fp: 'b' }, { _id: 'c', _rev: '1-c', fp: 'c' }]);
    expect(known.revisionOf({ id: 'a', fp: 'same', _deleted: false })).toBeUndefined();
    expect(known.revisionOf({ id: 'c', fp: 'c', _deleted: false })).toBe('1-c');
  });

  it('ignores documents without a fingerprint (plain ones, bare removals)', () => {
    const known = knownRevisions();
    known.observe([{ _id: 'a', _rev: '1-a', title: 'plain' }, { _id: 'h', _rev: '2-h', _deleted: true }]);
    expect(known.revisionOf({ id: 'a', title: 'plain' })).toBeUndefined();
    expect(known.revisionOf({ id: 'h', _deleted: true })).toBeUndefined();
  });
});
