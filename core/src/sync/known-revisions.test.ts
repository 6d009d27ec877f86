import { describe, expect, it } from 'vitest';
import { knownRevisions, oneTripPush } from './known-revisions.ts';

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
    // each result is read by its id, whatever its place in the answer
    const again = { docs: [{ _id: 'c', enc: 'e', fp: 'fp-c1' }, { _id: 'd', enc: 'e', fp: 'fp-d1' }] };
    known.observeAnswer('/db/_bulk_docs', [{ id: 'd', error: 'conflict' }, { ok: true, id: 'c', rev: '1-c' }], again);
    expect(known.revisionOf(version('c', 'fp-c1'))).toBe('1-c');
    expect(known.revisionOf(version('d', 'fp-d1'))).toBeUndefined();
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

describe('oneTripPush', () => {
  const row = (id: string, fp: string, assumedFp?: string) => ({
    newDocumentState: { id, enc: 'e', fp, _deleted: false },
    ...(assumedFp ? { assumedMasterState: { id, enc: 'e', fp: assumedFp, _deleted: false } } : {}),
  });

  it('reads each result by its id when the server answers in another order, so a refused write is never taken as pushed', async () => {
    const known = knownRevisions();
    known.observe([{ _id: 'kettle', _rev: '1-k', enc: 'e', fp: 'k1' }]);
    // pouchdb-server answers a batch in its own order: the kettle's conflict comes last.
    const fetchPort = (async () => new Response(JSON.stringify([
      { ok: true, id: 'lamp', rev: '1-l' }, { ok: true, id: 'mug', rev: '1-m' }, { id: 'kettle', error: 'conflict', reason: 'Document update conflict.' },
    ]), { status: 201 })) as typeof fetch;
    const handedOn: string[][] = [];
    const push = oneTripPush<Record<string, unknown>>({
      dbUrl: 'https://sync.example/db/', fetch: fetchPort, known,
      readThenWrite: async (rows) => {
        handedOn.push(rows.map((each) => String(each.newDocumentState.id)));
        return [];
      },
    });
    await push([row('lamp', 'l1'), row('kettle', 'k2', 'k1'), row('mug', 'm1')] as never);
    // Only the refused kettle goes on to RxDB's path (which reads the server's version and merges).
    expect(handedOn).toEqual([['kettle']]);
  });

  it('refuses an answer that leaves a document out', async () => {
    const fetchPort = (async () => new Response(JSON.stringify([{ ok: true, id: 'lamp', rev: '1-l' }, { ok: true, id: 'other', rev: '1-o' }]), { status: 201 })) as typeof fetch;
    const push = oneTripPush<Record<string, unknown>>({ dbUrl: 'https://sync.example/db/', fetch: fetchPort, known: knownRevisions(), readThenWrite: async () => [] });
    await expect(push([row('lamp', 'l1'), row('mug', 'm1')] as never)).rejects.toThrow(/nothing of mug/);
  });
});
