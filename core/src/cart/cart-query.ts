/**
 * Search, sort and filter over the cart, fast enough to answer every key a shopper types in a
 * 10 000-item cart. Spec: docs/cart-manager.md ("Search, sort and filter"). Pure: the answer depends only
 * on the state and the query; the caches below only remember answers already given.
 *
 * Three things keep it from scanning every item on each key:
 * - An index per `state.items` object (memoised by identity): each item's searchable text (title, shop,
 *   note, variant) normalised once (at the first search), and the items bucketed by list and by shop. A new state is indexed
 *   from the previous index: only items whose object changed are normalised again (the reducer keeps
 *   unchanged items as the same objects).
 * - The sorted items of a scope (list, shop, dropped, unavailable) are kept per index and sort, so a filter is a
 *   bucket lookup and the sort is done once, not per key.
 * - A search that only narrows an earlier one (typing on: "ket" after "ke") filters that earlier answer,
 *   not the whole cart; going back (backspace) finds the earlier answer in the cache.
 */
import { CART_LIST_ID, shownListId, type CartItem, type CartList, type CartState } from './cart-types.ts';

export type CartSort = 'added' | 'price' | 'shop' | 'name' | 'priceDrop';

export const CART_SORTS: readonly CartSort[] = Object.freeze(['added', 'price', 'shop', 'name', 'priceDrop']);

export interface CartQuery {
  /** Words typed: an item matches when each word is in its title, shop, note or variant (any case, any accents). */
  readonly text?: string;
  /** Only this list. */
  readonly listId?: string;
  /** Only this shop. */
  readonly shop?: string;
  /** Only items whose price is now below the price when added. */
  readonly dropped?: boolean;
  /** Only items whose page last said they cannot be ordered (`availability: 'out_of_stock'`); unknown is not unavailable. */
  readonly unavailable?: boolean;
  /** Default 'added' (oldest first, so lines do not jump around). */
  readonly sort?: CartSort;
  /** Reverses the sort. */
  readonly descending?: boolean;
}

export interface CartQueryResult {
  /** The matching items, in the asked order. Removed items never match. */
  readonly items: readonly CartItem[];
  /** How many items the list, shop and price filters let through before the search words. */
  readonly inScope: number;
}

interface Entry {
  readonly item: CartItem;
  /**
   * Title, shop, note and variant, normalised (searchText): made at the first search that needs it, so
   * opening a large cart does not wait for text nobody has searched yet.
   */
  text?: string;
}

interface CartIndex {
  readonly entries: ReadonlyMap<string, Entry>;
  readonly byList: ReadonlyMap<string, ReadonlySet<string>>;
  readonly byShop: ReadonlyMap<string, ReadonlySet<string>>;
  /** Sorted scopes, by scope key. */
  readonly scopes: Map<string, Answer>;
  /** Search answers, by scope key + normalised text (most recent last; bounded). */
  readonly searches: Map<string, Answer>;
}

interface Answer {
  readonly entries: readonly Entry[];
  readonly items: readonly CartItem[];
}

const answer = (entries: readonly Entry[]): Answer => ({ entries, items: Object.freeze(entries.map((entry) => entry.item)) });

const SEARCH_CACHE = 64;

/** Lower case, accents removed, runs of whitespace as one space: "Crème  Brûlée" → "creme brulee". */
export function searchText(text: string): string {
  // Most product text is plain ASCII: decomposing it (to drop accents) would find nothing to drop.
  const plain = /^[\u0000-\u007f]*$/.test(text) ? text : text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return plain.toLowerCase().replace(/\s+/g, ' ').trim();
}

function entryOf(item: CartItem): Entry {
  return { item };
}

function textOf(entry: Entry): string {
  const { item } = entry;
  return entry.text ??= searchText(`${item.title}\n${item.shop}\n${item.note}\n${item.variant ?? ''}`);
}

function addTo(buckets: Map<string, Set<string>>, key: string, id: string): void {
  let bucket = buckets.get(key);
  if (!bucket) buckets.set(key, bucket = new Set());
  bucket.add(id);
}

function build(items: CartState['items']): CartIndex {
  const entries = new Map<string, Entry>();
  const byList = new Map<string, Set<string>>();
  const byShop = new Map<string, Set<string>>();
  for (const item of Object.values(items)) {
    if (item.deleted) continue;
    entries.set(item.id, entryOf(item));
    addTo(byList, item.listId, item.id);
    addTo(byShop, item.shop, item.id);
  }
  return { entries, byList, byShop, scopes: new Map(), searches: new Map() };
}

