/**
 * Parses a price as shops print it: "1.234,56 €", "$1,234.56", "24.990" (CLP), "₹1,23,456",
 * "CHF 1'234.50", "from £12", "12 – 18 USD", "35€ 99", "$.75". Returns the first amount (in minor
 * units and as a decimal) and its currency. A date ("July, 2004", "25-09") or a condition ("Free
 * shipping on orders $49+", "min. order: 1") holds no price. Spec: docs/capture.md, "Price text".
 */
import { currencyDigits as minorDigits } from './currency-codes.ts';
import { currencyInText, currencyOf, type PageHints } from './currency.ts';
import { endsWithMonth, startsWithMonth } from './month-words.ts';
import { caseless, westernDigits } from './text.ts';

export interface ParsedPrice {
  readonly amountMinor: number;
  /** ISO 4217 code, or 'unknown' when neither the text nor the page says. */
  readonly currency: string;
  /** The amount as printed, as a decimal number (may hold more digits than the currency's minor unit). */
  readonly amount: number;
}

/**
 * A printed number: digits with their separators. A space or an apostrophe is a thousands separator only
 * before a group of three digits ("1 299,00", "1'234.50") or after a separator ("$119. 95"); anywhere else
 * it ends the number, so a model's digit or a quantity is not read into the amount ("Model R2 12,00 €",
 * "Ab 3 23,50 €").
 */
