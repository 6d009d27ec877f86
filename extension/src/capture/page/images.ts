/**
 * Image candidates from the page as shown: <img> elements (and the full-size file a gallery link or
 * a lazy-loading attribute points to), judged by their names (main/product/gallery image versus logo,
 * icon, swatch, thumbnail), their size, their distance to the product's heading, whether their alt
 * text names the product, and whether they sit in a related block or site chrome.
 */
import type { Candidate } from '../candidates.ts';
import { imageKey, NAMED_SIDES, pageScore } from '../scorer.ts';
import { caseless, httpUrl, savedCopy } from '../text.ts';
import { startsWithPhrase } from '../word-lists.ts';
import { distanceTo, wordOverlap, words, type Layout } from './layout.ts';
import type { PageCandidate } from './titles.ts';

/** Files that are not product photos: site assets, icons, tracking pixels, social buttons. */
const NOT_PRODUCT_IMAGE = caseless(/logo|icon|sprite|badge|flag|avatar|payment|rating|banner|placeholder|spinner|loader|loading|pixel|tracking|blank|spacer|transparent|swatch|\.svg\b|1x1|grey-pixel|data:image|social|share|facebook|twitter|pinterest|instagram|whatsapp|youtube|apple-touch|favicon|staticmap|\/maps?\/|[?&](?:lat|lng)=-?\d|author\/|\/(?:themes?|skins?|layout|ui|icons?)\/|(?:zoom|magnif|arrow|close|btn|button)[^/+]*\.(?:png|gif)/i);
/**
 * A file's address names no product photo (NOT_PRODUCT_IMAGE), its host aside: a shop's or CDN's name
 * ("static.pixelmarkt.ch", "iconic.example", "flagship-store.example") says nothing of the file.
 */
