/**
 * Reads schema.org Product data from a page's JSON-LD blocks: several blocks, @graph, arrays, @type as
 * string or array in any case or prefix, ProductGroup/hasVariant, offers as object or array, Offer,
 * AggregateOffer and priceSpecification. Malformed blocks are skipped; sizes and depth are capped.
 */
import { currencyInText, normaliseCode } from '../currency.ts';
import { toMinorUnits } from '../price.ts';
import { cleanText, httpUrl } from '../text.ts';
import { bestForPage, pageMatch } from '../url-match.ts';
import { availabilityName, defined, type SourceResult } from './source-types.ts';

type Node = Record<string, unknown>;

const MAX_BLOCK_CHARS = 1_000_000;
const MAX_DEPTH = 12;
const MAX_NODES = 5_000;

function parseBlock(text: string): unknown {
  const trimmed = text.trim()
    .replace(/^<!--/, '').replace(/-->$/, '')
    .replace(/^\/\/\s*<!\[CDATA\[/, '').replace(/\/\/\s*\]\]>$/, '')
    .replace(/^<!\[CDATA\[/, '').replace(/\]\]>$/, '').trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    try {
      return JSON.parse(trimmed.replace(/,\s*([}\]])/g, '$1')); // trailing commas
    } catch {
      return undefined;
    }
  }
}

export function typesOf(node: Node): string[] {
  const type = node['@type'];
  const list = Array.isArray(type) ? type : [type];
  return list.filter((t): t is string => typeof t === 'string')
    .map((t) => t.replace(/^(https?:\/\/schema\.org\/|schema:)/i, '').toLowerCase());
}

/** Every object node in the blocks, flattened through arrays, @graph and nesting (bounded). */
export function jsonLdNodes(doc: Document): Node[] {
  const nodes: Node[] = [];
  const visit = (value: unknown, depth: number) => {
    if (depth > MAX_DEPTH || nodes.length >= MAX_NODES || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const entry of value) visit(entry, depth + 1);
      return;
    }
    const node = value as Node;
    nodes.push(node);
    for (const [key, child] of Object.entries(node)) {
      if (key === '@graph' || key === 'mainEntity' || key === 'itemListElement' || key === 'item') visit(child, depth + 1);
    }
  };
  for (const script of Array.from(doc.querySelectorAll('script[type="application/ld+json" i]'))) {
    const text = script.textContent ?? '';
    if (text.length > MAX_BLOCK_CHARS) continue;
    visit(parseBlock(text), 0);
  }
  return nodes;
}

/** Replaces a bare {"@id": …} reference by the node it names, when the page defines it. */
function resolver(nodes: readonly Node[]): (value: unknown) => unknown {
  const byId = new Map<string, Node>();
  for (const node of nodes) {
    const id = node['@id'];
    if (typeof id === 'string' && Object.keys(node).length > 1 && !byId.has(id)) byId.set(id, node);
  }
  const resolve = (value: unknown, depth = 0): unknown => {
    if (depth > MAX_DEPTH) return undefined;
    if (Array.isArray(value)) return value.slice(0, MAX_NODES).map((entry) => resolve(entry, depth + 1));
    if (typeof value === 'object' && value !== null) {
      const id = (value as Node)['@id'];
      if (typeof id === 'string' && Object.keys(value).length === 1) return byId.get(id) ?? value;
    }
    return value;
  };
  return (value) => resolve(value);
}

export function firstOffer(node: Node, pageUrl?: string): Node | null {
  const offers = node.offers;
  const list = (Array.isArray(offers) ? offers : [offers]).flatMap((o) => {
    if (typeof o !== 'object' || o === null) return [];
    // An AggregateOffer may list its offers; those carry the prices.
    const inner = (o as Node).offers;
    if (!Array.isArray(inner) || (o as Node).lowPrice !== undefined || (o as Node).price !== undefined) return [o];
    // Its currency stands for theirs when they state none.
    const currency = (o as Node).priceCurrency;
    return inner.map((entry: unknown) => (currency !== undefined && typeof entry === 'object' && entry !== null && (entry as Node).priceCurrency === undefined
      ? { ...(entry as Node), priceCurrency: currency } : entry));
  }).filter((o): o is Node => typeof o === 'object' && o !== null);
  // The offer of the variant the page shows (Shopify: ?variant=…), else the first with a price.
  const forPage = pageUrl ? bestForPage(list, (offer) => offer.url, pageUrl) : [];
  const priced = (offer: Node) => offer.price !== undefined || offer.lowPrice !== undefined || offer.priceSpecification !== undefined;
  return forPage.find(priced) ?? forPage[0] ?? list.find(priced) ?? list[0] ?? null;
}

