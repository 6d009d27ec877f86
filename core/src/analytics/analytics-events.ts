/**
 * Analytics events, derived on the device from what it already holds: the synced history (every change
 * is an entry with one id, whatever the retries, offline days, restarts or reinstalls), the items' price
 * observations, and the shop signals this device saw (a product recognised, a checkout page, an order
 * confirmation). Spec: docs/analytics.md. Pure: same input, same events.
 *
 * Each event has an id made from the id of what it comes from, so deriving again (after a restart, on a
 * reinstall that re-reads the synced history, on another device of the shopper) gives the same events,
 * never more. Each event names the device that made it (the stamp's device): only that device counts it.
 */
import type { AddSource } from '../cart/cart-actions.ts';
import { BOUGHT_LIST_ID, type CartItem } from '../cart/cart-types.ts';
import type { HistoryEntry } from '../history/history-entry.ts';
import { compare } from '../merge/hlc.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;
/** An item left this long without a change or a purchase counts as abandoned (each threshold once). */
export const ABANDON_AFTER_DAYS = Object.freeze([7, 30] as const);
/** An item that leaves the cart this long after an order confirmation on its shop counts as bought. */
export const BOUGHT_WITHIN_MS = 24 * 60 * 60 * 1000;

export const EVENT_KINDS = Object.freeze([
  'recognised', 'added', 'removed', 'quantityChanged', 'moved', 'priceSeen', 'priceDrop', 'checkout', 'bought', 'abandoned7', 'abandoned30',
] as const);
export type EventKind = (typeof EVENT_KINDS)[number];

/** The funnel, in order: a product recognised on a page, added, checkout reached, bought. */
export const FUNNEL_STEPS = Object.freeze(['recognised', 'added', 'checkout', 'bought'] as const satisfies readonly EventKind[]);

/** An add whose device did not say where it came from (made before sources were kept). */
export type AddSourceOrUnknown = AddSource | 'unknown';

export interface AnalyticsEvent {
  /** Stable: the same event derived twice has the same id. */
  readonly id: string;
  readonly kind: EventKind;
  /** When it happened, by the clock of the device that made it (ms since epoch). */
  readonly at: number;
  /** The device that made it: the one device that counts it. */
  readonly device: string;
  /** The shop's host name. */
  readonly shop: string;
  /** Adds only. */
  readonly source?: AddSourceOrUnknown;
  /** Purchases only: marked by the shopper, or inferred from an order confirmation. */
  readonly bought?: 'marked' | 'inferred';
  /** Purchases only: the item, for the shopper's own insights (never in an aggregate). */
  readonly itemId?: string;
}

/**
 * What the shop pages showed this device (recorded by the extension as they happen; kept on the device
 * only). `id` is made once, when the signal is recorded, so a signal recorded twice counts once.
 */
export interface ShopSignal {
  readonly id: string;
  readonly kind: ShopSignalKind;
  readonly at: number;
  readonly device: string;
  readonly shop: string;
}

/** A product recognised on a page, a checkout page reached, an order confirmation seen. */
export const SHOP_SIGNAL_KINDS = Object.freeze(['recognised', 'checkout', 'orderPlaced'] as const);
export type ShopSignalKind = (typeof SHOP_SIGNAL_KINDS)[number];

export interface EventInput {
  /** Every history entry this device holds (history-log.ts `read().entries`). */
  readonly entries: readonly HistoryEntry[];
  /** The items as stored (removed ones included): their shops and price observations. */
  readonly items: Readonly<Record<string, CartItem>>;
  readonly signals?: readonly ShopSignal[];
  /** Now, for abandonment (ms since epoch). */
  readonly now: number;
}

const event = (fields: AnalyticsEvent): AnalyticsEvent => Object.freeze(fields);

/** A shop's host name as signals and items are matched: lower case, without "www." or a final dot. */
export const shopKey = (shop: string): string => shop.toLowerCase().replace(/^www\./, '').replace(/\.$/, '');

/** One item's changes, oldest first. */
function byItem(entries: readonly HistoryEntry[]): Map<string, HistoryEntry[]> {
  const out = new Map<string, HistoryEntry[]>();
  for (const entry of entries) {
    let list = out.get(entry.itemId);
    if (!list) out.set(entry.itemId, list = []);
    list.push(entry);
  }
  for (const list of out.values()) list.sort((a, b) => compare(a.stamp, b.stamp));
  return out;
}

/**
 * The events of one item's changes, its purchase, and the times it was left alone too long. An item is
 * bought at most once: the first time it was marked bought (a change that files it under "bought") or
 * left the cart within a day after an order confirmation on its shop. A purchase undone and marked again
 * is still one purchase.
 */
