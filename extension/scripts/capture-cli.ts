/**
 * `npm run capture -- --url <the page's original URL> <saved-page.html>`
 *   loads the saved page into real Chromium as if served from that URL (no network: every other request
 *   is refused, and the page's own scripts do not run, so the saved DOM stays as saved), runs the
 *   content script's capture code on it and prints the product as JSON (or null).
 * `npm run capture -- --price "<text>" [--url <page URL>]`
 *   prints the amount and currency parsed from one price text.
 * `npm run capture -- --prices <file> [--url <page URL>]`
 *   parses every line of the file as a price text and prints one JSON line per input line, in order:
 *   `{"text","amountMinor","currency","amount"}` (`null`s where a line holds no price).
 * The saved page is served with the charset the shop's header would have named (charset.ts).
 */
import { readFile } from 'node:fs/promises';
import { minorDigits } from '@tote/core';
import { parsePriceLines } from '../src/capture/price-batch.ts';
import { parsePriceText } from '../src/capture/price-text.ts';
import { capturePages } from './capture-runner.ts';

const USAGE = 'Usage: npm run capture -- --url <page URL> <saved-page.html>\n       npm run capture -- --price "<text>" [--url <page URL>]\n       npm run capture -- --prices <file> [--url <page URL>]';

function parseArgs(argv: string[]) {
  const args: { url?: string; price?: string; prices?: string; file?: string } = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--url') args.url = argv[++i];
    else if (arg === '--price') args.price = argv[++i];
    else if (arg === '--prices') args.prices = argv[++i];
    else if (arg.startsWith('--prices=')) args.prices = arg.slice(9);
    else if (arg.startsWith('--url=')) args.url = arg.slice(6);
    else if (arg.startsWith('--price=')) args.price = arg.slice(8);
    else if (!arg.startsWith('--')) args.file = arg;
  }
  return args;
}

/** Minor units back to a decimal amount for people reading the output. */
function decimal(amountMinor: number | null, currency: string): number | null {
  if (amountMinor === null) return null;
  return amountMinor / 10 ** (currency === 'unknown' ? 2 : minorDigits(currency));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.prices !== undefined) {
    const hints = args.url ? { hostname: new URL(args.url).hostname } : {};
    const out = parsePriceLines(await readFile(args.prices, 'utf8'), hints).map((line) => JSON.stringify(line));
    process.stdout.write(out.length ? `${out.join('\n')}\n` : '');
    return;
  }
  if (args.price !== undefined) {
    const hostname = args.url ? new URL(args.url).hostname : null;
    const parsed = parsePriceText(args.price, { hostname });
    console.log(JSON.stringify(parsed ? { ...parsed, amount: decimal(parsed.amountMinor, parsed.currency) } : null, null, 2));
    return;
  }
  if (!args.url || !args.file) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const [product] = await capturePages([{ url: args.url, html: await readFile(args.file) }]);
  if (!product) console.error('No product was recognised on this page.');
  console.log(JSON.stringify(product ? { ...product, price: decimal(product.priceMinor, product.currency) } : null, null, 2));
}

main().catch((error: unknown) => {
  console.error(`capture failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
