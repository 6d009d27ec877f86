/**
 * Recognises the product on a page: a Document and the page URL in, a product out (or null when the
 * page is not a product page). No platform code beyond the DOM; never throws. Spec: docs/capture.md.
 *
 * Capture is a scored choice, not a first match: every source (JSON-LD, microdata, RDFa, OpenGraph and
 * product meta tags, the page as shown) proposes candidates for the title, price and image with their
 * evidence, and one scorer (scorer.ts) picks per field, keeping its confidence and origin. Other fields
 * (brand, SKU, URL…) come from the most trusted source that has them.
 */
import type { Availability, ProductInput } from '@tote/core';
import { countryCurrency, DOLLAR_SIGN_CURRENCIES, dollarCurrency, type PageHints } from './currency.ts';
import type { Candidate } from './candidates.ts';
import { imageCandidates, notProductImage } from './page/images.ts';
import { distanceTo, pageLayout, type Layout } from './page/layout.ts';
import { priceCandidates } from './page/prices.ts';
import { titleCandidates, type PageCandidate } from './page/titles.ts';
import { shownVariantImage, variantPrices, type VariantPrices } from './page/variants.ts';
import { chooseFields, closestPrice, imageKey, pageScore, scoreCandidates, STRONG_PAGE_PRICE, type Choice } from './scorer.ts';
import { fromJsonLd } from './sources/json-ld.ts';
import { fromMicrodata, fromRdfa } from './sources/microdata.ts';
import { fromOpenGraph, metaTags } from './sources/open-graph.ts';
import type { FieldSource, FoundFields, SourceResult } from './sources/source-types.ts';
import { httpUrl } from './text.ts';
import { availabilityOf } from './availability.ts';

export type { FieldSource } from './sources/source-types.ts';

export interface FieldOrigin {
  readonly source: FieldSource;
  /** 0..1: how sure the capture is of this field. */
  readonly confidence: number;
}

export interface CapturedProduct extends ProductInput {
  readonly shop: string;
  readonly brand: string | null;
  readonly sku: string | null;
  readonly gtin: string | null;
  /** Whether the page says the product can be ordered (availability.ts); null when it does not say. */
  readonly availability: Availability | null;
  /** The source most of the product came from. */
  readonly source: FieldSource;
  readonly origins: Readonly<Partial<Record<'title' | 'price' | 'image' | 'url' | 'brand' | 'sku' | 'gtin' | 'availability' | 'variant', FieldOrigin>>>;
  /** Prices other sources stated differently, for the shopper to compare. */
  readonly otherPrices: readonly { readonly source: FieldSource; readonly priceMinor: number; readonly currency: string }[];
}

const CONFIDENCE: Record<FieldSource, number> = { 'json-ld': 0.95, microdata: 0.9, rdfa: 0.85, 'open-graph': 0.75, heuristic: 0.6 };

function pick<K extends keyof FoundFields>(results: readonly SourceResult[], key: K): { value: FoundFields[K]; origin: FieldOrigin } | null {
  for (const result of results) {
    const value = result.fields[key];
    if (value !== undefined) return { value, origin: { source: result.source, confidence: CONFIDENCE[result.source] } };
  }
  return null;
}

/**
 * The address the page's relative links resolve against: its `<base href>` when it has one (older shops'
 * templates write "images/produkty/…" under `<base href="https://shop/">`), else the page's own.
 */
function documentBase(doc: Document, pageUrl: string): string {
  // By tag name: the engine finds those without matching a selector against every element of a large page.
  const bases = doc.getElementsByTagName('base');
  let href: string | null = null;
  for (let i = 0; i < bases.length && href === null; i += 1) href = bases[i]!.getAttribute('href');
  return (href && httpUrl(href, pageUrl)) || pageUrl;
}

