/**
 * The cart reducer: pure, total and immutable. Same state and action in, same state out; no clock,
 * no ids, no I/O (those come stamped on the action). Unknown or stale ids leave the state untouched.
 */
import type { CartAction, CommandAction } from './cart-actions.ts';
import { BOUGHT_LIST_ID, initialCartState, PRICE_HISTORY_LIMIT, type CartItem, type CartState, type PricePoint } from './cart-types.ts';

type Items = Readonly<Record<string, CartItem>>;

const ITEM_FIELDS: readonly (keyof CartItem)[] = ['id', 'listId', 'url', 'shop', 'title', 'priceMinor', 'currency',
  'imageUrl', 'variant', 'quantity', 'note', 'addedAt', 'addedBy', 'updatedAt', 'updatedBy', 'addedPriceMinor', 'deleted'];

/** Copies exactly the item fields (storage metadata such as _rev or _meta is left behind) and freezes. */
export function toCartItem(doc: CartItem): CartItem {
  const item: Record<string, unknown> = {};
  for (const field of ITEM_FIELDS) item[field] = doc[field];
  // Documents written before price watch existed have no price fields.
  item.addedPriceMinor = doc.addedPriceMinor ?? doc.priceMinor ?? null;
  item.priceHistory = Object.freeze((doc.priceHistory ?? []).map((point) => Object.freeze({ at: point.at, priceMinor: point.priceMinor })));
  return Object.freeze(item as unknown as CartItem);
}

function sameHistory(a: readonly PricePoint[] = [], b: readonly PricePoint[] = []): boolean {
  return a.length === b.length && a.every((point, i) => point.at === b[i]!.at && point.priceMinor === b[i]!.priceMinor);
}

export function sameItem(a: CartItem, b: CartItem): boolean {
  return ITEM_FIELDS.every((field) => a[field] === b[field]) && sameHistory(a.priceHistory, b.priceHistory);
}

function withItems(state: CartState, items: Items): CartState {
  return items === state.items ? state : Object.freeze({ ...state, items: Object.freeze(items) });
}

function live(items: Items, id: string): CartItem | undefined {
  const item = items[id];
  return item && !item.deleted ? item : undefined;
}

/** One line per product and variant in a list (docs/cart.md rule 2). */
const line = (item: Pick<CartItem, 'listId' | 'url' | 'variant'>) => JSON.stringify([item.listId, item.url, item.variant]);

function changed(item: CartItem, patch: Partial<CartItem>, action: CommandAction): CartItem {
  return Object.freeze({ ...item, ...patch, updatedAt: action.meta.at, updatedBy: action.meta.device });
}

/** A bulk edit: `change` on each live item named (null leaves it as it is); unknown or removed ids are passed over. */
function eachLive(items: Items, ids: readonly string[], change: (item: CartItem) => CartItem | null): Items {
  let next: Record<string, CartItem> | undefined;
  for (const id of ids) {
    const item = live(items, id);
    const after = item ? change(item) : null;
    if (!after) continue;
    next ??= { ...items };
    next[id] = after;
  }
  return next ?? items;
}

