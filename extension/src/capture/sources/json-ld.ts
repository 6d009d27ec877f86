/**
 * Reads schema.org Product data from a page's JSON-LD blocks: several blocks, @graph, arrays, @type as
 * string or array in any case or prefix, ProductGroup/hasVariant, offers as object or array, Offer,
 * AggregateOffer and priceSpecification. Malformed blocks are skipped; sizes and depth are capped.
 */
import { normaliseCode } from '../currency.ts';
import { toMinorUnits } from '../price.ts';
import { cleanText, httpUrl } from '../text.ts';
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
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value === 'object' && value !== null) {
      const id = (value as Node)['@id'];
      if (typeof id === 'string' && Object.keys(value).length === 1) return byId.get(id) ?? value;
    }
    return value;
  };
  return resolve;
}

export function firstOffer(node: Node, pageUrl?: string): Node | null {
  const offers = node.offers;
  const list = (Array.isArray(offers) ? offers : [offers]).flatMap((o) => {
    if (typeof o !== 'object' || o === null) return [];
    // An AggregateOffer may list its offers; those carry the prices.
    const inner = (o as Node).offers;
    return Array.isArray(inner) && (o as Node).lowPrice === undefined && (o as Node).price === undefined ? inner : [o];
  }).filter((o): o is Node => typeof o === 'object' && o !== null);
  // The offer of the variant the page shows (Shopify: ?variant=…), else the first with a price.
  const forPage = pageUrl ? list.find((offer) => typeof offer.url === 'string' && sameUrl(offer.url, pageUrl)) : undefined;
  return forPage ?? list.find((offer) => offer.price !== undefined || offer.lowPrice !== undefined || offer.priceSpecification !== undefined)
    ?? list[0] ?? null;
}

function sameUrl(a: string, b: string): boolean {
  try {
    const x = new URL(a, b);
    const y = new URL(b);
    return x.origin === y.origin && x.pathname.replace(/\/$/, '') === y.pathname.replace(/\/$/, '') && x.search === y.search;
  } catch {
    return false;
  }
}

export interface OfferPrice {
  readonly price: unknown;
  readonly currency: unknown;
}

export function offerPrice(offer: Node | null): OfferPrice | null {
  if (!offer) return null;
  const spec = Array.isArray(offer.priceSpecification) ? offer.priceSpecification[0] : offer.priceSpecification;
  const specNode = typeof spec === 'object' && spec !== null ? spec as Node : null;
  const price = offer.price ?? offer.lowPrice ?? specNode?.price ?? specNode?.minPrice;
  const currency = offer.priceCurrency ?? specNode?.priceCurrency;
  return price === undefined ? null : { price, currency };
}

// ---- the JSON-LD source --------------------------------------------------------------------------

/** Several products on a page (related items in an ItemList): the one the page is about. */
function mainProduct(products: readonly Node[], doc: Document, pageUrl: string): Node | undefined {
  if (products.length <= 1) return products.find((node) => cleanText(node.name));
  const heading = cleanText(doc.querySelector('h1')?.textContent)?.toLowerCase() ?? '';
  const canonical = doc.querySelector('link[rel="canonical" i]')?.getAttribute('href') ?? pageUrl;
  const score = (node: Node) => {
    const name = cleanText(node.name)?.toLowerCase() ?? '';
    let points = name ? 1 : -10;
    if (typeof node.url === 'string' && (sameUrl(node.url, pageUrl) || sameUrl(node.url, new URL(canonical, pageUrl).href))) points += 4;
    if (heading && name && (heading.includes(name) || name.includes(heading))) points += 3;
    if (node.offers) points += 1;
    return points;
  };
  return [...products].sort((a, b) => score(b) - score(a))[0];
}

function pickProduct(doc: Document, nodes: Node[], pageUrl: string): Node | null {
  const products = nodes.filter((node) => typesOf(node).includes('product') && !nodes.some((group) =>
    typesOf(group).includes('productgroup') && Array.isArray(group.hasVariant) && group.hasVariant.includes(node)));
  const group = nodes.find((node) => typesOf(node).includes('productgroup'));
  if (group) {
    const variants = (Array.isArray(group.hasVariant) ? group.hasVariant : [group.hasVariant])
      .filter((v): v is Node => typeof v === 'object' && v !== null);
    const chosen = variants.find((v) => httpUrl(v.url, pageUrl) === pageUrl) ?? (products.length === 0 ? variants[0] : undefined);
    if (chosen) return { ...group, ...chosen, name: chosen.name ?? group.name, image: chosen.image ?? group.image, brand: chosen.brand ?? group.brand };
    if (products.length === 0) return group;
  }
  return mainProduct(products, doc, pageUrl) ?? null;
}

function nameOf(value: unknown): string | null {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return cleanText((value as Node).name, 120);
  return cleanText(value, 120);
}

export function fromJsonLd(doc: Document, pageUrl: string): SourceResult | null {
  const nodes = jsonLdNodes(doc);
  const found = pickProduct(doc, nodes, pageUrl);
  if (!found) return null;
  const resolve = resolver(nodes);
  const product: Node = { ...found, offers: resolve(found.offers), image: resolve(found.image), brand: resolve(found.brand) };
  const firstFound = firstOffer(product, pageUrl);
  const offerNode: Node | null = firstFound ? { ...firstFound, priceSpecification: resolve(firstFound.priceSpecification) } : null;
  const offer = offerPrice(offerNode);
  const currencyText = typeof offer?.currency === 'string' ? offer.currency.trim().toUpperCase() : '';
  const currency = /^[A-Z]{3}$/.test(currencyText) ? normaliseCode(currencyText) : undefined;
  const variantParts = [product.color, product.size].map((part) => cleanText(part, 60)).filter(Boolean);
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
      variant: variantParts.length > 0 ? variantParts.join(' / ') : undefined,
    }),
  };
}
