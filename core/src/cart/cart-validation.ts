/**
 * The boundary check for every command: whatever a shop page, a message or a user typed, only
 * well-formed commands reach the reducer. Failures are ToteError('INVALID_INPUT') with a message the
 * shopper can act on.
 *
 * The same rules hold for an item that arrives whole from the sync server (`validateStoredItem`): what
 * comes out of an envelope was written by one of the shopper's devices, so it can only hold values a
 * command could have made (docs/encryption.md, "Decrypting"); anything else is set aside by sync.
 */
import { ToteError } from '../errors.ts';
import { MERGE_FIELDS, type ClockedItem } from '../merge/item-clocks.ts';
import { ADD_SOURCES, type AddSource, type CartCommand } from './cart-actions.ts';
import { isAvailability, type Availability, BOUGHT_LIST_ID, CART_LIST_ID, DEFAULT_LISTS, LIST_NAME_LIMIT, LIST_RECORD, listNameKey, OWN_LIST_PREFIX, PRICE_HISTORY_LIMIT, UNKNOWN_CURRENCY, type CartList, type ItemCorrections, type PricePoint, type ProductInput, type TransferItem } from './cart-types.ts';

export const LIMITS = Object.freeze({
  titleLength: 300,
  urlLength: 2048,
  variantLength: 120,
  noteLength: 1000,
  maxQuantity: 9999,
  maxPriceMinor: 1e13,
  /** Items one command may name (bringing back a cleared list). */
  maxIds: 10_000,
  /** A shop's host name (DNS's limit). */
  shopLength: 253,
  /** A device id as items record it (`addedBy`, `updatedBy`) and a field clock's stamp (the item schema's bounds). */
  deviceLength: 64,
  stampLength: 100,
  /** Lists a shopper keeps, Cart and Saved for later included. */
  maxLists: 100,
});

function validateSource(value: unknown): AddSource {
  if (typeof value === 'string' && (ADD_SOURCES as readonly string[]).includes(value)) return value as AddSource;
  return invalid('Tote did not recognise where this item was added from.', 'source');
}

function invalid(message: string, field: string): never {
  throw new ToteError('INVALID_INPUT', message, { field });
}

function cleanText(value: unknown, max: number, field: string, label: string): string {
  if (typeof value !== 'string') invalid(`${label} is missing.`, field);
  // Collapse whitespace and drop control characters: product text from pages is shown as text only.
  const text = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function httpUrl(value: unknown, field: string, label: string): string {
  if (typeof value !== 'string' || value.length > LIMITS.urlLength) invalid(`${label} is not a web address.`, field);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalid(`${label} is not a web address.`, field);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') invalid(`${label} must start with http or https.`, field);
  return url.href;
}

export function shopOf(url: string): string {
  return new URL(url).hostname.replace(/^www\./, '');
}

export function validateQuantity(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > LIMITS.maxQuantity) {
    invalid(`Quantity must be a whole number from 1 to ${LIMITS.maxQuantity}.`, 'quantity');
  }
  return value;
}

export function validateProduct(product: unknown): ProductInput {
  if (typeof product !== 'object' || product === null) invalid('No product was given.', 'product');
  const p = product as Record<string, unknown>;
  const url = httpUrl(p.url, 'url', 'The product link');
  const title = cleanText(p.title, LIMITS.titleLength, 'title', 'The product name');
  if (title === '') invalid('The product has no name.', 'title');
  const priceMinor = p.priceMinor ?? null;
  if (priceMinor !== null && !validPrice(priceMinor)) {
    invalid('The price is not a valid amount.', 'priceMinor');
  }
  const currency = p.currency ?? UNKNOWN_CURRENCY;
  if (currency !== UNKNOWN_CURRENCY && (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))) {
    invalid('The currency is not a known currency code.', 'currency');
  }
  const imageUrl = p.imageUrl == null ? null : httpUrl(p.imageUrl, 'imageUrl', 'The product image');
  const variant = p.variant == null ? null : cleanText(p.variant, LIMITS.variantLength, 'variant', 'The variant') || null;
  const availability = validateAvailability(p.availability);
  return Object.freeze({ url, title, priceMinor: priceMinor as number | null, currency: currency as string, imageUrl, variant, shop: shopOf(url),
    ...(availability ? { availability } : {}) });
}