export interface OfferPrice {
  readonly price: unknown;
  readonly currency: unknown;
}

export function offerPrice(offer: Node | null): OfferPrice | null {
  if (!offer) return null;
  const spec = Array.isArray(offer.priceSpecification) ? offer.priceSpecification[0] : offer.priceSpecification;
  const specNode = typeof spec === 'object' && spec !== null ? spec as Node : null;
  // An AggregateOffer's price is its lowest ("from"); an Offer's is its price.
  const own = typesOf(offer).includes('aggregateoffer') ? offer.lowPrice ?? offer.price : offer.price ?? offer.lowPrice;
  const price = own ?? specNode?.price ?? specNode?.minPrice;
  const currency = offer.priceCurrency ?? specNode?.priceCurrency;
  return price === undefined ? null : { price, currency };
}

// ---- the JSON-LD source --------------------------------------------------------------------------

/** The page's first <h1>, lower-cased, for comparing with names in its markup ('' when it has none). */
function headingText(doc: Document): string {
  return cleanText(doc.querySelector('h1')?.textContent)?.toLowerCase() ?? '';
}

/** Several products on a page (related items in an ItemList): the one the page is about. */
function mainProduct(products: readonly Node[], doc: Document, pageUrl: string, listed: boolean): Node | undefined {
  if (products.length <= 1) return products.find((node) => cleanText(node.name));
  const heading = headingText(doc);
  const canonical = httpUrl(doc.querySelector('link[rel="canonical" i]')?.getAttribute('href'), pageUrl) ?? pageUrl;
  const onPage = (url: unknown) => pageMatch(url, pageUrl) >= 0 || pageMatch(url, canonical) >= 0;
  const score = (node: Node) => {
    const name = cleanText(node.name)?.toLowerCase() ?? '';
    let points = name ? 1 : -10;
    // The product's own address, or its offer's where the product names none (EC-CUBE's, after a recommended product's block).
    if (onPage(node.url) || (node.url === undefined && [node.offers].flat().some((offer) => typeof offer === 'object' && offer !== null && onPage((offer as Node).url)))) points += 4;
    if (heading && name && (heading.includes(name) || name.includes(heading))) points += 3;
    if (node.offers) points += 1;
    return points;
  };
  const best = [...products].sort((a, b) => score(b) - score(a))[0];
  // A listing's items (an ItemList of three products or more), none of them the page's by its address or
  // heading: a category page, not one of its products ("Men's Rain Jackets" over 187 jackets).
  if (listed && products.length >= 3 && best && score(best) < 4) return undefined;
  return best;
}

/**
 * The page's markup says it is a list of products: an ItemList of three items or more named as the page's
 * <h1> ("OLED TV" over 148 television sets), and no product of its own.
 */
function listsProducts(doc: Document, nodes: readonly Node[]): boolean {
  const heading = headingText(doc);
  if (!heading) return false;
  return nodes.some((node) => {
    if (!typesOf(node).includes('itemlist') || !Array.isArray(node.itemListElement) || node.itemListElement.length < 3) return false;
    const name = cleanText(node.name)?.toLowerCase();
    if (!name) return false;
    return name === heading || name.startsWith(`${heading} `) || heading.startsWith(`${name} `);
  });
}

