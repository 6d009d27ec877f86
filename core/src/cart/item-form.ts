/**
 * The item details form (docs/cart-manager.md, "Item details"): what the shopper typed, turned into the
 * existing commands (`item/edit`, `item/setQuantity`, `item/setNote`, `item/move`) for the fields that
 * changed, so that an edit syncs and undoes like any other. Typed text that cannot be used throws
 * ToteError('INVALID_INPUT') naming the field, with a message that says what to type instead; the form
 * keeps what was typed.
 */
import { ToteError } from '../errors.ts';
import { cartCommands, type CartCommand } from './cart-actions.ts';
import { UNKNOWN_CURRENCY, type CartItem, type CartList, type ItemCorrections } from './cart-types.ts';
import { validateCommand } from './cart-validation.ts';
import { minorDigits } from './money.ts';

/** The form's fields, as typed. */
export interface ItemForm {
  readonly title: string;
  readonly price: string;
  readonly currency: string;
  readonly imageUrl: string;
  readonly variant: string;
  readonly quantity: string;
  readonly note: string;
  readonly listId: string;
}

export type ItemFormChanges = readonly CartCommand[];

function refuse(message: string, field: string): never {
  throw new ToteError('INVALID_INPUT', message, { field });
}

let currencies: ReadonlySet<string> | undefined;
/** Whether the platform knows this ISO 4217 code (Intl.supportedValuesOf, ECMA-402). */
export function knownCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code);
}

/** "12.99", "12,99" or "1 299" to minor units of `currency`; "" is an unknown price. */
export function parseMoneyInput(text: string, currency: string): number | null {
  const typed = text.replace(/[\s\u00a0']/g, '');
  if (typed === '') return null;
  if (typed.startsWith('-')) refuse('The price cannot be below zero.', 'priceMinor');
  const match = /^(\d+)(?:[.,](\d*))?$/.exec(typed);
  if (!match) refuse('The price is not a number. Type it like 12.99.', 'priceMinor');
  const digits = minorDigits(currency);
  const fraction = match[2] ?? '';
  if (fraction.length > digits) {
    refuse(digits === 0 ? `Prices in ${currency} have no decimals. Type it like 1200.` : `Prices in ${currency} have ${digits} decimals at most. Type it like 12.99.`, 'priceMinor');
  }
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

export function formOf(item: CartItem): ItemForm {
  const digits = minorDigits(item.currency);
  return {
    title: item.title,
    price: item.priceMinor === null ? '' : (item.priceMinor / 10 ** digits).toFixed(digits),
    currency: item.currency === UNKNOWN_CURRENCY ? '' : item.currency,
    imageUrl: item.imageUrl ?? '',
    variant: item.variant ?? '',
    quantity: String(item.quantity),
    note: item.note,
    listId: item.listId,
  };
}

/**
 * The commands that make `item` what the form says, in the order edit, quantity, note, move; none when
 * nothing changed. Each is validated as the store will validate it, so a refusal comes before anything
 * is sent.
 */
export function itemFormChanges(item: CartItem, form: ItemForm, lists: readonly CartList[]): ItemFormChanges {
  const currency = form.currency.trim().toUpperCase() || UNKNOWN_CURRENCY;
  if (currency !== UNKNOWN_CURRENCY && (!/^[A-Z]{3}$/.test(currency) || !knownCurrency(currency))) {
    refuse(`"${form.currency.trim()}" is not a currency Tote knows. Use a three-letter code such as EUR, USD or GBP.`, 'currency');
  }
  const priceMinor = parseMoneyInput(form.price, currency);
  const image = form.imageUrl.trim();
  if (image !== '' && !/^https?:\/\//i.test(image)) refuse('The image must be a web address that starts with http:// or https://.', 'imageUrl');
  if (!/^\d+$/.test(form.quantity.trim())) refuse('Quantity must be a whole number from 1 to 9999.', 'quantity');
  const edit: Record<string, unknown> = {};
  const title = form.title.trim();
  if (title !== item.title) edit.title = title;
  if (priceMinor !== item.priceMinor) edit.priceMinor = priceMinor;
  if (currency !== item.currency) edit.currency = currency;
  if ((image || null) !== item.imageUrl) edit.imageUrl = image || null;
  const variant = form.variant.trim() || null;
  if (variant !== item.variant) edit.variant = variant;
  const commands: CartCommand[] = [];
  if (Object.keys(edit).length > 0) commands.push(cartCommands.edit(item.id, edit as ItemCorrections));
  const quantity = Number(form.quantity.trim());
  if (quantity !== item.quantity) commands.push(cartCommands.setQuantity(item.id, quantity));
  if (form.note.trim() !== item.note) commands.push(cartCommands.setNote(item.id, form.note));
  if (form.listId !== item.listId) commands.push(cartCommands.move(item.id, form.listId));
  return commands.map((command) => validateCommand(command, lists));
}
