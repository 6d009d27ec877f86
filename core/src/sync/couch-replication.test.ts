/**
 * What the sync line shows when the server answers, but with a failure: the device must not look
 * "Syncing…" for ever while it retries. Where the live pull starts (docs/sync.md, rule 5).
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

describe('the live pull', () => {
  it('starts where the first catch-up pull ended, never at the server\'s "now"', async () => {
    const requests: string[] = [];
    let answerCatchUp = () => undefined as void;
    const catchUpHeld = new Promise<void>((resolve) => { answerCatchUp = resolve; });
    let endPolls = () => undefined as void;
    const pollsEnd = new Promise<void>((resolve) => { endPolls = resolve; });
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    const fetchPort = (async (input: string) => {
      const url = new URL(input);
      if (url.pathname.endsWith('/_changes')) {
        const feed = url.searchParams.get('feed');
        requests.push(`${feed} since=${url.searchParams.get('since')}`);
        if (feed === 'longpoll') {
          await pollsEnd;
          return json({ results: [], last_seq: url.searchParams.get('since') });
        }
        // The catch-up reads an empty feed at sequence 7, slowly; another device writes meanwhile.
        await catchUpHeld;
        return json({ results: [], last_seq: '7-g1AAAA' });
      }
      if (url.pathname.endsWith('/_all_docs')) return json({ total_rows: 0, offset: 0, rows: [] });
      return json([]);
    }) as typeof fetch;
    const db = await openCartDatabase({ storage: getRxStorageMemory(), name: `live-pull-${++counter}` });
    const sync = startCartSync({ items: db.items, target: { dbUrl: 'https://localhost:5985/userdb-74657374', token: 'token' }, fetch: fetchPort, retryMs: 50 });
    open.push({ db, sync });
    try {
      await expect.poll(() => requests).toContain('normal since=0');
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Before the catch-up has read the feed, the live pull has not asked: "now" would be taken after the write.
      expect(requests.filter((request) => request.startsWith('longpoll'))).toEqual([]);
      answerCatchUp();
      await expect.poll(() => requests).toContain('longpoll since=7-g1AAAA');
      expect(requests).not.toContain('longpoll since=now');
    } finally {
      endPolls();
    }
  });
});