function pickProduct(doc: Document, nodes: Node[], pageUrl: string, resolve: (value: unknown) => unknown): Node | null {
  const products = nodes.filter((node) => typesOf(node).includes('product') && !nodes.some((group) =>
    typesOf(group).includes('productgroup') && Array.isArray(group.hasVariant) && group.hasVariant.includes(node)));
  const group = nodes.find((node) => typesOf(node).includes('productgroup'));
  if (group) {
    const variants = [resolve(group.hasVariant)].flat()
      .filter((v): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v));
    // The variant the page shows (its URL or its offer's, e.g. ?variant=…), else the first one.
    const urlOf = (v: Node) => v.url ?? [resolve(v.offers)].flat().map((o) => (typeof o === 'object' && o !== null ? (o as Node).url : undefined)).find((u) => u !== undefined);
    const chosen = bestForPage(variants, urlOf, pageUrl)[0] ?? (products.length === 0 ? variants[0] : undefined);
    if (chosen) return { ...group, ...chosen, name: chosen.name ?? group.name, image: chosen.image ?? group.image, brand: chosen.brand ?? group.brand };
    if (products.length === 0) return group;
  }
  return mainProduct(products, doc, pageUrl, nodes.some((node) => typesOf(node).includes('itemlist'))) ?? null;
}

/**
 * The chosen variant: the product's color and size; else the offer's own name when it differs from the
 * product's ("Blue / XL"); else, when the product has several offers, the chosen offer's SKU.
 */
function variantOf(product: Node, offer: Node | null): string | undefined {
  const parts = [product.color, product.size].map((part) => cleanText(part, 60)).filter((part): part is string => part !== null);
  if (parts.length > 0) return parts.join(' / ');
  const offerName = cleanText(offer?.name, 120);
  const productName = cleanText(product.name);
  if (offerName && offerName.toLowerCase() !== productName?.toLowerCase() && !/^default title$/i.test(offerName)) return offerName;
  const offerSku = cleanText(offer?.sku, 80);
  const several = Array.isArray(product.offers) && product.offers.length > 1;
  return offerSku && several && offerSku !== cleanText(product.sku, 80) ? offerSku : undefined;
}

function nameOf(value: unknown): string | null {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return cleanText((value as Node).name, 120);
  return cleanText(value, 120);
}

function hostOf(pageUrl: string): string | null {
  try {
    return new URL(pageUrl).hostname;
  } catch {
    return null;
  }
}

export function fromJsonLd(doc: Document, pageUrl: string): SourceResult | null {
  const nodes = jsonLdNodes(doc);
  const resolve = resolver(nodes);
  const found = pickProduct(doc, nodes, pageUrl, resolve);
  if (!found) return listsProducts(doc, nodes) ? { source: 'json-ld', isProduct: false, listing: true, fields: {} } : null;
  const product: Node = { ...found, offers: resolve(found.offers), image: resolve(found.image), brand: resolve(found.brand) };
  const firstFound = firstOffer(product, pageUrl);
  const offerNode: Node | null = firstFound ? { ...firstFound, priceSpecification: resolve(firstFound.priceSpecification) } : null;
  const offer = offerPrice(offerNode);
  const currencyText = typeof offer?.currency === 'string' ? offer.currency.trim().toUpperCase() : '';
  // Without a stated currency, the one the price's own text names ("49,90 EUR", "€49.90").
  const currency = /^[A-Z]{3}$/.test(currencyText) ? normaliseCode(currencyText)
    : typeof offer?.price === 'string' ? currencyInText(offer.price, { hostname: hostOf(pageUrl), lang: doc.documentElement?.getAttribute('lang') }) ?? undefined : undefined;
  const variant = variantOf(product, offerNode);
  return {
    source: 'json-ld',
    isProduct: true,
    fields: defined({
      title: cleanText(product.name),
      priceMinor: offer ? toMinorUnits(offer.price, currency ?? 'unknown') : undefined,
      currency,
      imageUrl: httpUrl(product.image, pageUrl),
      url: httpUrl(product.url, pageUrl) ?? httpUrl(offerNode?.url, pageUrl),
      brand: nameOf(product.brand),
      sku: cleanText(product.sku, 80),
      gtin: cleanText(product.gtin13 ?? product.gtin ?? product.gtin12 ?? product.gtin14 ?? product.gtin8 ?? product.isbn, 40),
      availability: availabilityName(offerNode?.availability),
      variant,
      priceIsLowest: offerNode !== null && typesOf(offerNode).includes('aggregateoffer') && offerNode.lowPrice !== undefined ? true : undefined,
    }),
  };
}