function reduceCommand(items: Items, action: CommandAction): Items {
  switch (action.type) {
    case 'item/add': {
      const listId = action.listId ?? 'cart';
      const quantity = action.quantity ?? 1;
      const { product } = action;
      // The same product and variant in the same list is one line: adding it again raises the quantity.
      const existing = Object.values(items).find((item) => !item.deleted && item.listId === listId
        && item.url === product.url && item.variant === product.variant);
      if (existing) {
        return { ...items, [existing.id]: changed(existing, {
          quantity: existing.quantity + quantity,
          title: product.title, priceMinor: product.priceMinor, currency: product.currency, imageUrl: product.imageUrl,
        }, action) };
      }
      const item: CartItem = Object.freeze({
        id: action.meta.newId, listId, url: product.url, shop: product.shop ?? new URL(product.url).hostname,
        title: product.title, priceMinor: product.priceMinor, currency: product.currency, imageUrl: product.imageUrl,
        variant: product.variant, quantity, note: '', addedAt: action.meta.at, addedBy: action.meta.device,
        updatedAt: action.meta.at, updatedBy: action.meta.device, deleted: false,
        addedPriceMinor: product.priceMinor, priceHistory: Object.freeze([]),
      });
      return { ...items, [item.id]: item };
    }
    case 'item/setQuantity': {
      const item = live(items, action.id);
      if (!item || item.quantity === action.quantity) return items;
      return { ...items, [item.id]: changed(item, { quantity: action.quantity }, action) };
    }
    case 'item/remove': {
      const item = live(items, action.id);
      return item ? { ...items, [item.id]: changed(item, { deleted: true }, action) } : items;
    }
    case 'item/move': {
      const item = live(items, action.id);
      if (!item || item.listId === action.listId) return items;
      return { ...items, [item.id]: changed(item, { listId: action.listId }, action) };
    }
    case 'item/setNote': {
      const item = live(items, action.id);
      if (!item || item.note === action.note) return items;
      return { ...items, [item.id]: changed(item, { note: action.note }, action) };
    }
    case 'item/edit': {
      const item = live(items, action.id);
      if (!item) return items;
      const patch = Object.fromEntries(Object.entries(action.changes).filter(([key, value]) =>
        value !== undefined && item[key as keyof CartItem] !== value));
      return Object.keys(patch).length === 0 ? items : { ...items, [item.id]: changed(item, patch, action) };
    }
    case 'item/priceSeen': {
      let next: Record<string, CartItem> | undefined;
      for (const item of Object.values(items)) {
        if (item.deleted || item.url !== action.url || item.currency !== action.currency) continue;
        const history = item.priceHistory ?? [];
        const last = history[history.length - 1];
        if (item.priceMinor === action.priceMinor && (last === undefined || last.priceMinor === action.priceMinor)) continue;
        const point = Object.freeze({ at: action.meta.at, priceMinor: action.priceMinor });
        next ??= { ...items };
        next[item.id] = changed(item, {
          priceMinor: action.priceMinor,
          priceHistory: Object.freeze([...history, point].slice(-PRICE_HISTORY_LIMIT)),
        }, action);
      }
      return next ?? items;
    }
    case 'item/bringBack': {
      // One line per product and variant in a list (rule 2): an item added again since stays as it is.
      const lines = new Set(Object.values(items).filter((item) => !item.deleted).map(line));
      let next: Record<string, CartItem> | undefined;
      for (const id of action.ids) {
        const item = items[id];
        if (!item || !item.deleted || lines.has(line(item))) continue;
        lines.add(line(item));
        next ??= { ...items };
        next[id] = changed(item, { deleted: false }, action);
      }
      return next ?? items;
    }
    case 'items/import': {
      // Nothing is added twice (docs/cart-manager.md, "Export and import"): an item whose id is in the
      // cart, or whose product and variant already has a line in its list, is left as it is; an item
      // removed here since it was exported comes back as the file has it.
      const lines = new Set(Object.values(items).filter((item) => !item.deleted).map(line));
      let next: Record<string, CartItem> | undefined;
      for (const imported of action.items) {
        const current = (next ?? items)[imported.id];
        if ((current && !current.deleted) || lines.has(line(imported))) continue;
        lines.add(line(imported));
        next ??= { ...items };
        next[imported.id] = Object.freeze({
          ...imported, addedBy: action.meta.device, updatedAt: action.meta.at, updatedBy: action.meta.device, deleted: false,
        });
      }
      return next ?? items;
    }
    case 'import/undo': {
      let next: Record<string, CartItem> | undefined;
      for (const id of action.ids) {
        const item = live(next ?? items, id);
        if (!item) continue;
        next ??= { ...items };
        next[id] = changed(item, { deleted: true }, action);
      }
      return next ?? items;
    }
    case 'items/move':
      return eachLive(items, action.ids, (item) => (item.listId === action.listId ? null : changed(item, { listId: action.listId }, action)));
    case 'items/remove':
      return eachLive(items, action.ids, (item) => changed(item, { deleted: true }, action));
    case 'items/setQuantity':
      return eachLive(items, action.ids, (item) => (item.quantity === action.quantity ? null : changed(item, { quantity: action.quantity }, action)));
    case 'items/markBought':
      // Removed and filed under "bought" in one change: one entry in history says both.
      return eachLive(items, action.ids, (item) => changed(item, { deleted: true, listId: BOUGHT_LIST_ID }, action));
    case 'items/unmarkBought': {
      // Only items still marked bought come back; one line per product and variant in a list (rule 2).
      const lines = new Set(Object.values(items).filter((item) => !item.deleted).map(line));
      let next: Record<string, CartItem> | undefined;
      for (const id of action.ids) {
        const item = items[id];
        if (!item || !item.deleted || item.listId !== BOUGHT_LIST_ID) continue;
        const back = { listId: action.listId, url: item.url, variant: item.variant };
        if (lines.has(line(back))) continue;
        lines.add(line(back));
        next ??= { ...items };
        next[id] = changed(item, { deleted: false, listId: action.listId }, action);
      }
      return next ?? items;
    }
    case 'list/clear': {
      const next: Record<string, CartItem> = { ...items };
      let any = false;
      for (const item of Object.values(items)) {
        if (!item.deleted && item.listId === action.listId) {
          next[item.id] = changed(item, { deleted: true }, action);
          any = true;
        }
      }
      return any ? next : items;
    }
  }
}

function receive(items: Items, docs: readonly CartItem[]): Items {
  let next: Record<string, CartItem> | undefined;
  for (const doc of docs) {
    const current = (next ?? items)[doc.id];
    if (current && sameItem(current, doc)) continue;
    next ??= { ...items };
    next[doc.id] = toCartItem(doc);
  }
  return next ?? items;
}

export function cartReducer(state: CartState = initialCartState, action: CartAction): CartState {
  switch (action.type) {
    case 'sync/loaded':
      return Object.freeze({ ...state, loaded: true, items: Object.freeze(receive({}, action.docs)) });
    case 'sync/received':
      return withItems(state, receive(state.items, action.docs));
    default:
      return withItems(state, reduceCommand(state.items, action));
  }
}

/** The item documents an action changed: what the store writes, in one bulk write. */
export function changedItems(before: CartState, after: CartState): CartItem[] {
  if (before.items === after.items) return [];
  return Object.values(after.items).filter((item) => before.items[item.id] !== item);
}
