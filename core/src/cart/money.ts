/** Money in minor units (integers), never floats. */
import { UNKNOWN_CURRENCY, type CurrencyCode } from './cart-types.ts';

const digitsCache = new Map<string, number>();

/** How many minor-unit digits a currency has (EUR 2, JPY 0, KWD 3), from the platform's Intl data. */
export function minorDigits(currency: CurrencyCode): number {
  if (currency === UNKNOWN_CURRENCY) return 2;
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** "€12.50", "¥1,200", or "12.50" when the currency is unknown. */
export function formatMoney(amountMinor: number, currency: CurrencyCode, locale?: string): string {
  const digits = minorDigits(currency);
  const amount = amountMinor / 10 ** digits;
  if (currency === UNKNOWN_CURRENCY) {
    return new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount);
  }
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);
}
