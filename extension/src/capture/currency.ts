/**
 * Currencies in price text: symbols and codes before or after the amount, obsolete codes mapped to
 * today's. A symbol that several currencies share ($, kr, ¥, руб, Rs, ريال, جنيه…) names a currency
 * only with the page's context: the currency its markup states, its domain, its language. Without
 * any context it names none ('unknown' for the caller), rather than a guess. Spec: docs/capture.md.
 */
import { isCurrencyCode } from './currency-codes.ts';
import { caseless, remembered, type TextTest } from './text.ts';

export interface PageHints {
  /** The page's language, e.g. "en-CA" (from <html lang>). */
  readonly lang?: string | null;
  /** The page's host name, e.g. "shop.example.com.au". */
  readonly hostname?: string | null;
  /** A currency the page's markup states (og:price:currency, itemprop=priceCurrency). */
  readonly currency?: string | null;
  /** Text next to the price that may name its currency ("€", "грн.", "Cena 169,00 Kč"). */
  readonly currencyText?: string | null;
  /** The decimal separator the page is known to use. */
  readonly decimalSeparator?: string | null;
}

const OBSOLETE: Record<string, string> = { RUR: 'RUB', BYR: 'BYN', TRL: 'TRY', ROL: 'RON', MXP: 'MXN', VEF: 'VES', GHC: 'GHS', ZMK: 'ZMW', MRO: 'MRU', STD: 'STN' };

/** Symbols and words that name one currency whatever the page. Longest first when matching. */
const SYMBOLS: [string, string][] = [
  ['US$', 'USD'], ['CA$', 'CAD'], ['C$', 'CAD'], ['AU$', 'AUD'], ['A$', 'AUD'], ['NZ$', 'NZD'], ['HK$', 'HKD'],
  ['SGD$', 'SGD'], ['S$', 'SGD'], ['MX$', 'MXN'], ['R$', 'BRL'], ['NT$', 'TWD'], ['E£', 'EGP'], ['€', 'EUR'], ['£', 'GBP'],
  ['₹', 'INR'], ['₩', 'KRW'], ['원', 'KRW'], ['₽', 'RUB'], ['₴', 'UAH'], ['грн', 'UAH'],
  ['₺', 'TRY'], ['₪', 'ILS'], ['฿', 'THB'], ['₫', 'VND'], ['₱', 'PHP'], ['₦', 'NGN'], ['zł', 'PLN'], ['Kč', 'CZK'],
  ['лв', 'BGN'], ['CHF', 'CHF'], ['円', 'JPY'], ['د.إ', 'AED'], ['ر.س', 'SAR'], ['د.ك', 'KWD'], ['د.ب', 'BHD'], ['ر.ع', 'OMR'], ['₸', 'KZT'], ['₾', 'GEL'],
  ['₼', 'AZN'], ['֏', 'AMD'], ['₮', 'MNT'], ['؋', 'AFN'], ['៛', 'KHR'], ['৳', 'BDT'], ['₡', 'CRC'], ['₲', 'PYG'],
  ['GH₵', 'GHS'], ['GH¢', 'GHS'], ['₵', 'GHS'],
  // Uzbekistan's so'm, with each apostrophe its shops type ("1 250 000 so‘m"), and in Cyrillic.
  ['soʻm', 'UZS'], ["so'm", 'UZS'], ['so‘m', 'UZS'], ['so’m', 'UZS'], ['Soʻm', 'UZS'], ["So'm", 'UZS'], ['So‘m', 'UZS'], ['So’m', 'UZS'], ["SO'M", 'UZS'], ['сўм', 'UZS'],
];
/** Letters-only symbols, matched as whole words in any case ("99 LEI", "10,75 TL", "749,00 euro", "1 chf"). */
const WORDS = new Map<string, string>([
  ['euro', 'EUR'], ['euros', 'EUR'], ['lei', 'RON'], ['tl', 'TRY'], ['ft', 'HUF'], ['kd', 'KWD'], ['rm', 'MYR'], ['rp', 'IDR'],
  ['kn', 'HRK'], ['nu.', 'BTN'], ['sfr', 'CHF'], ['ksh', 'KES'], ['zl', 'PLN'], ['yen', 'JPY'], ['тг', 'KZT'], ['теңге', 'KZT'],
  ['тенге', 'KZT'], ['сом', 'KGS'], ['fbu', 'BIF'], ['fdj', 'DJF'], ['sr', 'SAR'], ['qr', 'QAR'], ['cedi', 'GHS'], ['cedis', 'GHS'],
  // The Serbian dinar as its shops write it; the Uzbek so'm in Russian; Albanian lek; Vietnamese đồng; Swiss "Fr." (with its dot).
  ['дин', 'RSD'], ['рсд', 'RSD'], ['сум', 'UZS'], ['lek', 'ALL'], ['lekë', 'ALL'], ['leke', 'ALL'], ['đ', 'VND'], ['vnđ', 'VND'], ['fr.', 'CHF'],
  // The Thai baht in Thai, as Thai shops write it after the amount ("590 บาท").
  ['บาท', 'THB'],
  // Codes of the most used currencies are understood in lower case too.
  ...'usd eur gbp chf nzd aud cad jpy cny sek nok dkk pln czk huf ron bgn rub uah inr brl mxn zar sgd hkd krw twd thb'.split(' ').map((c) => [c, c.toUpperCase()] as [string, string]),
]);

