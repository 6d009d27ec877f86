/**
 * Currencies in price text: symbols and codes before or after the amount, ambiguous symbols ($, kr,
 * ¥) resolved from the page (its language and domain), obsolete codes mapped to today's.
 */
export interface PageHints {
  /** The page's language, e.g. "en-CA" (from <html lang>). */
  readonly lang?: string | null;
  /** The page's host name, e.g. "shop.example.com.au". */
  readonly hostname?: string | null;
  /** A currency the page's markup states (og:price:currency, itemprop=priceCurrency). */
  readonly currency?: string | null;
}

const OBSOLETE: Record<string, string> = { RUR: 'RUB', BYR: 'BYN', TRL: 'TRY', ROL: 'RON', MXP: 'MXN', VEF: 'VES', GHC: 'GHS', ZMK: 'ZMW', MRO: 'MRU', STD: 'STN' };

/** Symbols that name one currency whatever the page. Longest first when matching. */
const SYMBOLS: [string, string][] = [
  ['US$', 'USD'], ['CA$', 'CAD'], ['C$', 'CAD'], ['AU$', 'AUD'], ['A$', 'AUD'], ['NZ$', 'NZD'], ['HK$', 'HKD'],
  ['S$', 'SGD'], ['MX$', 'MXN'], ['R$', 'BRL'], ['NT$', 'TWD'], ['E£', 'EGP'], ['€', 'EUR'], ['£', 'GBP'],
  ['₹', 'INR'], ['Rs.', 'INR'], ['₩', 'KRW'], ['₽', 'RUB'], ['руб', 'RUB'], ['₴', 'UAH'], ['грн', 'UAH'],
  ['₺', 'TRY'], ['₪', 'ILS'], ['฿', 'THB'], ['₫', 'VND'], ['₱', 'PHP'], ['₦', 'NGN'], ['zł', 'PLN'], ['Kč', 'CZK'],
  ['Ft', 'HUF'], ['lei', 'RON'], ['лв', 'BGN'], ['CHF', 'CHF'], ['RM', 'MYR'], ['Rp', 'IDR'], ['円', 'JPY'], ['元', 'CNY'],
  ['د.إ', 'AED'], ['ر.س', 'SAR'], ['₸', 'KZT'], ['₾', 'GEL'],
];

const DOLLAR_BY_TLD: Record<string, string> = {
  ca: 'CAD', au: 'AUD', nz: 'NZD', mx: 'MXN', ar: 'ARS', cl: 'CLP', co: 'COP', sg: 'SGD', hk: 'HKD', tw: 'TWD',
  uy: 'UYU', br: 'BRL', jm: 'JMD', tt: 'TTD', bs: 'BSD', fj: 'FJD', na: 'NAD', lr: 'LRD', bz: 'BZD', gy: 'GYD', sr: 'SRD',
};
const DOLLAR_BY_REGION: Record<string, string> = { CA: 'CAD', AU: 'AUD', NZ: 'NZD', MX: 'MXN', AR: 'ARS', CL: 'CLP', CO: 'COP', SG: 'SGD', HK: 'HKD', TW: 'TWD', UY: 'UYU' };
const KRONA_BY_TLD: Record<string, string> = { se: 'SEK', no: 'NOK', dk: 'DKK', is: 'ISK' };
const KRONA_BY_LANG: Record<string, string> = { sv: 'SEK', no: 'NOK', nb: 'NOK', nn: 'NOK', da: 'DKK', is: 'ISK' };

export function normaliseCode(code: string): string {
  const upper = code.toUpperCase();
  return OBSOLETE[upper] ?? upper;
}

function tld(hostname: string | null | undefined): string {
  return (hostname ?? '').toLowerCase().split('.').pop() ?? '';
}

function hinted(hints: PageHints, candidates: readonly string[]): string | null {
  const stated = hints.currency ? normaliseCode(hints.currency) : null;
  return stated && candidates.includes(stated) ? stated : null;
}

export function dollarCurrency(hints: PageHints): string {
  const stated = hints.currency ? normaliseCode(hints.currency) : null;
  if (stated && (stated.endsWith('D') || ['MXN', 'ARS', 'CLP', 'COP', 'UYU', 'BRL'].includes(stated))) return stated;
  const byTld = DOLLAR_BY_TLD[tld(hints.hostname)];
  if (byTld) return byTld;
  const region = (hints.lang ?? '').split(/[-_]/)[1]?.toUpperCase();
  return (region && DOLLAR_BY_REGION[region]) || 'USD';
}

function kronaCurrency(hints: PageHints): string {
  return hinted(hints, ['SEK', 'NOK', 'DKK', 'ISK']) ?? KRONA_BY_TLD[tld(hints.hostname)]
    ?? KRONA_BY_LANG[(hints.lang ?? '').split(/[-_]/)[0]!.toLowerCase()] ?? 'SEK';
}

function yenCurrency(hints: PageHints): string {
  const lang = (hints.lang ?? '').toLowerCase();
  if (hinted(hints, ['CNY'])) return 'CNY';
  if (lang.startsWith('zh') || tld(hints.hostname) === 'cn') return 'CNY';
  return 'JPY';
}

/** The currency that a piece of price text names, or null. */
export function currencyInText(text: string, hints: PageHints): string | null {
  const code = /(?:^|[^A-Za-z])([A-Z]{3})(?![A-Za-z])/.exec(text)?.[1];
  if (code && /^[A-Z]{3}$/.test(code) && isKnownCode(normaliseCode(code))) return normaliseCode(code);
  for (const [symbol, currency] of SYMBOLS) if (text.includes(symbol)) return currency;
  if (/\$/.test(text)) return dollarCurrency(hints);
  if (/[¥￥]/.test(text)) return yenCurrency(hints);
  if (/(?:^|[\s\d])(?:kr\.?|Kr\.?)(?:$|[\s\d])/.test(text)) return kronaCurrency(hints);
  if (/(?:^|[\s\d])R(?:$|[\s\d])/.test(text) && tld(hints.hostname) === 'za') return 'ZAR';
  return null;
}

const codeCache = new Map<string, boolean>();
export function isKnownCode(code: string): boolean {
  let known = codeCache.get(code);
  if (known === undefined) {
    try {
      // Intl accepts any well-formed code; a real one has a display name different from the code.
      known = new Intl.DisplayNames(['en'], { type: 'currency' }).of(code) !== code;
    } catch {
      known = false;
    }
    codeCache.set(code, known);
  }
  return known;
}
