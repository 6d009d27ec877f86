/**
 * Export and import (docs/cart-manager.md, "Export and import").
 *
 * - JSON carries everything a shopper can see (lists, items with every field, notes, price history) and
 *   each item's id, so an import adds only what the cart does not have: the same file twice, or a file
 *   imported into the account it came from, adds nothing.
 * - CSV is for spreadsheets: one row per item, RFC 4180 quoting (https://www.rfc-editor.org/rfc/rfc4180),
 *   and no cell a spreadsheet would run as a formula (OWASP "CSV Injection").
 * - An import is one command (`items/import`), so it is one atomic change that syncs like any other and
 *   is undone by `import/undo` with the items it added, as it added them: an item changed since stays.
 */
import { ToteError, isToteError } from '../errors.ts';
import { cartCommands, stamp, type CartCommand } from './cart-actions.ts';
import { cartReducer, changedItems } from './cart-reducer.ts';
import { selectItems } from './cart-selectors.ts';
import { DEFAULT_LISTS, isListRecord, OWN_LIST_PREFIX, shownListId, type CartList, type CartState, type TransferItem } from './cart-types.ts';
import { LIMITS, validateFileLists, validateTransferItem } from './cart-validation.ts';
import { minorDigits } from './money.ts';

export const EXPORT_FORMAT = 'tote-cart';
export const EXPORT_VERSION = 1;
/** The largest file an import reads (10 000 items with notes and histories stay well below it). */
export const MAX_IMPORT_BYTES = 32 * 1024 * 1024;

/** The JSON export file. */
export interface CartExport {
  readonly format: typeof EXPORT_FORMAT;
  readonly version: typeof EXPORT_VERSION;
  /** When the file was made (ms since epoch). */
  readonly exportedAt: number;
  readonly lists: readonly CartList[];
  readonly items: readonly TransferItem[];
}

/** What an import will do, or did: the shopper's summary and the ids its undo removes. */
export interface ImportPlan {
  readonly command: CartCommand;
  /** Ids of the items the import adds. */
  readonly added: readonly string[];
  /** Items of the file the cart already has (the same item, or the same product and variant in its list). */
  readonly already: number;
  /** Undoes it: removes the added items that are still as the import wrote them. */
  readonly undo: CartCommand;
}

/** What undoing an import will do, or did: the ids it removes and how many changed items it keeps. */
export interface UndoImportPlan {
  readonly removed: readonly string[];
  readonly kept: number;
}

function toTransfer(item: TransferItem): TransferItem {
  return {
    id: item.id, listId: item.listId, url: item.url, shop: item.shop, title: item.title, priceMinor: item.priceMinor,
    currency: item.currency, imageUrl: item.imageUrl, variant: item.variant, quantity: item.quantity, note: item.note,
    addedAt: item.addedAt, addedPriceMinor: item.addedPriceMinor, priceHistory: item.priceHistory.map(({ at, priceMinor }) => ({ at, priceMinor })),
    // Only when known. Still format version 1: a Tote before availability reads the file and passes over it.
    ...(item.availability ? { availability: item.availability } : {}),
  };
}

/** Every item still in the cart, in every list, oldest first. */
export function exportCart(state: CartState, at: number): CartExport {
  return {
    format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: at,
    lists: state.lists.map(({ id, name }) => ({ id, name })),
    // An item whose list this device does not have is exported in Cart, where it shows.
    items: selectItems(state).map((item) => toTransfer({ ...item, listId: shownListId(item, state.lists) })),
  };
}

export function exportJson(state: CartState, at: number): string {
  return `${JSON.stringify(exportCart(state, at), null, 2)}\n`;
}

const CSV_HEADER = ['List', 'Name', 'Shop', 'Variant', 'Quantity', 'Price', 'Currency', 'Price when added', 'Note', 'Link', 'Image', 'Added', 'Availability'];

/** The Availability column's words (empty when unknown); the CSV import reads them back. */
export const CSV_AVAILABILITY = { in_stock: 'In stock', out_of_stock: 'Out of stock' } as const;

/**
 * One cell, RFC 4180: quoted when it holds a quote, comma or line break, quotes doubled. A cell that
 * starts with = + - @ (or a tab or carriage return, which some spreadsheets skip before those) is
 * prefixed with ' so that no spreadsheet runs it as a formula.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** An amount as a spreadsheet reads it: "12.50" (minor units over the currency's digits), "" when unknown. */
