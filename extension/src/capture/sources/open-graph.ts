/** OpenGraph and product meta tags: og:title/og:image/og:url, og:price:*, product:price:*, twitter:*. */
import { normaliseCode } from '../currency.ts';
import { toMinorUnits } from '../price.ts';
import { cleanText, httpUrl } from '../text.ts';
import { availabilityName, defined, type SourceResult } from './source-types.ts';

/**
 * The page's meta tags by property, name or itemprop (lower case), first non-empty content kept: one
 * pass over the <meta> elements, instead of a document-wide selector per name (a page of 5,000
 * elements took milliseconds per name).
 */
export function metaTags(doc: Document): ReadonlyMap<string, string> {
  const found = new Map<string, string>();
  const metas = doc.getElementsByTagName('meta');
  for (let i = 0; i < Math.min(metas.length, 2000); i += 1) {
    const el = metas[i]!;
    const content = el.getAttribute('content')?.trim();
    if (!content) continue;
    for (const attribute of ['property', 'name', 'itemprop']) {
      const key = el.getAttribute(attribute)?.trim().toLowerCase();
      if (key && !found.has(key)) found.set(key, content);
    }
  }
  return found;
}

function meta(tags: ReadonlyMap<string, string>, ...names: string[]): string | null {
  for (const name of names) {
    const value = tags.get(name);
    if (value) return value;
  }
  return null;
}

/** og:title is often the site's name, or "Product | Site": keep only the product part. */
function productTitle(tags: ReadonlyMap<string, string>, pageUrl: string): string | null {
  const title = cleanText(meta(tags, 'og:title', 'twitter:title'));
  if (!title) return null;
  // The shop's name from its host: "weekday" in www.weekday.com, ends "Spit Velvet Shirt - Red - Weekday DE".
  const host = new URL(pageUrl).hostname.replace(/^(www\d?|m|shop|en|de|eg)\./, '').split('.')[0] ?? '';
  if (host.length >= 3) {
    const parts = title.split(/\s+[|\-–—:·]\s+/);
    if (parts.length > 1 && parts.at(-1)!.toLowerCase().replace(/[^a-z0-9]/g, '').includes(host.toLowerCase().replace(/[^a-z0-9]/g, ''))) {
      return parts.slice(0, -1).join(' - ');
    }
  }
  const site = cleanText(meta(tags, 'og:site_name', 'application-name'));
  if (site && title.toLowerCase() === site.toLowerCase()) return null;
  if (site) {
    const stripped = title.replace(new RegExp(`\\s*[|\\-–—:·]\\s*${site.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'i'), '');
    if (stripped && stripped !== title) return stripped;
  }
  return title;
}

/**
 * Tags a shop's template fills for its home page on every page (og:url the site's root, og:type "website",
 * og:title the shop's name, og:image its banner, as Imweb's shops leave them): they say nothing of this page's product.
 */
function aboutHomePage(ogUrl: unknown, pageUrl: string, type: string): boolean {
  if (typeof ogUrl !== 'string' || type.includes('product')) return false;
  try {
    const [og, page] = [new URL(ogUrl), new URL(pageUrl)];
    return og.pathname === '/' && og.search === '' && (page.pathname !== '/' || page.search !== '');
  } catch {
    return false;
  }
}

export function fromOpenGraph(doc: Document, pageUrl: string, given?: ReadonlyMap<string, string>): SourceResult | null {
  const tags = given ?? metaTags(doc);
  const type = (meta(tags, 'og:type') ?? '').toLowerCase();
  // A sale price (Facebook's `product:sale_price`, as Cafe24 writes it beside the regular price) is the one to pay.
  const sale = meta(tags, 'product:sale_price:amount');
  const amount = sale ?? meta(tags, 'product:price:amount', 'og:price:amount', 'twitter:data1');
  const currencyRaw = (sale ? meta(tags, 'product:sale_price:currency') : undefined) ?? meta(tags, 'product:price:currency', 'og:price:currency', 'product:sale_price:currency');
  const currency = currencyRaw && /^[A-Za-z]{3}$/.test(currencyRaw) ? normaliseCode(currencyRaw) : undefined;
  const fields = defined({
    title: productTitle(tags, pageUrl),
    priceMinor: amount && currency ? toMinorUnits(amount, currency) : undefined,
    currency: amount ? currency : undefined,
    imageUrl: httpUrl(meta(tags, 'og:image:secure_url', 'og:image', 'og:image:url', 'twitter:image', 'twitter:image:src'), pageUrl),
    url: httpUrl(meta(tags, 'og:url'), pageUrl),
    brand: cleanText(meta(tags, 'product:brand', 'og:brand'), 120),
    availability: availabilityName(meta(tags, 'product:availability', 'og:availability')),
    sku: cleanText(meta(tags, 'product:retailer_item_id'), 80),
  });
  if (Object.keys(fields).length === 0 || aboutHomePage(fields.url, pageUrl, type)) return null;
  return { source: 'open-graph', isProduct: type.includes('product') || fields.priceMinor !== undefined, fields };
}
