/**
 * The cart domain. One item is one document: changes to different items never touch the same
 * document, so they can never conflict (see docs/sync.md).
 */

/**
 * A list the shopper keeps items in. "cart" and "saved" always exist; the shopper's own lists follow
 * them in the order set (docs/cart-manager.md, "Lists").
 */
export interface CartList {
  readonly id: string;
  readonly name: string;
  /** True for the shopper's own lists (they can be renamed, reordered and deleted). */
  readonly own?: boolean;
}

export const CART_LIST_ID = 'cart';
export const SAVED_LIST_ID = 'saved';
/**
 * Where a bought item goes (docs/analytics.md, "Bought"). Marking an item bought removes it from the cart
 * and sets its list to this one in the same change: the purchase is a change like any other (synced,
 * sealed, in history, undoable, restorable), and the removed item's document keeps the price, quantity
 * and time of the purchase for the shopper's insights after its history is pruned. Never a list a
 * shopper sees or moves items to.
 */
export const BOUGHT_LIST_ID = 'bought';

export const DEFAULT_LISTS: readonly CartList[] = Object.freeze([
  Object.freeze({ id: CART_LIST_ID, name: 'Cart' }),
  Object.freeze({ id: SAVED_LIST_ID, name: 'Saved for later' }),
]);

/**
 * A list of the shopper's own is stored as one document of the items collection, so it is synced,
 * sealed, merged field by field and kept in history exactly as an item is (docs/cart.md, "Lists"):
 * `listId` is LIST_RECORD, `title` the name, `quantity` its position among the shopper's lists,
 * `deleted` whether it was deleted; the product fields stay empty. The cart state keeps these records
 * apart from the items (`CartState.listRecords`), so no reader of items ever sees one.
 */
export const LIST_RECORD = '#list';
/** The id of a list of one's own starts with this (an item's never does). */
export const OWN_LIST_PREFIX = 'list-';
export const LIST_NAME_LIMIT = 60;

export function isListRecord(doc: Pick<CartItem, 'listId'>): boolean {
  return doc.listId === LIST_RECORD;
}

/** ISO 4217 code (upper case) or 'unknown' when the shop did not say. */
export type CurrencyCode = string;
export const UNKNOWN_CURRENCY = 'unknown';

/**
 * Whether the shop sells the product now, as its page said when it was last read (docs/cart-manager.md,
 * "Availability"): `in_stock` (it can be ordered: in stock, limited, pre-order, back-order) or
 * `out_of_stock` (sold out, out of stock, discontinued). An item whose page never said has no
 * `availability` at all: unknown, which is also what every item added before availability was kept has.
 */
export type Availability = 'in_stock' | 'out_of_stock';
export const AVAILABILITIES: readonly Availability[] = Object.freeze(['in_stock', 'out_of_stock'] as const);

export function isAvailability(value: unknown): value is Availability {
  return value === 'in_stock' || value === 'out_of_stock';
}

/** What capture (or the shopper) supplies to add an item. */
export interface ProductInput {
  /** The product page, absolute http(s) URL. */
  readonly url: string;
  readonly title: string;
  /** Price in minor units of `currency` (cents for EUR, yen for JPY), or null when unknown. */
  readonly priceMinor: number | null;
  readonly currency: CurrencyCode;
  readonly imageUrl: string | null;
  /** The chosen variant ("Blue / M"), or null. */
  readonly variant: string | null;
  /** The shop's site; derived from `url` when omitted. */
  readonly shop?: string;
  /** Whether the page said the product can be ordered; omitted (or null) when it did not say. */
  readonly availability?: Availability | null;
}

export interface CartItem {
  readonly id: string;
  readonly listId: string;
  readonly url: string;
  readonly shop: string;
  readonly title: string;
  readonly priceMinor: number | null;
  readonly currency: CurrencyCode;
  readonly imageUrl: string | null;
  readonly variant: string | null;
  readonly quantity: number;
  readonly note: string;
  readonly addedAt: number;
  readonly addedBy: string;
  readonly updatedAt: number;
  readonly updatedBy: string;
  /** The price when the shopper added it: a later price below this is a price drop. */
  readonly addedPriceMinor: number | null;
  /** Prices seen on the product's page since (newest last, at most PRICE_HISTORY_LIMIT, changes only). */
  readonly priceHistory: readonly PricePoint[];
  /** Soft delete: a removed item stays a document so that removal syncs and meets concurrent edits. */
  readonly deleted: boolean;
  /** Whether the product can be ordered, as its page last said; absent: unknown (see Availability). */
  readonly availability?: Availability;
}

export interface PricePoint {
  readonly at: number;
  readonly priceMinor: number;
}

export const PRICE_HISTORY_LIMIT = 20;

/** Fields the shopper may correct on an item (a capture can get them wrong). */
export interface ItemCorrections {
  readonly title?: string;
  readonly priceMinor?: number | null;
  readonly currency?: CurrencyCode;
  readonly imageUrl?: string | null;
  readonly variant?: string | null;
}

/**
 * An item as an export file carries it and an import adds it (cart-transfer.ts): every field the shopper
 * sees, its id (so importing the same file twice adds nothing) and its price history; not which device
 * changed it last, which the importing device stamps itself.
 */
export interface TransferItem {
  readonly id: string;
  readonly listId: string;
  readonly url: string;
  /** Always the link's site (shopOf), whatever a file says. */
  readonly shop: string;
  readonly title: string;
  readonly priceMinor: number | null;
  readonly currency: CurrencyCode;
  readonly imageUrl: string | null;
  readonly variant: string | null;
  readonly quantity: number;
  readonly note: string;
  readonly addedAt: number;
  readonly addedPriceMinor: number | null;
  readonly priceHistory: readonly PricePoint[];
  /** Absent when unknown (older files have none). */
  readonly availability?: Availability;
}

export interface CartState {
  /** Every item document known to this device by id, removed ones included (selectors hide them). */
  readonly items: Readonly<Record<string, CartItem>>;
  /** Cart, Saved for later, then the shopper's own lists that are not deleted, in their order. */
  readonly lists: readonly CartList[];
  /** The list documents of the shopper's own lists by id, deleted ones included (see LIST_RECORD). */
  readonly listRecords: Readonly<Record<string, CartItem>>;
  /** True once the local database has been read. */
  readonly loaded: boolean;
}

export const initialCartState: CartState = Object.freeze({
  items: Object.freeze({}),
  lists: DEFAULT_LISTS,
  listRecords: Object.freeze({}),
  loaded: false,
});

/**
 * The list an item shows in: its own, or Cart while its list is unknown on this device (deleted, or
 * not arrived yet). An item is never hidden because of its list.
 */
export function shownListId(item: Pick<CartItem, 'listId'>, lists: readonly CartList[]): string {
  return item.listId === CART_LIST_ID || item.listId === SAVED_LIST_ID || lists.some((list) => list.id === item.listId)
    ? item.listId : CART_LIST_ID;
}

/** A list name as compared for clashes: trimmed, case and accents ignored. */
export function listNameKey(name: string): string {
  return name.trim().normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('en');
}
