/**
 * For shops with no markup at all: the page as the shopper sees it. The main heading is the title;
 * the price is the one shown next to the heading and the buy button (not a crossed-out price, not
 * prices of related products), with cents that may sit in their own element; the image is the main
 * product image rather than a logo.
 */
import { currencyInText, type PageHints } from '../currency.ts';
import { parsePriceText, type ParsedPrice } from '../price-text.ts';
import { cleanText, httpUrl } from '../text.ts';
import { defined, type SourceResult } from './source-types.ts';

const BUY = /add to (cart|bag|basket|trolley)|buy now|buy it now|in den warenkorb|in den einkaufswagen|jetzt kaufen|ajouter au panier|añadir al carrito|agregar al carrito|aggiungi al carrello|adicionar ao carrinho|in winkelwagen|do koszyka|i varukorgen|lägg i varukorg|læg i kurv|legg i handlekurv|lisää ostoskoriin|sepete ekle|в корзину|купить|カートに入れる|今すぐ買う|加入购物车|立即购买|장바구니|구매하기|أضف إلى السلة|הוסף לסל/i;
// Words in class names and ids, bounded by start, end, space, "-" or "_" (BEM names: "price__was").
const word = (words: string) => new RegExp(`(?:^|[\\s_-])(?:${words})(?:$|[\\s_-])`, 'i');
const OLD = word('old|was|compare|compare-at|regular|strike|strike-through|before|crossed|msrp|rrp|list|list-price|original|previous|uvp|reference');
const SALE = word('sale|special|final|current|now|offer|promo|deal|actual|sales|price-to-pay|pricetopay');
/** Text that introduces a price the shopper is not asked to pay. */
const OLD_TEXT = /^\s*(was|list price|rrp|msrp|uvp|statt|avant|antes|prima|regular price|original price|compare at)\b/i;
const ELSEWHERE = /related|recommend|carousel|upsell|cross-?sell|similar|also-?(bought|viewed|like)|you-may|footer|header|nav|menu|mini-?cart|cart-?drawer|review|breadcrumb|newsletter|bundle|accessor/i;
const NOT_PRODUCT_IMAGE = /logo|icon|sprite|badge|flag|avatar|payment|rating|star|banner|placeholder|spinner|loader|pixel|tracking/i;

function label(el: Element): string {
  return `${el.id} ${el.getAttribute('class') ?? ''} ${el.getAttribute('itemprop') ?? ''} ${el.getAttribute('data-testid') ?? ''} ${el.getAttribute('aria-label') ?? ''}`;
}

function visible(el: Element): boolean {
  if (el.closest('[hidden], [aria-hidden="true"], template, noscript, script, style')) return false;
  const view = el.ownerDocument.defaultView;
  if (!view) return true;
  const style = view.getComputedStyle(el);
  return style.display !== 'none' && style.visibility !== 'hidden';
}

/** The price text of an element, with cents in their own element ("19" + <sup>99</sup>) joined by a point. */
function priceTextOf(el: Element): string {
  const hidden = el.querySelector('.a-offscreen, [class*="sr-only"], [class*="visually-hidden"]');
  if (hidden?.textContent && /\d/.test(hidden.textContent)) return hidden.textContent;
  let text = '';
  const walk = (node: Node) => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === 3) text += child.textContent ?? '';
      else if (child.nodeType === 1) {
        const element = child as Element;
        const isCents = element.tagName === 'SUP' || /fraction|cents?\b|decimal|price-?minor/i.test(element.getAttribute('class') ?? '');
        if (isCents && /\d$/.test(text.trim()) && /^\d{2}$/.test((element.textContent ?? '').trim())) text = `${text.trim()}.`;
        walk(element);
      }
    }
  };
  walk(el);
  return text;
}

interface PriceCandidate {
  readonly el: Element;
  readonly price: ParsedPrice;
  readonly score: number;
  /** Shown as a price not to pay: struck through, "was", "list price". */
  readonly old: boolean;
}

/** A price as the page shows it, for comparing with what the markup says. */
export interface VisiblePrice {
  readonly amountMinor: number;
  readonly currency: string;
  readonly score: number;
  readonly old: boolean;
}

export interface HeuristicResult extends SourceResult {
  readonly visiblePrices: readonly VisiblePrice[];
}

function depthBetween(el: Element, targets: readonly Element[]): number {
  let node: Element | null = el;
  for (let level = 0; node && level < 8; level += 1, node = node.parentElement) {
    if (targets.some((target) => node!.contains(target))) return level;
  }
  return 99;
}

