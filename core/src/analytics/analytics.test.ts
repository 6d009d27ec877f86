/**
 * Analytics on the device (docs/analytics.md): events derived from the history a real store records
 * (RxDB on storage-memory, a controllable clock), daily aggregates, consent and the queue of days.
 */
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { isToteError, ToteError } from '../errors.ts';
import { fromHistoryRecord, toHistoryRecord } from '../history/history-record.ts';
import { openCartDatabase, type CartDatabase } from '../persistence/cart-database.ts';
import { createCartStore, type CartStore } from '../store/cart-store.ts';
import { createHistoryLog, type HistoryLog } from '../store/history-log.ts';
import { ManualClock, product } from '../test/fixtures.ts';
import { DAY_MS, deriveEvents, type AnalyticsEvent } from './analytics-events.ts';
import { createAnalyticsReporter, memoryAnalyticsStorage, type AnalyticsBatch } from './analytics-reporter.ts';
import { dailyAggregates, mergeAggregates } from './daily-aggregate.ts';
import { createLatencyMonitor, decodeLatency } from '../monitoring/latency-monitor.ts';

const open: { db: CartDatabase; store: CartStore; history: HistoryLog }[] = [];
let counter = 0;

async function openDevice(id: string, clock: ManualClock, name = `analytics-${++counter}`) {
  const db = await openCartDatabase({ storage: getRxStorageMemory(), name });
  const device = { id, name: id };
  const history = createHistoryLog(db.history, device);
  const store = createCartStore({ items: db.items, device, clock, history });
  await store.ready;
  open.push({ db, store, history });
  const read = async () => {
    await store.historySettled();
    return { entries: (await history.read()).entries, items: store.getState().items };
  };
  return { db, store, history, read, name };
}

afterEach(async () => {
  for (const { db, store, history } of open.splice(0)) {
    store.close();
    history.close();
    await db.close();
  }
});

const kinds = (events: readonly AnalyticsEvent[]) => events.map((found) => found.kind);