/** `in_stock`, `out_of_stock`, or null for unknown (undefined and null); anything else is refused. */
export function validateAvailability(value: unknown): Availability | null {
  if (value === undefined || value === null) return null;
  if (!isAvailability(value)) invalid('Whether the product can be ordered is not said in a form Tote knows.', 'availability');
  return value;
}

function listId(value: unknown, lists: readonly CartList[]): string {
  if (typeof value !== 'string' || !lists.some((list) => list.id === value)) invalid('That list does not exist.', 'listId');
  return value;
}

/**
 * A list's name: trimmed (inner whitespace collapsed), 1 to 60 characters, and no other list's name,
 * case and accents ignored ("groceries" clashes with "Groceries", "Cart" with Cart). `except` is the
 * list being renamed. Throws ToteError('INVALID_INPUT') with `field: 'name'`.
 */
export function validateListName(value: unknown, lists: readonly CartList[], except?: string): string {
  if (typeof value !== 'string') invalid('Give the list a name.', 'name');
  const name = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (name === '') invalid('Give the list a name.', 'name');
  if (name.length > LIST_NAME_LIMIT) invalid(`A list's name can be at most ${LIST_NAME_LIMIT} characters long. Choose a shorter name.`, 'name');
  const clash = lists.find((list) => list.id !== except && listNameKey(list.name) === listNameKey(name));
  if (clash) invalid(`You already have a list called "${clash.name}". Choose another name.`, 'name');
  return name;
}

/** One of the shopper's own lists (Cart and Saved for later cannot be renamed, reordered or deleted). */
function ownList(value: unknown, lists: readonly CartList[], doing: string): string {
  if (value === CART_LIST_ID || value === 'saved') invalid(`Cart and Saved for later cannot be ${doing}.`, 'listId');
  if (typeof value !== 'string' || !lists.some((list) => list.own && list.id === value)) {
    invalid('That list no longer exists. It may have been deleted on another device.', 'listId');
  }
  return value;
}

/** A list id as an item or a file may name it: Cart, Saved for later, or an id of one's own list. */
function isListIdForm(value: unknown): value is string {
  return typeof value === 'string' && (value === CART_LIST_ID || value === 'saved'
    || (value.startsWith(OWN_LIST_PREFIX) && value.length <= 64 && /^[A-Za-z0-9_-]+$/.test(value)));
}

/**
 * The own lists of an export file that can be imported: well-formed ids and names, each name once
 * (the first wins). A list whose name breaks a rule is left out, so its items come into Cart.
 */
export function validateFileLists(value: unknown): CartList[] {
  if (!Array.isArray(value)) return [];
  const out: CartList[] = [];
  for (const list of value as unknown[]) {
    if (typeof list !== 'object' || list === null) continue;
    const { id, name } = list as Record<string, unknown>;
    if (!isListIdForm(id) || id === CART_LIST_ID || id === 'saved' || out.some((known) => known.id === id)) continue;
    try {
      out.push(Object.freeze({ id, name: validateListName(name, [...DEFAULT_LISTS, ...out]), own: true }));
    } catch (error) {
      if (!(error instanceof ToteError)) throw error;
    }
  }
  return out;
}

function validPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= LIMITS.maxPriceMinor;
}

function itemId(value: unknown): string {
  // Items and list records share one collection: an item's id never looks like a list's.
  if (typeof value !== 'string' || value.length === 0 || value.length > 64 || value.startsWith(OWN_LIST_PREFIX)) invalid('That item does not exist.', 'id');
  return value;
}

