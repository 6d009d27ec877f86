/**
 * Recognises the product on a page: a Document and the page URL in, a product out (or null when the
 * page is not a product page). No platform code beyond the DOM; never throws.
 */
import type { ProductInput } from '@tote/core';
import { firstOffer, jsonLdNodes, offerPrice, typesOf } from './json-ld.ts';
import { toMinorUnits } from './price.ts';
import { cleanText, httpUrl } from './text.ts';

export interface CapturedProduct extends ProductInput {
  readonly shop: string;
  readonly source: 'json-ld';
}

type Node = Record<string, unknown>;

function pickProduct(nodes: Node[], pageUrl: string): Node | null {
  const products = nodes.filter((node) => typesOf(node).includes('product'));
  if (products.length > 0) return products.find((node) => cleanText(node.name)) ?? null;
  const group = nodes.find((node) => typesOf(node).includes('productgroup'));
  if (!group) return null;
  const variants = (Array.isArray(group.hasVariant) ? group.hasVariant : [group.hasVariant])
    .filter((v): v is Node => typeof v === 'object' && v !== null);
  const chosen = variants.find((v) => httpUrl(v.url, pageUrl) === pageUrl) ?? variants[0];
  return chosen ? { ...group, ...chosen, name: chosen.name ?? group.name, image: chosen.image ?? group.image } : group;
}

function canonicalUrl(doc: Document, product: Node, pageUrl: string): string {
  const fromMarkup = httpUrl(product.url, pageUrl)
    ?? httpUrl(doc.querySelector('link[rel="canonical" i]')?.getAttribute('href'), pageUrl)
    ?? httpUrl(doc.querySelector('meta[property="og:url" i]')?.getAttribute('content'), pageUrl);
  const url = new URL(fromMarkup ?? pageUrl);
  url.hash = '';
  return url.href;
}

export function extractProduct(doc: Document, pageUrl: string): CapturedProduct | null {
  try {
    const page = new URL(pageUrl);
    if (page.protocol !== 'http:' && page.protocol !== 'https:') return null;
    const product = pickProduct(jsonLdNodes(doc), pageUrl);
    if (!product) return null;
    const title = cleanText(product.name);
    if (!title) return null;
    const offer = offerPrice(firstOffer(product));
    const currencyText = typeof offer?.currency === 'string' ? offer.currency.trim().toUpperCase() : '';
    const currency = /^[A-Z]{3}$/.test(currencyText) ? currencyText : 'unknown';
    const variantParts = [product.color, product.size].map((part) => cleanText(part, 60)).filter(Boolean);
    return {
      url: canonicalUrl(doc, product, pageUrl),
      shop: page.hostname.replace(/^www\./, ''),
      title,
      priceMinor: offer ? toMinorUnits(offer.price, currency) : null,
      currency,
      imageUrl: httpUrl(product.image, pageUrl),
      variant: variantParts.length > 0 ? variantParts.join(' / ') : null,
      source: 'json-ld',
    };
  } catch {
    return null;
  }
}