describe('events from history', () => {
  it('an add keeps where it came from in history, through its stored form', async () => {
    const clock = new ManualClock();
    const laptop = await openDevice('laptop', clock);
    await laptop.store.dispatch(cartCommands.add(product(), { source: 'context-menu' }));
    await laptop.store.dispatch(cartCommands.add(product({ url: 'https://shop.example/p/mug', title: 'Mug' })));
    const { entries } = await laptop.read();
    expect(entries.map((entry) => entry.source)).toEqual(['context-menu', undefined]);
    expect(entries.map((entry) => fromHistoryRecord(JSON.parse(JSON.stringify(toHistoryRecord(entry)))))).toEqual(entries);
    // A source a newer version wrote is left out; the change is kept.
    expect(fromHistoryRecord({ ...toHistoryRecord(entries[0]!), f: 'voice' })?.source).toBeUndefined();
    expect(fromHistoryRecord({ ...toHistoryRecord(entries[0]!), f: 7 })).toBeNull();
  });

  it('a source Tote does not know is refused with a typed error and changes nothing', async () => {
    const laptop = await openDevice('laptop', new ManualClock());
    const refused = await laptop.store.dispatch({ ...cartCommands.add(product()), source: 'voice' } as never).catch((error: unknown) => error);
    expect(isToteError(refused, 'INVALID_INPUT')).toBe(true);
    expect(Object.keys(laptop.store.getState().items)).toEqual([]);
  });

  it('adds, quantity changes, moves, removals and price drops, each once, by the device that made it', async () => {
    const clock = new ManualClock();
    const laptop = await openDevice('laptop', clock);
    const { action } = await laptop.store.dispatch(cartCommands.add(product(), { source: 'page' }));
    const id = action.meta.newId;
    clock.advance(60_000);
    await laptop.store.dispatch(cartCommands.add(product(), { source: 'popup' })); // same line: quantity 2, an add
    await laptop.store.dispatch(cartCommands.setQuantity(id, 5));
    await laptop.store.dispatch(cartCommands.move(id, 'saved'));
    await laptop.store.dispatch(cartCommands.priceSeen(product().url, 2500, 'EUR'));
    clock.advance(60_000);
    await laptop.store.dispatch(cartCommands.priceSeen(product().url, 2700, 'EUR')); // seen, but no drop below 2500
    await laptop.store.dispatch(cartCommands.remove(id));
    const input = { ...(await laptop.read()), now: clock.now() };
    const events = deriveEvents(input);
    expect(kinds(events).sort()).toEqual(['added', 'added', 'moved', 'priceDrop', 'priceSeen', 'priceSeen', 'quantityChanged', 'removed'].sort());
    expect(events.filter((found) => found.kind === 'added').map((found) => found.source)).toEqual(['page', 'popup']);
    expect(new Set(events.map((found) => found.device))).toEqual(new Set(['laptop']));
    // Derived again, or with the history doubled (a resend, a reinstall reading it again): the same events.
    expect(deriveEvents({ ...input, entries: [...input.entries, ...input.entries] })).toEqual(events);
  });

  it('an item left in the cart 7 and 30 days is abandoned once per threshold; a change starts the wait again', async () => {
    const clock = new ManualClock();
    const laptop = await openDevice('laptop', clock);
    const { action } = await laptop.store.dispatch(cartCommands.add(product()));
    clock.advance(8 * DAY_MS);
    await laptop.store.dispatch(cartCommands.setQuantity(action.meta.newId, 2));
    clock.advance(6 * DAY_MS);
    expect(kinds(deriveEvents({ ...(await laptop.read()), now: clock.now() }))).toEqual(['added', 'abandoned7', 'quantityChanged']);
    clock.advance(30 * DAY_MS);
    expect(kinds(deriveEvents({ ...(await laptop.read()), now: clock.now() }))).toEqual(['added', 'abandoned7', 'quantityChanged', 'abandoned7', 'abandoned30']);
  });

  it('bought: leaving the cart within a day after an order confirmation on its shop (any "www." or case)', async () => {
    const clock = new ManualClock();
    const laptop = await openDevice('laptop', clock);
    const kettle = (await laptop.store.dispatch(cartCommands.add(product()))).action.meta.newId;
    const mug = (await laptop.store.dispatch(cartCommands.add(product({ url: 'https://other.example/mug', shop: 'other.example' })))).action.meta.newId;
    const at = clock.now();
    clock.advance(60_000);
    await laptop.store.dispatch(cartCommands.remove(kettle));
    await laptop.store.dispatch(cartCommands.remove(mug));
    const signals = [
      { id: 's1', kind: 'checkout' as const, at, device: 'laptop', shop: 'WWW.shop.example' },
      { id: 's2', kind: 'orderPlaced' as const, at, device: 'laptop', shop: 'WWW.shop.example' },
    ];
    const events = deriveEvents({ ...(await laptop.read()), signals, now: clock.now() });
    expect(events.filter((found) => found.kind === 'bought').map((found) => [found.shop, found.bought])).toEqual([['shop.example', 'inferred']]);
    expect(events.filter((found) => found.kind === 'removed').map((found) => found.shop)).toEqual(['other.example']);
    expect(events.filter((found) => found.kind === 'checkout')).toHaveLength(1);
    // Without the confirmation, the same removal is a removal; a day and a minute later too.
    expect(kinds(deriveEvents({ ...(await laptop.read()), now: clock.now() })).filter((kind) => kind === 'bought')).toEqual([]);
    const late = [{ ...signals[1]!, at: at - DAY_MS }];
    expect(kinds(deriveEvents({ ...(await laptop.read()), signals: late, now: clock.now() })).filter((kind) => kind === 'bought')).toEqual([]);
  });

  it('bought: marked by the shopper (one or many), from the synced history; counted once, even when undone and marked again; never abandoned', async () => {
    const clock = new ManualClock();
    const laptop = await openDevice('laptop', clock);
    const kettle = (await laptop.store.dispatch(cartCommands.add(product()))).action.meta.newId;
    const mug = (await laptop.store.dispatch(cartCommands.add(product({ url: 'https://shop.example/mug', title: 'Mug' })))).action.meta.newId;
    const rug = (await laptop.store.dispatch(cartCommands.add(product({ url: 'https://shop.example/rug', title: 'Rug' })))).action.meta.newId;
    clock.advance(60_000);
    await laptop.store.dispatch(cartCommands.markBought(kettle));
    await laptop.store.dispatch(cartCommands.markBoughtMany([mug, rug]));
    clock.advance(60_000);
    await laptop.store.dispatch(cartCommands.unmarkBought([rug], 'cart'));
    clock.advance(60_000);
    await laptop.store.dispatch(cartCommands.markBought(rug));
    clock.advance(40 * DAY_MS);
    const events = deriveEvents({ ...(await laptop.read()), now: clock.now() });
    expect(events.filter((found) => found.kind === 'bought').map((found) => found.bought)).toEqual(['marked', 'marked', 'marked']);
    expect(kinds(events).filter((kind) => kind === 'removed' || kind === 'moved' || kind.startsWith('abandoned'))).toEqual([]);
    // A new install of the shopper reads the same events from the synced history (ids included).
    const again = deriveEvents({ ...(await laptop.read()), now: clock.now() });
    expect(again.map((found) => found.id)).toEqual(events.map((found) => found.id));
  });
});

