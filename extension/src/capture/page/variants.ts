/**
 * The variant the page shows, read from its option lists ("110v | R$ 699,00", "XL – 34,95 €"): the
 * option marked selected, else the one the page's address names (an option's value, such as a SKU, in
 * the URL's path, else in its query). Its price is the shown variant's price; the prices of the other
 * options belong to other variants, which the shopper is not looking at. Spec: docs/capture.md, rule 2.
 */
import type { PageHints } from '../currency.ts';
import { parsePriceText } from '../price-text.ts';
import { caseless } from '../text.ts';
import { QUANTITY_WORDS } from './layout.ts';

export interface VariantPrices {
  /** The price of the variant the page shows, in minor units, or null when no option says. */
  readonly shown: number | null;
  /** Prices of the other options. */
  readonly others: ReadonlySet<number>;
}

const MAX_SELECTS = 20;
const MAX_OPTIONS = 60;

/** The words of a URL part ("/Frigobar-PH85-462100.html" → frigobar, ph85, 462100, html). */
function tokens(text: string): Set<string> {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // A malformed escape: the raw text still splits into words.
  }
  return new Set(decoded.toLowerCase().split(/[^a-z0-9]+/).filter((t) => t.length >= 3));
}

/** A list of quantities by its id, name or class ("qty", "quantity_opt[]", "Menge"). */
const QUANTITY_SELECT = caseless(new RegExp(`(?<![a-z])(?:${QUANTITY_WORDS})(?![a-z])`, 'i'));

export function variantPrices(doc: Document, pageUrl: string, hints: PageHints): VariantPrices {
  const none: VariantPrices = { shown: null, others: new Set() };
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    return none;
  }
  const options: { value: string; selected: boolean; price: number }[] = [];
  const parsed = new Map<string, ReturnType<typeof parsePriceText>>();
  // An option's price names its currency itself ("XL – 34,95 €"): the markup's currency would make a price
  // of every number in an option's name ("3+1+1 Seater").
  const ownCurrency: PageHints = { lang: hints.lang, hostname: hints.hostname };
  const selects = doc.body?.getElementsByTagName('select');
  for (let s = 0; selects && s < Math.min(selects.length, MAX_SELECTS); s += 1) {
    const select = selects[s]!;
    // A quantity list's totals ("2 tyres – £285.00" chosen) are the price of several, not another variant's.
    if (QUANTITY_SELECT.test(`${select.id} ${select.getAttribute('name') ?? ''} ${select.getAttribute('class') ?? ''}`)) continue;
    const list = select.getElementsByTagName('option');
    for (let o = 0; o < Math.min(list.length, MAX_OPTIONS); o += 1) {
      const option = list[o]!;
      const text = option.textContent ?? '';
      if (text.length > 120 || !/\d/.test(text) || option.hasAttribute('disabled')) continue;
      // Quantity and size lists repeat the same texts from list to list: each is read once.
      let price = parsed.get(text);
      if (price === undefined) parsed.set(text, price = parsePriceText(text, ownCurrency));
      if (!price || price.amountMinor <= 0 || price.currency === 'unknown') continue;
      options.push({ value: (option.getAttribute('value') ?? '').trim().toLowerCase(), selected: option.hasAttribute('selected'), price: price.amountMinor });
    }
  }
  if (options.length < 2) return wooCommerceVariation(doc, hints) ?? none;
  const named = (words: Set<string>) => options.filter((o) => /^[a-z0-9_-]{3,40}$/.test(o.value) && words.has(o.value));
  const selected = options.filter((o) => o.selected);
  const byPath = named(tokens(url.pathname));
  const byQuery = named(tokens(url.search));
  const chosen = selected.length === 1 ? selected : byPath.length === 1 ? byPath : byQuery.length === 1 ? byQuery : [];
  if (chosen.length !== 1) return wooCommerceVariation(doc, hints) ?? none;
  const shown = chosen[0]!.price;
  return { shown, others: new Set(options.map((o) => o.price).filter((price) => price !== shown)) };
}

/**
 * WooCommerce shows the chosen variation's price in its own box under the options (`.single_variation
 * .woocommerce-variation-price`), filled only once a variation is chosen: a default variation, or the
 * one a saved page was showing. Its price to pay is the `<ins>` of a sale, else the box's one amount.
 */
function wooCommerceVariation(doc: Document, hints: PageHints): VariantPrices | null {
  const box = doc.querySelector('.single_variation .woocommerce-variation-price');
  if (!box) return null;
  const text = (box.querySelector('ins') ?? box).textContent ?? '';
  if (text.length > 200) return null;
  const price = parsePriceText(text, hints);
  return price && price.amountMinor > 0 ? { shown: price.amountMinor, others: new Set() } : null;
}

/** Shopify names the variant a page shows in its address (`?variant=43210987650015`). */
const VARIANT_ID = /^\d{6,20}$/;
const MAX_JSON_SCRIPTS = 40;
const MAX_JSON_CHARS = 2_000_000;

/** A Shopify variant's own photo: `featured_image` (its `src`, or the address itself), else `featured_media.preview_image.src`. */
function featuredImage(variant: Record<string, unknown>): unknown {
  const image = variant.featured_image;
  if (typeof image === 'string') return image;
  if (typeof image === 'object' && image !== null) return (image as Record<string, unknown>).src;
  const media = variant.featured_media;
  const preview = typeof media === 'object' && media !== null ? (media as Record<string, unknown>).preview_image : undefined;
  return typeof preview === 'object' && preview !== null ? (preview as Record<string, unknown>).src : undefined;
}