const NUMBER = /(?:\d|[.,]\d)(?:[\d.,]|(?<=[.,])[\s\u00a0\u202f](?=\d)|['’\s\u00a0\u202f](?=\d{3}(?!\d)))*/g;
const FREE = caseless(/^\s*(free|gratis|kostenlos|gratuit|gratuito|бесплатно)\s*!?\s*$/i);

/** Decimal value of one printed number, knowing how many minor digits its currency has. */
export function parseAmount(raw: string, digits: number, decimalSeparator?: string | null): number | null {
  let text = raw.replace(/[\s\u00a0\u202f'’]/g, '').replace(/[.,]+$/, '');
  // "$.75" is 75 cents; in "$.750.30" and "$.75,333" the number has a decimal separator of its own
  // further on, so the leading one only parts the symbol from the amount (as in "Rs.750").
  if (/^[.,]\d/.test(text)) {
    const rest = text.slice(1);
    const again = decimalSeparator === '.' || decimalSeparator === ',' ? rest.includes(decimalSeparator) : /[.,]/.test(rest);
    text = again ? rest : `0${text}`;
  }
  if (!/^\d[\d.,]*$/.test(text)) return null;
  if (decimalSeparator === '.' || decimalSeparator === ',') {
    const grouping = decimalSeparator === '.' ? ',' : '.';
    const [whole, ...rest] = text.split(grouping).join('').split(decimalSeparator);
    const value = Number(rest.length ? `${whole}.${rest.join('')}` : whole);
    return Number.isFinite(value) ? value : null;
  }
  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  let decimalAt = -1;
  if (lastDot > -1 && lastComma > -1) {
    decimalAt = Math.max(lastDot, lastComma); // "1,234.56" / "1.234,56": the later one is decimal
    if (text.length - decimalAt - 1 > 3) decimalAt = -1;
  } else if (lastDot > -1 || lastComma > -1) {
    const at = Math.max(lastDot, lastComma);
    const separator = text[at]!;
    const repeated = text.indexOf(separator) !== at; // "1,23,456" / "1.234.567": grouping
    const after = text.length - at - 1;
    if (!repeated && (after === 1 || after === 2 || (after === 3 && digits === 3) || after > 3)) decimalAt = at;
  }
  const whole = (decimalAt === -1 ? text : text.slice(0, decimalAt)).replace(/[.,]/g, '');
  const value = Number(decimalAt === -1 ? whole : `${whole}.${text.slice(decimalAt + 1)}`);
  return Number.isFinite(value) ? value : null;
}

/**
 * "35€ 99", "140€33", "1.250€600", "1 299€99", "549 €99" (the cents in a <sup> after the symbol): whole
 * units, the symbol, then the cents. Only "€" follows a space so ("$15 $12" is two prices).
 */
function joinCents(text: string): string {
  return text.replace(/(\d{1,3}(?:[\s\u00a0\u202f]\d{3})+(?!\d)|\d[\d.,]*)(?:([€£$])(?:(\d{1,3})|\s(\d{2}))|[\s\u00a0\u202f](€)(\d{2}))(?=$|[\s*])/,
    (_all, whole: string, symbol?: string, attached?: string, spaced?: string, symbolAfterSpace?: string, cents?: string) =>
      `${whole.replace(/[.,\s\u00a0\u202f]/g, '')}.${attached ?? spaced ?? cents} ${symbol ?? symbolAfterSpace}`);
}

const NAMES_ANY = { hostname: 'page' };

const LETTER_BEFORE = /[A-Za-zÀ-ÿА-я][^A-Za-zÀ-ÿА-я\d]{0,8}$/;
const LETTER_AFTER = /^[^A-Za-zÀ-ÿА-я\d]{0,3}[A-Za-zÀ-ÿА-я]/;
/** A text that is only a date: "25-09", "25/09/2004", "25.09.2004", "2004-09-25". */
const DATE_ONLY = /^(?:\d{1,2}[-/]\d{1,2}(?:[-/.]\d{2,4})?|\d{1,2}\.\d{1,2}\.\d{2,4}|\d{4}-\d{1,2}-\d{1,2})$/;
/**
 * An amount a condition names, not a price: a minimum order or the order value above which shipping is
 * free ("Free Shipping on Orders $49+", "Цена: уточняйте (мин. заказ: 1 )", "versandkostenfrei ab 50 €").
 * The text before the number ends with such words, maybe followed by a currency sign.
 */
const CONDITION_BEFORE = caseless(/(?:\b(?:orders?|purchases?|spend|minimum|min\.?|bestellwert|bestellungen|mindestbestellwert|commandes?|pedidos?|compras?)|заказ\w*|покупк\w*|(?:shipping|delivery|versand|versandkostenfrei|lieferung|livraison|envío|frete)\s+(?:over|above|from|ab|dès|desde|acima de|à partir de))\s*(?:of|over|above|from|ab|über|von|dès|de|desde|acima de|à partir de|от|свыше)?\s*:?\s*(?:[A-Z]{3}|US\$|[^\s\d\w]{1,2})?\s*$/i);

/** What stands between the two ends of a range: "12 – 18", "12 to 18", "12 bis 18". */
const RANGE_BETWEEN = caseless(/^\s*([-–—]|to|bis|à|a|до)\s*$/i);

/** Sweden's öre after a colon, at the end or before "kr" ("49:90 kr", "1 299:90"), as "199:-" writes none. */
const COLON_CENTS = /(?<![\d:])(\d{1,3}(?:[\s\u00a0\u202f.]\d{3})*|\d+):(\d{2})(?=\s*(?:kr\b|sek\b|$))/i;

/**
 * The printed number that is the amount: never a percentage ("40% OFF"); the first one, unless only a
 * later one stands next to a currency ("3 issues for only 14,85 EUR") and the two are not a range.
 */
function amountText(text: string): { text: string; decimal?: string } | null {
  const colon = COLON_CENTS.exec(text);
  if (colon) return { text: `${colon[1]!.replace(/[\s\u00a0\u202f.]/g, '')}.${colon[2]}`, decimal: '.' };
  const joined = joinCents(text);
  if (joined !== text) return { text: /\d+\.\d+/.exec(joined)![0], decimal: '.' };
  const numbers: { text: string; start: number; end: number }[] = [];
  for (const match of joined.matchAll(NUMBER)) {
    const end = match.index + match[0].length;
    if (/^\s*%/.test(joined.slice(end)) || /%\s*$/.test(match[0])) continue;
    const before = joined.slice(Math.max(0, match.index - 40), match.index);
    // Only a number with letters beside it can be a day, a year or a condition's amount.
    const after = joined.slice(end, end + 12);
    if (LETTER_BEFORE.test(before) && (endsWithMonth(before) || CONDITION_BEFORE.test(before))) continue;
    if (LETTER_AFTER.test(after) && startsWithMonth(after)) continue;
    numbers.push({ text: match[0].trim(), start: match.index, end });
  }
  if (numbers.length === 0) return null;
  const nextToCurrency = (n: { start: number; end: number }) =>
    currencyInText(joined.slice(Math.max(0, n.start - 5), n.start), NAMES_ANY) !== null || currencyInText(joined.slice(n.end, n.end + 5), NAMES_ANY) !== null;
  const [first] = numbers;
  if (!nextToCurrency(first!)) {
    const priced = numbers.find((n) => nextToCurrency(n));
    const between = priced ? joined.slice(first!.end, priced.start) : '';
    if (priced && !RANGE_BETWEEN.test(between)) return { text: priced.text };
  }
  return { text: first!.text };
}

export function parsePriceText(text: string, hints: PageHints = {}): ParsedPrice | null {
  if (typeof text !== 'string' || text.length > 500) return null;
  const clean = westernDigits(text).replace(/\s+/g, ' ').trim();
  if (DATE_ONLY.test(clean)) return null;
  const currency = currencyOf(clean, hints);
  const first = amountText(clean);
  if (first === null) return FREE.test(clean) ? { amountMinor: 0, currency, amount: 0 } : null;
  const digits = currency === 'unknown' ? 2 : minorDigits(currency);
  const amount = parseAmount(first.text, digits, first.decimal ?? hints.decimalSeparator);
  if (amount === null) return null;
  const amountMinor = Math.round(amount * 10 ** digits);
  return Number.isSafeInteger(amountMinor) ? { amountMinor, currency, amount } : null;
}
