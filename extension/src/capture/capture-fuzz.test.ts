/**
 * Capture on random and hostile pages: whatever a page holds, extractProduct answers with a product or
 * with nothing, never throws, never hangs, and never lets a page's data reach a prototype. The content
 * script runs on every shop page, so a page must not be able to break it or slow the shop down.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { recordFaultRun } from '../../../test/faults/ledger.ts';
import { extractProduct, type CapturedProduct } from './extract-product.ts';

let fuzzCases = 0;

const parse = (html: string) => new DOMParser().parseFromString(html, 'text/html');
const ld = (text: string) => `<script type="application/ld+json">${text}</script>`;

/** A product or nothing, and a product that holds only what a cart item may hold. */
function expectProductOrNothing(product: CapturedProduct | null): void {
  fuzzCases += 1;
  if (product === null) return;
  expect(typeof product.title).toBe('string');
  expect(product.title.length).toBeGreaterThan(0);
  expect(product.title.length).toBeLessThanOrEqual(300);
  if (product.priceMinor !== null) expect(Number.isSafeInteger(product.priceMinor) && product.priceMinor >= 0).toBe(true);
  expect(typeof product.currency).toBe('string');
  if (product.imageUrl !== null) expect(product.imageUrl).toMatch(/^https?:\/\//);
  expect(product.url).toMatch(/^https?:\/\//);
}

/** Captures, and checks that it neither threw nor took more than `limitMs` (a hang, not a speed test). */
function capture(doc: Document, url: string, limitMs = 10_000): CapturedProduct | null {
  const started = performance.now();
  const product = extractProduct(doc, url);
  expect(performance.now() - started).toBeLessThan(limitMs);
  expectProductOrNothing(product);
  return product;
}

const TAGS = ['div', 'span', 'p', 'h1', 'h2', 'h3', 'a', 'button', 'img', 'del', 'sup', 'section', 'header', 'footer', 'nav', 'main', 'table', 'tr', 'td', 'select', 'option', 'strong', 'li'];
const CLASSES = ['price', 'old-price', 'sale', 'product-title', 'product-name', 'related', 'hidden', 'main-image', 'gallery', 'cart', 'buy-now', 'thumb', 'logo', 'seller-list', 'club-price', ''];
const TEXTS = ['$19.99', '19,99 €', 'R$ 1.849,00', 'Add to Cart', 'In den Warenkorb', 'Club Price: $11.34', 'Was £20', 'July, 2004', '25-09', '40% OFF', 'Free', '¥1,200', 'Recommendations', 'Kettle 1.7 l', '<b>', '&amp;', '\u0000', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢'];

interface Tree { tag: string; cls: string; text: string; attrs: [string, string][]; children: Tree[] }

const attr = fc.tuple(
  fc.constantFrom('itemprop', 'itemscope', 'itemtype', 'content', 'src', 'data-src', 'srcset', 'href', 'width', 'height', 'hidden', 'aria-hidden', 'style', 'typeof', 'property', 'name', 'value', 'selected', 'data-a-dynamic-image'),
  fc.oneof(fc.constantFrom('price', 'name', 'image', 'offers', 'https://schema.org/Product', 'https://schema.org/Offer', 'display:none', 'true', '19.99', '/img/a.jpg', 'javascript:alert(1)', '{"https://x.example/a.jpg":[500,500]}', '{bad json', '1e309', '-5'), fc.string({ maxLength: 30 })),
);

const element = (children: fc.Arbitrary<Tree[]>) => fc.record({
  tag: fc.constantFrom(...TAGS),
  cls: fc.constantFrom(...CLASSES),
  text: fc.oneof(fc.constantFrom(...TEXTS), fc.string({ maxLength: 40 })),
  attrs: fc.array(attr, { maxLength: 3 }),
  children,
});

// Up to six levels of up to four children: past the depth limit, an element is a leaf.
const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof({ maxDepth: 6, depthIdentifier: 'tree' }, element(fc.constant([])), element(fc.array(tie('node'), { maxLength: 4 }))),
})).node;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const html = (t: Tree): string => {
  const attrs = t.attrs.map(([name, value]) => ` ${name}="${escape(value)}"`).join('');
  return `<${t.tag} class="${t.cls}"${attrs}>${escape(t.text)}${t.children.map(html).join('')}</${t.tag}>`;
};

