/**
 * Checkout and order-confirmation pages (docs/capture.md, "Checkout and order pages"): whether the page
 * is a shop's checkout, or the page a shop shows once an order is placed. Pure: a `Document` and the
 * page's URL in, a finding out; no platform code beyond the DOM, never throws.
 *
 * Evidence, strongest first:
 * 1. schema.org markup (JSON-LD or microdata): an `Order` or a `ConfirmAction` is a placed order; a
 *    `CheckoutPage` is a checkout. A page listing several orders is an order history, not a confirmation.
 * 2. The thank-you URLs of the common shop platforms (Shopify, WooCommerce, Magento, BigCommerce,
 *    Amazon) and their checkout URLs.
 * 3. Generic URLs ("order-confirmation", "checkout/success") and the page's main heading or title in a
 *    few languages ("Thank you for your order", "Vielen Dank für Ihre Bestellung", "Merci pour votre
 *    commande"). A bare "thank-you" URL (newsletters use it too) counts only with such a heading.
 * A cart page is never a checkout.
 */

export type PurchasePageKind = 'checkout' | 'orderPlaced';

export interface PurchasePage {
  readonly kind: PurchasePageKind;
  /** What said so: markup, a shop platform's URL, a generic URL, or the heading. */
  readonly evidence: 'json-ld' | 'microdata' | 'platform-url' | 'url' | 'heading';
  /** The platform whose URL it is, when known. */
  readonly platform?: 'Shopify' | 'WooCommerce' | 'Magento' | 'BigCommerce' | 'Amazon';
}

/** JSON-LD read at most (a confirmation's markup is small; a huge block is not read). */
const MAX_LD_CHARS = 1_000_000;
const MAX_DEPTH = 12;

const typeName = (value: unknown): string[] => {
  const names = Array.isArray(value) ? value : [value];
  return names.filter((name): name is string => typeof name === 'string')
    .map((name) => name.replace(/^(?:https?:\/\/)?(?:www\.)?schema\.org\/|^schema:/i, '').toLowerCase());
};

/** The schema.org types of every node of the page's JSON-LD, with the order ids seen. */
function jsonLdTypes(doc: Document): { types: Set<string>; orders: Set<string> } {
  const types = new Set<string>();
  const orders = new Set<string>();
  const visit = (node: unknown, depth: number) => {
    if (depth > MAX_DEPTH || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child, depth + 1);
      return;
    }
    const record = node as Record<string, unknown>;
    const names = typeName(record['@type']);
    for (const name of names) types.add(name);
    if (names.includes('order')) orders.add(String(record.orderNumber ?? record['@id'] ?? orders.size));
    for (const [key, value] of Object.entries(record)) if (key !== '@context') visit(value, depth + 1);
  };
  for (const script of Array.from(doc.querySelectorAll('script[type="application/ld+json" i]'))) {
    const text = (script.textContent ?? '').trim().replace(/^<!--|-->$/g, '').replace(/^\/\/<!\[CDATA\[|\/\/\]\]>$/g, '');
    if (text.length > MAX_LD_CHARS) continue;
    try {
      visit(JSON.parse(text), 0);
    } catch {
      // A malformed block says nothing.
    }
  }
  return { types, orders };
}

function microdataTypes(doc: Document): { types: Set<string>; orders: number } {
  const types = new Set<string>();
  let orders = 0;
  for (const element of Array.from(doc.querySelectorAll('[itemtype]'))) {
    for (const name of (element.getAttribute('itemtype') ?? '').split(/\s+/).flatMap(typeName)) {
      types.add(name);
      if (name === 'order') orders += 1;
    }
  }
  return { types, orders };
}

interface UrlRule {
  readonly kind: PurchasePageKind;
  readonly platform?: PurchasePage['platform'];
  readonly path: RegExp;
  /** Only on these hosts (Amazon's paths mean nothing elsewhere). */
  readonly host?: RegExp;
}

/** Order placed first: a thank-you path also matches the checkout rules. */
const PLATFORM_URLS: readonly UrlRule[] = [
  { kind: 'orderPlaced', platform: 'Shopify', path: /\/checkouts\/(?:[a-z]{1,3}\/)?[\w-]+\/thank[-_]you\b/ },
  { kind: 'orderPlaced', platform: 'Shopify', path: /^\/\d+\/orders\/[0-9a-f]{16,}/ },
  { kind: 'orderPlaced', platform: 'WooCommerce', path: /\/order-received\/\d+/ },
  { kind: 'orderPlaced', platform: 'Magento', path: /\/checkout\/onepage\/success\b/ },
  { kind: 'orderPlaced', platform: 'BigCommerce', path: /\/checkout\/order-confirmation\b|\/finishorder\.php$/ },
  { kind: 'orderPlaced', platform: 'Amazon', path: /\/(?:gp\/)?buy\/thankyou\b|\/checkout\/.*thankyou\b/, host: /(?:^|\.)amazon\.[a-z.]+$/ },
  { kind: 'checkout', platform: 'Amazon', path: /\/gp\/buy\/(?:spc|payselect|addressselect|shipoptionselect)\b|\/checkout\/(?:p|entry)\b/, host: /(?:^|\.)amazon\.[a-z.]+$/ },
  { kind: 'checkout', platform: 'Shopify', path: /\/checkouts\/(?:[a-z]{1,3}\/)?[\w-]+/ },
];

