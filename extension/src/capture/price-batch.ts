/**
 * Many price texts in one go, for `npm run capture -- --prices <file>`: one text per line in, one
 * JSON line out per line, in order. A line may carry a tab and the text printed beside the price
 * (its currency hint, e.g. "16.00<TAB>zł"). An empty line or a line without a price gives `null`
 * fields (but a currency written alone, "chf", gives its currency), so the output always lines up with the input.
 */
import { currencyInText, type PageHints } from './currency.ts';
import { parsePriceText } from './price-text.ts';

export interface PriceLine {
  readonly text: string;
  readonly amountMinor: number | null;
  readonly currency: string | null;
  /** The amount as a decimal number, as printed. */
  readonly amount: number | null;
}

/** One word of up to six characters, no digit: a currency's sign or name alone. */
const ONLY_A_CURRENCY = /^\s*[^\s\d]{1,6}\s*$/;

export function parsePriceLine(line: string, hints: PageHints = {}): PriceLine {
  const [text = '', currencyText] = line.replace(/\r$/, '').split('\t');
  const withHint = currencyText ? { ...hints, currencyText } : hints;
  const parsed = parsePriceText(text, withHint);
  // A text that is only a currency's sign or name, one short word ("chf", "тг"), still says its currency.
  const currency = parsed ? (parsed.currency !== 'unknown' ? parsed.currency : null) : (ONLY_A_CURRENCY.test(text) ? currencyInText(text.trim(), withHint) : null);
  return { text, amountMinor: parsed?.amountMinor ?? null, currency, amount: parsed?.amount ?? null };
}

/** The whole file: lines split on \n (a final newline adds no line), each parsed on its own. */
export function parsePriceLines(content: string, hints: PageHints = {}): PriceLine[] {
  const lines = content.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => parsePriceLine(line, hints));
}