function itemEvents(changes: readonly HistoryEntry[], shop: string, orders: readonly ShopSignal[], now: number): AnalyticsEvent[] {
  const out: AnalyticsEvent[] = [];
  let inCart = false;
  let bought = false;
  let last: HistoryEntry | null = null;
  const abandonment = (until: number) => {
    if (!inCart || last === null) return;
    for (const days of ABANDON_AFTER_DAYS) {
      const at = last.stamp.wall + days * DAY_MS;
      if (at <= until) out.push(event({ id: `${last.id}#abandoned${days}`, kind: `abandoned${days}`, at, device: last.stamp.node, shop }));
    }
  };
  for (const entry of changes) {
    abandonment(entry.stamp.wall);
    const base = { at: entry.stamp.wall, device: entry.stamp.node, shop };
    const { changes: set } = entry;
    if (entry.origin || entry.source) {
      // An add: a new item, or the same product added again to its line (a quantity raised by an add).
      out.push(event({ id: `${entry.id}#added`, kind: 'added', ...base, source: entry.source ?? 'unknown' }));
    } else if (set.deleted === true) {
      // Marked bought, or leaving the cart after an order confirmation on its shop, is a purchase.
      const marked = set.listId === BOUGHT_LIST_ID;
      const order = !marked && orders.some((signal) => signal.at <= entry.stamp.wall && entry.stamp.wall - signal.at <= BOUGHT_WITHIN_MS);
      if (marked || order) {
        if (!bought) out.push(event({ id: `${entry.id}#bought`, kind: 'bought', ...base, bought: marked ? 'marked' : 'inferred', itemId: entry.itemId }));
        bought = true;
      } else out.push(event({ id: `${entry.id}#removed`, kind: 'removed', ...base }));
    } else {
      if ('quantity' in set) out.push(event({ id: `${entry.id}#quantityChanged`, kind: 'quantityChanged', ...base }));
      if ('listId' in set && !entry.origin && set.deleted === undefined) out.push(event({ id: `${entry.id}#moved`, kind: 'moved', ...base }));
    }
    if ('deleted' in set) inCart = set.deleted === false;
    else if (entry.origin) inCart = true;
    last = entry;
  }
  abandonment(now);
  return out;
}

/** Price observations: each new price a product's page showed, and those below the price when added. */
function priceEvents(item: CartItem): AnalyticsEvent[] {
  const out: AnalyticsEvent[] = [];
  let previous = item.addedPriceMinor;
  for (const point of item.priceHistory ?? []) {
    // Price points carry no device: they count for the device that added the item.
    const base = { at: point.at, device: item.addedBy, shop: item.shop };
    out.push(event({ id: `${item.id}@${point.at}#priceSeen`, kind: 'priceSeen', ...base }));
    if (item.addedPriceMinor !== null && point.priceMinor < item.addedPriceMinor && (previous === null || point.priceMinor < previous)) {
      out.push(event({ id: `${item.id}@${point.at}#priceDrop`, kind: 'priceDrop', ...base }));
    }
    previous = point.priceMinor;
  }
  return out;
}

/** Every event the input holds, each once (ordered by time, then id). */
export function deriveEvents({ entries, items, signals = [], now }: EventInput): AnalyticsEvent[] {
  const out = new Map<string, AnalyticsEvent>();
  const add = (found: AnalyticsEvent) => {
    if (!out.has(found.id)) out.set(found.id, found);
  };
  const uniqueSignals = [...new Map(signals.map((signal) => [signal.id, signal])).values()];
  for (const signal of uniqueSignals) {
    const base = { at: signal.at, device: signal.device, shop: signal.shop };
    if (signal.kind === 'recognised' || signal.kind === 'checkout') add(event({ id: `${signal.id}#${signal.kind}`, kind: signal.kind, ...base }));
  }
  const ordersByShop = new Map<string, ShopSignal[]>();
  for (const signal of uniqueSignals) {
    if (signal.kind !== 'orderPlaced') continue;
    // An order confirmation counts for the shop's items whatever "www." or case the page's host had.
    const shop = shopKey(signal.shop);
    ordersByShop.set(shop, [...(ordersByShop.get(shop) ?? []), signal]);
  }
  for (const [itemId, changes] of byItem(entries)) {
    const shop = items[itemId]?.shop ?? changes.find((entry) => entry.origin)?.origin?.shop;
    if (!shop) continue; // an item this device knows nothing of but a change: its shop is unknown
    for (const found of itemEvents(changes, shop, ordersByShop.get(shopKey(shop)) ?? [], now)) add(found);
  }
  for (const item of Object.values(items)) for (const found of priceEvents(item)) add(found);
  return [...out.values()].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