/** The next index from the previous one: only changed item objects are normalised again. */
function update(previous: CartIndex, before: CartState['items'], items: CartState['items']): CartIndex {
  const entries = new Map(previous.entries);
  const byList = new Map([...previous.byList].map(([key, ids]) => [key, ids] as [string, Set<string> | ReadonlySet<string>]));
  const byShop = new Map([...previous.byShop].map(([key, ids]) => [key, ids] as [string, Set<string> | ReadonlySet<string>]));
  // A bucket is copied the first time this update changes it, so the previous index stays as it was.
  const copied = new Set<ReadonlySet<string>>();
  const writable = (buckets: Map<string, Set<string> | ReadonlySet<string>>, key: string): Set<string> => {
    const bucket = buckets.get(key);
    if (bucket && copied.has(bucket)) return bucket as Set<string>;
    const copy = new Set(bucket ?? []);
    copied.add(copy);
    buckets.set(key, copy);
    return copy;
  };
  const changed: string[] = [];
  for (const id in items) if (items[id] !== before[id]) changed.push(id);
  for (const id in before) if (!(id in items)) changed.push(id);
  for (const id of changed) {
    const old = previous.entries.get(id);
    if (old) {
      writable(byList, old.item.listId).delete(id);
      writable(byShop, old.item.shop).delete(id);
      entries.delete(id);
    }
    const item = items[id];
    if (!item || item.deleted) continue;
    entries.set(id, old && old.item.title === item.title && old.item.note === item.note && old.item.variant === item.variant
      && old.item.shop === item.shop ? { item, ...(old.text === undefined ? {} : { text: old.text }) } : entryOf(item));
    writable(byList, item.listId).add(id);
    writable(byShop, item.shop).add(id);
  }
  return { entries, byList, byShop, scopes: new Map(), searches: new Map() } as CartIndex;
}

const indexes = new WeakMap<object, CartIndex>();
let latest: { items: CartState['items']; index: CartIndex } | null = null;

