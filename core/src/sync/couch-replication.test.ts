/**
 * What the sync line shows when the server answers, but with a failure: the device must not look
 * "Syncing…" for ever while it retries. Where the live pull starts (docs/sync.md, rule 5).
 */
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { firstValueFrom } from 'rxjs';
import { filter } from 'rxjs/operators';
import { afterEach, describe, expect, it } from 'vitest';
import { openCartDatabase, type CartDatabase } from '../persistence/cart-database.ts';
import { inCallOrder, startCartSync, type CartSync } from './couch-replication.ts';
import type { ItemSeal } from './sealed-items.ts';

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

describe('the long poll while the live channel delivers (docs/sync.md, rule 6)', () => {
  /**
   * A server in memory: each catch-up pull reads to the end of a feed that is one further each time;
   * long polls stay open until the test ends them or the device cuts them (its signal).
   */
  function feedServer() {
    const requests: string[] = [];
    let end = 0;
    let endPolls = () => undefined as void;
    const pollsEnd = new Promise<void>((resolve) => { endPolls = resolve; });
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    const fetchPort = (async (input: string, init?: RequestInit) => {
      const url = new URL(input);
      if (url.pathname.endsWith('/_changes')) {
        const feed = url.searchParams.get('feed');
        requests.push(`${feed} since=${url.searchParams.get('since')}`);
        if (feed === 'longpoll') {
          await new Promise<void>((resolve, reject) => {
            init?.signal?.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError')));
            void pollsEnd.then(resolve);
          });
          return json({ results: [], last_seq: url.searchParams.get('since') });
        }
        end += 1;
        return json({ results: [], last_seq: String(end) });
      }
      if (url.pathname.endsWith('/_all_docs')) return json({ total_rows: 0, offset: 0, rows: [] });
      return json([]);
    }) as typeof fetch;
    return { requests, fetchPort, endPolls, polls: () => requests.filter((request) => request.startsWith('longpoll')) };
  }

  async function syncWith(server: ReturnType<typeof feedServer>, catchUpEveryMs?: number) {
    const db = await openCartDatabase({ storage: getRxStorageMemory(), name: `live-delivery-${++counter}` });
    const sync = startCartSync({
      items: db.items, target: { dbUrl: 'https://localhost:5985/userdb-74657374', token: 'token' }, fetch: server.fetchPort, retryMs: 50,
      ...(catchUpEveryMs ? { catchUpEveryMs } : {}),
    });
    open.push({ db, sync });
    return sync;
  }

  it('rests while on (the open poll cut, none sent), pulls when asked, and wakes from where the last pull read', async () => {
    const server = feedServer();
    const sync = await syncWith(server);
    try {
      await expect.poll(() => server.polls()).toEqual(['longpoll since=1']);
      expect(sync.getStatus().phase).not.toBe('offline');

      sync.setLiveDelivery(true);
      // Turning on pulls once (what was written before the channel connected) …
      await expect.poll(() => server.requests.filter((request) => request.startsWith('normal'))).toHaveLength(2);
      // … and cutting the open poll is not an outage: the replication asks again, and that poll is held.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(server.polls()).toEqual(['longpoll since=1']);
      expect(sync.getStatus().phase).not.toBe('offline');
      expect(sync.getStatus().problem).toBeNull();

      sync.pull();
      await expect.poll(() => server.requests.filter((request) => request.startsWith('normal'))).toHaveLength(3);
      sync.pull('userdb-74657374');
      await expect.poll(() => server.requests.filter((request) => request.startsWith('normal'))).toHaveLength(4);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.polls()).toEqual(['longpoll since=1']);

      // The channel is gone: the poll goes out at once, from the end the last pull read (sequence 4).
      sync.setLiveDelivery(false);
      await expect.poll(() => server.polls()).toEqual(['longpoll since=1', 'longpoll since=4']);
    } finally {
      server.endPolls();
    }
  });

  it('pulls on its timer only while on', async () => {
    const server = feedServer();
    const sync = await syncWith(server, 100);
    try {
      await expect.poll(() => server.polls()).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(server.requests.filter((request) => request.startsWith('normal'))).toHaveLength(1); // the first pull alone
      sync.setLiveDelivery(true);
      await expect.poll(() => server.requests.filter((request) => request.startsWith('normal')).length).toBeGreaterThanOrEqual(4);
      expect(server.polls()).toHaveLength(1);
    } finally {
      server.endPolls();
    }
  });
});

describe('pulled versions (docs/sync.md, rule 9)', () => {
  it('are handed on in the order they came, however long each takes to open', async () => {
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    let endPolls = () => undefined as void;
    const pollsEnd = new Promise<void>((resolve) => { endPolls = resolve; });
    const fetchPort = (async (input: string, init?: RequestInit) => {
      const url = new URL(input);
      if (url.pathname.endsWith('/_changes')) {
        if (url.searchParams.get('feed') === 'longpoll') {
          await new Promise<void>((resolve, reject) => {
            init?.signal?.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError')));
            void pollsEnd.then(resolve);
          });
          return json({ results: [], last_seq: url.searchParams.get('since') });
        }
        return json({ results: [], last_seq: '1' });
      }
      if (url.pathname.endsWith('/_all_docs')) return json({ total_rows: 0, offset: 0, rows: [] });
      return json([]);
    }) as typeof fetch;
    // Opening the first version takes longer than opening the second, which came just after it.
    const seal: ItemSeal = {
      seal: async (doc) => doc as never,
      open: async (doc) => {
        const { slow, ...item } = doc as Record<string, unknown>;
        if (slow) await new Promise((resolve) => setTimeout(resolve, 80));
        return { ...item, _deleted: false } as never;
      },
    };
    const db = await openCartDatabase({ storage: getRxStorageMemory(), name: `pull-order-${++counter}` });
    const sync = startCartSync({ items: db.items, target: { dbUrl: 'https://localhost:5985/userdb-74657374', token: 'token' }, fetch: fetchPort, retryMs: 50, seal });
    open.push({ db, sync });
    try {
      await expect.poll(() => sync.getStatus().phase).toBe('in-sync');
      const version = (quantity: number, rev: string, slow: boolean) => ({
        _id: 'item-1', _rev: rev, listId: 'cart', url: 'https://shop.example/p/1', shop: 'shop.example', title: 'Kettle', priceMinor: 100,
        currency: 'EUR', imageUrl: null, variant: null, quantity, note: '', addedAt: 1, addedBy: 'phone', updatedAt: quantity, updatedBy: 'phone',
        addedPriceMinor: 100, priceHistory: [], deleted: false, ...(slow ? { slow: true } : {}),
      });
      expect(sync.receive('userdb-74657374', [version(2, '2-a', true)])).toBe(true);
      expect(sync.receive('userdb-74657374', [version(3, '3-b', false)])).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sync.awaitInSync();
      expect((await db.items.findOne('item-1').exec())?.quantity).toBe(3);
    } finally {
      endPolls();
    }
  });

  it('inCallOrder runs every call at once and resolves them in the order they were made', async () => {
    const started: number[] = [];
    const ordered = inCallOrder(async (ms: number) => {
      started.push(ms);
      await new Promise((resolve) => setTimeout(resolve, ms));
      return ms;
    });
    const resolved: number[] = [];
    const begun = performance.now();
    await Promise.all([60, 10, 30].map((ms) => ordered(ms).then((value) => resolved.push(value))));
    expect(started).toEqual([60, 10, 30]);
    expect(resolved).toEqual([60, 10, 30]);
    expect(performance.now() - begun).toBeLessThan(150); // side by side, not one after another (100 ms)
  });
});