/** The ids of a bulk edit: 1 to LIMITS.maxIds item ids, each once. */
function selection(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) invalid('No items are selected. Select some items first.', 'ids');
  if (value.length > LIMITS.maxIds) invalid(`At most ${LIMITS.maxIds} items can be changed at once. Select fewer items.`, 'ids');
  return Object.freeze([...new Set((value as unknown[]).map(itemId))]);
}

function validateCorrections(changes: unknown): ItemCorrections {
  if (typeof changes !== 'object' || changes === null) invalid('Nothing to change was given.', 'changes');
  const c = changes as Record<string, unknown>;
  // Reuse the product rules on a product made of the corrected fields.
  const probe = validateProduct({
    url: 'https://example.invalid/', title: c.title ?? 'unchanged', priceMinor: c.priceMinor ?? null,
    currency: c.currency ?? UNKNOWN_CURRENCY, imageUrl: c.imageUrl ?? null, variant: c.variant ?? null,
  });
  const out: Record<string, unknown> = {};
  if (c.title !== undefined) out.title = probe.title;
  if (c.priceMinor !== undefined) out.priceMinor = probe.priceMinor;
  if (c.currency !== undefined) out.currency = probe.currency;
  if (c.imageUrl !== undefined) out.imageUrl = probe.imageUrl;
  if (c.variant !== undefined) out.variant = probe.variant;
  return Object.freeze(out) as ItemCorrections;
}

function priceHistory(value: unknown): readonly PricePoint[] {
  if (!Array.isArray(value) || value.length > PRICE_HISTORY_LIMIT || !value.every((point: unknown) => {
    if (typeof point !== 'object' || point === null) return false;
    const { at, priceMinor } = point as Record<string, unknown>;
    return Number.isSafeInteger(at) && (at as number) >= 0 && validPrice(priceMinor);
  })) invalid('The price history is not a list of prices seen.', 'priceHistory');
  return Object.freeze(value.map((point: PricePoint) => Object.freeze({ at: point.at, priceMinor: point.priceMinor })));
}

/**
 * An item of an export file, checked by the rules a capture and the shopper's edits are held to
 * (validateProduct, validateQuantity, the note's length): text is cleaned, the shop is the link's, and
 * an item of a list this device does not have goes to the Cart. Throws ToteError('INVALID_INPUT').
 */
export function validateTransferItem(value: unknown, lists: readonly CartList[] = DEFAULT_LISTS): TransferItem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid('The item is not an item.', 'id');
  const item = value as Record<string, unknown>;
  const id = itemId(item.id);
  if (CONTROL.test(id)) invalid('That item does not exist.', 'id');
  if (typeof item.listId !== 'string') invalid('The item\'s list is missing.', 'listId');
  const product = validateProduct(item);
  const addedPriceMinor = item.addedPriceMinor ?? null;
  if (addedPriceMinor !== null && !validPrice(addedPriceMinor)) invalid('The price when added is not a valid amount.', 'addedPriceMinor');
  return Object.freeze({
    id,
    listId: lists.some((list) => list.id === item.listId) ? item.listId : CART_LIST_ID,
    url: product.url, shop: product.shop ?? shopOf(product.url), title: product.title, priceMinor: product.priceMinor, currency: product.currency,
    imageUrl: product.imageUrl, variant: product.variant,
    quantity: validateQuantity(item.quantity ?? 1),
    note: cleanText(item.note ?? '', LIMITS.noteLength, 'note', 'The note'),
    addedAt: storedTime(item.addedAt, 'addedAt'),
    addedPriceMinor: addedPriceMinor as number | null,
    priceHistory: priceHistory(item.priceHistory ?? []),
    ...(product.availability ? { availability: product.availability } : {}),
  });
}