function indexOf(state: CartState): CartIndex {
  const known = indexes.get(state.items);
  if (known) return known;
  const index = latest ? update(latest.index, latest.items, state.items) : build(state.items);
  indexes.set(state.items, index);
  latest = { items: state.items, index };
  return index;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** How much cheaper than when added, as a fraction of that price (0 when not cheaper or unknown). */
export function priceDropOf(item: CartItem): number {
  if (item.priceMinor === null || item.addedPriceMinor === null || item.addedPriceMinor <= 0) return 0;
  return Math.max(0, (item.addedPriceMinor - item.priceMinor) / item.addedPriceMinor);
}

export function isPriceDropped(item: CartItem): boolean {
  return item.priceMinor !== null && item.addedPriceMinor !== null && item.priceMinor < item.addedPriceMinor;
}

const byAdded = (a: CartItem, b: CartItem) => a.addedAt - b.addedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Each order ends on the added order, so equal items keep a stable place. Unknown prices go last in
 * both directions of the price sort; amounts in different currencies are compared as numbers.
 */
const COMPARE: Readonly<Record<CartSort, (a: CartItem, b: CartItem) => number>> = Object.freeze({
  added: byAdded,
  price: (a, b) => (a.priceMinor ?? Infinity) - (b.priceMinor ?? Infinity) || byAdded(a, b),
  shop: (a, b) => collator.compare(a.shop, b.shop) || byAdded(a, b),
  name: (a, b) => collator.compare(a.title, b.title) || byAdded(a, b),
  priceDrop: (a, b) => priceDropOf(b) - priceDropOf(a) || byAdded(a, b),
});

/**
 * The list ids whose items show in `listId`: itself, and for Cart every list this device does not have
 * (deleted, or not arrived yet), whose items show there (shownListId).
 */
function shownIn(index: CartIndex, lists: readonly CartList[], listId: string): string[] {
  if (listId !== CART_LIST_ID) return [listId];
  return [...index.byList.keys()].filter((id) => id === CART_LIST_ID || shownListId({ listId: id }, lists) === CART_LIST_ID);
}

function idsOf(index: CartIndex, listIds: readonly string[]): Iterable<string> {
  if (listIds.length === 1) return index.byList.get(listIds[0]!) ?? [];
  return listIds.flatMap((id) => [...(index.byList.get(id) ?? [])]);
}

function scope(index: CartIndex, query: CartQuery, key: string, listIds: readonly string[] | null): Answer {
  const cached = index.scopes.get(key);
  if (cached) return cached;
  const sort = query.sort ?? 'added';
  let ids: Iterable<string> = index.entries.keys();
  if (listIds !== null && query.shop !== undefined) {
    const shop = index.byShop.get(query.shop) ?? new Set<string>();
    ids = [...idsOf(index, listIds)].filter((id) => shop.has(id));
  } else if (listIds !== null) ids = idsOf(index, listIds);
  else if (query.shop !== undefined) ids = index.byShop.get(query.shop) ?? [];
  const entries: Entry[] = [];
  for (const id of ids) {
    const entry = index.entries.get(id)!;
    if ((!query.dropped || isPriceDropped(entry.item)) && (!query.unavailable || isUnavailable(entry.item))) entries.push(entry);
  }
  const compare = COMPARE[sort];
  const unknownLast = sort === 'price' && query.descending;
  entries.sort(query.descending
    ? (a, b) => (unknownLast && (a.item.priceMinor === null) !== (b.item.priceMinor === null)
      ? (a.item.priceMinor === null ? 1 : -1) : compare(b.item, a.item))
    : (a, b) => compare(a.item, b.item));
  const sorted = answer(entries);
  index.scopes.set(key, sorted);
  return sorted;
}

const words = (text: string) => (text === '' ? [] : text.split(' '));

/** True when every earlier word is inside one of the new words: the new answer is within the earlier one. */
function narrows(earlier: readonly string[], now: readonly string[]): boolean {
  return earlier.every((word) => now.some((candidate) => candidate.includes(word)));
}

function search(index: CartIndex, all: Answer, scopeKey: string, text: string): Answer {
  if (text === '') return all;
  const key = `${scopeKey}\u0000${text}`;
  const cached = index.searches.get(key);
  if (cached) {
    index.searches.delete(key);
    index.searches.set(key, cached); // most recently used last
    return cached;
  }
  const wanted = words(text);
  // The smallest earlier answer this search narrows, else the whole scope.
  let from = all;
  for (const [earlierKey, earlier] of index.searches) {
    if (!earlierKey.startsWith(`${scopeKey}\u0000`) || earlier.entries.length >= from.entries.length) continue;
    if (narrows(words(earlierKey.slice(scopeKey.length + 1)), wanted)) from = earlier;
  }
  const found = answer(from.entries.filter((entry) => {
    const text = textOf(entry);
    return wanted.every((word) => text.includes(word));
  }));
  index.searches.set(key, found);
  if (index.searches.size > SEARCH_CACHE) index.searches.delete(index.searches.keys().next().value!);
  return found;
}

/** The page last said the product cannot be ordered (docs/cart-manager.md, "Availability"). */
export function isUnavailable(item: Pick<CartItem, 'availability'>): boolean {
  return item.availability === 'out_of_stock';
}

/** What an item's details say of its availability (docs/cart-manager.md, "Availability"). */
export function availabilityText(item: Pick<CartItem, 'availability'>): string {
  if (item.availability === 'out_of_stock') return 'Out of stock when its page was last read. Visit the page again to check.';
  if (item.availability === 'in_stock') return 'In stock when its page was last read.';
  return 'Availability not known: its page did not say.';
}

/** The items a shopper asked to see: removed items never, then the filters, the search words, the order. */
export function queryCart(state: CartState, query: CartQuery = {}): CartQueryResult {
  const index = indexOf(state);
  const listIds = query.listId === undefined ? null : shownIn(index, state.lists, query.listId);
  const scopeKey = JSON.stringify([listIds, query.shop ?? null, query.dropped === true, query.unavailable === true, query.sort ?? 'added',
    query.descending === true]);
  const all = scope(index, query, scopeKey, listIds);
  const found = search(index, all, scopeKey, searchText(query.text ?? ''));
  return Object.freeze({ items: found.items, inScope: all.entries.length });
}

/** The shops with items (in a list, when given), in alphabetical order: the shop filter's choices. */
export function cartShops(state: CartState, listId?: string): string[] {
  const index = indexOf(state);
  const list = listId === undefined ? null : new Set(idsOf(index, shownIn(index, state.lists, listId)));
  return [...index.byShop].filter(([, ids]) => ids.size > 0 && (list === null || [...ids].some((id) => list.has(id))))
    .map(([shop]) => shop).sort(collator.compare);
}