describe('daily aggregates', () => {
  it('count per kind, source and shop domain, only the device\'s own events, no titles, URLs, prices or ids', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 1, 23, 0));
    const laptop = await openDevice('laptop', clock);
    await laptop.store.dispatch(cartCommands.add(product({ shop: 'www.Shop.example' }), { source: 'page' }));
    clock.advance(2 * 60 * 60_000); // the next UTC day
    await laptop.store.dispatch(cartCommands.add(product({ url: 'https://shop.example/p/mug', title: 'Mug' }), { source: 'shortcut' }));
    const events = deriveEvents({ ...(await laptop.read()), now: clock.now() });
    const days = dailyAggregates([...events, { ...events[0]!, id: 'phone-add', device: 'phone' }], 'laptop');
    expect(days.map((day) => [day.day, day.counts.added, day.sources])).toEqual([
      ['2026-11-01', 1, { page: 1, popup: 0, 'context-menu': 0, shortcut: 0, desktop: 0, import: 0, unknown: 0 }],
      ['2026-11-02', 1, { page: 0, popup: 0, 'context-menu': 0, shortcut: 1, desktop: 0, import: 0, unknown: 0 }],
    ]);
    expect(days[0]!.shops).toEqual({ 'shop.example': { added: 1, checkout: 0, bought: 0 } });
    const sent = JSON.stringify(days);
    for (const secret of ['Mug', 'kettle', 'https://', '2999', ...Object.keys(laptop.store.getState().items)]) expect(sent).not.toContain(secret);
  });

  it('merging two aggregates of a day keeps each count\'s larger value', () => {
    const [day] = dailyAggregates([{ id: 'a', kind: 'added', at: 0, device: 'd', shop: 's.example', source: 'page' }], 'd');
    const [later] = dailyAggregates([{ id: 'a', kind: 'added', at: 0, device: 'd', shop: 's.example', source: 'page' }, { id: 'b', kind: 'removed', at: 0, device: 'd', shop: 's.example' }], 'd');
    expect(mergeAggregates(later!, day!)).toEqual(later);
  });
});

describe('the reporter', () => {
  /** A server's upsert by device and day, as the gateway does it. */
  function server() {
    const stored = new Map<string, unknown>();
    const batches: AnalyticsBatch[] = [];
    let online = true;
    return {
      stored, batches,
      set online(value: boolean) { online = value; },
      transport: async (batch: AnalyticsBatch) => {
        if (!online) throw new ToteError('SYNC_OFFLINE', 'offline');
        batches.push(batch);
        for (const day of batch.days) stored.set(`${batch.device}/${day.day}`, day);
      },
    };
  }

  it('sends nothing until the shopper consents; then each day once, missed days later, and off forgets the queue', async () => {
    const clock = new ManualClock();
    const laptop = await openDevice('laptop', clock);
    const storage = memoryAnalyticsStorage();
    const remote = server();
    const reporter = createAnalyticsReporter({ deviceId: 'laptop', storage, read: laptop.read, transport: remote.transport, clock });
    await reporter.ready;
    await laptop.store.dispatch(cartCommands.add(product(), { source: 'page' }));
    expect(await reporter.report()).toEqual({ sent: 0, due: 0 });
    expect(remote.batches).toEqual([]);

    await reporter.setConsent(true);
    expect(await reporter.report()).toEqual({ sent: 1, due: 0 });
    expect(await reporter.report()).toEqual({ sent: 0, due: 0 }); // nothing changed: nothing sent again

    remote.online = false;
    clock.advance(DAY_MS);
    await laptop.store.dispatch(cartCommands.add(product({ url: 'https://shop.example/p/mug' }), { source: 'popup' }));
    clock.advance(DAY_MS);
    await laptop.store.dispatch(cartCommands.add(product({ url: 'https://shop.example/p/cup' }), { source: 'popup' }));
    expect(await reporter.report()).toEqual({ sent: 0, due: 2 });
    expect(isToteError(reporter.lastError, 'SYNC_OFFLINE')).toBe(true);

    // A restart: the queue is rebuilt from history and what was acknowledged.
    remote.online = true;
    const restarted = createAnalyticsReporter({ deviceId: 'laptop', storage, read: laptop.read, transport: remote.transport, clock });
    expect(await restarted.report()).toEqual({ sent: 2, due: 0 });
    expect([...remote.stored.keys()]).toEqual(['laptop/2026-11-01', 'laptop/2026-11-02', 'laptop/2026-11-03']);

    await restarted.setConsent(false);
    clock.advance(DAY_MS);
    await laptop.store.dispatch(cartCommands.add(product({ url: 'https://shop.example/p/pan' })));
    expect(await restarted.report()).toEqual({ sent: 0, due: 0 });
    expect(storage.value).toMatchObject({ consentSince: null, sent: {} });
    expect(remote.batches).toHaveLength(2);
  });
});