/** Returns a normalised copy of the command or throws ToteError('INVALID_INPUT'). */
export function validateCommand(command: unknown, lists: readonly CartList[]): CartCommand {
  if (typeof command !== 'object' || command === null) invalid('Unknown request.', 'type');
  const c = command as Record<string, unknown>;
  switch (c.type) {
    case 'item/add':
      return {
        type: 'item/add',
        product: validateProduct(c.product),
        listId: listId(c.listId ?? lists[0]?.id, lists),
        quantity: validateQuantity(c.quantity ?? 1),
        ...(c.source === undefined ? {} : { source: validateSource(c.source) }),
      };
    case 'item/setQuantity':
      return { type: 'item/setQuantity', id: itemId(c.id), quantity: validateQuantity(c.quantity) };
    case 'item/remove':
      return { type: 'item/remove', id: itemId(c.id) };
    case 'item/move':
      return { type: 'item/move', id: itemId(c.id), listId: listId(c.listId, lists) };
    case 'item/setNote':
      return { type: 'item/setNote', id: itemId(c.id), note: cleanText(c.note, LIMITS.noteLength, 'note', 'The note') };
    case 'item/edit':
      return { type: 'item/edit', id: itemId(c.id), changes: validateCorrections(c.changes) };
    case 'item/priceSeen': {
      const seen = validateProduct({ url: c.url, title: 'price', priceMinor: c.priceMinor, currency: c.currency, imageUrl: null, variant: null,
        availability: c.availability });
      // Without a price the reading is only worth its availability (a sold-out page often shows no price).
      if (seen.priceMinor === null && !seen.availability) invalid('The price is not a valid amount.', 'priceMinor');
      if (seen.priceMinor !== null && seen.currency === UNKNOWN_CURRENCY) invalid('The price is not a valid amount.', 'priceMinor');
      return { type: 'item/priceSeen', url: seen.url, priceMinor: seen.priceMinor, currency: seen.priceMinor === null ? UNKNOWN_CURRENCY : seen.currency,
        ...(seen.availability ? { availability: seen.availability } : {}) };
    }
    case 'list/clear':
      return { type: 'list/clear', listId: listId(c.listId, lists) };
    case 'item/bringBack':
      if (!Array.isArray(c.ids) || c.ids.length > LIMITS.maxIds) invalid('Those items cannot be brought back.', 'ids');
      return { type: 'item/bringBack', ids: Object.freeze((c.ids as unknown[]).map(itemId)) };
    case 'items/import': {
      if (!Array.isArray(c.items) || c.items.length > LIMITS.maxIds) invalid(`One import holds at most ${LIMITS.maxIds} items.`, 'items');
      const fileLists = validateFileLists(c.lists);
      const known = [...lists, ...fileLists.filter((list) => !lists.some((own) => own.id === list.id))];
      return {
        type: 'items/import',
        items: Object.freeze((c.items as unknown[]).map((item) => validateTransferItem(item, known))),
        ...(fileLists.length > 0 ? { lists: Object.freeze(fileLists) } : {}),
      };
    }
    case 'items/copy':
      return { type: 'items/copy', ids: selection(c.ids), listId: listId(c.listId, lists) };
    case 'list/create':
      if (lists.length >= LIMITS.maxLists) invalid(`You can keep at most ${LIMITS.maxLists} lists. Delete one you no longer need first.`, 'name');
      return { type: 'list/create', name: validateListName(c.name, lists) };
    case 'list/rename': {
      const id = ownList(c.id, lists, 'renamed');
      return { type: 'list/rename', id, name: validateListName(c.name, lists, id) };
    }
    case 'list/reorder': {
      const id = ownList(c.id, lists, 'moved');
      if (typeof c.position !== 'number' || !Number.isInteger(c.position) || c.position < 0) invalid('That is not a place in your lists.', 'position');
      return { type: 'list/reorder', id, position: c.position };
    }
    case 'list/delete':
      return { type: 'list/delete', id: ownList(c.id, lists, 'deleted') };
    case 'list/restore':
      if (!isListIdForm(c.id) || c.id === CART_LIST_ID || c.id === 'saved') invalid('That list cannot be brought back.', 'listId');
      return { type: 'list/restore', id: c.id };
    case 'import/undo':
      if (!Array.isArray(c.items) || c.items.length > LIMITS.maxIds) invalid('That import cannot be undone.', 'items');
      return { type: 'import/undo', items: Object.freeze((c.items as unknown[]).map((item) => validateTransferItem(item, lists))) };
    case 'items/move':
      return { type: 'items/move', ids: selection(c.ids), listId: listId(c.listId, lists) };
    case 'items/remove':
      return { type: 'items/remove', ids: selection(c.ids) };
    case 'items/setQuantity':
      return { type: 'items/setQuantity', ids: selection(c.ids), quantity: validateQuantity(c.quantity) };
    case 'items/restoreQuantities': {
      if (!Array.isArray(c.quantities) || c.quantities.length > LIMITS.maxIds) invalid('Those quantities cannot be put back.', 'quantities');
      const quantities = (c.quantities as unknown[]).map((entry) => {
        if (typeof entry !== 'object' || entry === null) invalid('Those quantities cannot be put back.', 'quantities');
        const { id, quantity } = entry as Record<string, unknown>;
        return Object.freeze({ id: itemId(id), quantity: validateQuantity(quantity) });
      });
      return { type: 'items/restoreQuantities', quantities: Object.freeze(quantities) };
    }
    case 'items/markBought':
      return { type: 'items/markBought', ids: selection(c.ids) };
    case 'items/unmarkBought':
      return { type: 'items/unmarkBought', ids: selection(c.ids), listId: listId(c.listId, lists) };
    default:
      return invalid('Unknown request.', 'type');
  }
}

