import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { couchAdmin } from '../couch-admin.ts';
import { freePort, startEmbeddedCouch, type EmbeddedCouch } from '../embedded-couch.ts';
import { AUDIT_DB, auditLog, type AuditEntry } from './audit.ts';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const task of cleanup.splice(0).reverse()) await task();
});

describe('the audit log', () => {
  it('keeps every entry through a CouchDB outage and writes them once it is back, each once', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tote-audit-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    let couchServer: EmbeddedCouch = await startEmbeddedCouch({ dataDir, port });
    cleanup.push(() => couchServer.stop());
    // A fresh embedded server is in "admin party": anyone is admin, so no credentials are needed here.
    const couch = couchAdmin(couchServer.url, null);
    const errors: unknown[] = [];
    const audit = await auditLog(couch, (error) => errors.push(error));
    const stored = async () => (await couch.db<AuditEntry>(AUDIT_DB).list({ include_docs: true })).rows
      .filter((row) => !row.id.startsWith('_design/')).map((row) => row.doc!.at);

    await couchServer.stop(); // CouchDB is down
    for (let at = 1; at <= 5; at += 1) audit.append({ at, actor: 'ada', role: 'shopper', device: null, action: 'cart.write', target: 'userdb-61' });
    await audit.flush();
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ name: 'CouchUnreachableError' });
    audit.append({ at: 6, actor: 'ada', role: 'shopper', device: null, action: 'session.logout', target: null });

    couchServer = await startEmbeddedCouch({ dataDir, port }); // back, with its data
    await expect.poll(async () => {
      await audit.flush();
      return (await stored()).length;
    }, { timeout: 10_000 }).toBe(6);
    expect((await stored()).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    await audit.close();
  }, 60_000);
});