function canonicalUrl(doc: Document, results: readonly SourceResult[], pageUrl: string): { url: string; origin: FieldOrigin | null } {
  const page = new URL(pageUrl);
  const markup = pick(results.filter((r) => r.source !== 'open-graph'), 'url');
  const link = httpUrl(doc.querySelector('link[rel="canonical" i]')?.getAttribute('href'), pageUrl);
  const og = pick(results.filter((r) => r.source === 'open-graph'), 'url');
  // Stay on the shop's own site: a canonical pointing elsewhere is not the product's address.
  const candidates = [markup?.value, link, og?.value].filter((u): u is string => typeof u === 'string' && new URL(u).hostname === page.hostname);
  const url = new URL(candidates[0] ?? pageUrl);
  url.hash = '';
  return { url: url.href, origin: markup ? markup.origin : null };
}

/**
 * A markup image whose file is a site asset ("og-logo.png", a placeholder, or the file of the shop's icon or of
 * the logo linking home: `shopImages`, read only when there is a markup image) is not the product's photo.
 */
function structuredCandidates(results: readonly SourceResult[], field: 'title' | 'image', shopImages: () => readonly string[] = () => []): Candidate[] {
  const key = field === 'title' ? 'title' : 'imageUrl';
  return results.filter((r) => r.fields[key] !== undefined).map((r) => ({ field, source: r.source, value: r.fields[key]!,
    evidence: field === 'image' && (notProductImage(String(r.fields[key])) || siteImage(String(r.fields[key]), shopImages())) ? { notProduct: true } : {} }));
}

/** The shop's own pictures: its icons, and the picture of a link to its home page (its logo, named or not). */
function siteImages(doc: Document, page: URL): string[] {
  const home = `a[href="/"] img, a[href="${page.origin}"] img, a[href="${page.origin}/"] img`;
  const out: string[] = [];
  const found = doc.querySelectorAll(`link[rel~="icon" i], link[rel="apple-touch-icon" i], ${home}`);
  for (let i = 0; i < found.length; i += 1) {
    const el = found[i]!;
    const url = el.getAttribute(el.tagName === 'LINK' ? 'href' : 'src');
    if (url) out.push(url.toLowerCase());
  }
  return out;
}

/** A file the shop's own pictures are served from (Wix names the logo's file in the product's JSON-LD image). */
function siteImage(url: string, images: readonly string[]): boolean {
  const key = imageKey(url);
  return key.length >= 8 && images.some((image) => image.includes(key));
}

/** Currencies one sign stands for on different pages: the dollars, the yen and the yuan, the crowns. */
const SIGN_FAMILIES = [/^[A-Z]{2}D$/, /^(?:JPY|CNY)$/, /^(?:SEK|NOK|DKK|ISK)$/];
function sameSign(a: string, b: string): boolean {
  return SIGN_FAMILIES.some((family) => family.test(a) && family.test(b));
}

