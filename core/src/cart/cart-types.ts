/**
 * The cart domain. One item is one document: changes to different items never touch the same
 * document, so they can never conflict (see docs/sync.md).
 */

/** A list the shopper keeps items in. "cart" and "saved" always exist. */
export interface CartList {
  readonly id: string;
  readonly name: string;
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

/** ISO 4217 code (upper case) or 'unknown' when the shop did not say. */
export type CurrencyCode = string;
export const UNKNOWN_CURRENCY = 'unknown';

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
}

export interface CartState {
  /** Every item document known to this device by id, removed ones included (selectors hide them). */
  readonly items: Readonly<Record<string, CartItem>>;
  readonly lists: readonly CartList[];
  /** True once the local database has been read. */
  readonly loaded: boolean;
}

export const initialCartState: CartState = Object.freeze({
  items: Object.freeze({}),
  lists: DEFAULT_LISTS,
  loaded: false,
});