describe('operation times with the aggregates', () => {
  it('go with their day, only with consent; a resend does not add them twice; a restart keeps the day\'s times', async () => {
    const clock = new ManualClock();
    const laptop = await openDevice('laptop', clock);
    const storage = memoryAnalyticsStorage();
    const sent: AnalyticsBatch[] = [];
    const transport = async (batch: AnalyticsBatch) => {
      sent.push(batch);
    };
    const monitor = createLatencyMonitor({ clock });
    const reporter = createAnalyticsReporter({ deviceId: 'laptop', storage, read: laptop.read, transport, clock, latency: monitor });
    await reporter.ready;
    monitor.recordMs('add', 12);
    expect(await reporter.report()).toEqual({ sent: 0, due: 0 });
    await reporter.setConsent(true);
    monitor.recordMs('load', 150);
    expect(await reporter.report()).toEqual({ sent: 1, due: 0 });
    const today = sent[0]!.days[0]!;
    expect(today.counts.added).toBe(0); // a day with times and no events goes too
    expect(Object.keys(today.latency!).sort()).toEqual(['add', 'load']);
    expect(await reporter.report()).toEqual({ sent: 0, due: 0 }); // nothing new: nothing sent
    monitor.recordMs('add', 20);
    expect(await reporter.report()).toEqual({ sent: 1, due: 0 });
    expect(decodeLatency(sent[1]!.days[0]!.latency!.add!)!.totalCount).toBe(2);

    // A restart: the day's acknowledged times come back, and what is timed next adds to them.
    const next = createLatencyMonitor({ clock });
    const restarted = createAnalyticsReporter({ deviceId: 'laptop', storage, read: laptop.read, transport, clock, latency: next });
    await restarted.ready;
    next.recordMs('add', 30);
    expect(await restarted.report()).toEqual({ sent: 1, due: 0 });
    expect(decodeLatency(sent[2]!.days[0]!.latency!.add!)!.totalCount).toBe(3);
    expect(next.report().operations.find((entry) => entry.operation === 'add')!.today!.count).toBe(3);
  });
});

describe('shop signals', () => {
  it('a checkout or order of a shop seen again within the hour is one visit; kept without consent, across a restart; unknown kinds left out', async () => {
    const clock = new ManualClock();
    const laptop = await openDevice('laptop', clock);
    const storage = memoryAnalyticsStorage();
    const transport = async () => undefined;
    const reporter = createAnalyticsReporter({ deviceId: 'laptop', storage, read: laptop.read, transport, clock });
    await reporter.recordSignal({ kind: 'checkout', shop: 'shop.example' });
    clock.advance(10 * 60_000);
    await reporter.recordSignal({ kind: 'checkout', shop: 'WWW.shop.example' }); // the next step of the same checkout
    await reporter.recordSignal({ kind: 'orderPlaced', shop: 'shop.example' });
    await reporter.recordSignal({ kind: 'orderPlaced', shop: 'shop.example' }); // the thank-you page reloaded
    await reporter.recordSignal({ kind: 'checkout', shop: 'other.example' });
    clock.advance(2 * 60 * 60_000);
    await reporter.recordSignal({ kind: 'checkout', shop: 'shop.example' }); // a later checkout
    expect((await reporter.signals()).map((signal) => [signal.kind, signal.shop])).toEqual([
      ['checkout', 'shop.example'], ['orderPlaced', 'shop.example'], ['checkout', 'other.example'], ['checkout', 'shop.example'],
    ]);
    storage.value = { ...(storage.value as object), signals: [...(await reporter.signals()), { id: 'x', kind: 'markedBought', at: 1, device: 'laptop', shop: 'a' }, 'junk'] };
    const restarted = createAnalyticsReporter({ deviceId: 'laptop', storage, read: laptop.read, transport, clock });
    expect(await restarted.signals()).toHaveLength(4);
  });
});
