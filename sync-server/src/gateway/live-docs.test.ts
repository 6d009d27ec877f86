import { describe, expect, it } from 'vitest';
import { liveDocuments } from './live-docs.ts';

const sealed = (id: string, rev?: string) => ({ _id: id, ...(rev ? { _rev: rev } : {}), enc: `ciphertext-of-${id}` });

describe('liveDocuments', () => {
  it('passes the written documents on as sent, each with the revision CouchDB gave it', () => {
    const docs = liveDocuments({ docs: [sealed('a'), sealed('b', '1-x')] }, [{ ok: true, id: 'a', rev: '1-a' }, { ok: true, id: 'b', rev: '2-b' }]);
    expect(docs).toEqual([{ _id: 'a', _rev: '1-a', enc: 'ciphertext-of-a' }, { _id: 'b', _rev: '2-b', enc: 'ciphertext-of-b' }]);
  });

  it('joins CouchDB\'s answer to the documents by id, in whatever order it comes (pouchdb-server\'s own)', () => {
    const answer = [{ ok: true, id: 'b', rev: '2-b' }, { id: 'c', error: 'conflict' }, { ok: true, id: 'a', rev: '1-a' }];
    expect(liveDocuments({ docs: [sealed('a'), sealed('b', '1-x'), sealed('c', '1-old')] }, answer)).toEqual([
      { _id: 'b', _rev: '2-b', enc: 'ciphertext-of-b' }, { _id: 'a', _rev: '1-a', enc: 'ciphertext-of-a' },
    ]);
  });

  it('leaves out what CouchDB refused, and says when nothing was written', () => {
    const answer = [{ id: 'a', error: 'conflict', reason: 'Document update conflict.' }, { ok: true, id: 'b', rev: '1-b' }];
    expect(liveDocuments({ docs: [sealed('a', '1-old'), sealed('b')] }, answer)).toEqual([{ _id: 'b', _rev: '1-b', enc: 'ciphertext-of-b' }]);
    expect(liveDocuments({ docs: [sealed('a', '1-old')] }, [answer[0]])).toBe('nothing');
  });

  it('announces without documents what it cannot match or what is too large', () => {
    // new_edits: false answers with no revisions; an answer out of step with the request; not a write answer
    expect(liveDocuments({ docs: [sealed('a', '1-a')], new_edits: false }, [])).toBeNull();
    expect(liveDocuments({ docs: [sealed('a'), sealed('b')] }, [{ ok: true, id: 'c', rev: '1-c' }, { ok: true, id: 'a', rev: '1-a' }])).toBeNull();
    expect(liveDocuments({ docs: [sealed('a'), sealed('a')] }, [{ ok: true, id: 'a', rev: '1-a' }, { id: 'a', error: 'conflict' }])).toBeNull();
    expect(liveDocuments({ docs: [sealed('a')] }, [{ ok: true, id: 'a', rev: '1-a' }, { ok: true, id: 'b', rev: '1-b' }])).toBeNull();
    expect(liveDocuments({ docs: [sealed('a')] }, { error: 'bad_request' })).toBeNull();
    expect(liveDocuments(Buffer.from('{}'), [])).toBeNull();
    // a document without an id (CouchDB made one): the device fetches it
    expect(liveDocuments({ docs: [{ enc: 'x' }] }, [{ ok: true, id: 'generated', rev: '1-g' }])).toBeNull();
    const big = { _id: 'big', enc: 'x'.repeat(2000) };
    expect(liveDocuments({ docs: [big] }, [{ ok: true, id: 'big', rev: '1-b' }], 1000)).toBeNull();
    expect(liveDocuments({ docs: [big] }, [{ ok: true, id: 'big', rev: '1-b' }], 4000)).toHaveLength(1);
  });
});
