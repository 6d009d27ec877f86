/**
 * Title candidates from the page as shown: headings and elements named like a product's title, with
 * evidence (an <h1>, a product-title id or class, the font size, how much of it the page's <title>
 * repeats, whether it sits in a related block, whether it reads like a promotion or a status).
 */
import type { Candidate } from '../candidates.ts';
import { caseless, cleanText, LETTERS } from '../text.ts';
import { isSpaceAt, startsWithPhrase } from '../word-lists.ts';

const A_LETTER = new RegExp(`[${LETTERS}]`);
import { BADGE_LABEL, nameContains, textUpTo, wordOverlap, type Layout } from './layout.ts';

// Not a blog's or a news list's item ("blog-item-title": Squarespace's post heading).
/**
 * Names of a product's own title, or of the box around it: Cafe24's skins (Korea's most used shop platform)
 * draw the name as an <h2> in `<div class="headingArea">` inside the product's "infoArea", the logo being
 * the page's only <h1> and the <title> often the shop's name alone; Imweb's is `<div class="view_tit">`.
 */
const PRODUCT_TITLE_LABEL = caseless(/(?<![a-z])headingarea(?![a-z])|product[-_]?(title|name|header|heading)|(?<!(?:blog|post|news|article|entry)[-_]?)item[-_]?(title|name)|pdp[-_]?(title|name)|goods[-_]?(title|name)|sku[-_]?(title|name)|(?:item|goods|detail|prd|view)[-_]?(?:detail[-_]?)?(?:tit|ttl)(?![a-z])|prod[-_]?(title|name)|detail[-_]?(title|name)|(?:goods|item|prd|prod|product)[-_]nm(?![a-z])/i);
const TITLE_LABEL = /title|name|heading|header/i;
/** Korean shops shorten a name to "nm" (Godomall's `<div class="goods_nm">`). */
const SELECTOR = `h1, h2, h3, [itemprop="name"], .pageHeading, ${nameContains(['id', 'class'], ['title', 'name'])}, ${nameContains(['id', 'class'], ['_nm'])}`;
/**
 * Promotions and statuses that sit where a name should be, in a few languages (a list of phrases read
 * by hand, word-lists.ts; word-lists.test.ts holds it to the pattern it replaced).
 */
export const PROMO = startsWithPhrase([
  'sparen', 'spare', 'économisez', 'ahorra', 'risparmi', 'essai gratuit', 'free trial', 'kostenlos testen', 'adding to',
  'wird hinzugefügt', 'added to', 'login', 'log in', 'signin', 'sign in', 'anmelden', 'connexion', 'iniciar sesión',
  'follow the author', 'dem autor folgen', "suivre l'auteur", 'seguir al autor', 'nur noch', 'in stock', 'auf lager',
  'out of stock', 'sold out', 'ausverkauft', 'épuisé', 'agotado', 'new arrival', 'bestseller', 'best seller', 'angebot',
  'oferta', 'promo', 'deal of the day', 'free shipping', 'free delivery', 'kostenloser versand', 'livraison gratuite',
  'envío gratis', 'about this item', 'product details', 'product information', 'product description', 'customer reviews',
  'kundenrezensionen', 'produktinformation', 'acerca de este producto', 'détails', 'technical details',
  'detalles técnicos', 'feedback', 'newsletter', 'your cart', 'warenkorb',
], ['save', 'sale', 'cookie', 'cookies', 'menu'], (lower) => percentFirst(lower) || onlyLeft(lower));

/** Digits from `at`: the index after them (`at` when there are none). */
function digitsFrom(text: string, at: number): number {
  let end = at;
  while (end < text.length && text.charCodeAt(end) >= 0x30 && text.charCodeAt(end) <= 0x39) end += 1;
  return end;
}

/** "-20 %", "15%": a percentage first. */
function percentFirst(lower: string): boolean {
  const start = lower[0] === '-' ? 1 : 0;
  let at = digitsFrom(lower, start);
  if (at === start) return false;
  while (isSpaceAt(lower, at)) at += 1;
  return lower[at] === '%';
}