const DOLLAR_BY_TLD: Record<string, string> = {
  ca: 'CAD', au: 'AUD', nz: 'NZD', mx: 'MXN', ar: 'ARS', cl: 'CLP', co: 'COP', sg: 'SGD', hk: 'HKD', tw: 'TWD',
  uy: 'UYU', br: 'BRL', jm: 'JMD', tt: 'TTD', bs: 'BSD', fj: 'FJD', na: 'NAD', lr: 'LRD', bz: 'BZD', gy: 'GYD', sr: 'SRD',
};
const DOLLAR_BY_REGION: Record<string, string> = { CA: 'CAD', AU: 'AUD', NZ: 'NZD', MX: 'MXN', AR: 'ARS', CL: 'CLP', CO: 'COP', SG: 'SGD', HK: 'HKD', TW: 'TWD', UY: 'UYU' };
const KRONA_BY_TLD: Record<string, string> = { se: 'SEK', no: 'NOK', dk: 'DKK', is: 'ISK' };
const KRONA_BY_LANG: Record<string, string> = { sv: 'SEK', no: 'NOK', nb: 'NOK', nn: 'NOK', da: 'DKK', is: 'ISK' };

/** Shared symbols: which currency each names in which country, and the one it names elsewhere. */
interface SharedSymbol { readonly pattern: TextTest; readonly byCountry: Record<string, string>; readonly fallback: string }
/** With the currencies it may name listed once: the question is asked of every price text with such a symbol. */
interface Shared extends SharedSymbol { readonly currencies: ReadonlySet<string> }
const SHARED: Shared[] = ([
  { pattern: /\$/, byCountry: { ...DOLLAR_BY_TLD, ...lowerKeys(DOLLAR_BY_REGION) }, fallback: 'USD' },
  { pattern: /[¥￥]/, byCountry: { cn: 'CNY', zh: 'CNY' }, fallback: 'JPY' },
  // "元" is the yuan, and Taiwan's, Hong Kong's and Macau's dollar on their pages ("$1,290元" on a .tw shop).
  { pattern: /元/, byCountry: { tw: 'TWD', hk: 'HKD', mo: 'MOP' }, fallback: 'CNY' },
  { pattern: /(?:^|[\s\d])kr\.?(?=$|[\s\d,.])/i, byCountry: { ...KRONA_BY_TLD, ...KRONA_BY_LANG }, fallback: 'SEK' },
  { pattern: /руб|(?:^|[\s\d])[рР]\.?(?=$|[\s\d])/, byCountry: { by: 'BYN', be: 'BYN' }, fallback: 'RUB' },
  { pattern: caseless(/(?:^|[\s\d])Rs\.?|₨/i), byCountry: { pk: 'PKR', lk: 'LKR', np: 'NPR', mu: 'MUR', ur: 'PKR', si: 'LKR', ne: 'NPR' }, fallback: 'INR' },
  { pattern: /جنيه|ج\.م|(?:^|[\s\d])L\.?E\.?(?=$|[\s\d])/, byCountry: { sd: 'SDG', ss: 'SSP' }, fallback: 'EGP' },
  { pattern: /ريال|﷼/, byCountry: { om: 'OMR', qa: 'QAR', ye: 'YER', ir: 'IRR', fa: 'IRR' }, fallback: 'SAR' },
  // A bare "R" right before an amount is the rand, wherever the shop is hosted ("R 2,499" on takealot.com); Brazil writes "R$".
  { pattern: /(?:^|[^A-Za-z])R ?\d/, byCountry: { za: 'ZAR' }, fallback: 'ZAR' },
  { pattern: /(?:^|[\s\d])R(?=$|[\s\d])/, byCountry: { za: 'ZAR' }, fallback: '' },
  // The dirham: the Emirates' unless the page is Moroccan ("د.م." is Morocco's own).
  { pattern: /درهم|د\.م\./, byCountry: { ma: 'MAD' }, fallback: 'AED' },
  // Letters that are a currency only on its country's pages ("129,00 KM" in Bosnia, "Q 129.00" in Guatemala, "Bs. 129").
  { pattern: /(?:^|[\s\d])KM(?=$|[\s\d])/, byCountry: { ba: 'BAM' }, fallback: '' },
  // "din" is "your" in Danish and Norwegian, "from" in Romanian: a dinar only on a Serbian page.
  { pattern: caseless(/(?:^|[\s\d])din\.?(?=$|[\s\d])/i), byCountry: { rs: 'RSD', sr: 'RSD' }, fallback: '' },
  // "ден" is also "day" in Bulgarian: a denar only on a Macedonian page.
  { pattern: /(?:^|[\s\d])ден\.?(?=$|[\s\d])/, byCountry: { mk: 'MKD' }, fallback: '' },
  { pattern: /(?:^|[\s\d])Q\.?(?=$|[\s\d])/, byCountry: { gt: 'GTQ' }, fallback: '' },
  { pattern: /(?:^|[\s\d])Bs\.?(?=$|[\s\d])/, byCountry: { bo: 'BOB', ve: 'VES' }, fallback: '' },
] as SharedSymbol[]).map((shared) => ({ ...shared, currencies: new Set(Object.values(shared.byCountry)) }));