/** Markup prices, each with how the page shows the same amount: as a price to pay, only as an old one, or not at all. */
function markupPrices(results: readonly SourceResult[], page: readonly PageCandidate[], fallbackCurrency: string | undefined, localDollar?: string): Candidate[] {
  return results.filter((r) => r.fields.priceMinor !== undefined && r.fields.priceMinor > 0).map((r) => {
    const same = page.filter((p) => p.candidate.value === r.fields.priceMinor && !p.candidate.evidence.elsewhere);
    // Shown only struck out, or only as a card/member price, is not shown as the price to pay.
    // Shown only as the amount before tax beside the price with it: the shopper pays the other.
    const shown = same.some((p) => !p.candidate.evidence.old && !p.candidate.evidence.conditional) ? 'yes'
      : same.some((p) => p.candidate.evidence.beforeTax) ? 'beforeTax' : same.length ? 'old' : 'no';
    // The same amount shown with its own sign in one other currency ("₹1,299" where the markup says USD): the
    // markup's currency is a setting the shop got wrong, and the page's is the one the shopper pays in.
    const shownIn = new Set(same.map((p) => p.candidate.currency).filter((c): c is string => typeof c === 'string' && c !== 'unknown'));
    const pageCurrency = shownIn.size === 1 ? [...shownIn][0]! : undefined;
    // Not between currencies one sign stands for ("$" read as USD where the markup says CAD): the markup knows better there,
    // unless another of the page's markups names the page's currency (an SEO app's JSON-LD says USD on a Hong Kong
    // shop whose og:price:currency says HKD, as its "HK$388.00" does), or the markup says USD where the page shows the
    // amount in its country's own dollar (`localDollar`).
    const otherMarkupSays = pageCurrency !== undefined && results.some((o) => o !== r && o.fields.currency === pageCurrency);
    const wrongSetting = pageCurrency !== undefined && r.fields.currency !== undefined && pageCurrency !== r.fields.currency
      && (!sameSign(pageCurrency, r.fields.currency) || otherMarkupSays || (r.fields.currency === 'USD' && pageCurrency === localDollar));
    const currency = wrongSetting ? pageCurrency : r.fields.currency ?? fallbackCurrency ?? 'unknown';
    return { field: 'price', source: r.source, value: r.fields.priceMinor!, currency, evidence: r.fields.priceIsLowest ? { shown, lowest: true } : { shown } } as const;
  });
}

/**
 * A currency switcher's page: the markup names the shop's own dollar (USD 54.99) while the page shows
 * the country's ("$44.990" on a .cl shop, converted by a plugin such as WOOCS). Every price the product's
 * own area shows in the markup's currency is ten times the markup's or more: no stale price differs so
 * much, a conversion into pesos does. Only between currencies "$" stands for, so the page's sign is the
 * country's dollar or peso.
 */
const SWITCHED_FACTOR = 10;

/** The first markup price stated in `currency` (or with no currency of its own), in minor units. */
function markupPriceIn(results: readonly SourceResult[], currency: string): number | undefined {
  return results.find((r) => r.fields.priceMinor !== undefined && r.fields.priceMinor > 0 && (r.fields.currency ?? currency) === currency)?.fields.priceMinor;
}

function switchedDollar(results: readonly SourceResult[], prices: readonly PageCandidate[], markupCurrency: string, hints: PageHints): boolean {
  const local = dollarCurrency({ ...hints, currency: null });
  if (local === markupCurrency || !DOLLAR_SIGN_CURRENCIES.has(markupCurrency) || !DOLLAR_SIGN_CURRENCIES.has(local)) return false;
  const markupPrice = markupPriceIn(results, markupCurrency);
  if (markupPrice === undefined) return false;
  const own = prices.filter((p) => !p.candidate.evidence.elsewhere && p.candidate.currency === markupCurrency);
  return own.length > 0 && own.every((p) => Number(p.candidate.value) >= markupPrice * SWITCHED_FACTOR);
}

/** Page prices of the variant the page shows, and of the other variants in its option lists. */
function withVariants(prices: readonly PageCandidate[], variants: VariantPrices): PageCandidate[] {
  if (variants.shown === null) return [...prices];
  return prices.map(({ el, candidate }) => {
    const variant = candidate.value === variants.shown ? 'shown' : variants.others.has(Number(candidate.value)) ? 'other' : undefined;
    return variant ? { el, candidate: { ...candidate, evidence: { ...candidate.evidence, variant } } } : { el, candidate };
  });
}