/** "only 3 left". */
function onlyLeft(lower: string): boolean {
  if (!lower.startsWith('only ')) return false;
  const end = digitsFrom(lower, 5);
  return end > 5 && lower.startsWith(' left', end);
}

/** Sales and discounts announced anywhere in a heading ("Frühlingssale: bis zu 50 %", "Up to -30% on shoes"). */
const PROMO_ANYWHERE = caseless(/sale\b|(?:bis zu|up to|jusqu'à|hasta|fino al|até|do|tot|upp till|op til|opp til|jopa|až|akár|до|עד|تصل إلى|حتى)\s*[-−]?\d+\s*%|\d+\s*%\s*(?:off|rabatt|de réduction|de descuento|sconto|korting|rabat|sleva|kedvezmény|скидка|indirim|خصم|הנחה)|最大\s*\d+\s*%/i);

/** Names of other things than the product's title, at the start of a class or id word (word-lists.ts). */
export const OTHER_NAME = startsWithPhrase(['brand', 'seller', 'store', 'shop', 'user', 'author', 'review', 'variant', 'color', 'colour', 'size',
  'category', 'site', 'logo', 'modal', 'dialog', 'popup', 'cart', 'menu', 'section', 'widget', 'tab'], [], undefined, { spaces: false });

/** The page's own name for itself: <title> and og:title, for telling product headings from others. */
function pageTitleText(doc: Document): string {
  const og = doc.querySelector('meta[property="og:title" i], meta[name="twitter:title" i]')?.getAttribute('content') ?? '';
  return `${doc.title ?? ''} ${og}`;
}

export interface PageCandidate {
  readonly candidate: Candidate;
  readonly el: Element;
}

/**
 * A single word inside a heading that says more ("MOSHULT" in "<h1><div>MOSHULT</div><div>Foam
 * mattress, firm, white</div></h1>"): a range's or brand's name, not the product's. A part of two
 * words or more ("Die Argonauten" before "Kindle Edition") is a name of its own.
 */
function oneWordOfMore(text: string, heading: Element): boolean {
  if (/\s/.test(text)) return false;
  const whole = cleanText(textUpTo(heading, 3000) ?? '', 250) ?? '';
  return whole.length > text.length && A_LETTER.test(whole.replace(text, ''));
}

/** A one-word <h1> beside another <h1> of several words: the brand above the product's name ("Roadster", "Men Navy Blue … Shirt"). */
function brandBesideName(el: Element, text: string): boolean {
  if (el.tagName !== 'H1' || /\s/.test(text)) return false;
  return [el.previousElementSibling, el.nextElementSibling].some((near) => near?.tagName === 'H1' && /\S\s+\S/.test((textUpTo(near, 300) ?? '').trim()));
}

/**
 * A heading's text without the badges inside it: "<h1><span class="flag flag-new">Novinka</span>
 * Rychlovarná konvice</h1>" is the kettle's name, not "Novinka Rychlovarná konvice". A badge is a short
 * child element named so.
 */
function withoutBadges(heading: Element, text: string, layout: Layout): string {
  let out = text;
  for (let child = heading.firstElementChild; child; child = child.nextElementSibling) {
    if (!BADGE_LABEL.test(layout.label(child))) continue;
    const badge = textUpTo(child, 30)?.trim();
    if (!badge) continue;
    // Before or after the name, as shops place them; a word inside the name is left alone.
    const trimmed = out.trim();
    if (trimmed.startsWith(badge)) out = trimmed.slice(badge.length);
    else if (trimmed.endsWith(badge)) out = trimmed.slice(0, -badge.length);
  }
  return out;
}

/** A price alone ("15 990 руб."): osCommerce's price cell shares its name with the name's. */
const LONE_PRICE = /^[^\p{L}\d]{0,3}[\d\s.,'\u00a0]+[^\d]{0,6}$/u;

/** Headings a product's name is written in. */
const HEADING_TAGS = new Set(['H1', 'H2', 'H3']);
/** Elements that are never a title themselves: controls, media, tables and lists as a whole (a table cell only as osCommerce's `pageHeading`). */
const NOT_TITLE_TAGS = new Set(['A', 'BUTTON', 'INPUT', 'SELECT', 'OPTION', 'TEXTAREA', 'SCRIPT', 'STYLE', 'IMG', 'META', 'LINK', 'BODY', 'HTML', 'TD', 'TR', 'TABLE', 'UL', 'OL', 'FORM']);

/** `pageTitle`: the page's <title> and og:title, when the caller has them at hand. */
export function titleCandidates(layout: Layout, pageTitle = pageTitleText(layout.doc)): PageCandidate[] {
  const { doc } = layout;
  const all = Array.from(doc.body?.querySelectorAll(SELECTOR) ?? []).slice(0, 600);
  const out: PageCandidate[] = [];
  /** Headings by tag and class: three or more alike are a grid's tile titles. */
  const kinds = new Map<string, number>();
  const kindOf = (el: Element) => `${el.tagName} ${el.getAttribute('class') ?? ''}`;
  for (const el of all) if (HEADING_TAGS.has(el.tagName)) kinds.set(kindOf(el), (kinds.get(kindOf(el)) ?? 0) + 1);
  all.forEach((el, index) => {
    // osCommerce writes the product's name in a table cell, `<td class="pageHeading">`, and its price in the
    // cell beside it with the same class.
    const pageHeading = el.tagName === 'TD' && el.classList.contains('pageHeading');
    if (!pageHeading && NOT_TITLE_TAGS.has(el.tagName)) return;
    if (pageHeading && el.querySelector('s, del, strike, [class*="rice"]') !== null) return;
    // A form's label names a field ("Size"); one that labels no field and is named as the product's
    // title is the name a shop put in its buy form ("<label id="productTitle">Spit Velvet Shirt</label>").
    const formLabel = el.tagName === 'LABEL';
    if (formLabel && (el.hasAttribute('for') || el.querySelector('input, select, textarea, button') !== null)) return;
    // A title holds a few elements at most; big containers named "…-title-section" are not titles.
    if (el.childElementCount > 8) return;
    // What its names say first: most elements a large page names "…title…" or "…name…" are neither a
    // heading nor named as a title, and their text need not be read (asked before it, the same answers).
    const own = layout.label(el);
    const named = `${own} ${el.parentElement ? layout.label(el.parentElement) : ''} ${Array.from(el.children).slice(0, 3).map(layout.label).join(' ')}`;
    // Names of other things (a brand, a seller, a review…); utility classes like "a-size-large" are not names.
    const other = own.split(/\s+/).some((token) => OTHER_NAME.test(token));
    const productLabelled = (PRODUCT_TITLE_LABEL.test(named) || pageHeading) && !other;
    const labelled = (TITLE_LABEL.test(own) || el.getAttribute('itemprop') === 'name' || pageHeading) && !other;
    if (!HEADING_TAGS.has(el.tagName) && !productLabelled && !labelled) return;
    if (formLabel && !productLabelled) return;
    const whole = textUpTo(el, 3000, true);
    if (whole === null) return;
    const raw = el.childElementCount > 0 && HEADING_TAGS.has(el.tagName) ? withoutBadges(el, whole, layout) : whole;
    // osCommerce's model code after the name ("… Dedica [EC685M]") is not part of it.
    const text = cleanText(pageHeading ? raw.replace(/\s*\[[^\]]{1,40}\]\s*$/, '') : raw, 250);
    if (!text || text.length < 2 || !A_LETTER.test(text) || (pageHeading && LONE_PRICE.test(text))) return;
    // The innermost element with this text only: a wrapper with the same text adds nothing.
    if (out.some((o) => o.candidate.value === text && el.contains(o.el))) return;
    if (!layout.visible(el)) return;
    const outerH1 = el.tagName === 'H1' ? el : el.closest('h1');
    const h1 = outerH1 !== null;
    const candidate: Candidate = {
      field: 'title', source: 'heuristic', value: text,
      evidence: {
        h1, productLabelled, labelled,
        elsewhere: layout.elsewhere(el),
        fontSize: layout.fontSize(el),
        inPageTitle: wordOverlap(text, pageTitle),
        promo: PROMO.test(text) || PROMO_ANYWHERE.test(text),
        fragment: (outerH1 !== null && outerH1 !== el && oneWordOfMore(text, outerH1)) || brandBesideName(el, text),
        alike: (kinds.get(kindOf(el)) ?? 0) >= 3,
        toBuy: layout.toBuy(el),
        order: index / Math.max(1, all.length),
      },
    };
    out.push({ el, candidate });
  });
  if (!out.some((o) => o.candidate.evidence.h1 === true || o.candidate.evidence.productLabelled === true)) out.push(...drawnHeadings(layout, pageTitle, all.length));
  return withTiles(out, kindOf);
}

/**
 * Marks the titles of a grid's tiles drawn without headings as `alike`, as headings alike are: three or
 * more elements of one tag and class, each named as a product's title and outside blocks of other
 * products (a search page's "prd_link-product-name" under each of its 48 photos). A product page's own
 * title has no such twins in its own area; its related products' names are elsewhere.
 */
function withTiles(out: PageCandidate[], kindOf: (el: Element) => string): PageCandidate[] {
  const tile = (o: PageCandidate) => !HEADING_TAGS.has(o.el.tagName) && o.candidate.evidence.productLabelled === true && o.candidate.evidence.elsewhere !== true;
  const kinds = new Map<string, number>();
  for (const o of out) if (tile(o)) kinds.set(kindOf(o.el), (kinds.get(kindOf(o.el)) ?? 0) + 1);
  if (![...kinds.values()].some((n) => n >= 3)) return out;
  return out.map((o) => (tile(o) && kinds.get(kindOf(o.el))! >= 3 ? { el: o.el, candidate: { ...o.candidate, evidence: { ...o.candidate.evidence, alike: true } } } : o));
}

/** Elements an old shop draws its product's name with, for want of a heading: `<font size="4"><b>`, a big `<b>`. */
const DRAWN = 'font, b, strong, big, p, td, span, div';
/** Large text: 18 px and up (`<font size="4">`). */
const LARGE_TEXT_PX = 18;
/** Levels up to an ancestor holding a buy control: within the buy box. */
const NEAR_BUY = 2;

/**
 * Names drawn large where a page has no heading nor any element named as the product's title, as shops
 * built before headings were styled write them (`<font size="4"><b>Märklin H0 4411 Bierwagen</b></font>`
 * in a table cell): text of two words or more, all of them in the page's <title>, shown large or in the
 * buy box beside its buy control. Asked only then: every such element of the page is read.
 */
function drawnHeadings(layout: Layout, pageTitle: string, before: number): PageCandidate[] {
  const out: PageCandidate[] = [];
  const all = Array.from(layout.doc.body?.querySelectorAll(DRAWN) ?? []).slice(0, 5000);
  // The innermost first: a cell around the name adds nothing.
  for (let i = all.length - 1; i >= 0 && out.length < 20; i -= 1) {
    const el = all[i]!;
    if (el.childElementCount > 3) continue;
    const text = cleanText(textUpTo(el, 200) ?? '', 250) ?? '';
    if (text.length < 4 || !A_LETTER.test(text) || text.split(/\s+/).length < 2 || wordOverlap(text, pageTitle) < 1) continue;
    if (out.some((o) => o.candidate.value === text && el.contains(o.el))) continue;
    // Large, or in the buy form beside the buy control (ECShop's `<p class="f_l">` in its "ECS_FORMBUY").
    if ((layout.fontSize(el) < LARGE_TEXT_PX && layout.toBuy(el) > NEAR_BUY) || layout.elsewhere(el) || !layout.visible(el)) continue;
    out.push({
      el,
      candidate: {
        field: 'title', source: 'heuristic', value: text,
        evidence: {
          h1: false, productLabelled: true, labelled: true, elsewhere: false, fontSize: layout.fontSize(el), inPageTitle: 1,
          promo: PROMO.test(text) || PROMO_ANYWHERE.test(text), fragment: false, alike: false, toBuy: layout.toBuy(el), order: (before + i) / Math.max(1, before + all.length),
        },
      },
    });
  }
  return out;
}
