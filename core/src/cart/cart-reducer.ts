/**
 * The cart reducer: pure, total and immutable. Same state and action in, same state out; no clock,
 * no ids, no I/O (those come stamped on the action). Unknown or stale ids leave the state untouched.
 */
import type { CartAction, CommandAction } from './cart-actions.ts';
import {
  BOUGHT_LIST_ID, CART_LIST_ID, DEFAULT_LISTS, initialCartState, isListRecord, LIST_RECORD, listNameKey, OWN_LIST_PREFIX, PRICE_HISTORY_LIMIT, shownListId, UNKNOWN_CURRENCY,
  isAvailability, type CartItem, type CartList, type CartState, type PricePoint, type TransferItem,
} from './cart-types.ts';

type Items = Readonly<Record<string, CartItem>>;

const ITEM_FIELDS: readonly (keyof CartItem)[] = ['id', 'listId', 'url', 'shop', 'title', 'priceMinor', 'currency',
  'imageUrl', 'variant', 'quantity', 'note', 'addedAt', 'addedBy', 'updatedAt', 'updatedBy', 'addedPriceMinor', 'deleted'];
/** Every field of a cart item as the state keeps it (toCartItem): the plain ones, then the price history and availability. */
export const CART_ITEM_FIELDS: readonly (keyof CartItem)[] = [...ITEM_FIELDS, 'priceHistory', 'availability'];

/** Copies exactly the item fields (storage metadata such as _rev or _meta is left behind) and freezes. */
export function toCartItem(doc: CartItem): CartItem {
  const item: Record<string, unknown> = {};
  for (const field of ITEM_FIELDS) item[field] = doc[field];
  // Documents written before price watch existed have no price fields.
  item.addedPriceMinor = doc.addedPriceMinor ?? doc.priceMinor ?? null;
  item.priceHistory = Object.freeze((doc.priceHistory ?? []).map((point) => Object.freeze({ at: point.at, priceMinor: point.priceMinor })));
  // Unknown availability is no field at all (not null): documents without it are exactly what a version
  // before availability wrote, so they seal, fingerprint and replicate as before (docs/cart-manager.md).
  if (isAvailability(doc.availability)) item.availability = doc.availability;
  return Object.freeze(item as unknown as CartItem);
}

function sameHistory(a: readonly PricePoint[] = [], b: readonly PricePoint[] = []): boolean {
  return a.length === b.length && a.every((point, i) => point.at === b[i]!.at && point.priceMinor === b[i]!.priceMinor);
}

export function sameItem(a: CartItem, b: CartItem): boolean {
  return ITEM_FIELDS.every((field) => a[field] === b[field]) && sameHistory(a.priceHistory, b.priceHistory)
    && (a.availability ?? null) === (b.availability ?? null);
}

function withItems(state: CartState, items: Items): CartState {
  return items === state.items ? state : Object.freeze({ ...state, items: Object.freeze(items) });
}

