/**
 * One scorer for every field: each candidate gets a score from its source's trust and its evidence
 * (candidates.ts), candidates that agree across sources lift each other, and the best one per field
 * wins with a confidence. Pure: candidates in, choices out. Spec: docs/capture.md, rules 1 to 8.
 */
import type { Candidate, CandidateField } from './candidates.ts';
import type { FieldSource } from './sources/source-types.ts';
import { remembered, WORD_CHARS } from './text.ts';

export interface Choice {
  readonly candidate: Candidate;
  readonly score: number;
  /** 0..1: how sure the capture is of this field. */
  readonly confidence: number;
}

const TRUST: Record<CandidateField, Record<FieldSource, number>> = {
  title: { 'json-ld': 7, microdata: 6.5, rdfa: 6, 'open-graph': 4, heuristic: 0 },
  price: { 'json-ld': 10, microdata: 9.5, rdfa: 9, 'open-graph': 8, heuristic: 0 },
  image: { 'json-ld': 8, microdata: 7.5, rdfa: 7, 'open-graph': 6.5, heuristic: 0 },
};

/** A page price this strong is what the shopper sees; markup that shows a price nowhere loses to it. */
export const STRONG_PAGE_PRICE = 9;
/** A product photo on the page this good (named so, its alt text naming the product, large, near the heading) is surely the product's. */
const STRONG_PAGE_IMAGE = 9;

const NOT_WORD = new RegExp(`[^${WORD_CHARS}]+`, 'g');

const norm = remembered((text) => text.toLowerCase().replace(NOT_WORD, ' ').trim());
/** A text lower-cased with its white space made single spaces: as written otherwise. */
const spaced = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

/** Shopify's named sizes, which Haravan and other platforms built like it keep ("…_small.jpg" is 100 px, "…_grande.jpg" 600): their larger side. */
export const NAMED_SIDES: Readonly<Record<string, number>> = { pico: 16, icon: 32, thumb: 50, small: 100, compact: 160, medium: 240, large: 480, grande: 600 };
/** A named size at the end of a file's name, "_master" (the original) too. */
const NAMED_SIZE_AT_END = new RegExp(`_(?:${[...Object.keys(NAMED_SIDES), 'master'].join('|')})$`);

/**
 * The file a product image URL names, without size variants ("61abc._AC_SL1500_.jpg" → "61abc"; SAP
 * Commerce's media formats, "1200Wx1200H-WGG244A0FR-01.jpg" and "4012345-01-96Wx96H" → "wgg244a0fr-01", "4012345-01").
 */