const GENERIC_ORDER_URL = /\/(?:order[-_]?(?:confirmation|confirmed|complete|completed|success|received|placed)|checkout\/(?:success|complete|confirmation|thank[-_]?you)|bestellbestaetigung|bestellung-abgeschlossen|confirmation-commande|commande-confirmee|pedido-confirmado|ordine-confermato|bestelling-bevestigd)\b/;
const BARE_THANK_YOU_URL = /\/(?:thank[-_]?you|thanks|danke|merci|gracias|grazie|bedankt)\b/;
const GENERIC_CHECKOUT_URL = /\/(?:checkout|kasse|caisse|cassa|finalizar-compra|afrekenen|kassa|commande\/paiement|onestepcheckout)(?:\/|$|\.|\?|#)/;
const CART_URL = /\/(?:cart|basket|warenkorb|panier|carrito|carrello|winkelwagen)(?:\/|$|\.)/;

/** "Thank you for your order" and its kind, in a few languages (lower case, accents kept). */
const ORDER_HEADINGS: readonly RegExp[] = [
  /thank(?:s| you) for (?:your|the) (?:order|purchase)/, /your order (?:has been|was|is) (?:placed|received|confirmed)/,
  /^order (?:confirmed|confirmation|complete|received|placed)\b/, /we(?:'|’)ve received your order/,
  /vielen dank für ihre bestellung/, /danke für deine bestellung/, /ihre bestellung (?:wurde|ist) (?:aufgegeben|eingegangen|bestätigt)/, /^bestellbestätigung/,
  /merci (?:pour|de) votre commande/, /votre commande (?:a été|est) (?:confirmée|validée|enregistrée)/, /^commande confirmée/,
  /gracias por (?:tu|su) (?:pedido|compra)/, /^pedido confirmado/, /tu pedido (?:ha sido|se ha) (?:realizado|confirmado)/,
  /grazie per il tuo ordine/, /^ordine confermato/,
  /bedankt voor je bestelling/, /tack för din beställning/, /ご注文ありがとうございま/,
];

function headings(doc: Document): string[] {
  const texts = Array.from(doc.querySelectorAll('h1, h2, [role="heading"]')).slice(0, 20).map((element) => element.textContent ?? '');
  texts.push(doc.title ?? '');
  return texts.map((text) => text.replace(/\s+/g, ' ').trim().toLowerCase()).filter((text) => text.length > 0 && text.length < 200);
}

/** The checkout or confirmation the page is, or null. */
export function recognisePurchasePage(doc: Document, pageUrl: string): PurchasePage | null {
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const path = decodeURIComponentSafe(url.pathname).toLowerCase();
  const query = url.search.toLowerCase();

  try {
    const ld = jsonLdTypes(doc);
    if ((ld.orders.size === 1 && !ld.types.has('itemlist')) || ld.types.has('confirmaction')) return { kind: 'orderPlaced', evidence: 'json-ld' };
    const micro = microdataTypes(doc);
    if (micro.orders === 1 || micro.types.has('confirmaction')) return { kind: 'orderPlaced', evidence: 'microdata' };
    if (ld.types.has('checkoutpage')) return { kind: 'checkout', evidence: 'json-ld' };
    if (micro.types.has('checkoutpage')) return { kind: 'checkout', evidence: 'microdata' };
  } catch {
    // An odd document: the URL still says what it can.
  }

  for (const rule of PLATFORM_URLS) {
    if (rule.host && !rule.host.test(url.hostname)) continue;
    if (rule.path.test(path)) return { kind: rule.kind, evidence: 'platform-url', ...(rule.platform ? { platform: rule.platform } : {}) };
  }
  // WooCommerce without pretty links: ?order-received=123 (or ?page_id=…&order-received=123).
  if (/[?&]order-received=\d+/.test(query)) return { kind: 'orderPlaced', evidence: 'platform-url', platform: 'WooCommerce' };
  if (GENERIC_ORDER_URL.test(path)) return { kind: 'orderPlaced', evidence: 'url' };

  let titles: string[] = [];
  try {
    titles = headings(doc);
  } catch {
    titles = [];
  }
  if (titles.some((text) => ORDER_HEADINGS.some((pattern) => pattern.test(text)))) return { kind: 'orderPlaced', evidence: 'heading' };
  if (BARE_THANK_YOU_URL.test(path)) return null; // a thank-you page without an order's words: a newsletter's, a form's
  if (CART_URL.test(path) && !GENERIC_CHECKOUT_URL.test(path)) return null;
  if (GENERIC_CHECKOUT_URL.test(path) || /[?&](?:step=checkout|checkout=1)\b/.test(query)) return { kind: 'checkout', evidence: 'url' };
  return null;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