/** The object with this `id` among a parsed JSON's (a product's `variants`, or the list itself), a few levels deep. */
function withId(value: unknown, id: string, depth = 0): Record<string, unknown> | null {
  if (depth > 4 || typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (const item of value.slice(0, 500)) {
      const found = withId(item, id, depth + 1);
      if (found) return found;
    }
    return null;
  }
  const node = value as Record<string, unknown>;
  if (String(node.id) === id) return node;
  return withId(node.variants, id, depth + 1) ?? withId(node.product, id, depth + 1);
}

/**
 * The photo of the variant the page shows: from the variants' JSON the shop's theme embeds for its
 * picker (`<script type="application/json">[{"id":…,"featured_image":{"src":…}}]`, Shopify) for the
 * variant its address names, else the photo of the chosen colour (chosenColourImage). The gallery shows
 * that variant's photo, while the markup and OpenGraph keep the product's first photo or another
 * colour's. Null when the page says neither.
 */
export function shownVariantImage(doc: Document, pageUrl: string, markupImages: readonly string[] = []): string | null {
  return embeddedVariantImage(doc, pageUrl) ?? chosenColourImage(doc, pageUrl, markupImages);
}

/** Names of a colour option in shops' languages, in an address's parameter ("dwvar_VZ4W_color") or a picker's name ("Cor"). */
const COLOUR_NAME = /colou?r|farbe|couleur|^cor$|colore|kleur|färg|farve|väri|kolor|barva|szín|culoare|цвет|колір|顏色|颜色|カラー|색상/i;

/** The words of a file's name, lower-cased ("VZ4W_CRL_01.jpg" → vz4w, crl, 01). */
function fileWords(url: string): string[] {
  const file = url.split(/[?#]/)[0]!.split('/').pop() ?? '';
  return file.toLowerCase().replace(/\.[a-z0-9]{2,5}$/, '').split(/[^a-z0-9\u00c0-\u024f]+/).filter((w) => w !== '');
}

/**
 * The photo of the colour the page shows: the colour its address names ("?dwvar_VZ4W_color=CRL") or its
 * picker has checked (`<input type="radio" name="Cor" value="Terracota" checked>`), found as a file of the
 * page named as the markup's photo with that colour in place of another ("VZ4W_NGB_01.jpg" in the
 * markup, "VZ4W_CRL_01.jpg" in the gallery): the markup names the product's first colour. Nothing else
 * is taken for it: another product's photo never has the markup photo's name.
 */
function chosenColourImage(doc: Document, pageUrl: string, markupImages: readonly string[]): string | null {
  if (markupImages.length === 0) return null;
  const colours = new Set<string>();
  const add = (value: string | null | undefined) => {
    const word = (value ?? '').trim().toLowerCase();
    if (/^[a-z0-9\u00c0-\u024f]{3,20}$/.test(word)) colours.add(word);
  };
  try {
    for (const [name, value] of new URL(pageUrl).searchParams) if (COLOUR_NAME.test(name)) add(value);
  } catch {
    return null;
  }
  const checked = doc.querySelectorAll('input[type="radio" i][checked]');
  for (let i = 0; i < Math.min(checked.length, 40); i += 1) if (COLOUR_NAME.test(checked[i]!.getAttribute('name') ?? '')) add(checked[i]!.getAttribute('value'));
  if (colours.size === 0) return null;
  const markupWords = markupImages.map(fileWords);
  const named = (url: string) => {
    const words = fileWords(url);
    return markupWords.some((theirs) => {
      const changed = words.filter((w, i) => w !== theirs[i]);
      return theirs.length === words.length && changed.length === 1 && colours.has(changed[0]!);
    });
  };
  const images = doc.getElementsByTagName('img');
  for (let i = 0; i < Math.min(images.length, 400); i += 1) {
    const img = images[i]!;
    for (const attribute of ['src', 'data-src', 'data-zoom-image', 'data-full-image']) {
      const value = img.getAttribute(attribute);
      if (!value || value.length > 2048 || value.startsWith('data:') || !named(value)) continue;
      try {
        return new URL(value.trim(), pageUrl).href;
      } catch {
        // Not an address: the next attribute may name the file.
      }
    }
  }
  return null;
}

/** The photo of the variant the page's address names (`?variant=`), from the variants' JSON the theme embeds. */
function embeddedVariantImage(doc: Document, pageUrl: string): string | null {
  let id: string | null;
  try {
    id = new URL(pageUrl).searchParams.get('variant');
  } catch {
    return null;
  }
  if (!id || !VARIANT_ID.test(id)) return null;
  const scripts = doc.querySelectorAll('script[type="application/json"]');
  for (let i = 0; i < Math.min(scripts.length, MAX_JSON_SCRIPTS); i += 1) {
    const text = scripts[i]!.textContent ?? '';
    if (text.length > MAX_JSON_CHARS || !text.includes(id)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    const variant = withId(parsed, id);
    const src = variant ? featuredImage(variant) : undefined;
    if (typeof src !== 'string' || src.length > 2048) continue;
    try {
      const url = new URL(src.trim(), pageUrl);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
    } catch {
      // Not an address: the next list may name the photo.
    }
  }
  return null;
}
