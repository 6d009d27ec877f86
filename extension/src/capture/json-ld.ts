/**
 * Reads schema.org Product data from a page's JSON-LD blocks: several blocks, @graph, arrays, @type as
 * string or array in any case or prefix, ProductGroup/hasVariant, offers as object or array, Offer,
 * AggregateOffer and priceSpecification. Malformed blocks are skipped; sizes and depth are capped.
 */
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

export function firstOffer(node: Node): Node | null {
  const offers = node.offers;
  const list = (Array.isArray(offers) ? offers : [offers]).filter((o): o is Node => typeof o === 'object' && o !== null);
  return list.find((offer) => offer.price !== undefined || offer.lowPrice !== undefined || offer.priceSpecification !== undefined)
    ?? list[0] ?? null;
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