/** The keys a stored item may have (CartItem's, and its field clocks). */
const STORED_ITEM_KEYS = new Set(['id', 'listId', 'url', 'shop', 'title', 'priceMinor', 'currency', 'imageUrl', 'variant', 'quantity', 'note',
  'addedAt', 'addedBy', 'updatedAt', 'updatedBy', 'addedPriceMinor', 'priceHistory', 'deleted', 'fieldClocks', 'availability']);
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Text as a command leaves it: a string within `max`, without control characters (cleanText removes them). */
function storedText(value: unknown, max: number, field: string, label: string, empty = true): string {
  if (typeof value !== 'string' || value.length > max || CONTROL.test(value) || (!empty && value.trim() === '')) {
    invalid(`${label} is not text a shopper could have entered.`, field);
  }
  return value;
}

function storedTime(value: unknown, field: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) invalid('A time of the item is not a valid time.', field);
  return value as number;
}

/**
 * A whole item document as one of the shopper's devices could have written it, checked by the rules of
 * the commands above: a listed list, http(s) links, a quantity from 1 to 9999, prices in bounds, text
 * within its length and without control characters, well-formed times, device ids and field clocks, and
 * no field an item does not have. Returns the item as given; throws ToteError('INVALID_INPUT') naming
 * the first field that breaks a rule. Text is checked, not cleaned: an item is never changed on arrival.
 */