/** Cart, Saved for later, then the shopper's lists not deleted, by position (then age, then id). */
export function listsOf(records: Items): readonly CartList[] {
  const own = Object.values(records).filter((record) => !record.deleted)
    .sort((a, b) => a.quantity - b.quantity || a.addedAt - b.addedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (own.length === 0) return DEFAULT_LISTS;
  return Object.freeze([...DEFAULT_LISTS, ...own.map((record) => Object.freeze({ id: record.id, name: record.title, own: true }))]);
}

function withRecords(state: CartState, records: Items): CartState {
  if (records === state.listRecords) return state;
  return Object.freeze({ ...state, listRecords: Object.freeze(records), lists: listsOf(records) });
}

/** The shopper's lists not deleted, in their order (list records). */
function ownLists(records: Items): CartItem[] {
  const order = listsOf(records);
  return order.filter((list) => list.own).map((list) => records[list.id]!);
}

/** A new list record (see LIST_RECORD in cart-types.ts). */
function listRecord(id: string, name: string, position: number, action: CommandAction): CartItem {
  return Object.freeze({
    id, listId: LIST_RECORD, url: '', shop: '', title: name, priceMinor: null, currency: UNKNOWN_CURRENCY, imageUrl: null,
    variant: null, quantity: position, note: '', addedAt: action.meta.at, addedBy: action.meta.device,
    updatedAt: action.meta.at, updatedBy: action.meta.device, addedPriceMinor: null, priceHistory: Object.freeze([]), deleted: false,
  });
}

/** The list commands: they change list records only. Names are checked at the boundary (cart-validation.ts). */
function reduceListCommand(records: Items, action: CommandAction): Items {
  switch (action.type) {
    case 'list/create': {
      const id = `${OWN_LIST_PREFIX}${action.meta.newId}`;
      if (records[id]) return records;
      const last = ownLists(records).at(-1);
      return { ...records, [id]: listRecord(id, action.name, (last?.quantity ?? 0) + 1, action) };
    }
    case 'list/rename': {
      const record = records[action.id];
      if (!record || record.deleted || record.title === action.name) return records;
      return { ...records, [record.id]: changed(record, { title: action.name }, action) };
    }
    case 'list/delete': {
      const record = records[action.id];
      return record && !record.deleted ? { ...records, [record.id]: changed(record, { deleted: true }, action) } : records;
    }
    case 'list/restore': {
      const record = records[action.id];
      return record && record.deleted ? { ...records, [record.id]: changed(record, { deleted: false }, action) } : records;
    }
    case 'list/reorder': {
      const order = ownLists(records);
      const from = order.findIndex((record) => record.id === action.id);
      if (from < 0) return records;
      const [moving] = order.splice(from, 1);
      order.splice(Math.max(0, Math.min(action.position, order.length)), 0, moving!);
      let next: Record<string, CartItem> | undefined;
      order.forEach((record, index) => {
        if (record.quantity === index + 1) return;
        next ??= { ...records };
        next[record.id] = changed(record, { quantity: index + 1 }, action);
      });
      return next ?? records;
    }
    default:
      return records;
  }
}

/**
 * The lists of an import file: a list whose name this device has (case and accents ignored) is used;
 * one whose id it has is used (brought back, with the file's name, if it was deleted); any other is
 * created with the file's id, so importing the same file twice creates it once. Returns the records
 * and where each file list's items go.
 */
function importLists(state: CartState, lists: readonly CartList[], action: CommandAction): { records: Items; to: Map<string, string> } {
  let records: Record<string, CartItem> | undefined;
  const to = new Map<string, string>();
  for (const list of lists) {
    if (!list.id.startsWith(OWN_LIST_PREFIX)) continue;
    const current = records ?? state.listRecords;
    const named = listsOf(current).find((known) => listNameKey(known.name) === listNameKey(list.name));
    if (named) {
      to.set(list.id, named.id);
      continue;
    }
    const record = current[list.id];
    if (record && !record.deleted) continue;
    records ??= { ...state.listRecords };
    const last = ownLists(records).at(-1);
    records[list.id] = record
      ? changed(record, { deleted: false, title: list.name, quantity: (last?.quantity ?? 0) + 1 }, action)
      : listRecord(list.id, list.name, (last?.quantity ?? 0) + 1, action);
  }
  return { records: records ?? state.listRecords, to };
}

const LIST_COMMANDS = new Set(['list/create', 'list/rename', 'list/delete', 'list/restore', 'list/reorder']);

function live(items: Items, id: string): CartItem | undefined {
  const item = items[id];
  return item && !item.deleted ? item : undefined;
}

/** One line per product and variant in a list (docs/cart.md rule 2). */
const line = (item: Pick<CartItem, 'listId' | 'url' | 'variant'>) => JSON.stringify([item.listId, item.url, item.variant]);

/** The fields a shopper sees and changes, as an import wrote them: nothing changed since. */
function asImported(item: CartItem, imported: TransferItem): boolean {
  return item.listId === imported.listId && item.title === imported.title && item.priceMinor === imported.priceMinor
    && item.currency === imported.currency && item.imageUrl === imported.imageUrl && item.variant === imported.variant
    && item.quantity === imported.quantity && item.note === imported.note && (item.availability ?? null) === (imported.availability ?? null);
}

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

function reduceCommand(items: Items, action: CommandAction, lists: readonly CartList[]): Items {
  switch (action.type) {
    case 'item/add': {
      const listId = action.listId ?? CART_LIST_ID;
      const quantity = action.quantity ?? 1;
      const { product } = action;
      // The same product and variant in the same list is one line: adding it again raises the quantity.
      const existing = Object.values(items).find((item) => !item.deleted && shownListId(item, lists) === listId
        && item.url === product.url && item.variant === product.variant);
      if (existing) {
        return { ...items, [existing.id]: changed(existing, {
          quantity: existing.quantity + quantity,
          title: product.title, priceMinor: product.priceMinor, currency: product.currency, imageUrl: product.imageUrl,
          // A page that does not say keeps what an earlier one said.
          ...(product.availability ? { availability: product.availability } : {}),
        }, action) };
      }
      const item: CartItem = Object.freeze({
        id: action.meta.newId, listId, url: product.url, shop: product.shop ?? new URL(product.url).hostname,
        title: product.title, priceMinor: product.priceMinor, currency: product.currency, imageUrl: product.imageUrl,
        variant: product.variant, quantity, note: '', addedAt: action.meta.at, addedBy: action.meta.device,
        updatedAt: action.meta.at, updatedBy: action.meta.device, deleted: false,
        addedPriceMinor: product.priceMinor, priceHistory: Object.freeze([]),
        ...(product.availability ? { availability: product.availability } : {}),
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
        // A reading without a price (only the availability) is for the product in any currency.
        const priceMinor = action.priceMinor;
        if (item.deleted || item.url !== action.url || (priceMinor !== null && item.currency !== action.currency)) continue;
        const history = item.priceHistory ?? [];
        const last = history[history.length - 1];
        const priceChanged = priceMinor !== null && !(item.priceMinor === priceMinor && (last === undefined || last.priceMinor === priceMinor));
        // The page said whether it can be ordered and that differs: kept too. A page that does not say changes nothing.
        const availabilityChanged = action.availability !== undefined && action.availability !== null && item.availability !== action.availability;
        if (!priceChanged && !availabilityChanged) continue;
        const patch: Partial<Record<keyof CartItem, unknown>> = {};
        if (priceChanged) {
          patch.priceMinor = priceMinor;
          patch.priceHistory = Object.freeze([...history, Object.freeze({ at: action.meta.at, priceMinor })].slice(-PRICE_HISTORY_LIMIT));
        }
        if (availabilityChanged) patch.availability = action.availability;
        next ??= { ...items };
        next[item.id] = changed(item, patch as Partial<CartItem>, action);
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
      // Only what is still as the import wrote it goes: an imported item edited, moved, given a note
      // or a new price since is the shopper's now and stays (docs/cart-manager.md, "Export and import").
      let next: Record<string, CartItem> | undefined;
      for (const imported of action.items) {
        const id = imported.id;
        const item = live(next ?? items, id);
        if (!item || !asImported(item, imported)) continue;
        next ??= { ...items };
        next[id] = changed(item, { deleted: true }, action);
      }
      return next ?? items;
    }
    case 'items/move':
      return eachLive(items, action.ids, (item) => (item.listId === action.listId ? null : changed(item, { listId: action.listId }, action)));
    case 'items/copy': {
      // A copy is a new line in the target list, with a new id, the same product and fields; an item
      // whose product and variant already has a line there is left as it is (docs/cart.md rule 2).
      const lines = new Set(Object.values(items).filter((item) => !item.deleted).map((item) => line({ ...item, listId: shownListId(item, lists) })));
      let next: Record<string, CartItem> | undefined;
      action.ids.forEach((id, index) => {
        const item = live(items, id);
        if (!item) return;
        const copy = { ...item, listId: action.listId };
        if (lines.has(line(copy))) return;
        lines.add(line(copy));
        const copyId = `${action.meta.newId}-${index.toString(36)}`;
        next ??= { ...items };
        next[copyId] = Object.freeze({
          ...copy, id: copyId, addedAt: action.meta.at, addedBy: action.meta.device, updatedAt: action.meta.at, updatedBy: action.meta.device,
        });
      });
      return next ?? items;
    }
    case 'items/remove':
      return eachLive(items, action.ids, (item) => changed(item, { deleted: true }, action));
    case 'items/setQuantity':
      return eachLive(items, action.ids, (item) => (item.quantity === action.quantity ? null : changed(item, { quantity: action.quantity }, action)));
    case 'items/restoreQuantities': {
      const wanted = new Map(action.quantities.map(({ id, quantity }) => [id, quantity]));
      return eachLive(items, [...wanted.keys()], (item) => {
        const quantity = wanted.get(item.id)!;
        return item.quantity === quantity ? null : changed(item, { quantity }, action);
      });
    }
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
        if (!item.deleted && shownListId(item, lists) === action.listId) {
          next[item.id] = changed(item, { deleted: true }, action);
          any = true;
        }
      }
      return any ? next : items;
    }
    default:
      return items;
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

/** Exactly `docs` as items, keeping each object of `items` that `docs` holds unchanged (`items` itself when all are). */
function reload(items: Items, docs: readonly CartItem[]): Items {
  const next: Record<string, CartItem> = {};
  for (const doc of docs) {
    const current = items[doc.id];
    next[doc.id] = current && sameItem(current, doc) ? current : toCartItem(doc);
  }
  const ids = Object.keys(next);
  return ids.length === Object.keys(items).length && ids.every((id) => next[id] === items[id]) ? items : Object.freeze(next);
}

export function cartReducer(state: CartState = initialCartState, action: CartAction): CartState {
  switch (action.type) {
    case 'sync/loaded': {
      // What was shown before (a snapshot of the cart, cart-snapshot.ts) keeps its objects where the
      // database holds the same: a load that changes nothing changes no state.
      const records = reload(state.listRecords, action.docs.filter(isListRecord));
      const items = reload(state.items, action.docs.filter((doc) => !isListRecord(doc)));
      if (state.loaded && items === state.items && records === state.listRecords) return state;
      return Object.freeze({
        ...state, loaded: true, items, listRecords: records, lists: records === state.listRecords ? state.lists : listsOf(records),
      });
    }
    case 'sync/received': {
      const lists = action.docs.filter(isListRecord);
      const items = lists.length === 0 ? action.docs : action.docs.filter((doc) => !isListRecord(doc));
      return withRecords(withItems(state, receive(state.items, items)), lists.length === 0 ? state.listRecords : receive(state.listRecords, lists));
    }
    default:
      if (action.type === 'items/import' && action.lists && action.lists.length > 0) {
        const { records, to } = importLists(state, action.lists, action);
        const withLists = withRecords(state, records);
        const items = to.size === 0 ? action.items : action.items.map((item) => (to.has(item.listId) ? { ...item, listId: to.get(item.listId)! } : item));
        return withItems(withLists, reduceCommand(withLists.items, { ...action, items }, withLists.lists));
      }
      if (LIST_COMMANDS.has(action.type)) return withRecords(state, reduceListCommand(state.listRecords, action));
      return withItems(state, reduceCommand(state.items, action, state.lists));
  }
}

/** The documents (items and list records) an action changed: what the store writes, in one bulk write. */
export function changedItems(before: CartState, after: CartState): CartItem[] {
  const items = before.items === after.items ? [] : Object.values(after.items).filter((item) => before.items[item.id] !== item);
  if (before.listRecords === after.listRecords) return items;
  return [...items, ...Object.values(after.listRecords).filter((record) => before.listRecords[record.id] !== record)];
}
