/** Turns a schema.org price (number or text) into integer minor units of its currency. */
import { minorDigits } from '@tote/core';

/** Parses "19.99", "1,299.00", "1.299,00", "24.990" (with 0-decimal currency) or 19.99 into a decimal number. */
export function parseDecimal(value: unknown, currency: string): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.replace(/[^\d.,]/g, '');
  if (!/\d/.test(text)) return null;
  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  let decimalAt = Math.max(lastDot, lastComma);
  if (lastDot > -1 && lastComma > -1) {
    // "1,299.00" / "1.299,00": the later separator is the decimal one.
  } else if (decimalAt > -1) {
    const separator = text[decimalAt]!;
    const repeated = text.indexOf(separator) !== decimalAt;
    const threeAfter = text.length - decimalAt - 1 === 3;
    const digits = minorDigits(currency);
    // "1,299,000" or "24.990" CLP: a thousands separator. schema.org prices use "." for decimals,
    // so "12.990" in a two-decimal currency stays 12.99.
    if (repeated || (threeAfter && digits !== 3 && (separator === ',' || digits === 0))) decimalAt = -1;
  }
  const integer = (decimalAt === -1 ? text : text.slice(0, decimalAt)).replace(/[.,]/g, '');
  const normalised = decimalAt === -1 ? integer : `${integer}.${text.slice(decimalAt + 1)}`;
  const number = Number(normalised);
  return Number.isFinite(number) ? number : null;
}

export function toMinorUnits(value: unknown, currency: string): number | null {
  const amount = parseDecimal(value, currency);
  if (amount === null) return null;
  return Math.round(amount * 10 ** minorDigits(currency));
}
