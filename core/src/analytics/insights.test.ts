/**
 * The shopper's insights (docs/analytics.md, "Insights") from a history a real store records (RxDB on
 * storage-memory, a controllable clock): spend per month and shop, bought against abandoned, money
 * saved through price drops, time from adding to buying, carts left waiting.
 */
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { openCartDatabase, type CartDatabase } from '../persistence/cart-database.ts';
import { prune } from '../history/prune.ts';
import { createCartStore, type CartStore } from '../store/cart-store.ts';
import { createHistoryLog, type HistoryLog } from '../store/history-log.ts';
import { ManualClock, product } from '../test/fixtures.ts';
import { DAY_MS } from './analytics-events.ts';
import { computeInsights } from './insights.ts';

const open: { db: CartDatabase; store: CartStore; history: HistoryLog }[] = [];
let counter = 0;

async function openDevice(clock: ManualClock) {
  const db = await openCartDatabase({ storage: getRxStorageMemory(), name: `insights-${++counter}` });
  const device = { id: 'laptop', name: 'Laptop' };
  const history = createHistoryLog(db.history, device);
  const store = createCartStore({ items: db.items, device, clock, history });
  await store.ready;
  open.push({ db, store, history });
  const add = async (title: string, shop: string, priceMinor: number | null, currency = 'EUR') =>
    (await store.dispatch(cartCommands.add(product({ url: `https://${shop}/${title}`, title, shop, priceMinor, currency })))).action.meta.newId;
  const read = async () => {
    await store.historySettled();
    return { entries: (await history.read()).entries, items: store.getState().items };
  };
  return { store, add, read };
}

afterEach(async () => {
  for (const { db, store, history } of open.splice(0)) {
    store.close();
    history.close();
    await db.close();
  }
});

describe('insights', () => {
  it('spend per month and shop (currencies apart), savings from price drops, and the time from adding to buying', async () => {
    const clock = new ManualClock(Date.UTC(2026, 9, 20, 12));
    const laptop = await openDevice(clock);
    const kettle = await laptop.add('Kettle', 'shop.example', 4000);
    const mug = await laptop.add('Mug', 'shop.example', 1000);
    const lamp = await laptop.add('Lamp', 'lamps.example', 5000, 'GBP');
    await laptop.store.dispatch(cartCommands.setQuantity(mug, 3));
    clock.advance(2 * DAY_MS);
    await laptop.store.dispatch(cartCommands.priceSeen('https://shop.example/Kettle', 3000, 'EUR'));
    await laptop.store.dispatch(cartCommands.markBoughtMany([kettle, mug])); // 22 October
    clock.advance(14 * DAY_MS);
    await laptop.store.dispatch(cartCommands.markBought(lamp)); // 5 November
    const removed = await laptop.add('Rug', 'shop.example', 9000);
    await laptop.store.dispatch(cartCommands.remove(removed));

    const insights = computeInsights({ ...(await laptop.read()), now: clock.now() });
    expect(insights.bought).toBe(3);
    expect(insights.spendByMonth.map((sum) => [sum.key, sum.currency, sum.amountMinor])).toEqual([
      ['2026-10', 'EUR', 3000 + 3 * 1000], ['2026-11', 'GBP', 5000],
    ]);
    expect(insights.spendByShop.map((sum) => [sum.key, sum.currency, sum.amountMinor, sum.purchases])).toEqual([
      ['shop.example', 'EUR', 6000, 2], ['lamps.example', 'GBP', 5000, 1],
    ]);
    expect(insights.saved).toEqual([{ currency: 'EUR', amountMinor: 1000 }]);
    expect(insights.addToBuy).toEqual({ medianMs: 2 * DAY_MS, shortestMs: 2 * DAY_MS, longestMs: 16 * DAY_MS });
    expect(insights.months.map((month) => [month.month, month.bought])).toEqual([['2026-10', 2], ['2026-11', 1]]);

    // Undone: no longer a purchase.
    await laptop.store.dispatch(cartCommands.unmarkBought([lamp], 'cart'));
    expect(computeInsights({ ...(await laptop.read()), now: clock.now() }).spendByShop.map((sum) => sum.key)).toEqual(['shop.example']);
  });

  it('a marked purchase stays in the insights after its history is pruned (the item keeps it)', async () => {
    const clock = new ManualClock();
    const laptop = await openDevice(clock);
    const kettle = await laptop.add('Kettle', 'shop.example', 4000);
    await laptop.store.dispatch(cartCommands.markBought(kettle));
    clock.advance(90 * DAY_MS);
    const { entries, items } = await laptop.read();
    const pruned = prune(entries, clock.now());
    expect(pruned.filter((entry) => entry.itemId === kettle)).toEqual([]);
    expect(computeInsights({ entries: pruned, items, now: clock.now() }).purchases.map((purchase) => [purchase.title, purchase.amountMinor])).toEqual([['Kettle', 4000]]);
  });

  it('an item removed within a day after an order confirmation on its shop is bought; bought against abandoned per month; carts left waiting', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 1, 12));
    const laptop = await openDevice(clock);
    const chair = await laptop.add('Chair', 'www.chairs.example', 12000);
    await laptop.add('Vase', 'vases.example', 2500);
    await laptop.add('Bowl', 'vases.example', 1500);
    const confirmation = { id: 'order-1', kind: 'orderPlaced' as const, at: clock.now() + 60_000, device: 'laptop', shop: 'chairs.example' };
    clock.advance(2 * 60_000);
    await laptop.store.dispatch(cartCommands.remove(chair));
    clock.advance(8 * DAY_MS);

    const insights = computeInsights({ ...(await laptop.read()), signals: [confirmation], now: clock.now() });
    expect(insights.purchases.map((purchase) => [purchase.title, purchase.how])).toEqual([['Chair', 'inferred']]);
    expect(insights.abandoned).toBe(2);
    expect(insights.months).toEqual([{ month: '2026-11', bought: 1, abandoned: 2 }]);
    expect(insights.waitingCarts).toEqual([{ shop: 'vases.example', items: 2, idleDays: 8, abandonedAfter: 7 }]);
    // Without the confirmation it was a removal, not a purchase.
    expect(computeInsights({ ...(await laptop.read()), now: clock.now() }).bought).toBe(0);
    clock.advance(30 * DAY_MS);
    expect(computeInsights({ ...(await laptop.read()), now: clock.now() }).waitingCarts[0]?.abandonedAfter).toBe(30);
  });
});