export const imageKey = remembered((url) => {
  const file = url.split(/[?#]/)[0]!.split('/').pop() ?? '';
  return file.toLowerCase().replace(/\.(jpe?g|png|webp|gif|avif)$/, '').replace(/\._[^.]*_$/, '').replace(/[-_]\d{2,4}x\d{2,4}$/, '')
    .replace(/^\d{2,4}wx\d{2,4}h-|-\d{2,4}wx\d{2,4}h$/, '')
    // Salla's resized copies ("…tniO-500x500-8p0YXbPLK6GW") and Shopify's named sizes as Haravan keeps them ("…_grande", "…_master").
    .replace(/-\d{2,4}x\d{2,4}-[a-z0-9]{8,16}$/, '').replace(NAMED_SIZE_AT_END, '');
});

const nearness = (e: Candidate['evidence']) => Math.min(e.toHeading ?? 99, e.toBuy ?? 99);

/** Closeness to the heading or buy control, measured from the closest price on the page (layouts nest deeply). */
function proximity(e: Candidate['evidence'], closest: number): number {
  const near = nearness(e);
  return near >= 99 ? -1 : Math.max(0, 7 - (near - Math.min(closest, 3)));
}

function fontBonus(size: number | undefined): number {
  if (!size) return 0;
  return size >= 24 ? 2 : size >= 18 ? 1 : size < 12 ? -1 : 0;
}

/** How good one page-read candidate is on its own, before agreement with other sources. */
export function pageScore(c: Candidate, closest = 3): number {
  const e = c.evidence;
  if (c.field === 'title') {
    return 1 + (e.h1 ? 3 : 0) + (e.productLabelled ? 4 : e.labelled ? 1 : 0) + fontBonus(e.fontSize) + (e.inPageTitle ?? 0) * 4
      + ((e.toBuy ?? 99) < 99 ? Math.max(0, 6 - e.toBuy!) * 0.4 : 0) - (e.elsewhere ? 6 : 0) - (e.promo ? 12 : 0) - (e.fragment ? 4 : 0) - (e.order ?? 0);
  }
  if (c.field === 'price') {
    return (e.labelled ? 2 : 0) + (e.productLabelled ? 1 : 0) + (e.current ? 2 : 0) - (e.old ? 9 : 0) - (e.conditional ? 5 : 0)
      - (e.elsewhere ? 7 : 0) + proximity(e, closest) + fontBonus(e.fontSize) + (c.currency && c.currency !== 'unknown' ? 1 : 0) - (e.order ?? 0)
      + (e.variant === 'shown' ? 4 : e.variant === 'other' ? -4 : 0);
  }
  const area = e.area ?? 0;
  return 1 + (e.productLabelled ? 4 : 0) + (e.labelled ? 3 : 0) + (area >= 90_000 ? 3 : area >= 22_500 ? 2 : area >= 10_000 ? 1 : 0)
    + ((e.toHeading ?? 99) < 99 ? Math.max(0, 6 - e.toHeading!) * 0.7 : -1) - (e.elsewhere ? 6 : 0) - (e.notProduct ? 12 : 0) - (e.order ?? 0) * 2
    // The photo of the variant the page's address names beats the product's first photo the markup repeats.
    + (e.variant === 'shown' ? 6 : 0);
}

function sameValue(a: Candidate, b: Candidate): boolean {
  if (a.field === 'price') return a.value === b.value;
  if (a.field === 'image') return imageKey(String(a.value)) === imageKey(String(b.value));
  return norm(String(a.value)) === norm(String(b.value));
}

/** Words of a page's tabs and sections, written before the product's name in their headings. */
const SECTION_WORDS = /^(?:характеристики|опис|описание|відгуки|отзывы|specifications?|specs|description|details|reviews?|beschreibung|technische daten|produktdetails|bewertungen|caractéristiques|description du produit|avis|descripción|especificaciones|opiniones|descrizione|caratteristiche|recensioni|descrição|especificações|avaliações|opis|specyfikacja|opinie|popis|parametry|recenze|leírás|jellemzők|vélemények)$/;

/** A heading that holds the markup's name and adds only words of the product (not "Buy … on Shop"). */
function headingHoldsName(heading: Candidate, name: Candidate): boolean {
  const h = norm(String(heading.value));
  const n = norm(String(name.value));
  if (!n || !h.includes(n) || h === n) return false;
  const extra = h.replace(n, ' ').trim();
  // A tab's or section's heading over the name ("Характеристики Ноутбук …", "Specifications …") is not the product's.
  if (h.startsWith(extra) && SECTION_WORDS.test(extra)) return false;
  // Item codes ("(Cód. Item 462100)", "SKU 12345", "EAN 789…") are the shop's numbers, not words of the product.
  if (/\b(c[oó]d|cod|sku|ean|gtin|upc|item|art|artikel|ref|nr|no)\b/.test(extra) && /\d{5}/.test(extra)) return false;
  return extra.length <= n.length + 30 && !/\b(buy|kaufen|bestellen|acheter|comprar|online|shop|store|günstig|price|preis)\b/.test(extra);
}

interface Context {
  readonly bestPagePrice: number;
  readonly closest: number;
  /** Candidates per field, and page prices per amount: looked up, not searched, on pages with hundreds of prices. */
  readonly byField: ReadonlyMap<string, readonly Candidate[]>;
  readonly markupByField: ReadonlyMap<string, readonly Candidate[]>;
  readonly pagePricesByAmount: ReadonlyMap<string | number, readonly Candidate[]>;
  /** The files of the page's own product photos (not in another block, not a logo or thumbnail), and the best one's score. */
  readonly pageImageKeys: ReadonlySet<string>;
  readonly bestPageImage: number;
  /** The amounts the page shows as the chosen variant's price (selected, or named by its URL). */
  readonly shownVariantPrices: ReadonlySet<string | number>;
}

/** Whether the page shows the chosen variant's price, and it is another amount than `value`. */
const otherVariantShown = (value: string | number, context: Context) => [...context.shownVariantPrices].some((shown) => shown !== value);

function score(c: Candidate, context: Context): number {
  const { bestPagePrice, closest } = context;
  const e = c.evidence;
  let total = c.source === 'heuristic' ? pageScore(c, closest) : TRUST[c.field][c.source];
  // Page candidates are compared with the markup's; markup candidates with everything else.
  const others = c.source === 'heuristic'
    ? context.markupByField.get(c.field) ?? []
    : (context.byField.get(c.field) ?? []).filter((o) => o !== c && o.source !== c.source);
  // A range's end on the page ("9,90 € – 36,90 €") loses to the chosen variant's price the page shows under its options.
  if (c.field === 'price' && c.source === 'heuristic' && e.rangeEnd && otherVariantShown(c.value, context)) total -= 6;
  if (c.field === 'price' && c.source !== 'heuristic') {
    if (e.shown === 'yes') total += 3;
    // Shown only struck out loses, but only to a price to pay the page does show ("original" classes mislead).
    if (e.shown === 'old' && bestPagePrice >= STRONG_PAGE_PRICE - 3) total -= 12;
    // Shown as the amount before tax beside the price with tax: that one is the price to pay, however deep it sits.
    if (e.shown === 'beforeTax') total -= 12;
    if (e.shown === 'no' && bestPagePrice >= STRONG_PAGE_PRICE) total -= 6;
    // A range's lowest price ("from") the page shows nowhere loses to a fair price the page shows to pay: another variant's.
    else if (e.shown === 'no' && e.lowest && bestPagePrice >= STRONG_PAGE_PRICE - 3) total -= 6;
    // So does one the page shows only as a range's end, when the page shows the chosen variant's price.
    // (OpenGraph names no range: its price is a range's end when the page shows that amount only as one.)
    const onPage = context.pagePricesByAmount.get(c.value) ?? [];
    const rangeEndOnly = onPage.length > 0 && onPage.every((o) => o.evidence.rangeEnd === true);
    if ((e.lowest || rangeEndOnly) && otherVariantShown(c.value, context)) total -= 6;
    // And one the page shows only as a "from" line, when it names another amount the current price, strong and
    // beside the product's name ("À partir de 14,90 €" above the chosen size's "29,90 €").
    else if (e.lowest && e.shown === 'yes') {
      const page = (context.byField.get('price') ?? []).filter((o) => o.source === 'heuristic' && o.evidence.current === true && !o.evidence.old
        && !o.evidence.conditional && !o.evidence.elsewhere);
      if (!page.some((o) => o.value === c.value) && page.some((o) => o.evidence.productLabelled === true && pageScore(o, closest) >= STRONG_PAGE_PRICE)) total -= 6;
    }
  }
  if (c.field === 'image' && c.source !== 'heuristic' && e.notProduct) total -= 10;
  // A markup photo the page shows nowhere (another variant's, a stale one) loses to a strong photo the page does show.
  if (c.field === 'image' && c.source !== 'heuristic' && context.bestPageImage >= STRONG_PAGE_IMAGE && !context.pageImageKeys.has(imageKey(String(c.value)))) total -= 4;
  if (c.field === 'title' && c.source !== 'heuristic' && c.source !== 'open-graph') {
    // The markup's name holds the page's heading and more (its variant, "Merino Beanie - Rust"): more precise.
    const whole = norm(String(c.value));
    // As written, but for case and spacing: a name that holds the heading only once their signs are dropped words it
    // otherwise ("… Midnight Unlocked - Refurbished" for "… – Midnight (Unlocked)"), and the page's wording is the one shown.
    const written = spaced(String(c.value));
    const headingsInName = new Set(others.filter((o) => o.source === 'heuristic' && (o.evidence.h1 || o.evidence.productLabelled) && !o.evidence.elsewhere
      && written.includes(spaced(String(o.value)))).map((o) => norm(String(o.value))).filter((heading) => heading.length > 3 && whole.includes(heading)));
    // Unless the markup's offer is another variant's, its price shown on the page only as an option not chosen
    // (the 128 GB's "CHF 1'019.–" beside the 256 GB in view): its name then names that variant too.
    const amountsShown = (context.byField.get('price') ?? []).filter((p) => p.source === c.source).map((p) => context.pagePricesByAmount.get(p.value) ?? []);
    const otherVariant = amountsShown.some((shown) => shown.length > 0 && shown.every((o) => o.evidence.option === true));
    if (headingsInName.size > 0 && !otherVariant) total += 7;
    // The page shows it in parts, each a heading of its own: the brand's and the name's (Myntra's two <h1>s,
    // "Kasbah Lane" over "Men Navy Blue … Shirt"). The markup's name is the whole, which no part beats.
    const parts = [...headingsInName].filter((heading) => heading.length < whole.length);
    const partsLength = parts.reduce((sum, part) => sum + part.length + 1, -1);
    if (parts.length >= 2 && partsLength >= whole.length * 0.9) total += 4;
  }
  if (c.field === 'title' && c.source === 'heuristic') {
    const name = others.find((o) => o.source !== 'heuristic' && o.source !== 'open-graph' && headingHoldsName(c, o));
    if (name) total += TRUST.title[name.source] + 1;
  }
  // Agreement: the same value from another source (markup and page) is more believable.
  const agreeing = new Set(others.filter((o) => sameValue(c, o) && !(o.evidence.old || o.evidence.elsewhere)).map((o) => o.source));
  if (c.field === 'price' && c.source !== 'heuristic' && (context.pagePricesByAmount.get(c.value) ?? []).some((o) => !(o.evidence.old || o.evidence.elsewhere))) agreeing.add('heuristic');
  total += agreeing.size * (c.field === 'price' ? 0.5 : 2);
  // The price to pay is often repeated (format selector, buy box, sticky bar); others seldom are.
  if (c.field === 'price' && c.source === 'heuristic' && !e.old && !e.elsewhere && !e.conditional) {
    const repeats = (context.pagePricesByAmount.get(c.value) ?? []).filter((o) => o !== c && !o.evidence.old && !o.evidence.elsewhere).length;
    total += Math.min(2, repeats);
  }
  return total;
}

/** How near the nearest price to pay is to the heading or buy control, in tree levels. */
export function closestPrice(candidates: readonly Candidate[]): number {
  let closest = 99;
  for (const c of candidates) {
    if (c.field === 'price' && c.source === 'heuristic' && !c.evidence.elsewhere && !c.evidence.old && !c.evidence.conditional) closest = Math.min(closest, nearness(c.evidence));
  }
  return closest;
}

/** Every candidate with its score, best first per field (for choosing, and for `--explain`). */
export function scoreCandidates(candidates: readonly Candidate[]): Choice[] {
  const closest = closestPrice(candidates);
  const pagePrices = candidates.filter((c) => c.field === 'price' && c.source === 'heuristic').map((c) => pageScore(c, closest));
  const bestPagePrice = pagePrices.length ? Math.max(...pagePrices) : -Infinity;
  const byField = new Map<string, Candidate[]>();
  const pagePricesByAmount = new Map<string | number, Candidate[]>();
  const markupByField = new Map<string, Candidate[]>();
  const push = <K,>(map: Map<K, Candidate[]>, key: K, c: Candidate) => (map.get(key) ?? map.set(key, []).get(key)!).push(c);
  for (const c of candidates) {
    push(byField, c.field, c);
    if (c.source !== 'heuristic') push(markupByField, c.field, c);
    if (c.field === 'price' && c.source === 'heuristic') push(pagePricesByAmount, c.value, c);
  }
  const pageImages = candidates.filter((c) => c.field === 'image' && c.source === 'heuristic' && !c.evidence.elsewhere && !c.evidence.notProduct);
  const pageImageKeys = new Set(pageImages.map((c) => imageKey(String(c.value))));
  const bestPageImage = pageImages.length ? Math.max(...pageImages.map((c) => pageScore(c))) : -Infinity;
  const shownVariantPrices = new Set(candidates.filter((c) => c.field === 'price' && c.source === 'heuristic' && c.evidence.variant === 'shown').map((c) => c.value));
  const context: Context = { bestPagePrice, closest, byField, markupByField, pagePricesByAmount, pageImageKeys, bestPageImage, shownVariantPrices };
  return candidates.map((candidate) => {
    const s = score(candidate, context);
    return { candidate, score: s, confidence: Math.max(0.05, Math.min(0.99, 1 / (1 + Math.exp(-(s - 4) / 2.5)))) };
  }).sort((a, b) => b.score - a.score);
}

export function chooseFields(candidates: readonly Candidate[]): Partial<Record<CandidateField, Choice>> {
  const out: Partial<Record<CandidateField, Choice>> = {};
  for (const choice of scoreCandidates(candidates)) {
    const field = choice.candidate.field;
    if (!out[field] && choice.score > MINIMUM[field]) out[field] = choice;
  }
  return out;
}

/** Below these a field is left empty rather than guessed. */
const MINIMUM: Record<CandidateField, number> = { title: 2, price: 4.5, image: 0.5 };
