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

const formatters = new Map<string, Intl.NumberFormat>();

/** One formatter per locale and currency: making one costs far more than formatting (a list shows thousands of prices). */
function formatterFor(currency: CurrencyCode, locale: string | undefined): Intl.NumberFormat {
  const key = `${locale ?? ''}|${currency}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    const digits = minorDigits(currency);
    formatter = currency === UNKNOWN_CURRENCY
      ? new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })
      : new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatters.set(key, formatter);
  }
  return formatter;
}

/** "€12.50", "¥1,200", or "12.50" when the currency is unknown. */
export function formatMoney(amountMinor: number, currency: CurrencyCode, locale?: string): string {
  return formatterFor(currency, locale).format(amountMinor / 10 ** minorDigits(currency));
}