/** The currency most of the page's prices are shown in: a shop shows one currency. */
function pageCurrency(prices: readonly PageCandidate[]): string | null {
  const counts = new Map<string, number>();
  for (const { candidate } of prices) if (candidate.currency && candidate.currency !== 'unknown') counts.set(candidate.currency, (counts.get(candidate.currency) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/**
 * Without markup, a product page shows one main heading, a prominent price (near it, or in a buy box)
 * or a way to buy, and a main image. A listing (search results, a category, a home page) shows many
 * buy buttons and many prices of different amounts; an article shows no price to pay.
 */
function looksLikeProductPage(heading: PageCandidate | undefined, prices: readonly PageCandidate[], buyControls: readonly Element[], hasImage: boolean,
  ownControls: readonly Element[] = buyControls): boolean {
  if (!heading || pageScore(heading.candidate) < 5) return false;
  // A tile title with no buy control beside it, nor an <h1>, is a listing's (a search page's tiles, each with its photo and price).
  if (heading.candidate.evidence.alike === true && heading.candidate.evidence.h1 !== true && (heading.candidate.evidence.toBuy ?? 99) > 3) return false;
  const closest = closestPrice(prices.map((p) => p.candidate));
  const toPay = prices.filter((p) => !p.candidate.evidence.elsewhere && !p.candidate.evidence.old && !p.candidate.evidence.conditional);
  const strong = toPay.filter((p) => pageScore(p.candidate, closest) >= STRONG_PAGE_PRICE - 3);
  const amounts = new Set(strong.map((p) => p.candidate.value));
  const e = heading.candidate.evidence;
  // A main heading the page names as the product's title (an <h1> with a product-title id or class) is one.
  const ownHeading = e.h1 === true && e.productLabelled === true && e.alike !== true;
  // So is an <h1>, or a heading named as the product's title (a shop whose only <h1> is its logo), with
  // one price to pay right under it and every other amount well away from it: a
  // product page that also offers other products with their own prices and buy buttons ("buy together",
  // "compare"). A listing's prices sit in tiles alike, each as far from its heading as the next.
  const nearest = Math.min(...strong.map((p) => p.candidate.evidence.toHeading ?? 99));
  const nearAmounts = new Set(strong.filter((p) => (p.candidate.evidence.toHeading ?? 99) === nearest).map((p) => p.candidate.value));
  const dominant = (e.h1 === true || e.productLabelled === true) && nearest <= 3 && nearAmounts.size === 1
    && strong.every((p) => nearAmounts.has(p.candidate.value) || (p.candidate.evidence.toHeading ?? 99) >= nearest + 3);
  const named = e.productLabelled === true || e.h1 === true || (pageScore(heading.candidate) >= 7 && (e.inPageTitle ?? 0) >= 0.5);
  // Or a named heading with a buy control right beside it and one price to pay under it that clearly
  // beats every other amount near it: the other amounts are the product's options, accessories and
  // other products further down ("32 GB · 1.099 €", a trade-in, a tile carousel), not a listing's tiles,
  // whose prices are all alike.
  const scoreOf = (p: PageCandidate) => pageScore(p.candidate, closest);
  const best = strong.filter((p) => (p.candidate.evidence.toHeading ?? 99) <= 3).sort((a, b) => scoreOf(b) - scoreOf(a))[0];
  const standout = named && best !== undefined && (e.toBuy ?? 99) <= 2 && strong.every((p) => p.candidate.value === best.candidate.value
    || (p.candidate.evidence.toHeading ?? 99) >= (best.candidate.evidence.toHeading ?? 99) + 3 || scoreOf(p) <= scoreOf(best) - 2);
  // Or a named heading inside the form that adds to the cart, with one price to pay in that form: the
  // buy box of a shop without a styled heading (ECShop's "ECS_FORMBUY"); the prices outside it are other
  // products'. A page that is one form as a whole (ASP.NET) shows many amounts in it.
  const form = heading.el.closest('form');
  const formAmounts = form !== null && buyControls.some((control) => form.contains(control))
    ? new Set(strong.filter((p) => form.contains(p.el)).map((p) => p.candidate.value)) : new Set();
  const buyForm = named && formAmounts.size === 1;
  // Or a named heading that shares a block with the product's own buy controls (the block closest to the
  // heading that holds one) and no other, with one price to pay in that block: the product's own part of a
  // page whose side column offers other products, each with its price and buy button, fewer levels down
  // than the product's price in its table (an old shop's layout). A listing's block holds all its tiles.
  const block = ownControls.length > 0 && ownControls.length < buyControls.length ? sharedBlock(heading.el, ownControls[0]!) : null;
  const blockAmounts = block === null || block.parentElement === null || block.tagName === 'BODY' ? null
    : new Set(strong.filter((p) => block.contains(p.el)).map((p) => p.candidate.value));
  const ownBlock = named && blockAmounts !== null && blockAmounts.size === 1 && buyControls.every((control) => ownControls.includes(control) || !block!.contains(control));
  // A grid's tile title (one of several headings alike) speaks for no page, however it is named.
  const bypass = ownHeading || (e.alike !== true && (dominant || standout || buyForm || ownBlock));
  if (!bypass && (amounts.size > 6 || (buyControls.length > 4 && amounts.size > 3) || (buyControls.length === 0 && amounts.size >= 3))) return false;
  const buyable = buyControls.length > 0 && (buyControls.length <= 4 || ownHeading);
  return named && ((strong.length > 0 && (hasImage || buyable)) || (hasImage && buyable && e.productLabelled === true));
}

/** The closest element holding both. */
function sharedBlock(a: Element, b: Element): Element | null {
  for (let node: Element | null = a; node; node = node.parentElement) if (node.contains(b)) return node;
  return null;
}

/**
 * The layout with only the product's own buy controls, once its heading is known: those that share the
 * heading's closest block, and of those the nearest. Other products on the page (bought together, other
 * sellers' offers, a side column's offers) have buy buttons of their own beside their own prices, which
 * must not count as beside the product's. A side column's tiles may sit fewer levels below the page's
 * wrapper than the product's own button below the product's block (a Slovak shop's table layout): the
 * block they share with the heading decides first, the levels from the button to it only among equals.
 */
function ownBuyControls(layout: Layout, heading: Element | undefined): Layout {
  if (!heading || layout.buyControls.length < 2) return layout;
  const headingLevels = new Map<Element, number>();
  for (let node: Element | null = heading, level = 0; node; node = node.parentElement, level += 1) headingLevels.set(node, level);
  const shared = layout.buyControls.map((control) => {
    for (let node: Element | null = control, level = 0; node && level < 40; node = node.parentElement, level += 1) {
      const up = headingLevels.get(node);
      if (up !== undefined) return { up, level };
    }
    return { up: 99, level: 99 };
  });
  const closest = Math.min(...shared.map((s) => s.up));
  if (closest >= 99) return layout;
  const nearest = Math.min(...shared.filter((s) => s.up === closest).map((s) => s.level));
  const own = layout.buyControls.filter((_, i) => shared[i]!.up === closest && shared[i]!.level <= nearest + 1);
  return own.length === layout.buyControls.length ? layout : { ...layout, buyControls: own, toBuy: distanceTo(own) };
}

/** Milliseconds each pass of one capture took, by pass name (for the benchmark's per-page view). */
export type PassTimes = Record<string, number>;

/** Runs one pass, adding its time to `times` when they are asked for (no clock is read otherwise). */
function timed<T>(times: PassTimes | undefined, pass: string, run: () => T): T {
  if (!times) return run();
  const started = performance.now();
  try {
    return run();
  } finally {
    times[pass] = (times[pass] ?? 0) + performance.now() - started;
  }
}

/**
 * `explain` receives every scored candidate; `times`, when given, receives each pass's milliseconds
 * (meta, json-ld, microdata, rdfa, open-graph, layout, titles, prices, variants, images, scoring).
 */
export function extractProduct(doc: Document, pageUrl: string, explain?: (scored: Choice[]) => void, times?: PassTimes): CapturedProduct | null {
  try {
    const page = new URL(pageUrl);
    if (page.protocol !== 'http:' && page.protocol !== 'https:') return null;
    const pass = <T>(name: string, run: () => T) => timed(times, name, run);
    const tags = pass('meta', () => metaTags(doc));
    const structured = [pass('json-ld', () => fromJsonLd(doc, pageUrl)), pass('microdata', () => fromMicrodata(doc, pageUrl)),
      pass('rdfa', () => fromRdfa(doc, pageUrl)), pass('open-graph', () => fromOpenGraph(doc, pageUrl, tags))]
      .filter((r): r is SourceResult => r !== null);
    // A page its markup calls a list of products (a category: an ItemList named as its heading) is no product page.
    if (structured.some((r) => r.listing === true) && !structured.some((r) => r.isProduct)) return null;
    let markupCurrency = pick(structured, 'currency')?.value;
    let hints: PageHints = { lang: doc.documentElement?.getAttribute('lang'), hostname: page.hostname, currency: markupCurrency ?? null };
    const layout = pass('layout', () => pageLayout(doc));

    // Title first: the chosen heading is where the price and the image are looked for.
    const pageTitles = pass('titles', () => titleCandidates(layout, `${doc.title ?? ''} ${tags.get('og:title') ?? tags.get('twitter:title') ?? ''}`));
    const titleChoice = pass('scoring', () => chooseFields([...structuredCandidates(structured, 'title'), ...pageTitles.map((p) => p.candidate)]).title);
    const headingOf = (text: string) => pageTitles.filter((t) => String(t.candidate.value).includes(text) || text.includes(String(t.candidate.value)))
      .sort((a, b) => pageScore(b.candidate) - pageScore(a.candidate))[0];
    const heading = titleChoice ? (pageTitles.find((t) => t.candidate === titleChoice.candidate) ?? headingOf(String(titleChoice.candidate.value))) : undefined;
    const ownLayout = ownBuyControls(layout, heading?.el);
    const readPrices = () => withVariants(pass('prices', () => priceCandidates(ownLayout, heading?.el ?? null, hints)), pass('variants', () => variantPrices(doc, pageUrl, hints)));
    let pagePrices = readPrices();
    if (markupCurrency !== undefined && switchedDollar(structured, pagePrices, markupCurrency, hints)) {
      // The page's "$" is the country's own, not the markup's: its prices are read again without the markup's currency.
      hints = { ...hints, currency: null };
      markupCurrency = undefined;
      pagePrices = readPrices();
    }
    // A markup that says USD on the shop of a country with a dollar of its own ("$149.95" on a .com.au page: an SEO
    // app's default): the page's prices are read again without it, and where the markup's amount is shown in the
    // country's dollar, that is the currency the shopper pays in. A page that writes "US$" still says USD.
    let localDollar: string | undefined;
    if (markupCurrency === 'USD' && hints.currency === 'USD') {
      const local = dollarCurrency({ ...hints, currency: null });
      const markupPrice = markupPriceIn(structured, 'USD');
      if (local !== 'USD' && DOLLAR_SIGN_CURRENCIES.has(local) && markupPrice !== undefined) {
        const withMarkup = hints;
        hints = { ...hints, currency: null };
        const again = readPrices();
        if (again.some((p) => !p.candidate.evidence.elsewhere && p.candidate.value === markupPrice && p.candidate.currency === local)) {
          pagePrices = again;
          localDollar = local;
        } else {
          hints = withMarkup;
        }
      }
    }
    const markupImages = structured.map((r) => r.fields.imageUrl).filter((u): u is string => typeof u === 'string');
    const pageImages = pass('images', () => imageCandidates(layout, heading?.el ?? null, titleChoice ? String(titleChoice.candidate.value) : null, documentBase(doc, pageUrl), markupImages,
      shownVariantImage(doc, pageUrl, markupImages)));

    const isMarkupProduct = structured.some((r) => r.isProduct);
    // An article, a blog post or a profile is never a product page, whatever prices it mentions, unless
    // its main heading is named as a product's title with a buy control beside it (within three levels: a
    // Japanese bookshop's "goods_ttl" in its centre column, the cart box in the right one): WordPress SEO
    // plugins call every WooCommerce product page an article ("product_title" <h1>, "Lisää ostoskoriin"). The
    // heading is an <h1>, or any heading so named where the page's only <h1> is its logo (an article's
    // <h1> is its own title).
    const ogType = tags.get('og:type')?.toLowerCase() ?? '';
    const noOwnH1 = !pageTitles.some((t) => t.candidate.evidence.h1 === true && t.candidate.evidence.elsewhere !== true);
    const productHeading = heading !== undefined && (heading.candidate.evidence.h1 === true || noOwnH1) && heading.candidate.evidence.productLabelled === true
      && (heading.candidate.evidence.toBuy ?? 99) <= 3;
    if (!isMarkupProduct && /article|blog|profile|video|music/.test(ogType) && !productHeading) return null;
    if (explain) explain(scoreCandidates([...pageTitles, ...pagePrices, ...pageImages].map((c) => c.candidate)));
    if (!isMarkupProduct && !pass('scoring', () => looksLikeProductPage(heading, pagePrices, layout.buyControls, pageImages.some((i) => pageScore(i.candidate) > 3), ownLayout.buyControls))) return null;

    const candidates = [
      ...structuredCandidates(structured, 'title'), ...pageTitles.map((t) => t.candidate),
      ...markupPrices(structured, pagePrices, markupCurrency, localDollar), ...pagePrices.map((p) => p.candidate),
      ...structuredCandidates(structured, 'image', () => siteImages(doc, page)), ...pageImages.map((i) => i.candidate),
    ];
    if (explain) explain(scoreCandidates(candidates));
    const chosen = pass('scoring', () => chooseFields(candidates));
    const title = chosen.title;
    if (!title) return null;
    const price = chosen.price;
    // A price without its currency takes the one the same amount is shown with, else the markup's, else
    // the one the page's other prices are in, else that of the country the page sells in.
    const agreeing = price && candidates.find((c) => c.field === 'price' && c.value === price.candidate.value && c.currency && c.currency !== 'unknown');
    const currency = price ? (price.candidate.currency !== 'unknown' ? price.candidate.currency! : agreeing?.currency ?? markupCurrency ?? pageCurrency(pagePrices) ?? countryCurrency(hints) ?? 'unknown') : 'unknown';
    const priceMinor = price ? Number(price.candidate.value) : null;
    const otherPrices = structured.filter((r) => r.fields.priceMinor !== undefined && r.fields.priceMinor > 0 && r.fields.priceMinor !== priceMinor)
      .map((r) => ({ source: r.source, priceMinor: r.fields.priceMinor!, currency: r.fields.currency ?? currency }));
    const { url, origin: urlOrigin } = canonicalUrl(doc, structured, pageUrl);
    const brand = pick(structured, 'brand');
    const sku = pick(structured, 'sku');
    const gtin = pick(structured, 'gtin');
    const availability = pick(structured, 'availability');
    const variant = pick(structured, 'variant');
    const origins: Record<string, FieldOrigin> = { title: { source: title.candidate.source, confidence: title.confidence } };
    if (price) origins.price = { source: price.candidate.source, confidence: price.confidence };
    if (chosen.image) origins.image = { source: chosen.image.candidate.source, confidence: chosen.image.confidence };
    if (urlOrigin) origins.url = urlOrigin;
    for (const [key, found] of Object.entries({ brand, sku, gtin, availability, variant })) if (found) origins[key] = found.origin;
    return {
      url,
      shop: page.hostname.replace(/^www\./, ''),
      title: String(title.candidate.value),
      priceMinor,
      currency,
      imageUrl: chosen.image ? String(chosen.image.candidate.value) : null,
      variant: variant?.value ?? null,
      brand: brand?.value ?? null,
      sku: sku?.value ?? null,
      gtin: gtin?.value ?? null,
      availability: availabilityOf(availability?.value),
      source: structured.find((r) => r.isProduct)?.source ?? 'heuristic',
      origins,
      otherPrices,
    };
  } catch {
    return null;
  }
}