function amount(priceMinor: number | null, currency: string): string {
  if (priceMinor === null) return '';
  const digits = minorDigits(currency);
  const text = String(priceMinor).padStart(digits + 1, '0');
  return digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** The CSV export: a header, then one row per item; lines end in CRLF as RFC 4180 says. */
export function exportCsv(state: CartState): string {
  const listName = new Map(state.lists.map((list) => [list.id, list.name]));
  const rows = selectItems(state).map((item) => [
    listName.get(shownListId(item, state.lists)) ?? item.listId, item.title, item.shop, item.variant ?? '', String(item.quantity),
    amount(item.priceMinor, item.currency), item.currency, amount(item.addedPriceMinor, item.currency), item.note,
    item.url, item.imageUrl ?? '', new Date(item.addedAt).toISOString(), item.availability ? CSV_AVAILABILITY[item.availability] : '',
  ]);
  return [CSV_HEADER, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function badFile(reason: 'malformed' | 'foreign' | 'version' | 'too-large' | 'item', message: string, details: Record<string, unknown> = {}): never {
  throw new ToteError('INVALID_FILE', message, { reason, ...details });
}

/**
 * Reads a JSON export. Throws ToteError('INVALID_FILE') for a file that is not JSON, not a Tote export,
 * from a newer Tote, too large, or with an item that breaks the capture rules (the message names the
 * item and says why); nothing is imported from such a file.
 */
export function parseCartExport(text: string, lists: readonly CartList[] = DEFAULT_LISTS): CartExport {
  if (text.length > MAX_IMPORT_BYTES) badFile('too-large', 'This file is too large to be a Tote export. Nothing was imported.');
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    badFile('malformed', 'This file is not a Tote export (it is not JSON). Choose a file made by "Export (JSON)". Nothing was imported.');
  }
  const file = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  if (file.format !== EXPORT_FORMAT) {
    badFile('foreign', 'This file is not a Tote export. Choose a file made by "Export (JSON)". Nothing was imported.');
  }
  if (file.version !== EXPORT_VERSION) {
    badFile('version', 'This export was made by a newer Tote. Update Tote on this device, then import it again. Nothing was imported.');
  }
  if (!Array.isArray(file.items)) badFile('malformed', 'This Tote export is damaged: it has no items. Nothing was imported.');
  if (file.items.length > LIMITS.maxIds) badFile('too-large', `This export holds more than ${LIMITS.maxIds} items, more than one import can add. Nothing was imported.`);
  // The file's own lists are known to its items: they come into those lists (created, or the list of
  // the same name here) rather than into Cart.
  const fileLists = validateFileLists(file.lists);
  const known = [...lists, ...fileLists.filter((list) => !lists.some((own) => own.id === list.id))];
  const items = file.items.map((item: unknown, index: number) => {
    try {
      return validateTransferItem(item, known);
    } catch (error) {
      if (!isToteError(error, 'INVALID_INPUT')) throw error;
      const title = typeof (item as { title?: unknown })?.title === 'string' ? ` ("${String((item as { title: string }).title).slice(0, 60)}")` : '';
      return badFile('item', `Item ${index + 1}${title} in this file cannot be imported: ${error.message} Nothing was imported.`, {
        item: index, field: error.details?.field,
      });
    }
  });
  const exportedAt = Number.isSafeInteger(file.exportedAt) ? file.exportedAt as number : 0;
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt, lists: fileLists, items };
}

/**
 * What importing these items into this cart does: the command, and the ids it adds, found by running
 * the reducer itself so that the summary cannot differ from the change.
 */
export function planImport(state: CartState, items: readonly TransferItem[], lists: readonly CartList[] = []): ImportPlan {
  const own = lists.filter((list) => list.id.startsWith(OWN_LIST_PREFIX));
  const command: CartCommand = own.length > 0 ? { type: 'items/import', items, lists: own } : { type: 'items/import', items };
  const after = cartReducer(state, stamp(command, { at: 0, device: 'plan', newId: '' }));
  const added = changedItems(state, after).filter((item) => !isListRecord(item)).map((item) => item.id);
  const addedIds = new Set(added);
  const undo = cartCommands.undoImport(items.filter((item) => addedIds.has(item.id)));
  return { command, added, already: items.length - added.length, undo };
}

/** What `undo` (an ImportPlan's) does to this cart now, found by running the reducer as planImport does. */
export function planUndoImport(state: CartState, undo: CartCommand): UndoImportPlan {
  const after = cartReducer(state, stamp(undo, { at: 0, device: 'plan', newId: '' }));
  const removed = changedItems(state, after).map((item) => item.id);
  const imported = undo.type === 'import/undo' ? undo.items : [];
  const stillThere = imported.filter((item) => state.items[item.id] && !state.items[item.id]!.deleted).length;
  return { removed, kept: stillThere - removed.length };
}

/** "Import undone: 10 items removed. 2 items changed since the import were kept." */
export function undoImportSummary(plan: UndoImportPlan): string {
  const count = (n: number) => (n === 1 ? '1 item' : `${n} items`);
  const kept = plan.kept === 0 ? '' : ` ${plan.kept === 1 ? '1 item changed since the import was' : `${plan.kept} items changed since the import were`} kept.`;
  if (plan.removed.length === 0) return `Nothing removed: the imported items were changed or removed since.${kept}`;
  return `Import undone: ${count(plan.removed.length)} removed.${kept}`;
}

/** "12 items added, 3 already in your cart." */
export function importSummary(plan: Pick<ImportPlan, 'added' | 'already'>): string {
  const count = (n: number) => (n === 1 ? '1 item' : `${n} items`);
  if (plan.added.length === 0 && plan.already === 0) return 'The file holds no items. Nothing was added.';
  if (plan.added.length === 0) return `Nothing added: ${plan.already === 1 ? 'its 1 item is' : `all ${plan.already} items are`} already in your cart.`;
  return `${count(plan.added.length)} added${plan.already > 0 ? `, ${plan.already} already in your cart` : ''}.`;
}