export function notProductImage(url: string): boolean {
  const path = url.replace(/^(?:https?:)?\/\/[^/?#]+/i, '');
  return NOT_PRODUCT_IMAGE.test(path) || ratingStar(path);
}

/** Words a rating star's file is named with beside "star" ("star-on.svg", "stars_5.gif", "star-blank.gif", "stars-your-rating.gif"). */
const STAR_FILE_WORDS = new Set(['on', 'off', 'full', 'empty', 'blank', 'half', 'filled', 'fill', 'active', 'inactive', 'grey', 'gray', 'yellow', 'gold',
  'orange', 'bt', 'your', 'rating', 'rated', 'review', 'reviews', 'small', 'big', 'sm', 'lg', 'icon', 'ico', 'ic', 'img']);
const STAR = /^\d*stars?\d*$/;
/**
 * A file named for a rating star and nothing else: a product named with the word is a product's photo
 * ("ararat-5-star-07-500x500.jpg", the brandy; "lego-star-wars-75192.jpg").
 */
function ratingStar(path: string): boolean {
  const file = path.replace(/[?#].*$/, '');
  const words = file.slice(file.lastIndexOf('/') + 1).replace(/\.[a-z0-9]+$/i, '').toLowerCase().split(/[-_.]+/);
  return words.some((w) => STAR.test(w)) && words.every((w) => STAR.test(w) || /^\d+$/.test(w) || STAR_FILE_WORDS.has(w));
}
/** The same, read from ids, classes and alt text word by word ("MainContentPlaceHolder" is not a placeholder). */
export const NOT_PRODUCT_NAME = startsWithPhrase(['logo', 'sprite', 'badge', 'avatar', 'payment', 'rating', 'banner', 'placeholder',
  'spinner', 'loader', 'swatch', 'social'],
// Whole words only: an alt text's "starter kit", "iconic", "flagship" or "shared" names no icon or star.
['icon', 'icons', 'flag', 'flags', 'star', 'stars', 'share'], undefined, { spaces: false });
const MAIN_LABEL = caseless(/landing|main|primary|hero|zoom|large|big|product(?:[-_]|__)?(image|img|photo|picture|media)|pdp(?:[-_]|__)?(image|img|media)|gallery|featured|(?<!object-|bg-)cover|image[-_]?main|main[-_]?image|mainimage|img[-_]?main|fotorama|slick-current|active/i);
const URL_ATTRIBUTES = ['data-old-hires', 'data-zoom-image', 'data-full-image', 'data-zoom', 'data-large', 'data-large-img', 'data-full', 'data-original', 'data-src', 'data-lazy', 'data-lazy-src', 'data-srcset', 'src'];

function largestFromSrcset(srcset: string | null): string | null {
  if (!srcset) return null;
  let best: { url: string; size: number } | null = null;
  for (const part of srcset.split(/,\s+/)) {
    const [url, size] = part.trim().split(/\s+/);
    const value = Number.parseFloat(size ?? '1') || 1;
    if (url && (!best || value > best.size)) best = { url, size: value };
  }
  return best?.url ?? null;
}

/**
 * A lazy loader's address template ("…/ZL-2418-1_{width}x.jpg" with `data-widths="[360, …, 2048]"`, as
 * Shopify themes write it) with the largest width it offers; null when it offers none: the template is
 * no file.
 */
function widthFilled(img: Element, template: string): string | null {
  const widths = (img.getAttribute('data-widths') ?? '').match(/\d{2,5}/g)?.map(Number) ?? [];
  return widths.length > 0 ? template.replace(/\{width\}/g, String(Math.max(...widths))) : null;
}

/** Declared at most this many pixels wide or high: a thumbnail, which stands for the file its link opens. */
const THUMBNAIL_PX = 200;

/**
 * The best URL an <img> offers: a full-size attribute, a lazy source, the largest srcset entry, src:
 * the file the shopper is shown. A thumbnail (declared small), or an image with no file of its own,
 * stands for the photo a link around it opens (a cover's full size, a gallery's zoom). When the
 * image's own file is the one the page's markup names as the product's image, that file is the
 * product image.
 */
function imageUrl(img: Element, base: string, markupKeys: ReadonlySet<string>): string | null {
  const shown = ownImageUrl(img, base);
  // A lazy <picture> whose <img> holds no file or a placeholder ("blank.gif"): its sources name the photo.
  const own = img.parentElement?.tagName === 'PICTURE' && (!shown || notProductImage(shown)) ? pictureSource(img.parentElement, base) ?? shown : shown;
  if (own && markupKeys.has(imageKey(own))) return own;
  const declared = Math.min(...['width', 'height'].map((name) => Number.parseFloat(img.getAttribute(name) ?? '') || Infinity));
  if (own && declared > THUMBNAIL_PX) return own;
  const link = img.closest('a')?.getAttribute('href');
  if (link && /\.(jpe?g|png|webp|avif)(\?|$)/i.test(link)) {
    const url = httpUrl(link, base);
    if (url) return url;
  }
  return own;
}

function ownImageUrl(img: Element, base: string): string | null {
  // A JSON map of sizes ({"https://…/a.jpg":[500,500], …}), as some galleries keep it: the largest.
  const dynamic = img.getAttribute('data-a-dynamic-image') ?? img.getAttribute('data-images');
  if (dynamic && dynamic.trim().startsWith('{')) {
    try {
      const sizes = Object.entries(JSON.parse(dynamic) as Record<string, unknown>)
        .map(([key, size]) => ({ key, area: Array.isArray(size) ? Number(size[0]) * Number(size[1]) : 0 })).sort((a, b) => b.area - a.area);
      const url = sizes[0] && httpUrl(sizes[0].key, base);
      if (url) return url;
    } catch {
      // Not JSON after all: the other attributes are read below.
    }
  }
  for (const name of URL_ATTRIBUTES) {
    const raw = name.endsWith('srcset') ? largestFromSrcset(img.getAttribute(name)) : img.getAttribute(name);
    const value = raw && raw.includes('{width}') ? widthFilled(img, raw) : raw;
    if (!value || value.startsWith('data:') || /^\s*\{/.test(value) || savedCopy(value)) continue;
    const url = httpUrl(value, base);
    if (url) return url;
  }
  return httpUrl(largestFromSrcset(img.getAttribute('srcset')), base);
}

/** The largest file a <picture>'s sources offer, for an <img> in it that holds only a placeholder. */
function pictureSource(picture: Element, base: string): string | null {
  for (const source of Array.from(picture.getElementsByTagName('source'))) {
    const url = httpUrl(largestFromSrcset(source.getAttribute('srcset') ?? source.getAttribute('data-srcset')), base);
    if (url) return url;
  }
  return null;
}

/**
 * Elements that only script turns into images, their file in an attribute (SFCC's
 * `<div data-cmp="dynamicImage" data-default-src=…>`, lazy backgrounds): on a saved page, or before the
 * shop's script has run, the product's photos are these alone.
 */
const SCRIPTED_IMAGE = ['data-default-src', 'data-desktop-src', 'data-bg'];
/** And photos a stylesheet draws: an element's own `background-image: url(…)` (small shops' galleries). */
const SCRIPTED_SELECTOR = [...SCRIPTED_IMAGE.map((name) => `[${name}]:not(img)`), '[style*="url("]:not(img)'].join(', ');
const STYLE_URL = /url\(\s*(['"]?)([^'")]+)\1\s*\)/;

/**
 * The page's images and script-drawn photos in document order. `img` alone is the engine's fast path
 * (a list it keeps); the attribute query is merged in only when it finds something.
 */
function imageElements(body: Element): Element[] {
  const imgs = Array.from(body.getElementsByTagName('img'));
  const scripted = body.querySelectorAll(SCRIPTED_SELECTOR);
  // An AMP page's <amp-img>, which its script fills with an <img>: a saved page keeps only the element and its files.
  const amp = body.getElementsByTagName('amp-img');
  if (scripted.length === 0 && amp.length === 0) return imgs;
  return [...imgs, ...Array.from(scripted), ...Array.from(amp)].sort((a, b) => (a.compareDocumentPosition(b) & 4 /* FOLLOWING */ ? -1 : 1));
}
/** Elements whose own attributes name their file as an <img>'s do (src, srcset, lazy loaders'). */
const IMAGE_TAGS = new Set(['IMG', 'AMP-IMG']);
const IMAGE_FILE = /\.(?:jpe?g|png|webp|avif)(?:[?#]|$)/i;

function scriptedImageUrl(el: Element, base: string): string | null {
  const style = el.getAttribute('style');
  const styled = style && /background/i.test(style) ? STYLE_URL.exec(style)?.[2] : undefined;
  for (const value of [...SCRIPTED_IMAGE.map((name) => el.getAttribute(name)?.trim()), styled?.trim()]) {
    if (!value || !IMAGE_FILE.test(value)) continue;
    const url = httpUrl(value, base);
    if (url) return url;
  }
  return null;
}

function attributeArea(img: Element): number {
  const width = Number.parseFloat(img.getAttribute('width') ?? '') || 0;
  const height = Number.parseFloat(img.getAttribute('height') ?? '') || 0;
  return width && height ? width * height : 0;
}

/** Size from attributes, else from the style (saved pages' images often do not load), else as loaded. */
function declaredSize(img: Element, layout: Layout, url?: string): number {
  const width = Number.parseFloat(img.getAttribute('width') ?? '') || 0;
  const height = Number.parseFloat(img.getAttribute('height') ?? '') || 0;
  if (width && height) return width * height;
  // An image the page does not render has no size to read: its style is not asked for.
  if (!layout.visible(img)) return 0;
  // A file that did not load (a saved page's never do) is drawn as its alt text's box: the size its
  // address asks for says more ("-1000x1000-" beside "-200x200-").
  const loadedNone = img.tagName === 'IMG' && (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth === 0;
  const side = loadedNone && url ? sizeInUrl(url) : 0;
  if (side > 0) return side * side;
  const style = layout.style(img);
  const w = Number.parseFloat(style?.width ?? '') || width;
  const h = Number.parseFloat(style?.height ?? '') || height;
  if (w && h) return w * h;
  const loaded = (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0;
  return loaded ? (img as HTMLImageElement).naturalWidth * (img as HTMLImageElement).naturalHeight : 0;
}

/**
 * A thumbnail's own control: one of a strip of thumbnail buttons, links or list items, each holding an
 * image ("pdp-gallery__thumb"). A single link named "thumb" around the cover is the main photo's.
 */
function thumbnailHolder(img: Element, layout: Layout): boolean {
  const holder = img.parentElement;
  if (holder === null || !/^(A|BUTTON|LI)$/.test(holder.tagName) || !/thumb/i.test(layout.label(holder))) return false;
  const strip = holder.parentElement ? Array.from(holder.parentElement.children).filter((c) => c.tagName === holder.tagName) : [];
  return strip.length >= 2;
}

const PATH_WIDTH = /[/,:]w[-_](\d{2,4})(?=[,/]|$)/i;
const PATH_HEIGHT = /[/,:]h[-_](\d{2,4})(?=[,/]|$)/i;

/** The largest side a file's address asks for ("?w=120&h=120", "/cache/60x60/", "-150x150.jpg", "tr:h-80,w-80"), or 0. */
function sizeInUrl(url: string): number {
  // "sw"/"sh": Salesforce Commerce Cloud's image service ("…/M10452_002_A.jpg?sw=120&sh=120").
  const query = /[?&](?:w|width|wid|sw)=(\d{1,4})\b/i.exec(url);
  const pair = /(?:^|[/_-])(\d{2,4})x(\d{2,4})(?=[/_.-]|$)/i.exec(url.split('?')[0]!);
  if (pair) return Math.max(Number(pair[1]), Number(pair[2]));
  if (query) return Math.max(Number(query[1]), Number(/[?&](?:h|height|hei|sh)=(\d{1,4})\b/i.exec(url)?.[1] ?? 0));
  // An image service's transformation in the path: "tr:h-80,w-80", "h_720,q_90,w_540".
  const path = url.split('?')[0]!;
  const named = NAMED_SIZE.exec(path);
  if (named) return NAMED_SIDES[named[1]!.toLowerCase()]!;
  return Math.max(Number(PATH_WIDTH.exec(path)?.[1] ?? 0), Number(PATH_HEIGHT.exec(path)?.[1] ?? 0));
}

/** A file named for one of Shopify's sizes (scorer.ts, NAMED_SIDES): "…_small.jpg", "…_grande@2x.jpg". */
const NAMED_SIZE = new RegExp(`_(${Object.keys(NAMED_SIDES).join('|')})(?:@\\dx)?\\.(?:jpe?g|png|gif|webp)$`, 'i');

/**
 * Tailwind's size classes on an image ("h-8" is 2rem, 32 px): a saved page's stylesheet does not load, but
 * its class still says the image is drawn as small as an icon or a logo (48 px or less on a side).
 */
const TAILWIND_SMALL = /(?:^|\s)(?:h|w|size|max-h|max-w)-(?:[0-9]|1[0-2]|[0-9]\.5)(?=\s|$)/;

/**
 * An image alone in a link or box named as a logo: the brand's or maker's logo beside the product's
 * name ("<a class="firm_logo"><img src="/producers/gfx/1.png" alt="Makita"></a>", as IdoSell shops show it).
 */
const LOGO_NAME = caseless(/(?<![^\s_-])logos?(?![^\s_-])/i);
function inLogoHolder(img: Element, layout: Layout): boolean {
  const holder = img.parentElement;
  return holder !== null && holder.childElementCount === 1 && LOGO_NAME.test(layout.label(holder));
}

/**
 * An alt text that names the product: half its words are the title's ("Harbour Sofa, side profile"), or
 * it holds the whole title of two words or more and says more of the photo ("Harbour Sofa in Oatmeal
 * Weave, 3-Seat, front view"), or it opens with the title's first three words, whatever it says of the
 * scene after them ("Cotswold Rustic Oak flooring in a Scandinavian style living room").
 */
function altNamesProduct(alt: string, title: string): boolean {
  return wordOverlap(alt, title) >= 0.5 || (words(title).length >= 2 && wordOverlap(title, alt) === 1) || opensWithName(alt, title);
}

/** Words of a title an alt text must open with to name the product, and no more than the title has. */
const NAME_LEAD = 3;

function opensWithName(alt: string, title: string): boolean {
  const name = words(title);
  if (name.length < NAME_LEAD) return false;
  const said = words(alt);
  for (let i = 0; i < NAME_LEAD; i += 1) if (said[i] !== name[i]) return false;
  return true;
}

/** A file its address sizes as a thumbnail: no side larger than 160 pixels ("-150x150.jpg", "-96Wx96H"). */
function smallBySize(url: string): boolean {
  const side = sizeInUrl(url) || mediaFormatSide(url);
  return side > 0 && side <= 160;
}

/** SAP Commerce's media format in a file's address ("/medias/4012345-01-96Wx96H?context=…"): its larger side, or 0. */
function mediaFormatSide(url: string): number {
  const format = /(?:^|[/_-])(\d{2,4})Wx(\d{2,4})H(?=[/_.-]|$)/.exec(url.split('?')[0]!);
  return format ? Math.max(Number(format[1]), Number(format[2])) : 0;
}

/**
 * `shownVariant`: the photo of the variant the page's address names (variants.ts), which its images
 * showing that file are.
 */
export function imageCandidates(layout: Layout, heading: Element | null, title: string | null, pageUrl: string, markupImages: readonly string[] = [],
  shownVariant: string | null = null): PageCandidate[] {
  const markupKeys = new Set(markupImages.map(imageKey));
  const shownKey = shownVariant === null ? null : imageKey(shownVariant);
  const imgs = (layout.doc.body ? imageElements(layout.doc.body) : []).slice(0, 400);
  const toHeading = distanceTo(heading ? [heading] : []);
  const out: PageCandidate[] = [];
  /** Each file once, as its best-placed element shows it: a thumbnail may link to the main photo's file. */
  const seen = new Map<string, { index: number; again: boolean }>();
  /**
   * Images in another products' block or the site's chrome (half or more of a large page's: 83 of 106 on
   * one shop's page) are read after the product's own area, and only those that might still score above
   * its best photo: the most such an image can score (named and shown as a product's photo, large, its
   * place in the page and its distance to the heading known) is known before reading it (scorer.ts
   * pageScore). Those of the markup's or the chosen variant's file are read at once: agreeing with the
   * markup or naming the variant lifts them.
   */
  const deferred: { img: Element; index: number; url: string; atMost: number }[] = [];
  const judge = (img: Element, index: number, url: string) => {
    // A file seen already is judged again only when its first element looked like no product photo (a
    // thumbnail) while its file did not: most repeats would add nothing, and large pages repeat many files.
    const earlier = seen.get(url);
    if (earlier !== undefined && !earlier.again) return;
    // Only markup hides an image for sure: a gallery's photos are often hidden by script until shown.
    // A <noscript> image is what a browser without scripts shows, as a saved page is read: the only copy
    // of a photo an old shop writes with document.write (Zen Cart, osCommerce); a lazy loader's twin of
    // it was seen already, by its file.
    if (img.closest('[hidden], template')) return;
    const named = `${layout.label(img)} ${img.parentElement ? layout.label(img.parentElement) : ''} ${img.parentElement?.parentElement ? layout.label(img.parentElement.parentElement) : ''}`;
    const area = declaredSize(img, layout, url);
    const alt = img.getAttribute('alt') ?? img.getAttribute('title') ?? '';
    const candidate: Candidate = {
      field: 'image', source: 'heuristic', value: url,
      evidence: {
        productLabelled: MAIN_LABEL.test(named) && !/thumb|swatch|nav/i.test(layout.label(img)),
        labelled: title !== null && alt.length > 3 && altNamesProduct(alt, title),
        // Magento's "gallery-placeholder__image" is the product's photo shown until the gallery's script runs.
        notProduct: notProductImage(url) || `${layout.label(img).replace(/gallery-placeholder/gi, 'gallery')} ${alt.slice(0, 40)}`.split(/[\s_-]+/).some((word) => NOT_PRODUCT_NAME.test(word))
          || /thumb/i.test(layout.label(img)) || (attributeArea(img) > 0 && attributeArea(img) <= 80 * 80) || TAILWIND_SMALL.test(img.getAttribute('class') ?? '')
          || thumbnailHolder(img, layout) || smallBySize(url) || inLogoHolder(img, layout),
        area,
        elsewhere: layout.elsewhere(img),
        toHeading: toHeading(img),
        order: index / Math.max(1, imgs.length),
        ...(shownKey !== null && imageKey(url) === shownKey ? { variant: 'shown' as const } : {}),
      },
    };
    if (earlier === undefined) {
      seen.set(url, { index: out.length, again: Boolean(candidate.evidence.notProduct) && !notProductImage(url) });
      out.push({ el: img, candidate });
    } else if (pageScore(candidate) > pageScore(out[earlier.index]!.candidate)) {
      out[earlier.index] = { el: img, candidate };
      earlier.again = Boolean(candidate.evidence.notProduct);
    }
  };
  imgs.forEach((img, index) => {
    const url = IMAGE_TAGS.has(img.tagName) ? imageUrl(img, pageUrl, markupKeys) : scriptedImageUrl(img, pageUrl);
    if (!url) return;
    const key = imageKey(url);
    if (!layout.elsewhere(img) || markupKeys.has(key) || key === shownKey) {
      judge(img, index, url);
      return;
    }
    const levels = toHeading(img);
    const atMost = pageScore({ field: 'image', source: 'heuristic', value: url,
      evidence: { productLabelled: true, labelled: true, area: Infinity, elsewhere: true, toHeading: levels, order: index / Math.max(1, imgs.length) } });
    deferred.push({ img, index, url, atMost });
  });
  const best = out.reduce((most, { candidate }) => Math.max(most, pageScore(candidate)), -Infinity);
  for (const { img, index, url, atMost } of deferred) if (atMost >= best) judge(img, index, url);
  return out;
}
