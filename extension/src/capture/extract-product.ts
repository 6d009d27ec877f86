/**
 * Recognises the product on a page: a Document and the page URL in, a product out (or null when the
 * page is not a product page). No platform code beyond the DOM; never throws. Spec: docs/capture.md.
 *
 * Sources, most trusted first: JSON-LD, microdata, RDFa, OpenGraph/product meta tags, then heuristics
 * on the page as shown. Each field comes from the most trusted source that has it, and records where
 * it came from and how sure the capture is; a price another source states differently is kept too.
 */
import type { ProductInput } from '@tote/core';
import type { PageHints } from './currency.ts';
import { fromHeuristics, type HeuristicResult } from './sources/heuristics.ts';
import { fromJsonLd } from './sources/json-ld.ts';
import { fromMicrodata, fromRdfa } from './sources/microdata.ts';
import { fromOpenGraph } from './sources/open-graph.ts';
import type { FieldSource, FoundFields, SourceResult } from './sources/source-types.ts';
import { httpUrl } from './text.ts';

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
  readonly availability: string | null;
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
 * Prefer what the shopper sees: when the markup's price is shown on the page as the old, struck-out
 * price and a lower price is shown next to the product's name and buy button, that lower price is the
 * one to pay (shops often leave the regular price in their markup during a sale).
 */
function shownPrice(priced: SourceResult | undefined, heuristic: HeuristicResult | null): SourceResult | undefined {
  if (!priced || !heuristic || priced === heuristic) return priced;
  const markup = priced.fields.priceMinor!;
  const currency = priced.fields.currency;
  const visible = heuristic.visiblePrices.filter((p) => !currency || p.currency === currency);
  const top = visible.find((p) => !p.old);
  const markupShownAsOld = visible.some((p) => p.old && p.amountMinor === markup);
  if (top && markupShownAsOld && top.amountMinor < markup && top.score >= 4) {
    return { source: 'heuristic', isProduct: true, fields: { priceMinor: top.amountMinor, currency: top.currency } };
  }
  return priced;
}

export function extractProduct(doc: Document, pageUrl: string): CapturedProduct | null {
  try {
    const page = new URL(pageUrl);
    if (page.protocol !== 'http:' && page.protocol !== 'https:') return null;
    const structured = [fromJsonLd(doc, pageUrl), fromMicrodata(doc, pageUrl), fromRdfa(doc, pageUrl), fromOpenGraph(doc, pageUrl)]
      .filter((r): r is SourceResult => r !== null);
    const hints: PageHints = {
      lang: doc.documentElement?.getAttribute('lang'),
      hostname: page.hostname,
      currency: pick(structured, 'currency')?.value ?? null,
    };
    const heuristic = fromHeuristics(doc, pageUrl, hints);
    if (!structured.some((r) => r.isProduct) && !heuristic?.isProduct) return null;

    // Title: markup first, then the page's main heading, then OpenGraph (often "Product | Shop").
    const titleOrder = [...structured.filter((r) => r.source !== 'open-graph'), ...(heuristic ? [heuristic] : []), ...structured.filter((r) => r.source === 'open-graph')];
    const all = [...structured, ...(heuristic ? [heuristic] : [])];
    const title = pick(titleOrder, 'title');
    if (!title) return null;
    // Price and currency always come from the same source.
    // A price of 0 is a placeholder (price on request, a template's default), not a price.
    const priced = shownPrice(all.find((r) => r.fields.priceMinor !== undefined && r.fields.priceMinor > 0), heuristic);
    // A markup price without its currency takes the one another source states.
    const currency = priced?.fields.currency ?? (priced ? pick(all, 'currency')?.value : undefined) ?? 'unknown';
    const otherPrices = all.filter((r) => r.fields.priceMinor !== undefined && r.fields.priceMinor !== priced?.fields.priceMinor)
      .map((r) => ({ source: r.source, priceMinor: r.fields.priceMinor!, currency: r.fields.currency ?? currency }));
    const image = pick(all, 'imageUrl');
    const { url, origin: urlOrigin } = canonicalUrl(doc, structured, pageUrl);
    const brand = pick(all, 'brand');
    const sku = pick(all, 'sku');
    const gtin = pick(all, 'gtin');
    const availability = pick(all, 'availability');
    const variant = pick(all, 'variant');
    const origins: Record<string, FieldOrigin> = { title: title.origin };
    if (priced) origins.price = { source: priced.source, confidence: CONFIDENCE[priced.source] };
    if (image) origins.image = image.origin;
    if (urlOrigin) origins.url = urlOrigin;
    for (const [key, found] of Object.entries({ brand, sku, gtin, availability, variant })) if (found) origins[key] = found.origin;
    return {
      url,
      shop: page.hostname.replace(/^www\./, ''),
      title: title.value!,
      priceMinor: priced?.fields.priceMinor ?? null,
      currency,
      imageUrl: image?.value ?? null,
      variant: variant?.value ?? null,
      brand: brand?.value ?? null,
      sku: sku?.value ?? null,
      gtin: gtin?.value ?? null,
      availability: availability?.value ?? null,
      source: (structured.find((r) => r.isProduct) ?? heuristic ?? structured[0]!).source,
      origins,
      otherPrices,
    };
  } catch {
    return null;
  }
}