/** The currencies "$" stands for in some country, and the US dollar it names elsewhere. */
export const DOLLAR_SIGN_CURRENCIES: ReadonlySet<string> = new Set([...SHARED[0]!.currencies, 'USD']);

function lowerKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}

export function normaliseCode(code: string): string {
  const upper = code.toUpperCase();
  return OBSOLETE[upper] ?? upper;
}

function tld(hostname: string | null | undefined): string {
  return (hostname ?? '').toLowerCase().split('.').pop() ?? '';
}

/** The last page's keys: a page asks with the same language and host name for each of its prices. */
let lastKeys: { lang: string | null | undefined; hostname: string | null | undefined; keys: string[] } | null = null;

/** What the page says about where it sells: its domain, its language and region. */
function countryKeys(hints: PageHints): string[] {
  if (lastKeys && lastKeys.lang === hints.lang && lastKeys.hostname === hints.hostname) return lastKeys.keys;
  const [language, region] = (hints.lang ?? '').toLowerCase().split(/[-_]/);
  const keys = [tld(hints.hostname), region ?? '', language ?? ''].filter(Boolean);
  lastKeys = { lang: hints.lang, hostname: hints.hostname, keys };
  return keys;
}

const hasContext = (hints: PageHints) => Boolean(hints.hostname || hints.lang || hints.currency);

function resolveShared(shared: Shared, hints: PageHints): string | null {
  const stated = hints.currency ? normaliseCode(hints.currency) : null;
  if (stated && (shared.currencies.has(stated) || stated === shared.fallback)) return stated;
  if (stated && shared.fallback === 'USD' && stated.endsWith('D')) return stated;
  if (!hasContext(hints)) return null;
  for (const key of countryKeys(hints)) if (shared.byCountry[key]) return shared.byCountry[key]!;
  return shared.fallback || null;
}

