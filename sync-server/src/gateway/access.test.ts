import { describe, expect, it } from 'vitest';
import { decide, decideKeyring, decideMetrics, decideRecovery, type Caller } from './access.ts';
import { upstreamTarget } from './request-target.ts';

const alice: Caller = { kind: 'account', dbName: 'userdb-616c696365' };
const support: Caller = { kind: 'account', dbName: null };
const anonymous: Caller = { kind: 'anonymous' };

describe('gateway access rules', () => {
  it('lets a shopper replicate and read their own database', () => {
    for (const [method, path] of [
      ['GET', '/userdb-616c696365'], ['GET', '/userdb-616c696365/_changes'], ['POST', '/userdb-616c696365/_bulk_docs'],
      ['POST', '/userdb-616c696365/_bulk_get'], ['POST', '/userdb-616c696365/_all_docs'], ['POST', '/userdb-616c696365/_revs_diff'],
      ['PUT', '/userdb-616c696365/_local/checkpoint'], ['GET', '/userdb-616c696365/item-1'], ['GET', '/userdb-616c696365/'],
      ['GET', '/_session'], ['GET', '/userdb-616c696365/_local/60CVEyMZti0z_QJY2DM5jw%3D%3D'], ['PUT', '/userdb-616c696365/_local/_8CVEyMZti0z.QJY2DM5jw%3D%3D'],
      // A stock PouchDB's checkpoint whose digest begins with "/" (one replication in 64).
      ['PUT', '/userdb-616c696365/_local/.8CVEyMZti0z_QJY2DM5jw%3D%3D'], ['GET', '/userdb-616c696365/_local/.8CVEyMZti0z_QJY2DM5jw%3D%3D'],
    ]) expect(decide(method!, path!, alice), `${method} ${path}`).toMatchObject({ allow: true, forward: 'shopper' });
    expect(decide('POST', '/userdb-616c696365/_bulk_docs', alice)).toMatchObject({ write: true });
    expect(decide('POST', '/userdb-616c696365/_bulk_get', alice)).toMatchObject({ write: false });
  });

  it('refuses another shopper\'s database by every route', () => {
    for (const route of ['', '/_changes', '/_bulk_get', '/_all_docs', '/_find', '/_bulk_docs', '/item-1', '/item-1/photo.jpg', '/_local/x']) {
      expect(decide('POST', `/userdb-626f62${route}`, alice)).toMatchObject({ allow: false, status: 403 });
      expect(decide('GET', `/userdb-626f62${route}`, alice)).toMatchObject({ allow: false, status: 403 });
    }
  });

  it('lets a shopper and a guest use their own history database with the cart\'s rules', () => {
    const guest: Caller = { kind: 'account', dbName: 'userdb-6775657374', guest: true };
    for (const [caller, db] of [[alice, 'userdb-616c696365'], [guest, 'userdb-6775657374']] as const) {
      const history = `${db}-history`;
      for (const [method, route] of [
        ['GET', ''], ['GET', '/_changes'], ['POST', '/_changes'], ['POST', '/_bulk_docs'], ['POST', '/_bulk_get'], ['POST', '/_all_docs'],
        ['POST', '/_revs_diff'], ['PUT', '/_local/checkpoint'], ['GET', '/0mvxs3yao0000:laptop'], ['PUT', '/0mvxs3yao0000:laptop'],
      ] as const) {
        // the same answer as for the cart's database, with the history database named in it
        const cart = decide(method, `/${db}${route}`, caller);
        const { target: _cartTarget, ...cartRest } = cart as Extract<typeof cart, { allow: true }>;
        expect(decide(method, `/${history}${route}`, caller), `${method} ${history}${route}`).toMatchObject({ ...cartRest, db: history });
        expect(cart).toMatchObject({ allow: true, db });
      }
      for (const [method, route] of [['GET', '/_security'], ['PUT', '/_design/x'], ['DELETE', ''], ['PUT', ''], ['POST', '/_compact'], ['POST', '/_index']] as const) {
        expect(decide(method, `/${history}${route}`, caller), `${method} ${history}${route}`).toMatchObject({ allow: false, status: 403 });
      }
      expect(decide('PATCH', `/${history}/_bulk_docs`, caller)).toMatchObject({ allow: false });
      expect(decide('GET', `/${history}/_bulk_docs`, caller)).toMatchObject({ allow: false, status: 405 });
      // a feed's head would wait as long as the feed: refused before anything is forwarded
      for (const target of [`/${db}/_changes?feed=longpoll&timeout=300&since=now`, `/${history}/_changes`]) {
        expect(decide('HEAD', target, caller), `HEAD ${target}`).toMatchObject({ allow: false, status: 405, reason: '_changes does not take HEAD.' });
      }
    }
  });

  it('refuses another shopper\'s history, and every backup database, own included', () => {
    for (const db of ['userdb-626f62-history', 'userdb-626f62-backups', 'userdb-616c696365-backups', 'userdb-616c696365-history-history', 'userdb-616c696365-historyx']) {
      for (const route of ['', '/_changes', '/_all_docs', '/_bulk_docs', '/_bulk_get', '/2026-11-26', '/2026-11-26/backup.json.gz', '/_local/x']) {
        expect(decide('GET', `/${db}${route}`, alice), `GET ${db}${route}`).toMatchObject({ allow: false, status: 403 });
        expect(decide('POST', `/${db}${route}`, alice), `POST ${db}${route}`).toMatchObject({ allow: false, status: 403 });
      }
    }
    expect(decide('GET', '/userdb-616c696365-history/_all_docs', support)).toMatchObject({ allow: false, status: 403 });
    expect(decide('GET', '/userdb-616c696365-history/_changes', anonymous)).toMatchObject({ allow: false, status: 401 });
  });

  it('refuses server-wide and administrative routes to shoppers', () => {
    for (const [method, path] of [
      ['GET', '/_all_dbs'], ['GET', '/_users/org.couchdb.user:bob'], ['GET', '/_config'], ['POST', '/_replicate'], ['GET', '/'],
      ['GET', '/userdb-616c696365/_security'], ['PUT', '/userdb-616c696365/_security'], ['PUT', '/userdb-616c696365/_design/x'],
      ['POST', '/userdb-616c696365/_compact'], ['POST', '/userdb-616c696365/_purge'], ['DELETE', '/userdb-616c696365'], ['PUT', '/userdb-626f62'],
      ['POST', '/userdb-616c696365/_find'], ['POST', '/userdb-616c696365/_index'], ['GET', '/userdb-616c696365/_design/x/_view/y'],
      ['PUT', '/userdb-616c696365/_local/_security'], ['GET', '/userdb-616c696365/_local/_security'], ['PUT', '/userdb-616c696365/item-1/photo.jpg'],
      ['GET', '/userdb-616c696365/_design_docs'], ['GET', '/userdb-616c696365/_local_docs'],
    ]) expect(decide(method!, path!, alice), `${method} ${path}`).toMatchObject({ allow: false, status: 403 });
    for (const method of ['POST', 'DELETE', 'PUT']) expect(decide(method, '/_session', alice)).toMatchObject({ allow: false, status: 405 });
    // A local document named as a dot segment, however written, is never one: the database itself or above it.
    for (const path of ['/userdb-616c696365/_local/.', '/userdb-616c696365/_local/..', '/userdb-616c696365/_local/%2e%2E', '/userdb-616c696365/_local/..%2F_security']) {
      expect(decide('PUT', path, alice), path).toMatchObject({ allow: false });
    }
  });

  it('forwards a shopper\'s look at their session without the query they sent', () => {
    const decision = decide('HEAD', '/_session?keys=%5B%22victim-item%22%5D&basic=true', alice);
    expect(decision).toMatchObject({ allow: true, forward: 'shopper', route: 'session' });
    expect(decision.allow && upstreamTarget(decision.target)).toEqual({ path: '/_session', query: '' });
  });

  it('refuses every target that could be read two ways with 400, whoever asks', () => {
    for (const caller of [alice, anonymous, { kind: 'couch-admin' } as Caller]) {
      for (const path of [
        '/userdb-616c696365/x\\..\\..\\userdb-626f62/_all_docs', '/userdb-616c696365/x/../../userdb-626f62/_all_docs', '/userdb-616c696365/%2e%2e/userdb-626f62',
        '/_utils/x%5C..%5C..%5Ctote-accounts/_find', '/userdb-616c696365%2F..%2Fuserdb-626f62', '/userdb-616c696365/%E0%A4%A', '/userdb-616c696365;x/_all_docs',
        '/userdb-616c696365//_all_docs', '/userdb-616c696365/%00', '/userdb-616c696365/%C0%AF', '/userdb-616c696365/%252e%252e', '/%75serdb-626f62',
        '/userdb-616c696365/a\u2215b', '/userdb-616c696365/%E2%88%95', '/userdb-616c696365/_changes?since=0&since=now',
      ]) expect(decide('GET', path, caller), `${path}`).toMatchObject({ allow: false, status: 400 });
    }
  });

  it('gives support and admin accounts no cart database', () => {
    expect(decide('GET', '/userdb-616c696365/_all_docs', support)).toMatchObject({ allow: false, status: 403 });
  });

  it('asks anonymous callers to sign in: Fauxton with a Basic challenge, CouchDB sign-in forwarded without credentials', () => {
    expect(decide('GET', '/userdb-616c696365/_changes', anonymous)).toMatchObject({ allow: false, status: 401 });
    expect(decide('GET', '/_all_dbs', anonymous)).toMatchObject({ allow: false, status: 401 });
    expect(decide('GET', '/_utils/index.html', anonymous)).toMatchObject({ allow: false, status: 401, challenge: true });
    expect(decide('GET', '/_session', anonymous)).toMatchObject({ allow: false, status: 401 });
    expect(decide('POST', '/_session', anonymous)).toMatchObject({ allow: true, forward: 'none' });
  });

  it('forwards an anonymous sign-in without the query it came with', () => {
    const decision = decide('POST', '/_session?filter=_view&view=evil%2Fall', anonymous);
    expect(decision).toMatchObject({ allow: true, forward: 'none' });
    expect(decision.allow && upstreamTarget(decision.target)).toEqual({ path: '/_session', query: '' });
  });

  it('lets CouchDB server admins do everything (Fauxton)', () => {
    expect(decide('GET', '/_all_dbs', { kind: 'couch-admin' })).toMatchObject({ allow: true });
    expect(decide('PUT', '/userdb-626f62/_security', { kind: 'couch-admin' })).toMatchObject({ allow: true, write: true, forward: 'caller' });
    expect(decide('GET', '/_utils/index.html', { kind: 'couch-admin' })).toMatchObject({ allow: true, forward: 'caller' });
  });

  it('gives the key record to its own shopper only: no guest, staff account, CouchDB admin or anonymous caller', () => {
    expect(decideKeyring('GET', alice)).toMatchObject({ allow: true, write: false, db: 'userdb-616c696365' });
    expect(decideKeyring('PUT', alice)).toMatchObject({ allow: true, write: true });
    expect(decideKeyring('DELETE', alice)).toMatchObject({ allow: false, status: 405 });
    expect(decideKeyring('GET', { kind: 'account', dbName: 'userdb-6775657374', guest: true })).toMatchObject({ allow: false, status: 403 });
    expect(decideKeyring('GET', support)).toMatchObject({ allow: false, status: 403 });
    expect(decideKeyring('GET', { kind: 'couch-admin' })).toMatchObject({ allow: false, status: 403 });
    expect(decideKeyring('GET', anonymous)).toMatchObject({ allow: false, status: 401 });
  });

  it('lets anyone ask to recover with a recovery key, by POST only, like sign-in', () => {
    for (const caller of [anonymous, alice, support, { kind: 'couch-admin' } as Caller]) {
      expect(decideRecovery('POST', 'keyring', caller)).toEqual({ allow: true, write: false, db: null });
      expect(decideRecovery('POST', 'recover', caller)).toEqual({ allow: true, write: true, db: null });
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
        expect(decideRecovery(method, 'recover', caller)).toMatchObject({ allow: false, status: 405 });
      }
    }
  });

  it('shows metrics to the scrape token and admin accounts only, by GET or HEAD', () => {
    const admin: Caller = { kind: 'account', dbName: null };
    expect(decideMetrics('GET', anonymous, null, true)).toEqual({ allow: true, write: false, db: null });
    expect(decideMetrics('HEAD', admin, 'admin', false)).toEqual({ allow: true, write: false, db: null });
    expect(decideMetrics('GET', anonymous, null, false)).toMatchObject({ allow: false, status: 401 });
    expect(decideMetrics('GET', alice, 'shopper', false)).toMatchObject({ allow: false, status: 403 });
    expect(decideMetrics('GET', support, 'support', false)).toMatchObject({ allow: false, status: 403 });
    expect(decideMetrics('GET', { kind: 'couch-admin' }, null, false)).toMatchObject({ allow: false, status: 403 });
    expect(decideMetrics('POST', admin, 'admin', false)).toMatchObject({ allow: false, status: 405 });
    expect(decideMetrics('DELETE', anonymous, null, true)).toMatchObject({ allow: false, status: 405 });
  });
});
