/**
 * Import of a CSV file (docs/cart-manager.md, "Export and import", rule 7): the spreadsheet form of an
 * export, perhaps edited, read back. RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180): quoted cells
 * with doubled quotes, CRLF or LF line ends, a UTF-8 byte order mark allowed. Columns are found by the
 * export's header names, in any order; Name and Link are required. A CSV carries no item ids and no
 * price history: rows are new items, and a row whose product and variant already has a line in its list
 * is "already in your cart" (docs/cart.md rule 2).
 */
import { ToteError, isToteError } from '../errors.ts';
import { CART_LIST_ID, DEFAULT_LISTS, listNameKey, OWN_LIST_PREFIX, UNKNOWN_CURRENCY, type CartList, type TransferItem } from './cart-types.ts';
import { LIMITS, validateListName, validateTransferItem } from './cart-validation.ts';
import { parseMoneyInput } from './item-form.ts';
import { CSV_AVAILABILITY, MAX_IMPORT_BYTES } from './cart-transfer.ts';

/** "In stock" / "Out of stock" as the export writes them (or the stored words), any case; empty: unknown. */
function availabilityOf(text: string): { availability?: 'in_stock' | 'out_of_stock' } {
  const word = text.toLowerCase().replace(/[\s_-]+/g, ' ');
  if (word === '') return {};
  for (const [availability, shown] of Object.entries(CSV_AVAILABILITY)) {
    if (word === shown.toLowerCase()) return { availability: availability as 'in_stock' | 'out_of_stock' };
  }
  throw new ToteError('INVALID_INPUT', `The availability "${text.slice(0, 40)}" is neither "In stock" nor "Out of stock" (leave it empty when unknown).`, { field: 'availability' });
}

function badFile(reason: 'malformed' | 'foreign' | 'too-large' | 'item', message: string, details: Record<string, unknown> = {}): never {
  throw new ToteError('INVALID_FILE', message, { reason, ...details });
}

/** The rows of an RFC 4180 text, each a list of cells; a quote left open is a damaged file. */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += char;
  }
  if (quoted) badFile('malformed', 'This CSV file is damaged: a quoted cell is never closed. Nothing was imported.');
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((cells) => cells.some((c) => c !== ''));
}

/** A cell the export prefixed with ' so that no spreadsheet runs it (csvCell) reads back as it was. */
const unprefixed = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

/**
 * The items of a CSV file, each checked as a capture would be; `newId` gives each row an id. Throws
 * ToteError('INVALID_FILE') for a file without the Name and Link columns, or with a row that breaks a
 * rule (the message names the row and says why); nothing is imported from such a file.
 */
export function parseCartCsv(text: string, newId: () => string, lists: readonly CartList[] = DEFAULT_LISTS, now = Date.now()): TransferItem[] {
  return readCartCsv(text, newId, lists, now).items;
}

/**
 * The items of a CSV file and the lists it names that this cart does not have (docs/cart-manager.md,
 * "Lists" rule 10): a List cell is matched to a list here by name (case and accents ignored); any other
 * name that is a valid list name becomes a new list (one per name), which the import creates; an empty
 * or invalid one puts the item in Cart.
 */
export function readCartCsv(text: string, newId: () => string, lists: readonly CartList[] = DEFAULT_LISTS, now = Date.now()): { items: TransferItem[]; lists: CartList[] } {
  if (text.length > MAX_IMPORT_BYTES) badFile('too-large', 'This file is too large to import. Nothing was imported.');
  const [header, ...rows] = parseCsvRows(text);
  const columns = new Map((header ?? []).map((name, index) => [name.trim().toLowerCase(), index]));
  if (!columns.has('name') || !columns.has('link')) {
    badFile('foreign', 'This CSV file has no "Name" and "Link" columns. Choose a file made by "Export for spreadsheets (CSV)". Nothing was imported.');
  }
  if (rows.length > LIMITS.maxIds) badFile('too-large', `This file holds more than ${LIMITS.maxIds} items, more than one import can add. Nothing was imported.`);
  const listByName = new Map(lists.map((list) => [listNameKey(list.name), list.id]));
  const created: CartList[] = [];
  const listFor = (name: string): string => {
    if (name === '') return CART_LIST_ID;
    const known = listByName.get(listNameKey(name));
    if (known) return known;
    try {
      const list = Object.freeze({ id: `${OWN_LIST_PREFIX}${newId()}`, name: validateListName(name, [...lists, ...created]), own: true });
      created.push(list);
      listByName.set(listNameKey(list.name), list.id);
      return list.id;
    } catch (error) {
      if (!isToteError(error, 'INVALID_INPUT')) throw error;
      return CART_LIST_ID;
    }
  };
  const items = rows.map((cells, index) => {
    const cell = (name: string) => unprefixed((cells[columns.get(name) ?? -1] ?? '').trim());
    try {
      const currency = cell('currency').toUpperCase() || UNKNOWN_CURRENCY;
      const priceMinor = parseMoneyInput(cell('price'), currency);
      const added = cell('price when added');
      const addedAt = Date.parse(cell('added'));
      return validateTransferItem({
        id: newId(), listId: listFor(cell('list')), url: cell('link'), title: cell('name'),
        priceMinor, currency, imageUrl: cell('image') || null, variant: cell('variant') || null,
        quantity: cell('quantity') === '' ? 1 : Number(cell('quantity')), note: cell('note'),
        addedAt: Number.isFinite(addedAt) && addedAt >= 0 ? addedAt : now,
        addedPriceMinor: added === '' ? priceMinor : parseMoneyInput(added, currency), priceHistory: [],
        ...availabilityOf(cell('availability')),
      }, [...lists, ...created]);
    } catch (error) {
      if (!isToteError(error, 'INVALID_INPUT')) throw error;
      return badFile('item', `Row ${index + 2} of this file cannot be imported: ${error.message} Nothing was imported.`, { item: index, field: error.details?.field });
    }
  });
  return { items, lists: created };
}
