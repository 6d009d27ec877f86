/**
 * What the sync line shows when the server answers, but with a failure: the device must not look
 * "Syncing…" for ever while it retries.
 */
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { firstValueFrom } from 'rxjs';
import { filter } from 'rxjs/operators';
import { afterEach, describe, expect, it } from 'vitest';
import { openCartDatabase, type CartDatabase } from '../persistence/cart-database.ts';
import { startCartSync, type CartSync } from './couch-replication.ts';

const open: { db: CartDatabase; sync: CartSync }[] = [];
let counter = 0;

afterEach(async () => {
  for (const { db, sync } of open.splice(0)) {
    await sync.stop();
    await db.remove();
  }
});

async function syncAgainst(status: number, body: unknown) {
  const db = await openCartDatabase({ storage: getRxStorageMemory(), name: `sync-status-${++counter}` });
  const fetchPort = (async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })) as typeof fetch;
  const sync = startCartSync({ items: db.items, target: { dbUrl: 'https://localhost:5985/userdb-74657374', token: 'token' }, fetch: fetchPort, retryMs: 50 });
  open.push({ db, sync });
  return sync;
}

describe('the sync line when the server fails', () => {
  it.each([500, 502, 504])('says so for a %i, with the status, instead of "Syncing…"', async (status) => {
    const sync = await syncAgainst(status, { error: 'unknown', reason: 'boom' });
    const shown = await firstValueFrom(sync.status$.pipe(filter((each) => each.phase === 'error')));
    expect(shown.problem?.code).toBe('SYNC_HTTP');
    expect(shown.problem?.message).toContain(`(${status})`);
    expect(shown.problem?.message).toContain('Tote will keep retrying');
  });

  it('says "unavailable for a moment" for a 503', async () => {
    const sync = await syncAgainst(503, { error: 'unavailable', reason: 'down' });
    const shown = await firstValueFrom(sync.status$.pipe(filter((each) => each.phase === 'error')));
    expect(shown.problem?.code).toBe('SYNC_UNAVAILABLE');
  });
});
