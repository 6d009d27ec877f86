/**
 * schema.org (and the old data-vocabulary.org) Product in microdata (itemscope/itemprop) and RDFa
 * (typeof/property). Values come from content/href/src attributes, else the element's text.
 */
import { normaliseCode } from '../currency.ts';
import { toMinorUnits } from '../price.ts';
import { caseless, cleanText, httpUrl, NOT_WORD, savedCopy } from '../text.ts';
import { textUpTo } from '../page/layout.ts';
import { availabilityName, defined, type FieldSource, type SourceResult } from './source-types.ts';

// Tested on lower-cased types (`caseless`): a pattern with `i` costs more to compile on every page.
const PRODUCT_TYPE = caseless(/(?:schema\.org\/|data-vocabulary\.org\/|^|\s|schema:)(?:product|productgroup|individualproduct|productmodel)(?!\S)/i);
const OFFER_TYPE = caseless(/(?:offer|aggregateoffer)(?!\S)/i);

interface Syntax {
  readonly source: FieldSource;
  readonly scope: string;
  readonly type: (el: Element) => string;
  readonly prop: string;
  /** Each item's own properties, listed once per capture. */
  readonly cache: Map<Element, OwnProps>;
}

const MICRODATA = { source: 'microdata', scope: '[itemscope][itemtype]', type: (el: Element) => el.getAttribute('itemtype') ?? '', prop: 'itemprop' } as const;
const RDFA = { source: 'rdfa', scope: '[typeof]', type: (el: Element) => el.getAttribute('typeof') ?? '', prop: 'property' } as const;

/** `words`: an element's text with the words its child elements run together kept apart (textUpTo), for a name; a heading inside it names it alone. */
function propValue(el: Element, words = false): string | null {
  const content = el.getAttribute('content');
  if (content !== null) return content;
  const tag = el.tagName.toLowerCase();
  if (tag === 'meta') return null;
  if (tag === 'img' || tag === 'source') return el.getAttribute('src') ?? el.getAttribute('data-src');
  if (tag === 'a' || tag === 'link') return el.getAttribute('href');
  if (tag === 'data' || tag === 'meter') return el.getAttribute('value');
  if (tag === 'time') return el.getAttribute('datetime') ?? el.textContent;
  if (!words) return el.textContent;
  // A name that holds a heading is the heading: the rest is a label beside it (Ricardo Eletro's
  // "código do produto: 96453" in the same element as its <h1>).
  const named = HEADING_TAG.test(tag) ? el : el.querySelector('h1, h2, h3, h4, h5, h6') ?? el;
  return textUpTo(named, 3000, true) ?? named.textContent;
}

const HEADING_TAG = /^h[1-6]$/;

/**
 * An item's own properties (inside its scope, not inside a nested item), each with its attribute's
 * value lower-cased: split into names only when it may hold the one asked for (a product's scope may
 * hold thousands of properties, mostly of its reviews).
 */
type OwnProps = { readonly el: Element; readonly lower: string }[];

/** The names of a property's attribute ("schema:price og:price:amount") as asked for: without their prefix, lower-cased. */
const propNames = (value: string) => value.split(/\s+/).map((n) => n.replace(/^(schema:|og:)/, '').toLowerCase());

/** Properties of one item with this name. The item's properties are listed once per capture and kept. */
function props(scope: Element, syntax: Syntax, name: string): Element[] {
  let own = syntax.cache.get(scope);
  if (!own) {
    own = [];
    const all = scope.querySelectorAll(`[${syntax.prop}]`);
    for (let i = 0; i < Math.min(all.length, 5000); i += 1) {
      const el = all[i]!;
      if (el.parentElement?.closest(syntax.scope) !== scope) continue;
      own.push({ el, lower: (el.getAttribute(syntax.prop) ?? '').toLowerCase() });
    }
    syntax.cache.set(scope, own);
  }
  const wanted = name.toLowerCase();
  return own.filter((p) => p.lower === wanted || (p.lower.includes(wanted) && propNames(p.el.getAttribute(syntax.prop) ?? '').includes(wanted))).map((p) => p.el);
}

function first(scope: Element, syntax: Syntax, name: string, words = false): string | null {
  for (const el of props(scope, syntax, name)) {
    const value = propValue(el, words);
    if (value && value.trim()) return value;
  }
  return null;
}

const nameWords = (text: string) => new Set(text.toLowerCase().split(NOT_WORD).filter((w) => w.length > 1));