/** Countries (top-level domains, a language tag's region) with one currency of their own. */
const EURO_COUNTRIES = 'de fr it es nl be at pt ie fi gr sk si ee lv lt lu mt cy hr'.split(' ');
const COUNTRY_CURRENCY: Readonly<Record<string, string>> = {
  ...Object.fromEntries(EURO_COUNTRIES.map((country) => [country, 'EUR'])),
  no: 'NOK', se: 'SEK', dk: 'DKK', is: 'ISK', pl: 'PLN', cz: 'CZK', hu: 'HUF', ro: 'RON', ch: 'CHF', uk: 'GBP', gb: 'GBP',
  jp: 'JPY', kr: 'KRW', cn: 'CNY', in: 'INR', br: 'BRL', mx: 'MXN', ar: 'ARS', cl: 'CLP', co: 'COP', pe: 'PEN', ua: 'UAH',
  tr: 'TRY', il: 'ILS', za: 'ZAR', au: 'AUD', nz: 'NZD', ca: 'CAD', sg: 'SGD', hk: 'HKD', tw: 'TWD', th: 'THB', vn: 'VND',
  id: 'IDR', my: 'MYR', ph: 'PHP', ae: 'AED', sa: 'SAR', eg: 'EGP', ng: 'NGN', ke: 'KES', rs: 'RSD', kz: 'KZT',
};

/**
 * The currency of the country the page sells in, by its domain or its language tag's region ("1 499,-" on
 * a .no shop is in kroner): for a price no text, markup or other price on the page names a currency for.
 */
export function countryCurrency(hints: PageHints): string | null {
  const region = (hints.lang ?? '').toLowerCase().split(/[-_]/)[1];
  return COUNTRY_CURRENCY[tld(hints.hostname)] ?? (region ? COUNTRY_CURRENCY[region] : undefined) ?? null;
}

/** Kept for callers that know the page: the currency "$" names on it. */
export function dollarCurrency(hints: PageHints): string {
  return resolveShared(SHARED[0]!, { ...hints, hostname: hints.hostname ?? 'page' }) ?? 'USD';
}

/** Capitalised words that are also currency codes but, in shop text, mostly mean the word. */
const NOT_CODES = new Set(['ALL', 'TOP', 'CUP', 'SOS', 'MOP']);

/**
 * Answers of `unambiguous` by text: a page asks about the same short texts many times (a price is read
 * for the candidate, its currency, and the numbers beside it), and the answer depends on the text alone.
 * Short texts only, and a few thousand at most.
 */
const known = new Map<string, string | null>();

function unambiguous(raw: string): string | null {
  if (raw.length > 100) return readUnambiguous(raw);
  const cached = known.get(raw);
  if (cached !== undefined) return cached;
  const found = readUnambiguous(raw);
  if (known.size >= 5000) known.clear();
  known.set(raw, found);
  return found;
}

function readUnambiguous(raw: string): string | null {
  // "AU $59.95", "US $ 12": a country prefix written apart from the dollar sign.
  const text = raw.replace(/\b(US|AU|NZ|CA|HK|NT|MX|SG) ?\$/g, '$1$$');
  for (const match of text.matchAll(/(?:^|[^A-Za-z])([A-Z]{3})(?![A-Za-z])/g)) {
    const code = normaliseCode(match[1]!);
    if (!NOT_CODES.has(code) && isKnownCode(code)) return code;
  }
  for (const [symbol, currency] of SYMBOLS) if (text.includes(symbol)) return currency;
  // The yen sign with "元" after the amount is the yuan ("￥268.00元", as Chinese shops print it): the yen is "円".
  if (/[¥￥]/.test(text) && text.includes('元')) return 'CNY';
  // Peru's sol is "S/" or "S/." before the amount ("S/ 59.90"), never a word of its own.
  if (/(?:^|[^A-Za-z])S\/\.?\s?\d/.test(text)) return 'PEN';
  for (const match of text.matchAll(WORD_RUNS)) {
    const word = match[0];
    const lower = word.toLowerCase();
    // An abbreviation's dot is not part of the word ("12 990 тг.", "599 ден."), unless the word is only known with it ("Fr.").
    const currency = WORDS.get(lower) ?? (lower.endsWith('.') ? WORDS.get(lower.replace(/\.+$/, '')) : undefined);
    // A word written only after its amount ("1 299 Ft", "99 lei"), run into the digits after it, is a model's code ("Siemenz FT4461").
    if (currency && !(WRITTEN_AFTER.has(lower) && isDigit(text.charCodeAt(match.index + word.length)))) return currency;
  }
  return null;
}

