/** OpenGraph and product meta tags: og:title/og:image/og:url, og:price:*, product:price:*, twitter:*. */
import { normaliseCode } from '../currency.ts';
import { toMinorUnits } from '../price.ts';
import { cleanText, httpUrl } from '../text.ts';
import { availabilityName, defined, type SourceResult } from './source-types.ts';

export function meta(doc: Document, ...names: string[]): string | null {
  for (const name of names) {
    const el = doc.querySelector(`meta[property="${name}" i], meta[name="${name}" i], meta[itemprop="${name}" i]`);
    const value = el?.getAttribute('content');
    if (value && value.trim()) return value.trim();
  }
  return null;
}

/** og:title is often the site's name, or "Product | Site": keep only the product part. */
function productTitle(doc: Document, pageUrl: string): string | null {
  const title = cleanText(meta(doc, 'og:title', 'twitter:title'));
  if (!title) return null;
  // The shop's name from its host: "weekday" in www.weekday.com, ends "Spit Velvet Shirt - Red - Weekday DE".
  const host = new URL(pageUrl).hostname.replace(/^(www\d?|m|shop|en|de|eg)\./, '').split('.')[0] ?? '';
  if (host.length >= 3) {
    const parts = title.split(/\s+[|\-–—:·]\s+/);
    if (parts.length > 1 && parts.at(-1)!.toLowerCase().replace(/[^a-z0-9]/g, '').includes(host.toLowerCase().replace(/[^a-z0-9]/g, ''))) {
      return parts.slice(0, -1).join(' - ');
    }
  }
  const site = cleanText(meta(doc, 'og:site_name', 'application-name'));
  if (site && title.toLowerCase() === site.toLowerCase()) return null;
  if (site) {
    const stripped = title.replace(new RegExp(`\\s*[|\\-–—:·]\\s*${site.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'i'), '');
    if (stripped && stripped !== title) return stripped;
  }
  return title;
}

export function fromOpenGraph(doc: Document, pageUrl: string): SourceResult | null {
  const type = (meta(doc, 'og:type') ?? '').toLowerCase();
  const amount = meta(doc, 'product:price:amount', 'og:price:amount', 'product:sale_price:amount', 'twitter:data1');
  const currencyRaw = meta(doc, 'product:price:currency', 'og:price:currency', 'product:sale_price:currency');
  const currency = currencyRaw && /^[A-Za-z]{3}$/.test(currencyRaw) ? normaliseCode(currencyRaw) : undefined;
  const fields = defined({
    title: productTitle(doc, pageUrl),
    priceMinor: amount && currency ? toMinorUnits(amount, currency) : undefined,
    currency: amount ? currency : undefined,
    imageUrl: httpUrl(meta(doc, 'og:image:secure_url', 'og:image', 'og:image:url', 'twitter:image', 'twitter:image:src'), pageUrl),
    url: httpUrl(meta(doc, 'og:url'), pageUrl),
    brand: cleanText(meta(doc, 'product:brand', 'og:brand'), 120),
    availability: availabilityName(meta(doc, 'product:availability', 'og:availability')),
    sku: cleanText(meta(doc, 'product:retailer_item_id'), 80),
  });
  if (Object.keys(fields).length === 0) return null;
  return { source: 'open-graph', isProduct: type.includes('product') || fields.priceMinor !== undefined, fields };
}
