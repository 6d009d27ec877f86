/** Turns a markup price (schema.org, microdata, og:price:amount) into integer minor units of its currency. */
import { currencyDigits as minorDigits } from './currency-codes.ts';
import { parseAmount } from './price-text.ts';

/** schema.org prices are "19.99" (dot decimals); shops also write "1,299.00", "1.299,00" or numbers. */
export function parseDecimal(value: unknown, currency: string): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string' || value.length > 100 || /^\s*[-−]/.test(value)) return null;
  const text = value.replace(/[^\d.,'\s]/g, '').trim();
  const digits = currency === 'unknown' ? 2 : minorDigits(currency);
  // "24.990" in a currency without minor units (CLP, JPY) groups thousands; otherwise a lone dot is decimal.
  if (/^\d+(\.\d+)?$/.test(text) && !(digits === 0 && /\.\d{3}$/.test(text))) return Number(text);
  return text === '' ? null : parseAmount(text, digits);
}

export function toMinorUnits(value: unknown, currency: string): number | null {
  const amount = parseDecimal(value, currency);
  if (amount === null) return null;
  const minor = Math.round(amount * 10 ** (currency === 'unknown' ? 2 : minorDigits(currency)));
  return Number.isSafeInteger(minor) ? minor : null;
}
