import { describe, expect, it } from 'vitest';
import { CouchUnreachableError, type CouchAdmin } from '../couch-admin.ts';
import { auditLog } from './audit.ts';

/** A CouchDB stand-in that keeps `_bulk_docs` writes and can be made unreachable. */
function couchStandIn() {
  const stored = new Map<string, unknown>();
  const state = { down: false };
  const couch: CouchAdmin = {
    url: 'http://127.0.0.1:1',
    async request<T>(method: string, path: string, body?: unknown) {
      if (state.down) throw new CouchUnreachableError('http://127.0.0.1:1', { cause: new Error('connect ECONNREFUSED') });
      if (method === 'POST' && path.endsWith('/_bulk_docs')) {
        for (const doc of (body as { docs: { _id: string }[] }).docs) if (!stored.has(doc._id)) stored.set(doc._id, doc);
        return { status: 201, body: [] as T };
      }
      return { status: method === 'GET' ? 404 : 201, body: {} as T };
    },
    async getConfig() { return null; },
    async setConfig() { return false; },
  };
  return { couch, stored, state };
}

describe('the audit log', () => {
  it('keeps every entry through a CouchDB outage and writes them once it is back, each once', async () => {
    const { couch, stored, state } = couchStandIn();
    const errors: unknown[] = [];
    const audit = await auditLog(couch, (error) => errors.push(error));
    state.down = true;
    for (let at = 1; at <= 5; at += 1) audit.append({ at, actor: 'ada', role: 'shopper', device: null, action: 'cart.write', target: 'userdb-61' });
    await audit.flush();
    expect(stored.size).toBe(0);
    expect(errors.length).toBeGreaterThan(0);
    audit.append({ at: 6, actor: 'ada', role: 'shopper', device: null, action: 'session.logout', target: null });
    state.down = false;
    await expect.poll(async () => {
      await audit.flush();
      return stored.size;
    }, { timeout: 5_000 }).toBe(6);
    expect([...stored.values()].map((doc) => (doc as { at: number }).at)).toEqual([1, 2, 3, 4, 5, 6]);
    await audit.close();
  });
});