/** The words of a price text: runs between spaces, digits and punctuation; a dot ends one only before a digit ("Fr.12", "nu."). */
const WORD_RUNS = /(?:[^\s\d,:;*()/'’\-–.]|\.(?!\d))+/g;
/** Currency words shops write only after the amount. */
const WRITTEN_AFTER = new Set(['ft', 'lei', 'zl', 'kn', 'tl', 'euro', 'euros', 'yen', 'lek', 'lekë', 'leke']);
const isDigit = (code: number) => code >= 0x30 && code <= 0x39;

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** Signs and codes as `unambiguous` and the shared symbols read them, in their own case. */
const CURRENCY_SIGNS = new RegExp(`[A-Z]{3}|[$¥￥₨﷼₮đ]|${SYMBOLS.map(([symbol]) => escaped(symbol)).join('|')}|руб|(?<![^\\s\\d])[рР]\\.?(?![^\\s\\d])|ден|جنيه|ج\\.م|L\\.?E|ريال|درهم|د\\.م|S\\/|(?<![^\\s\\d])(?:KM|Q|Bs|R)(?![^\\s\\d.])`);
/** Words of WORDS and the shared symbols, in any case, as whole words (a text is lower-cased first). */
const CURRENCY_WORDS = new RegExp(`(?<![a-z])(?:${[...WORDS.keys(), 'kr', 'rs', 'din'].map(escaped).join('|')})(?![a-z])`);

/**
 * Whether a text may name a currency: a fast filter before the full reading (`currencyInText`), true
 * for every text that names one. Most short texts with a digit on a shop page name none ("4.5 out of
 * 5 stars", "Ready in 2 days"): only the texts that pass are read as prices.
 */
export function mayNameCurrency(text: string): boolean {
  return CURRENCY_SIGNS.test(text) || CURRENCY_WORDS.test(text.toLowerCase());
}

/** The currency that a piece of price text names, or null. */
export function currencyInText(text: string, hints: PageHints): string | null {
  const found = unambiguous(text);
  if (found === 'RON' && moldovanLei(text, hints)) return 'MDL';
  if (found) return found;
  const shared = sharedSymbolOf(text);
  return shared ? resolveShared(shared, hints) : null;
}

/** Moldova's leu is written "lei", as Romania's: on a Moldovan page ("3 499 lei" on a .md shop), the word is the Moldovan leu. */
function moldovanLei(text: string, hints: PageHints): boolean {
  return countryKeys(hints).includes('md') && !text.includes('RON') && /(?<![a-zăâîșţț])lei(?![a-zăâîșţț])/i.test(text);
}

/** The shared symbol a text holds, if any: the same short texts are asked about many times on a page. */
const sharedSymbolOf = remembered((text) => SHARED.find((shared) => shared.pattern.test(text)) ?? null);

/** The currency of a price text: the text itself, then the text beside it, then the page's markup. */
export function currencyOf(text: string, hints: PageHints): string {
  return currencyInText(text, hints) ?? (hints.currencyText ? currencyInText(hints.currencyText, hints) : null)
    ?? (hints.currency ? normaliseCode(hints.currency) : null) ?? 'unknown';
}

/** A currency code, current or historical ("PTE"): held as data, since Intl's first answer is slow. */
export function isKnownCode(code: string): boolean {
  return isCurrencyCode(code);
}
