import { describe, expect, it } from 'vitest';
import { serverRevisions } from './server-revisions.ts';

const DB = '/userdb-61';
/** A pulled document as the replication hands it to the pull modifier: `_rev` gone, `_deleted` set. */
const asPulled = (doc: Record<string, unknown>) => {
  const copy: Record<string, unknown> = { ...doc, _deleted: Boolean(doc._deleted) };
  delete copy._rev;
  return copy;
};

describe('revisions the server is known to hold', () => {
  it('knows a pulled version is stale once a newer revision of it was pushed or pulled', () => {
    const revisions = serverRevisions();
    const old = { _id: 'item-1', _rev: '2-aaa', id: 'item-1', enc: 'AQold', fp: 'f1' };
    revisions.observe(`${DB}/_changes`, { results: [{ id: 'item-1', changes: [{ rev: '2-aaa' }], doc: old }], last_seq: '5' });
    const version = { id: 'item-1', quantity: 4 }; // what the pull modifier made of it
    revisions.link(version, revisions.pulled(asPulled(old)));
    expect(revisions.isStale(version)).toBe(false);

    revisions.observe(`${DB}/_bulk_docs`, [{ ok: true, id: 'item-1', rev: '3-bbb' }]); // this device's push landed
    expect(revisions.isStale(version)).toBe(true);
  });

  it('lets a newer revision with older content in (a restore from a backup)', () => {
    const revisions = serverRevisions();
    revisions.observe(`${DB}/_all_docs`, { rows: [{ id: 'item-1', value: { rev: '3-bbb' } }] });
    const restored = { _id: 'item-1', _rev: '4-ccc', id: 'item-1', title: 'Kettle', quantity: 1 }; // plain content
    revisions.observe(`${DB}/_changes`, { results: [{ id: 'item-1', changes: [{ rev: '4-ccc' }], doc: restored }] });
    const version = asPulled(restored);
    revisions.link(version, revisions.pulled(version));
    expect(revisions.isStale(version)).toBe(false);
  });

  it('never calls a version stale without knowing where it came from, and ignores what is not a CouchDB answer', () => {
    const revisions = serverRevisions();
    revisions.observe(`${DB}/_bulk_docs`, [{ ok: true, id: 'item-1', rev: '9-zzz' }]);
    expect(revisions.isStale({ id: 'item-1' })).toBe(false);
    revisions.observe(`${DB}/_changes`, 'not json');
    revisions.observe(`${DB}/_changes`, { results: [null, { id: 42 }] });
    revisions.observe(`${DB}/_bulk_docs`, [{ error: 'conflict', id: 'item-2' }]);
    const version = { id: 'item-2' };
    revisions.link(version, revisions.pulled({ _id: 'item-2', enc: 'unknown' }));
    expect(revisions.isStale(version)).toBe(false);
  });

  it('calls a version as the server sent it superseded once a newer revision of its document is known, and no other', () => {
    const revisions = serverRevisions();
    const older = { _id: 'item-1', _rev: '2-aaa', enc: 'AQold', fp: 'f1' };
    const newer = { _id: 'item-1', _rev: '3-bbb', enc: 'AQnew', fp: 'f2' };
    expect(revisions.isSuperseded(older)).toBe(false); // nothing known yet
    revisions.observe(`${DB}/_changes`, { results: [{ id: 'item-1', changes: [{ rev: '3-bbb' }], doc: newer }], last_seq: '7' }); // the channel's or a pull's
    expect(revisions.isSuperseded(older)).toBe(true);
    expect(revisions.isSuperseded(newer)).toBe(false);
    expect(revisions.isSuperseded({ _id: 'item-1', _rev: '3-ccc', enc: 'AQother' })).toBe(false); // a conflicting revision of the same generation goes on to the merge
    expect(revisions.isSuperseded({ _id: 'item-2', _rev: '1-ddd' })).toBe(false);
    expect(revisions.isSuperseded({ _id: 'item-1' })).toBe(false); // no revision: nothing to compare
  });
});
