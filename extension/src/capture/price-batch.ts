/**
 * Many price texts in one go, for `npm run capture -- --prices <file>`: one text per line in, one
 * JSON line out per line, in order. A line may carry a tab and the text printed beside the price
 * (its currency hint, e.g. "16.00<TAB>zł"). An empty line or a line without a price gives `null`
 * fields, so the output always lines up with the input.
 */
import { parsePriceText } from './price-text.ts';
import type { PageHints } from './currency.ts';

export interface PriceLine {
  readonly text: string;
  readonly amountMinor: number | null;
  readonly currency: string | null;
  /** The amount as a decimal number, as printed. */
  readonly amount: number | null;
}

export function parsePriceLine(line: string, hints: PageHints = {}): PriceLine {
  const [text = '', currencyText] = line.replace(/\r$/, '').split('\t');
  const parsed = parsePriceText(text, currencyText ? { ...hints, currencyText } : hints);
  return {
    text,
    amountMinor: parsed?.amountMinor ?? null,
    currency: parsed && parsed.currency !== 'unknown' ? parsed.currency : null,
    amount: parsed?.amount ?? null,
  };
}

/** The whole file: lines split on \n (a final newline adds no line), each parsed on its own. */
export function parsePriceLines(content: string, hints: PageHints = {}): PriceLine[] {
  const lines = content.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => parsePriceLine(line, hints));
}
