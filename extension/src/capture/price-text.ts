/**
 * Parses a price as shops print it: "1.234,56 €", "$1,234.56", "24.990" (CLP), "₹1,23,456",
 * "CHF 1'234.50", "from £12", "12 – 18 USD". Returns the first amount in minor units and its currency.
 */
import { minorDigits } from '@tote/core';
import { currencyInText, normaliseCode, type PageHints } from './currency.ts';

export interface ParsedPrice {
  readonly amountMinor: number;
  /** ISO 4217 code, or 'unknown' when neither the text nor the page says. */
  readonly currency: string;
}

const NUMBER = /\d[\d.,'’\s\u00a0\u202f]*/;

/** Decimal value of one printed number, knowing how many minor digits its currency has. */
export function parseAmount(raw: string, digits: number): number | null {
  const text = raw.replace(/[\s\u00a0\u202f'’]/g, '').replace(/[.,]+$/, '');
  if (!/^\d[\d.,]*$/.test(text)) return null;
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

export function parsePriceText(text: string, hints: PageHints = {}): ParsedPrice | null {
  if (typeof text !== 'string' || text.length > 500) return null;
  const clean = text.replace(/\s+/g, ' ').trim();
  const match = NUMBER.exec(clean);
  if (!match) return null;
  const currency = currencyInText(clean, hints) ?? (hints.currency ? normaliseCode(hints.currency) : 'unknown');
  const digits = currency === 'unknown' ? 2 : minorDigits(currency);
  // A range or "from" price: the first amount is the one to keep.
  const first = match[0].split(/\s[-–—]\s|\s(?:to|bis|à|a)\s/)[0]!.trim();
  const amount = parseAmount(first, digits);
  if (amount === null) return null;
  return { amountMinor: Math.round(amount * 10 ** digits), currency };
}