/**
 * A listing's items, each marked up as a Product (PrestaShop and many themes mark every tile of a
 * category page so): three items or more side by side, none of them holding the page's <h1> and none
 * named as it ("Théières en fonte" over sixteen teapots). A product page's own item is named as its heading.
 */
function listingItems(doc: Document, products: readonly Element[], syntax: Syntax): boolean {
  const top = products.filter((p) => !products.some((o) => o !== p && o.contains(p)));
  if (top.length < 3) return false;
  const h1 = doc.querySelector('h1');
  const heading = nameWords(h1?.textContent ?? '');
  if (!h1 || heading.size === 0 || top.some((p) => p.contains(h1))) return false;
  return !top.some((p) => {
    const name = [...nameWords(first(p, syntax, 'name') ?? '')];
    return name.length > 0 && name.filter((w) => heading.has(w)).length / name.length >= 0.75;
  });
}

function fromSyntax(doc: Document, pageUrl: string, syntax: Syntax): SourceResult | null {
  const products = Array.from(doc.querySelectorAll(syntax.scope)).filter((el) => PRODUCT_TYPE.test(syntax.type(el))).slice(0, 60);
  const product = products[0];
  if (!product || listingItems(doc, products, syntax)) return null;
  const offer = props(product, syntax, 'offers').find((el) => el.matches(syntax.scope) && OFFER_TYPE.test(syntax.type(el))) ?? product;
  // An AggregateOffer's own offers, in the page's order: Shopware lists its quantity tiers so ("Bis 2",
  // "Ab 3", "Ab 10"), the first the price of one; its lowPrice is the largest tier's.
  const inner = offer === product ? undefined : props(offer, syntax, 'offers').find((el) => el !== offer && el.matches(syntax.scope) && OFFER_TYPE.test(syntax.type(el)) && first(el, syntax, 'price') !== null);
  const currencyRaw = first(offer, syntax, 'priceCurrency') ?? first(offer, syntax, 'currency') ?? (inner ? first(inner, syntax, 'priceCurrency') : null);
  const currency = currencyRaw && /^[A-Za-z]{3}$/.test(currencyRaw.trim()) ? normaliseCode(currencyRaw.trim()) : undefined;
  const ownPrice = first(offer, syntax, 'price') ?? (inner ? first(inner, syntax, 'price') : null);
  const lowPrice = ownPrice === null ? first(offer, syntax, 'lowPrice') : null;
  const price = ownPrice ?? lowPrice;
  const brandEl = props(product, syntax, 'brand')[0];
  const brand = brandEl ? (brandEl.matches(syntax.scope) ? first(brandEl, syntax, 'name') : propValue(brandEl)) : null;
  // An <img itemprop=image> of a saved page may point at the saved copy: the next image, or none.
  const imageEl = props(product, syntax, 'image').find((el) => !savedCopy((el.matches(syntax.scope) ? first(el, syntax, 'url') : propValue(el)) ?? ''));
  return {
    source: syntax.source,
    isProduct: true,
    fields: defined({
      title: cleanText(first(product, syntax, 'name', true)),
      priceMinor: price ? toMinorUnits(price, currency ?? 'unknown') : undefined,
      currency,
      imageUrl: imageEl ? httpUrl(imageEl.matches(syntax.scope) ? first(imageEl, syntax, 'url') ?? first(imageEl, syntax, 'contentUrl') : propValue(imageEl), pageUrl) : undefined,
      url: httpUrl(first(product, syntax, 'url'), pageUrl),
      brand: cleanText(brand, 120),
      sku: cleanText(first(product, syntax, 'sku'), 80),
      gtin: cleanText(first(product, syntax, 'gtin13') ?? first(product, syntax, 'gtin'), 40),
      availability: availabilityName(first(offer, syntax, 'availability')),
      variant: [first(product, syntax, 'color'), first(product, syntax, 'size')].map((v) => cleanText(v, 60)).filter(Boolean).join(' / ') || undefined,
      priceIsLowest: lowPrice !== null ? true : undefined,
    }),
  };
}

export function fromMicrodata(doc: Document, pageUrl: string): SourceResult | null {
  return fromSyntax(doc, pageUrl, { ...MICRODATA, cache: new Map() });
}

export function fromRdfa(doc: Document, pageUrl: string): SourceResult | null {
  return fromSyntax(doc, pageUrl, { ...RDFA, cache: new Map() });
}
