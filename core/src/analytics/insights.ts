/**
 * The shopper's own insights (docs/analytics.md, "Insights"): what they bought, spent and saved, and what
 * they left, computed on the device from what it holds and never sent anywhere. Pure: same input, same
 * insights.
 *
 * A purchase is an item marked bought (removed and filed under "bought": its document keeps the price,
 * quantity and time after its history is pruned), or an item that left the cart within a day after an
 * order confirmation on its shop that this device saw (while its history is kept: 30 days). Its amount
 * is the item's price when bought times its quantity; amounts in different currencies are never added.
 */
import { BOUGHT_LIST_ID, type CartItem } from '../cart/cart-types.ts';
import type { HistoryEntry } from '../history/history-entry.ts';
import { ABANDON_AFTER_DAYS, DAY_MS, deriveEvents, type ShopSignal } from './analytics-events.ts';

export interface Purchase {
  readonly itemId: string;
  readonly title: string;
  readonly shop: string;
  /** When it was bought (ms since epoch). */
  readonly at: number;
  readonly addedAt: number;
  readonly currency: string;
  /** Price when bought times quantity; null when the price was unknown. */
  readonly amountMinor: number | null;
  /** What the price drops since adding saved (price when added minus price when bought, times quantity); 0 without a drop. */
  readonly savedMinor: number;
  readonly how: 'marked' | 'inferred';
}

export interface MoneyByKey {
  readonly key: string;
  readonly currency: string;
  readonly amountMinor: number;
  readonly purchases: number;
}

export interface MonthCounts {
  /** YYYY-MM. */
  readonly month: string;
  readonly bought: number;
  /** Items left in the cart 7 days without a change or a purchase, in the month the wait ran out. */
  readonly abandoned: number;
}

/** The items of one shop in the cart, none changed for a while. */
export interface WaitingCart {
  readonly shop: string;
  readonly items: number;
  /** Whole days since the last change of any of its items. */
  readonly idleDays: number;
  /** The longest wait it passed: 7 or 30 days. */
  readonly abandonedAfter: number;
}

export interface Insights {
  /** Oldest first. */
  readonly purchases: readonly Purchase[];
  /** Per month and currency, months oldest first. */
  readonly spendByMonth: readonly MoneyByKey[];
  /** Per shop and currency, the most spent first. */
  readonly spendByShop: readonly MoneyByKey[];
  /** Every month from the first purchase or abandonment to now's month, oldest first. */
  readonly months: readonly MonthCounts[];
  readonly bought: number;
  /** Items left 7 days without a change or a purchase (each once). */
  readonly abandoned: number;
  /** Per currency. */
  readonly saved: readonly { readonly currency: string; readonly amountMinor: number }[];
  /** Time from adding to buying, over the purchases; null without any. */
  readonly addToBuy: { readonly medianMs: number; readonly shortestMs: number; readonly longestMs: number } | null;
  /** Carts (the items of one shop still in the cart) left 7 or 30 days, the longest wait first. */
  readonly waitingCarts: readonly WaitingCart[];
}

export interface InsightsInput {
  /** Every item as stored, removed ones included. */
  readonly items: Readonly<Record<string, CartItem>>;
  /** Every history entry the device holds. */
  readonly entries: readonly HistoryEntry[];
  /** The shop signals this device saw (order confirmations make inferred purchases). */
  readonly signals?: readonly ShopSignal[];
  readonly now: number;
  /** The month a time falls in (YYYY-MM): the shell gives the shopper's time zone; UTC by default. */
  readonly monthOf?: (at: number) => string;
}

export const utcMonthOf = (at: number): string => new Date(at).toISOString().slice(0, 7);

function nextMonth(month: string): string {
  const [year, number] = month.split('-').map(Number) as [number, number];
  return number === 12 ? `${year + 1}-01` : `${year}-${String(number + 1).padStart(2, '0')}`;
}

function purchaseOf(item: CartItem, at: number, how: Purchase['how']): Purchase {
  const amountMinor = item.priceMinor === null ? null : item.priceMinor * item.quantity;
  const drop = item.priceMinor !== null && item.addedPriceMinor !== null ? item.addedPriceMinor - item.priceMinor : 0;
  return Object.freeze({
    itemId: item.id, title: item.title, shop: item.shop, at, addedAt: item.addedAt, currency: item.currency,
    amountMinor, savedMinor: Math.max(0, drop) * item.quantity, how,
  });
}