function priceCandidates(doc: Document, anchors: readonly Element[], hints: PageHints): PriceCandidate[] {
  const out: PriceCandidate[] = [];
  const seen = new Set<Element>();
  const all = Array.from(doc.body?.querySelectorAll('*') ?? []).slice(0, 20_000);
  all.forEach((el, order) => {
    const text = el.textContent ?? '';
    if (text.length > 40 || !/\d/.test(text) || seen.has(el)) return;
    const labelled = /price|preis|prix|precio|prezzo|preço|cena|цена|価格|价格/i.test(label(el));
    const raw = priceTextOf(el);
    // An element holding several prices (old and new) is a container: judge its parts instead.
    if (/\d[\d.,\s\u00a0]*[^\d.,\s\u00a0]+[^\d]*\d/.test(raw.trim())) return;
    const price = parsePriceText(raw, hints);
    if (!price || price.amountMinor <= 0) return;
    // Unlabelled text counts only when it names a currency itself ("$12", "12 €"), not "1.7 l".
    if (!labelled && !currencyInText(raw, hints)) return;
    if (!visible(el)) return;
    // Keep the outermost element of a nested price ("<span class=price><span>$</span><span>19</span>…").
    for (const inner of Array.from(el.querySelectorAll('*'))) seen.add(inner);
    let score = 0;
    if (labelled) score += 3;
    const context = [el, el.parentElement, el.parentElement?.parentElement].map((e) => (e ? label(e) : '')).join(' ');
    if (SALE.test(context)) score += 2;
    const view = doc.defaultView;
    const old = OLD.test(context) || OLD_TEXT.test(text) || el.closest('del, s, strike, [data-a-strike="true"]') !== null
      || Boolean(view?.getComputedStyle(el).textDecorationLine?.includes('line-through'));
    if (old) score -= 6;
    let ancestor: Element | null = el;
    for (let i = 0; ancestor && i < 12; i += 1, ancestor = ancestor.parentElement) {
      if (ELSEWHERE.test(label(ancestor)) || /^(FOOTER|NAV|HEADER|ASIDE)$/.test(ancestor.tagName)) {
        score -= 5;
        break;
      }
    }
    const depth = depthBetween(el, anchors);
    score += depth === 99 ? -2 : Math.max(0, 6 - depth);
    if (view) {
      const size = Number.parseFloat(view.getComputedStyle(el).fontSize);
      if (size >= 20) score += 2;
      else if (size > 0 && size < 13) score -= 1;
    }
    score -= order / all.length; // earlier on the page breaks ties
    out.push({ el, price, score, old });
  });
  return out.sort((a, b) => b.score - a.score);
}

function mainHeading(doc: Document): Element | null {
  const headings = Array.from(doc.querySelectorAll('#productTitle, h1, [class*="product-title" i], [class*="product-name" i]'))
    .filter((el) => visible(el) && cleanText(el.textContent));
  return headings.find((el) => el.tagName === 'H1' || el.id === 'productTitle') ?? headings[0] ?? null;
}

function buyButton(doc: Document): Element | null {
  return Array.from(doc.querySelectorAll('button, input[type="submit"], input[type="button"], a[role="button"], [class*="add-to-cart" i], [id*="add-to-cart" i], [name="add"]'))
    .find((el) => BUY.test(`${el.textContent ?? ''} ${el.getAttribute('value') ?? ''} ${el.getAttribute('aria-label') ?? ''} ${label(el)}`)) ?? null;
}

function mainImage(doc: Document, anchors: readonly Element[], pageUrl: string): string | null {
  const preferred = doc.querySelector('#landingImage, #main-image, [data-old-hires], [class*="product-image" i] img, [class*="gallery" i] img, [id*="product-image" i] img');
  const fromPreferred = preferred && httpUrl(preferred.getAttribute('data-old-hires') || preferred.getAttribute('src') || preferred.getAttribute('data-src'), pageUrl);
  if (fromPreferred) return fromPreferred;
  let best: { url: string; score: number } | null = null;
  for (const img of Array.from(doc.querySelectorAll('img')).slice(0, 500)) {
    const src = img.getAttribute('src') || img.getAttribute('data-src') || '';
    if (NOT_PRODUCT_IMAGE.test(`${src} ${img.getAttribute('alt') ?? ''} ${label(img)}`)) continue;
    const url = httpUrl(src, pageUrl);
    if (!url) continue;
    // Sizes from attributes, or from the image itself once loaded (a saved page's images may not load).
    const loaded = (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0;
    const width = Number(img.getAttribute('width')) || (loaded ? (img as HTMLImageElement).naturalWidth : 0);
    const height = Number(img.getAttribute('height')) || (loaded ? (img as HTMLImageElement).naturalHeight : 0);
    if ((width && width < 80) || (height && height < 80)) continue;
    const depth = depthBetween(img, anchors);
    const score = (depth === 99 ? 0 : 10 - depth) + Math.min(10, (width * height) / 40_000);
    if (!best || score > best.score) best = { url, score };
  }
  return best?.url ?? null;
}

export function fromHeuristics(doc: Document, pageUrl: string, hints: PageHints): HeuristicResult | null {
  const heading = mainHeading(doc);
  const button = buyButton(doc);
  const anchors = [heading, button].filter((el): el is Element => el !== null);
  const candidates = priceCandidates(doc, anchors, hints);
  const best = candidates[0];
  const title = cleanText(heading?.textContent);
  if (!title && !best) return null;
  return {
    source: 'heuristic',
    // Without markup, a page is a product page when it shows a name, a price and a way to buy.
    isProduct: Boolean(title && best && best.score > 0 && button),
    fields: defined({
      title,
      priceMinor: best && best.score > 0 ? best.price.amountMinor : undefined,
      currency: best && best.score > 0 && best.price.currency !== 'unknown' ? best.price.currency : undefined,
      imageUrl: mainImage(doc, anchors, pageUrl),
    }),
    visiblePrices: candidates.slice(0, 20).map(({ price, score, old }) => ({ ...price, score, old })),
  };
}
