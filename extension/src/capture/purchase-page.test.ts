/**
 * recognisePurchasePage on saved checkout and order-confirmation pages (purchase-pages/, each as the
 * platform serves it, trimmed), and on pages that must not count: a newsletter's thank-you, a cart, an
 * order history, a product page.
 */
import { describe, expect, it } from 'vitest';
import { recognisePurchasePage, type PurchasePage } from './purchase-page.ts';

const pages = import.meta.glob<string>('./purchase-pages/*.html', { query: '?raw', import: 'default', eager: true });
const parse = (html: string) => new DOMParser().parseFromString(html, 'text/html');

/** The corpus: file, the URL it was saved from, what it is. */
const CORPUS: readonly { file: string; url: string; expected: PurchasePage | null }[] = [
  { file: 'shopify-thank-you', url: 'https://northwind.example/checkouts/c/7f3a9c0e2b1d4e5f/thank-you', expected: { kind: 'orderPlaced', evidence: 'platform-url', platform: 'Shopify' } },
  { file: 'shopify-thank-you', url: 'https://northwind.example/60123456/checkouts/0d1e2f3a4b5c6d7e/thank_you', expected: { kind: 'orderPlaced', evidence: 'platform-url', platform: 'Shopify' } },
  { file: 'shopify-order-status', url: 'https://northwind.example/60123456/orders/ab12cd34ef56ab78cd90ef12?key=1', expected: { kind: 'orderPlaced', evidence: 'platform-url', platform: 'Shopify' } },
  { file: 'shopify-checkout', url: 'https://northwind.example/checkouts/cn/Z2NwLXVzLWVhc3Qx/information', expected: { kind: 'checkout', evidence: 'platform-url', platform: 'Shopify' } },
  { file: 'woocommerce-order-received', url: 'https://kaffeehaus.example/kasse/order-received/4711/?key=wc_order_Xy12', expected: { kind: 'orderPlaced', evidence: 'platform-url', platform: 'WooCommerce' } },
  { file: 'woocommerce-order-received', url: 'https://kaffeehaus.example/?page_id=7&order-received=4711&key=wc_order_Xy12', expected: { kind: 'orderPlaced', evidence: 'platform-url', platform: 'WooCommerce' } },
  { file: 'woocommerce-checkout', url: 'https://kaffeehaus.example/kasse/', expected: { kind: 'checkout', evidence: 'url' } },
  { file: 'magento-success', url: 'https://gear.example/checkout/onepage/success/', expected: { kind: 'orderPlaced', evidence: 'platform-url', platform: 'Magento' } },
  { file: 'magento-checkout', url: 'https://gear.example/checkout/#shipping', expected: { kind: 'checkout', evidence: 'url' } },
  { file: 'bigcommerce-confirmation', url: 'https://cornerstore.example/checkout/order-confirmation/118', expected: { kind: 'orderPlaced', evidence: 'platform-url', platform: 'BigCommerce' } },
  { file: 'amazon-thankyou', url: 'https://www.amazon.de/gp/buy/thankyou/handlers/display.html?purchaseId=404-1234567-7654321', expected: { kind: 'orderPlaced', evidence: 'platform-url', platform: 'Amazon' } },
  { file: 'amazon-thankyou', url: 'https://www.amazon.co.uk/checkout/p/p-026-1234567/thankyou?pipelineType=Chewbacca', expected: { kind: 'orderPlaced', evidence: 'platform-url', platform: 'Amazon' } },
  { file: 'amazon-checkout', url: 'https://www.amazon.com/gp/buy/spc/handlers/display.html?hasWorkingJavascript=1', expected: { kind: 'checkout', evidence: 'platform-url', platform: 'Amazon' } },
  { file: 'json-ld-order', url: 'https://lampenwelt.example/account/view?id=55-1290', expected: { kind: 'orderPlaced', evidence: 'json-ld' } },
  { file: 'microdata-order', url: 'https://boutique-claire.example/commande/recapitulatif', expected: { kind: 'orderPlaced', evidence: 'microdata' } },
  { file: 'confirm-action', url: 'https://shop.example/done', expected: { kind: 'orderPlaced', evidence: 'json-ld' } },
  { file: 'heading-french', url: 'https://boutique-claire.example/commande/merci-90211', expected: { kind: 'orderPlaced', evidence: 'heading' } },
  { file: 'heading-spanish', url: 'https://tienda-sol.example/pedido/exito', expected: { kind: 'orderPlaced', evidence: 'heading' } },
  { file: 'heading-japanese', url: 'https://mise.example/order/complete', expected: { kind: 'orderPlaced', evidence: 'heading' } },
  { file: 'generic-checkout-success', url: 'https://northern-lights.example/checkout/success?order=441', expected: { kind: 'orderPlaced', evidence: 'url' } },
  { file: 'generic-checkout-success', url: 'https://northern-lights.example/order-confirmation/441', expected: { kind: 'orderPlaced', evidence: 'url' } },
  // Not a checkout, not an order.
  { file: 'newsletter-thank-you', url: 'https://northwind.example/newsletter/thank-you', expected: null },
  { file: 'cart', url: 'https://northwind.example/cart', expected: null },
  { file: 'order-history', url: 'https://lampenwelt.example/account/orders', expected: null },
  { file: 'product', url: 'https://kaffeehaus.example/produkt/espressokocher-classico/', expected: null },
  // Amazon's paths mean nothing on another shop.
  { file: 'cart', url: 'https://not-amazon.example/gp/buy/spc/handlers/display.html', expected: null },
];

describe('recognisePurchasePage on saved pages', () => {
  it('has every page of the corpus', () => {
    const files = new Set(Object.keys(pages).map((path) => path.replace(/^.*\/|\.html$/g, '')));
    expect(new Set(CORPUS.map((entry) => entry.file))).toEqual(files);
  });

  for (const { file, url, expected } of CORPUS) {
    it(`${file} at ${url}`, () => {
      expect(recognisePurchasePage(parse(pages[`./purchase-pages/${file}.html`]!), url)).toEqual(expected);
    });
  }
});

describe('recognisePurchasePage on odd input', () => {
  const empty = parse('<!doctype html><title></title>');
  it('never throws: a bad URL, another scheme, broken or huge JSON-LD, a deep tree', () => {
    expect(recognisePurchasePage(empty, 'not a url')).toBeNull();
    expect(recognisePurchasePage(empty, 'chrome://checkout/')).toBeNull();
    expect(recognisePurchasePage(empty, 'https://shop.example/%E0%A4%A/checkout')).toEqual({ kind: 'checkout', evidence: 'url' });
    const broken = parse('<script type="application/ld+json">{"@type": "Order",</script><h1>Hi</h1>');
    expect(recognisePurchasePage(broken, 'https://shop.example/a')).toBeNull();
    let deep: unknown = { '@type': 'Order', orderNumber: '1' };
    for (let i = 0; i < 50; i += 1) deep = { child: deep };
    expect(recognisePurchasePage(parse(`<script type="application/ld+json">${JSON.stringify(deep)}</script>`), 'https://shop.example/a')).toBeNull();
  });

  it('a cart page is never a checkout, though it links to one', () => {
    expect(recognisePurchasePage(parse('<h1>Warenkorb</h1><a href="/kasse/">Zur Kasse</a>'), 'https://shop.example/warenkorb')).toBeNull();
  });
});
