import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { couchAdmin } from './couch-admin.ts';
import { ADMINS_ONLY, ensureDb, historyDbName, shopperDbName, shopperOfSyncedDb, type SecurityObject } from './shopper-dbs.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/**
 * A CouchDB over HTTP where another gateway instance creates the same database at the same moment: the
 * first `securityAfterConflict.length` writes of `_security` are answered 409, with what the other
 * instance wrote left in place. Only the routes the creation uses are answered.
 */
async function racingServer(securityAfterConflict: SecurityObject[]) {
  const calls: string[] = [];
  let conflicts = securityAfterConflict.length;
  let security: SecurityObject | null = null;
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    request.on('end', () => {
      const route = `${request.method} ${request.url}`;
      calls.push(route);
      const answer = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (route === 'PUT /userdb-61/_security') {
        if (conflicts > 0) {
          conflicts -= 1;
          security = securityAfterConflict.shift()!;
          return answer(409, { error: 'conflict', reason: 'Document update conflict.' });
        }
        security = JSON.parse(text) as SecurityObject;
        return answer(200, { ok: true });
      }
      if (route === 'GET /userdb-61/_security') return answer(200, security);
      if (route === 'PUT /userdb-61') return answer(201, { ok: true });
      return answer(404, { error: 'not_found', reason: `unexpected ${route}` });
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const couch = couchAdmin(`http://127.0.0.1:${(server.address() as { port: number }).port}`, null);
  return { couch, calls, security: () => security };
}

describe('creating a shopper database', () => {
  it('accepts a conflict on its access rules when the other instance set the same ones', async () => {
    const server = await racingServer([ADMINS_ONLY]);
    await expect(ensureDb(server.couch, 'userdb-61', ADMINS_ONLY)).resolves.toBe(true);
    expect(server.calls).toEqual(['PUT /userdb-61', 'PUT /userdb-61/_security', 'GET /userdb-61/_security']);
  });

  it('writes its access rules again when what is there is not what it wanted', async () => {
    const server = await racingServer([{ admins: { names: [], roles: [] }, members: { names: [], roles: [] } }]);
    await ensureDb(server.couch, 'userdb-61', ADMINS_ONLY);
    expect(server.security()).toEqual(ADMINS_ONLY);
  });

  it('gives up with a clear error when the conflict does not end', async () => {
    const open = { admins: { names: [], roles: [] }, members: { names: [], roles: [] } };
    const server = await racingServer([open, open, open]);
    await expect(ensureDb(server.couch, 'userdb-61', ADMINS_ONLY)).rejects.toThrow(/access rules of userdb-61 could not be set/);
  });
});

describe('whose synced database a name is', () => {
  it('gives the shopper of a cart or history database, and nobody for any other name', () => {
    expect(shopperOfSyncedDb(shopperDbName('anna@example.com'))).toBe('anna@example.com');
    expect(shopperOfSyncedDb(historyDbName('zoë@example.com'))).toBe('zoë@example.com');
    for (const other of [`${shopperDbName('anna@example.com')}-backups`, '_users', 'userdb-', 'userdb-616', 'userdb-ff', 'userdb-616E6E61', 'tote-accounts']) {
      expect(shopperOfSyncedDb(other), other).toBeNull();
    }
  });
});