export function validateStoredItem(value: unknown, lists: readonly CartList[] = DEFAULT_LISTS): ClockedItem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid('The item is not an item.', 'id');
  const item = value as Record<string, unknown>;
  const unknown = Object.keys(item).find((key) => !STORED_ITEM_KEYS.has(key));
  if (unknown !== undefined) invalid('The item has a field an item does not have.', unknown);
  if (item.listId !== LIST_RECORD) itemId(item.id);
  if (item.listId === LIST_RECORD) return validateStoredList(item, value as ClockedItem);
  void lists;
  // A bought item is removed and filed under "bought" (BOUGHT_LIST_ID), a list no shopper sees.
  if (item.listId !== BOUGHT_LIST_ID && !isListIdForm(item.listId)) invalid('That list does not exist.', 'listId');
  httpUrl(item.url, 'url', 'The product link');
  storedText(item.shop, LIMITS.shopLength, 'shop', 'The shop');
  storedText(item.title, LIMITS.titleLength, 'title', 'The product name', false);
  if (item.priceMinor !== null && !validPrice(item.priceMinor)) invalid('The price is not a valid amount.', 'priceMinor');
  if (item.addedPriceMinor !== null && !validPrice(item.addedPriceMinor)) invalid('The price is not a valid amount.', 'addedPriceMinor');
  if (item.currency !== UNKNOWN_CURRENCY && (typeof item.currency !== 'string' || !/^[A-Z]{3}$/.test(item.currency))) {
    invalid('The currency is not a known currency code.', 'currency');
  }
  if (item.imageUrl !== null) httpUrl(item.imageUrl, 'imageUrl', 'The product image');
  if (item.variant !== null) storedText(item.variant, LIMITS.variantLength, 'variant', 'The variant');
  validateQuantity(item.quantity);
  storedText(item.note, LIMITS.noteLength, 'note', 'The note');
  storedTime(item.addedAt, 'addedAt');
  storedTime(item.updatedAt, 'updatedAt');
  storedText(item.addedBy, LIMITS.deviceLength, 'addedBy', 'The device that added the item', false);
  storedText(item.updatedBy, LIMITS.deviceLength, 'updatedBy', 'The device that changed the item', false);
  if (typeof item.deleted !== 'boolean') invalid('Whether the item is removed is not said.', 'deleted');
  const history = item.priceHistory;
  if (!Array.isArray(history) || history.length > PRICE_HISTORY_LIMIT || !history.every((point: unknown) => {
    if (typeof point !== 'object' || point === null || Object.keys(point).length !== 2) return false;
    const { at, priceMinor } = point as Record<string, unknown>;
    return Number.isSafeInteger(at) && (at as number) >= 0 && validPrice(priceMinor);
  })) invalid('The price history is not a list of prices seen.', 'priceHistory');
  // Absent when unknown; never null (toCartItem leaves the field out).
  if (item.availability !== undefined && !isAvailability(item.availability)) invalid('Whether the product can be ordered is not said in a form Tote knows.', 'availability');
  storedClocks(item.fieldClocks);
  return value as ClockedItem;
}

function storedClocks(clocks: unknown): void {
  if (clocks !== undefined && (typeof clocks !== 'object' || clocks === null || Array.isArray(clocks)
    || !Object.entries(clocks).every(([field, stamp]) => (MERGE_FIELDS as readonly string[]).includes(field)
      && typeof stamp === 'string' && stamp.length <= LIMITS.stampLength && !CONTROL.test(stamp)))) {
    invalid('The item\'s change times are damaged.', 'fieldClocks');
  }
}

/** A list record (LIST_RECORD in cart-types.ts) as a device writes it: a name, a position, empty product fields. */
function validateStoredList(item: Record<string, unknown>, value: ClockedItem): ClockedItem {
  if (!isListIdForm(item.id) || item.id === CART_LIST_ID || item.id === 'saved') invalid('That list does not exist.', 'id');
  if (typeof item.title !== 'string' || item.title.trim() === '' || item.title.length > LIST_NAME_LIMIT || CONTROL.test(item.title)) {
    invalid('The list\'s name is not a name a shopper could have given.', 'title');
  }
  if (!Number.isInteger(item.quantity) || (item.quantity as number) < 1) invalid('The list\'s place is not valid.', 'quantity');
  if (item.url !== '' || item.shop !== '' || item.priceMinor !== null || item.currency !== UNKNOWN_CURRENCY || item.imageUrl !== null
    || item.variant !== null || item.note !== '' || item.addedPriceMinor !== null || !Array.isArray(item.priceHistory) || item.priceHistory.length > 0) {
    invalid('The list has a field a list does not have.', 'url');
  }
  storedTime(item.addedAt, 'addedAt');
  storedTime(item.updatedAt, 'updatedAt');
  storedText(item.addedBy, LIMITS.deviceLength, 'addedBy', 'The device that made the list', false);
  storedText(item.updatedBy, LIMITS.deviceLength, 'updatedBy', 'The device that changed the list', false);
  if (typeof item.deleted !== 'boolean') invalid('Whether the list is deleted is not said.', 'deleted');
  storedClocks(item.fieldClocks);
  return value;
}