describe('capture on random and hostile pages', () => {
  afterAll(() => {
    recordFaultRun({ kind: 'capture-fuzz', faults: 0, changesWritten: 0, lost: 0, duplicated: 0, notConverged: 0, crashes: 0, fuzzCases });
  });

  it('random element trees: a product or nothing, never a throw', () => {
    fc.assert(fc.property(fc.array(tree, { minLength: 1, maxLength: 4 }), fc.constantFrom('https://shop.example/p/1', 'https://shop.example.com.br/p?variant=2', 'http://x.example/'), (trees, url) => {
      capture(parse(`<!doctype html><html lang="en"><head><title>Kettle</title></head><body>${trees.map(html).join('')}</body></html>`), url);
    }), { numRuns: 150 });
  });

  it('random JSON-LD values: a product or nothing, never a throw', () => {
    const product = fc.record({
      '@type': fc.oneof(fc.constant('Product'), fc.constant(['Product', 'Thing']), fc.string({ maxLength: 10 })),
      name: fc.oneof(fc.string({ maxLength: 50 }), fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 })),
      image: fc.oneof(fc.webUrl(), fc.constant('javascript:alert(1)'), fc.object({ maxDepth: 2 })),
      offers: fc.oneof(fc.object({ maxDepth: 3 }), fc.record({ price: fc.oneof(fc.double(), fc.string({ maxLength: 12 })), priceCurrency: fc.string({ maxLength: 4 }) })),
    }, { requiredKeys: ['@type'] });
    fc.assert(fc.property(fc.oneof(product, fc.jsonValue({ maxDepth: 4 })), (value) => {
      capture(parse(`<!doctype html><html><head>${ld(JSON.stringify(value))}</head><body><h1>Kettle</h1></body></html>`), 'https://shop.example/p/1');
    }), { numRuns: 150 });
  });

  it('10,000 levels of nesting: answers in bounded time', () => {
    const doc = parse('<!doctype html><html lang="en"><head><title>Deep Kettle</title></head><body></body></html>');
    let parent: Element = doc.body;
    for (let level = 0; level < 10_000; level += 1) {
      const div = doc.createElement(level % 2 ? 'div' : 'span');
      div.className = level % 3 ? 'product' : 'price';
      parent.appendChild(div);
      parent = div;
    }
    parent.innerHTML = '<h1 class="product-title">Deep Kettle</h1><span class="price">$19.99</span><button>Add to Cart</button><img src="/k.jpg" width="600" height="600" alt="Deep Kettle">';
    // happy-dom's own selector engine recurses and overflows its stack at this depth (Chromium's does
    // not): the capture then answers nothing rather than throwing into the page.
    capture(doc, 'https://shop.example/p/deep', 30_000);
  }, 60_000);

  it('huge attribute values and texts: answers in bounded time', () => {
    const huge = 'x'.repeat(1_000_000);
    const doc = parse(`<!doctype html><html><head><title>${huge}</title><meta property="og:title" content="${huge}"></head>
      <body class="${huge}"><h1 id="${huge}" class="product-title">Kettle</h1><img src="https://x.example/${huge}.jpg" srcset="${huge}" alt="${huge}">
      <span class="price" data-x="${huge}">$19.99</span><p>${huge}</p><a href="/cart" title="${huge}">Add to Cart</a></body></html>`);
    expect(capture(doc, 'https://shop.example/p/huge')).toMatchObject({ title: 'Kettle', priceMinor: 1999 });
  }, 60_000);

  it('hostile JSON-LD: cyclic-looking @graph, 10 MB strings, prototype keys, deep arrays', () => {
    const cyclic = { '@graph': [
      { '@id': '#a', '@type': 'Product', name: 'Loop', offers: { '@id': '#b' }, isRelatedTo: { '@id': '#a' } },
      { '@id': '#b', '@type': 'Offer', price: '5', priceCurrency: 'EUR', itemOffered: { '@id': '#a' }, priceSpecification: { '@id': '#b' } },
    ] };
    const big = { '@type': 'Product', name: 'n'.repeat(10_000_000), offers: { price: '1', priceCurrency: 'USD' } };
    const proto = '{"@type":"Product","name":"Proto","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"offers":{"__proto__":{"price":"1"},"price":"7","priceCurrency":"EUR"}}';
    const deep = `${'['.repeat(20_000)}{"@type":"Product","name":"Deep"}${']'.repeat(20_000)}`;
    const many = JSON.stringify({ '@graph': Array.from({ length: 20_000 }, (_, i) => ({ '@id': `#${i}`, '@type': 'Product', name: `P${i}`, offers: { '@id': `#${i + 1}` } })) });
    for (const block of [JSON.stringify(cyclic), JSON.stringify(big), proto, deep, many, '{"@type":"Product","name":', '\u0000{}', 'null', '[]']) {
      const product = capture(parse(`<!doctype html><html><head>${ld(block)}</head><body><h1>Kettle</h1></body></html>`), 'https://shop.example/p/1');
      if (block === proto) expect(product).toMatchObject({ title: 'Proto', priceMinor: 700, currency: 'EUR' });
      if (block === JSON.stringify(cyclic)) expect(product).toMatchObject({ title: 'Loop', priceMinor: 500 });
    }
    // A hostile block costs only itself: the page's other block is still read.
    const lamp = ld('{"@type":"Product","name":"Lamp","offers":{"price":"5.00","priceCurrency":"EUR"}}');
    for (const block of [deep, '{"@type":"Product","name":', JSON.stringify(cyclic).slice(0, 90)]) {
      const product = capture(parse(`<!doctype html><html><head>${ld(block)}${lamp}</head><body><h1>Lamp</h1></body></html>`), 'https://shop.example/p/lamp');
      expect(product).toMatchObject({ title: 'Lamp', priceMinor: 500, currency: 'EUR' });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  }, 60_000);

  it('broken microdata and RDFa: scopes without types, offers that are not offers, impossible prices', () => {
    const pages = [
      '<div itemscope><span itemprop="name">No type</span><span itemprop="price">5</span></div>',
      '<div itemscope itemtype="https://schema.org/Product"><div itemprop="offers"><span itemprop="price" content="1e309">∞</span></div></div>',
      '<div itemscope itemtype="https://schema.org/Product"><span itemprop="name"></span><div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><span itemprop="price">-5</span><meta itemprop="priceCurrency" content="€€€"></div></div>',
      '<div itemscope itemtype="https://schema.org/Product" itemref="a b c"><div itemprop="offers" itemscope itemtype="https://schema.org/Product"><div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><span itemprop="price">NaN</span></div></div></div>',
      '<div typeof="Product"><span property="name">RDFa</span><div property="offers" typeof="Offer"><span property="price" content="12,34,56.7.8">x</span></div></div>',
      `<div itemscope itemtype="https://schema.org/Product">${'<div itemprop="name">Nested '.repeat(500)}${'</div>'.repeat(500)}</div>`,
    ];
    for (const body of pages) capture(parse(`<!doctype html><html><body>${body}</body></html>`), 'https://shop.example/p/1');
  });
});