function sums(purchases: readonly Purchase[], keyOf: (purchase: Purchase) => string): MoneyByKey[] {
  const out = new Map<string, { key: string; currency: string; amountMinor: number; purchases: number }>();
  for (const purchase of purchases) {
    if (purchase.amountMinor === null) continue;
    const key = keyOf(purchase);
    const id = JSON.stringify([key, purchase.currency]);
    const sum = out.get(id) ?? { key, currency: purchase.currency, amountMinor: 0, purchases: 0 };
    sum.amountMinor += purchase.amountMinor;
    sum.purchases += 1;
    out.set(id, sum);
  }
  return [...out.values()].map((sum) => Object.freeze(sum));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}

export function computeInsights({ items, entries, signals = [], now, monthOf = utcMonthOf }: InsightsInput): Insights {
  // Purchases: marked ones from the items (kept after pruning), inferred ones from the history's events.
  const byId = new Map<string, Purchase>();
  for (const item of Object.values(items)) {
    if (item.deleted && item.listId === BOUGHT_LIST_ID) byId.set(item.id, purchaseOf(item, item.updatedAt, 'marked'));
  }
  const events = deriveEvents({ entries, items, signals, now });
  let abandoned = 0;
  const abandonedByMonth = new Map<string, number>();
  for (const found of events) {
    if (found.kind === 'bought' && found.bought === 'inferred' && found.itemId && !byId.has(found.itemId)) {
      const item = items[found.itemId];
      if (item) byId.set(item.id, purchaseOf(item, found.at, 'inferred'));
    } else if (found.kind === `abandoned${ABANDON_AFTER_DAYS[0]}` && found.at <= now) {
      abandoned += 1;
      const month = monthOf(found.at);
      abandonedByMonth.set(month, (abandonedByMonth.get(month) ?? 0) + 1);
    }
  }
  const purchases = [...byId.values()].sort((a, b) => a.at - b.at || (a.itemId < b.itemId ? -1 : 1));

  const boughtByMonth = new Map<string, number>();
  for (const purchase of purchases) boughtByMonth.set(monthOf(purchase.at), (boughtByMonth.get(monthOf(purchase.at)) ?? 0) + 1);
  const months: MonthCounts[] = [];
  const seen = [...boughtByMonth.keys(), ...abandonedByMonth.keys()].sort();
  if (seen.length > 0) {
    const last = monthOf(now) > seen[seen.length - 1]! ? monthOf(now) : seen[seen.length - 1]!;
    // Every month in between, so a chart's gaps are months without purchases, not missing months.
    for (let month = seen[0]!; month <= last && months.length < 240; month = nextMonth(month)) {
      months.push(Object.freeze({ month, bought: boughtByMonth.get(month) ?? 0, abandoned: abandonedByMonth.get(month) ?? 0 }));
    }
  }

  const saved = new Map<string, number>();
  for (const purchase of purchases) {
    if (purchase.savedMinor > 0) saved.set(purchase.currency, (saved.get(purchase.currency) ?? 0) + purchase.savedMinor);
  }
  const waits = purchases.map((purchase) => Math.max(0, purchase.at - purchase.addedAt));

  const carts = new Map<string, { items: number; last: number }>();
  for (const item of Object.values(items)) {
    if (item.deleted || item.listId !== 'cart') continue;
    const cart = carts.get(item.shop) ?? { items: 0, last: 0 };
    cart.items += 1;
    cart.last = Math.max(cart.last, item.updatedAt);
    carts.set(item.shop, cart);
  }
  const waitingCarts: WaitingCart[] = [];
  for (const [shop, cart] of carts) {
    const idleDays = Math.floor((now - cart.last) / DAY_MS);
    const passed = ABANDON_AFTER_DAYS.filter((days) => idleDays >= days);
    if (passed.length > 0) waitingCarts.push(Object.freeze({ shop, items: cart.items, idleDays, abandonedAfter: passed[passed.length - 1]! }));
  }

  return Object.freeze({
    purchases: Object.freeze(purchases),
    spendByMonth: Object.freeze(sums(purchases, (purchase) => monthOf(purchase.at)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.currency.localeCompare(b.currency)))),
    spendByShop: Object.freeze(sums(purchases, (purchase) => purchase.shop).sort((a, b) => b.amountMinor - a.amountMinor || a.key.localeCompare(b.key))),
    months: Object.freeze(months),
    bought: purchases.length,
    abandoned,
    saved: Object.freeze([...saved].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amountMinor]) => Object.freeze({ currency, amountMinor }))),
    addToBuy: waits.length === 0 ? null : Object.freeze({ medianMs: median(waits), shortestMs: Math.min(...waits), longestMs: Math.max(...waits) }),
    waitingCarts: Object.freeze(waitingCarts.sort((a, b) => b.idleDays - a.idleDays || a.shop.localeCompare(b.shop))),
  });
}
