import { describe, expect, it } from 'vitest';
import type { CouchAdmin, CouchResponse } from './couch-admin.ts';
import { ADMINS_ONLY, ensureDb, type SecurityObject } from './shopper-dbs.ts';

/** A server where another gateway instance creates the same database at the same moment. */
function racingServer(securityAfterConflict: SecurityObject[]) {
  const calls: string[] = [];
  let conflicts = securityAfterConflict.length;
  let security: SecurityObject | null = null;
  const couch = {
    async request<T>(method: string, path: string, body?: unknown): Promise<CouchResponse<T>> {
      calls.push(`${method} ${path}`);
      if (method === 'PUT' && path === '/userdb-61/_security') {
        if (conflicts > 0) {
          conflicts -= 1;
          security = securityAfterConflict.shift()!;
          return { status: 409, body: { error: 'conflict' } as T };
        }
        security = body as SecurityObject;
        return { status: 200, body: { ok: true } as T };
      }
      if (method === 'GET' && path === '/userdb-61/_security') return { status: 200, body: security as T };
      if (method === 'PUT' && path === '/userdb-61') return { status: 201, body: { ok: true } as T };
      throw new Error(`unexpected ${method} ${path}`);
    },
  } as unknown as CouchAdmin;
  return { couch, calls, security: () => security };
}

describe('creating a shopper database', () => {
  it('accepts a conflict on its access rules when the other instance set the same ones', async () => {
    const server = racingServer([ADMINS_ONLY]);
    await expect(ensureDb(server.couch, 'userdb-61', ADMINS_ONLY)).resolves.toBe(true);
    expect(server.calls).toEqual(['PUT /userdb-61', 'PUT /userdb-61/_security', 'GET /userdb-61/_security']);
  });

  it('writes its access rules again when what is there is not what it wanted', async () => {
    const server = racingServer([{ admins: { names: [], roles: [] }, members: { names: [], roles: [] } }]);
    await ensureDb(server.couch, 'userdb-61', ADMINS_ONLY);
    expect(server.security()).toEqual(ADMINS_ONLY);
  });

  it('gives up with a clear error when the conflict does not end', async () => {
    const open = { admins: { names: [], roles: [] }, members: { names: [], roles: [] } };
    const server = racingServer([open, open, open]);
    await expect(ensureDb(server.couch, 'userdb-61', ADMINS_ONLY)).rejects.toThrow(/access rules of userdb-61 could not be set/);
  });
});
