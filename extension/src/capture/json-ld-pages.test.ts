/**
 * extractProduct on realistic small shop pages whose product data is schema.org JSON-LD: what the
 * common shop platforms emit, and the hostile or broken markup the capture must survive.
 */
import { describe, expect, it } from 'vitest';
import { extractProduct } from './extract-product.ts';

const parse = (html: string) => new DOMParser().parseFromString(html, 'text/html');
/** A JSON-LD block; objects are serialised the way shop templates do, with "<" escaped (Shopify's `json` filter). */
const ld = (json: unknown) => `<script type="application/ld+json">${typeof json === 'string' ? json : JSON.stringify(json).replace(/</g, '\\u003c')}</script>`;

/** A shop page shell: head tags, the JSON-LD, and a little visible body that agrees with it. */
function shopPage(opts: { lang?: string; title: string; head?: string; blocks: string[]; body?: string }): Document {
  return parse(`<!doctype html><html lang="${opts.lang ?? 'en'}"><head><meta charset="utf-8"><title>${opts.title}</title>
    ${opts.head ?? ''}${opts.blocks.join('\n')}</head>
    <body><header><a href="/"><img src="/logo.svg" alt="logo"></a><nav><a href="/cart">Cart (0)</a></nav></header>
    <main>${opts.body ?? ''}</main><footer>© Shop</footer></body></html>`);
}

describe('shop platforms', () => {
  it('Shopify-like: ProductGroup with hasVariant, the variant in ?variant= is the one captured', () => {
    const doc = shopPage({
      title: 'Merino Beanie – Northwind Outfitters',
      head: '<link rel="canonical" href="https://northwind.example/products/merino-beanie"><meta property="og:url" content="https://northwind.example/products/merino-beanie">',
      blocks: [
        ld({ '@context': 'http://schema.org/', '@type': 'Organization', name: 'Northwind Outfitters', url: 'https://northwind.example' }),
        ld({
          '@context': 'http://schema.org/', '@type': 'ProductGroup', '@id': 'https://northwind.example/products/merino-beanie#product',
          name: 'Merino Beanie', productGroupID: '7301', brand: { '@type': 'Brand', name: 'Northwind' },
          image: ['https://cdn.shop.example/files/beanie.jpg?v=1'], variesBy: ['https://schema.org/color'],
          hasVariant: [
            { '@type': 'Product', name: 'Merino Beanie - Charcoal', sku: 'MB-CH', color: 'Charcoal', image: 'https://cdn.shop.example/files/beanie-ch.jpg',
              url: 'https://northwind.example/products/merino-beanie?variant=111',
              offers: { '@type': 'Offer', price: '32.00', priceCurrency: 'CAD', availability: 'http://schema.org/InStock' } },
            { '@type': 'Product', name: 'Merino Beanie - Rust', sku: 'MB-RU', color: 'Rust', image: 'https://cdn.shop.example/files/beanie-ru.jpg',
              url: 'https://northwind.example/products/merino-beanie?variant=222',
              offers: { '@type': 'Offer', price: '28.00', priceCurrency: 'CAD', availability: 'http://schema.org/InStock' } },
          ],
        }),
      ],
      body: '<h1>Merino Beanie</h1><span class="price">$28.00 CAD</span><button name="add">Add to cart</button>',
    });
    expect(extractProduct(doc, 'https://www.northwind.example/products/merino-beanie?variant=222')).toMatchObject({
      shop: 'northwind.example', title: 'Merino Beanie - Rust', priceMinor: 2800, currency: 'CAD',
      imageUrl: 'https://cdn.shop.example/files/beanie-ru.jpg', variant: 'Rust', source: 'json-ld',
    });
  });

  it('Shopify-like: a variant named only by its offer\'s url is still the one the address picks', () => {
    const variant = (size: string, id: number, price: string) => ({ '@type': 'Product', name: `Colchão Serenidade - ${size}`, sku: `SER-${size}`,
      offers: { '@type': 'Offer', price, priceCurrency: 'EUR', url: `https://dormir.example.pt/products/serenidade?variant=${id}` } });
    const doc = shopPage({
      title: 'Colchão Serenidade',
      blocks: [ld({ '@type': 'ProductGroup', name: 'Colchão Serenidade', hasVariant: [variant('90x190', 1, '299.00'), variant('150x200', 3, '529.00'), variant('180x200', 4, '649.00')] })],
    });
    expect(extractProduct(doc, 'https://dormir.example.pt/products/serenidade?variant=3')).toMatchObject({
      title: 'Colchão Serenidade - 150x200', priceMinor: 52900, currency: 'EUR', sku: 'SER-150x200',
    });
  });

  it('Shopify-like: the variant is still found when the link adds tracking parameters and a fragment', () => {
    const doc = shopPage({
      title: 'Tee',
      blocks: [ld({ '@type': 'ProductGroup', name: 'Tee', hasVariant: [
        { '@id': '#v1' }, { '@id': '#v2' },
      ] }), ld({ '@graph': [
        { '@type': 'Product', '@id': '#v1', name: 'Tee - S', size: 'S', url: '/products/tee?variant=1', offers: { price: '20.00', priceCurrency: 'AUD' } },
        { '@type': 'Product', '@id': '#v2', name: 'Tee - M', size: 'M', url: '/products/tee?variant=2', offers: { price: '22.00', priceCurrency: 'AUD' } },
      ] })],
    });
    expect(extractProduct(doc, 'https://tees.example/products/tee?utm_source=ig&variant=2#reviews')).toMatchObject({
      title: 'Tee - M', priceMinor: 2200, currency: 'AUD', variant: 'M',
    });
  });

  it('older Shopify themes: one Product with an offer per variant; the offer of the page\'s variant, named by its name or SKU', () => {
    const offers = [
      { '@type': 'Offer', name: 'Charcoal / S', sku: 'HD-CH-S', url: 'https://hoodies.example/products/hood?variant=41', price: '60.00', priceCurrency: 'NZD' },
      { '@type': 'Offer', name: 'Charcoal / L', sku: 'HD-CH-L', url: 'https://hoodies.example/products/hood?variant=43', price: '64.00', priceCurrency: 'NZD' },
    ];
    const named = shopPage({ title: 'Hood', blocks: [ld({ '@type': 'Product', name: 'Hood', sku: 'HD', offers })] });
    expect(extractProduct(named, 'https://hoodies.example/products/hood?variant=43')).toMatchObject({ priceMinor: 6400, variant: 'Charcoal / L' });
    const unnamed = shopPage({ title: 'Hood', blocks: [ld({ '@type': 'Product', name: 'Hood', offers: offers.map(({ name: _name, ...offer }) => offer) })] });
    expect(extractProduct(unnamed, 'https://hoodies.example/products/hood?variant=41')).toMatchObject({ priceMinor: 6000, variant: 'HD-CH-S' });
    // A single offer named like the product (or Shopify's "Default Title") is no variant.
    const single = shopPage({ title: 'Hood', blocks: [ld({ '@type': 'Product', name: 'Hood', offers: { name: 'Default Title', sku: 'HD', price: 60, priceCurrency: 'NZD' } })] });
    expect(extractProduct(single, 'https://hoodies.example/products/hood')?.variant).toBeNull();
  });

  it('Shopify-like: without a variant in the URL the first variant is captured', () => {
    const doc = shopPage({
      title: 'Merino Beanie',
      blocks: [ld({ '@context': 'https://schema.org', '@type': 'ProductGroup', name: 'Merino Beanie', hasVariant: [
        { '@type': 'Product', name: 'Merino Beanie - Charcoal', color: 'Charcoal', url: 'https://northwind.example/products/merino-beanie?variant=111',
          offers: { '@type': 'Offer', price: 32, priceCurrency: 'CAD' } },
        { '@type': 'Product', name: 'Merino Beanie - Rust', color: 'Rust', url: 'https://northwind.example/products/merino-beanie?variant=222',
          offers: { '@type': 'Offer', price: 28, priceCurrency: 'CAD' } },
      ] })],
    });
    expect(extractProduct(doc, 'https://northwind.example/products/merino-beanie')).toMatchObject({
      title: 'Merino Beanie - Charcoal', priceMinor: 3200, currency: 'CAD', variant: 'Charcoal',
    });
  });

  it('WooCommerce-like: Yoast @graph plus a Product block with an Offer array and a priceSpecification', () => {
    const doc = shopPage({
      title: 'Ceramic Pour-Over Set &#8211; Kaffeehaus',
      head: '<link rel="canonical" href="https://kaffeehaus.example/produkt/pour-over-set/">',
      blocks: [
        ld({ '@context': 'https://schema.org', '@graph': [
          { '@type': 'WebPage', '@id': 'https://kaffeehaus.example/produkt/pour-over-set/', name: 'Ceramic Pour-Over Set - Kaffeehaus' },
          { '@type': 'BreadcrumbList', itemListElement: [{ '@type': 'ListItem', position: 1, name: 'Home' }] },
          { '@type': 'WebSite', name: 'Kaffeehaus', url: 'https://kaffeehaus.example/' },
        ] }),
        ld({ '@context': 'https://schema.org/', '@graph': [{
          '@context': 'https://schema.org/', '@type': 'Product', '@id': 'https://kaffeehaus.example/produkt/pour-over-set/#product',
          name: 'Ceramic Pour-Over Set &amp; Filters', url: 'https://kaffeehaus.example/produkt/pour-over-set/',
          description: 'Handmade &lt;b&gt;stoneware&lt;/b&gt;', image: 'https://kaffeehaus.example/wp-content/uploads/2024/03/pour-over.jpg', sku: 'KH-204',
          offers: [{ '@type': 'Offer', price: '1299.00', priceValidUntil: '2026-12-31',
            priceSpecification: { '@type': 'UnitPriceSpecification', price: '1299.00', priceCurrency: 'SEK', valueAddedTaxIncluded: 'true' },
            priceCurrency: 'SEK', availability: 'http://schema.org/InStock', url: 'https://kaffeehaus.example/produkt/pour-over-set/',
            seller: { '@type': 'Organization', name: 'Kaffeehaus', url: 'https://kaffeehaus.example' } }],
        }] }),
      ],
      body: '<h1 class="product_title">Ceramic Pour-Over Set &amp; Filters</h1><p class="price"><span>1 299,00&nbsp;kr</span></p><button>Lägg i varukorgen</button>',
    });
    expect(extractProduct(doc, 'https://kaffeehaus.example/produkt/pour-over-set/#tab-reviews')).toMatchObject({
      url: 'https://kaffeehaus.example/produkt/pour-over-set/', shop: 'kaffeehaus.example', title: 'Ceramic Pour-Over Set & Filters',
      priceMinor: 129900, currency: 'SEK', imageUrl: 'https://kaffeehaus.example/wp-content/uploads/2024/03/pour-over.jpg', variant: null, source: 'json-ld',
    });
  });

  it('marketplace-like: AggregateOffer with lowPrice, an ImageObject image and a name array', () => {
    const doc = shopPage({
      title: 'Standing Desk Frame',
      blocks: [ld({ '@context': 'https://schema.org', '@type': 'https://schema.org/Product', name: ['Standing Desk Frame', 'Desk frame'],
        image: [{ '@type': 'ImageObject', contentUrl: '//img.market.example/desk/1200.jpg', width: 1200 }],
        offers: { '@type': 'AggregateOffer', lowPrice: 249.5, highPrice: '399.00', offerCount: 7, priceCurrency: 'EUR' } })],
    });
    expect(extractProduct(doc, 'https://market.example/item/desk-frame-19')).toMatchObject({
      title: 'Standing Desk Frame', priceMinor: 24950, currency: 'EUR', imageUrl: 'https://img.market.example/desk/1200.jpg',
      url: 'https://market.example/item/desk-frame-19',
    });
  });

  it('an AggregateOffer with only a price; with both, its lowPrice', () => {
    const doc = shopPage({
      title: 'Desk Lamp',
      blocks: [ld({ '@type': 'Product', name: 'Desk Lamp', offers: { '@type': 'AggregateOffer', price: '45', priceCurrency: 'usd' } })],
    });
    expect(extractProduct(doc, 'https://lamps.example/desk')).toMatchObject({ priceMinor: 4500, currency: 'USD' });
    const both = shopPage({
      title: 'Desk Lamp',
      blocks: [ld({ '@type': 'Product', name: 'Desk Lamp', offers: { '@type': 'schema:AggregateOffer', price: '45', lowPrice: '39.99', highPrice: '59', priceCurrency: 'USD' } })],
    });
    expect(extractProduct(both, 'https://lamps.example/desk')?.priceMinor).toBe(3999);
  });

  it('an AggregateOffer listing its offers lends them its currency; a price text names its own', () => {
    const listed = shopPage({
      title: 'Kaffeemühle',
      blocks: [ld({ '@type': 'Product', name: 'Kaffeemühle', offers: { '@type': 'AggregateOffer', priceCurrency: 'EUR',
        offers: [{ '@type': 'Offer', price: '49.90' }, { '@type': 'Offer', price: '59.90' }] } })],
    });
    expect(extractProduct(listed, 'https://muehlen.example/p/muehle')).toMatchObject({ priceMinor: 4990, currency: 'EUR' });
    const named = shopPage({ title: 'Kaffeemühle', blocks: [ld({ '@type': 'Product', name: 'Kaffeemühle', offers: { '@type': 'Offer', price: '49,90 EUR' } })] });
    expect(extractProduct(named, 'https://muehlen.example/p/muehle')).toMatchObject({ priceMinor: 4990, currency: 'EUR' });
  });

  it('entities in names are decoded, named and numeric alike', () => {
    const doc = shopPage({ title: 'Café', lang: 'fr', blocks: [ld({ '@type': 'Product', name: 'Caf&eacute; Cr&egrave;me&trade; &#8211; 250&nbsp;g &amp;amp; more&hellip; &bogus;' })] });
    expect(extractProduct(doc, 'https://cafe.example/p')?.title).toBe('Café Crème™ – 250 g & more… &bogus;');
  });

  it('prices as strings in the ways shops write them, in minor units of the currency', () => {
    const cases: [unknown, string, number][] = [
      ['19.99', 'EUR', 1999], ['1,299.00', 'USD', 129900], ['1.299,00', 'EUR', 129900], [1299, 'JPY', 1299],
      ['12800', 'JPY', 12800], ['4.750', 'KWD', 4750], ['24.990', 'CLP', 24990], [' 7,5 ', 'EUR', 750],
    ];
    for (const [price, currency, minor] of cases) {
      const doc = shopPage({ title: 'Thing', blocks: [ld({ '@type': 'Product', name: 'Thing', offers: { '@type': 'Offer', price, priceCurrency: currency } })] });
      expect(extractProduct(doc, 'https://shop.example/thing'), `${String(price)} ${currency}`).toMatchObject({ priceMinor: minor, currency });
    }
  });

  it('@type in any case and prefix, as a string or an array; the canonical link and og:url give the URL', () => {
    for (const type of ['product', 'PRODUCT', 'schema:Product', 'http://schema.org/Product', ['Thing', 'Product']]) {
      const doc = shopPage({
        title: 'Kettle', head: '<link rel="canonical" href="/kettle-1l">',
        blocks: [ld({ '@type': type, name: 'Kettle', offers: { price: 30, priceCurrency: 'GBP' } })],
      });
      expect(extractProduct(doc, 'https://kettles.example/kettle-1l?utm_source=x'), JSON.stringify(type))
        .toMatchObject({ title: 'Kettle', url: 'https://kettles.example/kettle-1l' });
    }
    const og = shopPage({ title: 'Kettle', head: '<meta property="og:url" content="https://kettles.example/k">', blocks: [ld({ '@type': 'Product', name: 'Kettle' })] });
    expect(extractProduct(og, 'https://kettles.example/k?ref=home')?.url).toBe('https://kettles.example/k');
  });

  it('a product without an offer: title and image, no price, unknown currency', () => {
    const doc = shopPage({ title: 'Vase', blocks: [ld({ '@type': 'Product', name: '  Tall \n\t Vase  ', image: '/img/vase.webp' })] });
    expect(extractProduct(doc, 'https://vases.example/tall#top')).toEqual(expect.objectContaining({
      url: 'https://vases.example/tall', title: 'Tall Vase', priceMinor: null, currency: 'unknown', imageUrl: 'https://vases.example/img/vase.webp', variant: null,
    }));
  });
});

describe('broken and hostile markup', () => {
  it('skips a malformed block and still reads the product in another; CDATA wrappers are tolerated', () => {
    const doc = shopPage({
      title: 'Tent',
      blocks: [
        ld('{"@context":"https://schema.org","@type":"BreadcrumbList","itemListElement":[{"@type":"ListItem" "position":1}]}'),
        ld('//<![CDATA[\n{"@context":"https://schema.org","@type":"Product","name":"2-Person Tent","offers":{"@type":"Offer","price":"179.90","priceCurrency":"CHF"}}\n//]]>'),
      ],
    });
    expect(extractProduct(doc, 'https://camp.example/tent')).toMatchObject({ title: '2-Person Tent', priceMinor: 17990, currency: 'CHF' });
  });

  it('a page with no product is null: only organisation and breadcrumb data, or only broken JSON', () => {
    const blog = shopPage({ title: 'Blog', blocks: [
      ld({ '@context': 'https://schema.org', '@graph': [{ '@type': 'Organization', name: 'Shop' }, { '@type': 'WebSite', name: 'Shop' }] }),
      ld({ '@type': 'BlogPosting', headline: 'Ten kettles', about: { '@type': 'Thing', name: 'Kettles' } }),
    ], body: '<article><h1>Ten kettles we love</h1><p>From $20.</p></article>' });
    expect(extractProduct(blog, 'https://shop.example/blog/kettles')).toBeNull();
    expect(extractProduct(shopPage({ title: 'X', blocks: [ld('{"@type":"Product","name":')] }), 'https://shop.example/x')).toBeNull();
    expect(extractProduct(shopPage({ title: 'X', blocks: [] }), 'https://shop.example/x')).toBeNull();
  });

  it('markup in a name stays literal text, and never becomes an element', () => {
    const name = '<img src=x onerror=alert(1)><script>alert(2)</script> Hoodie';
    const doc = shopPage({ title: 'Hoodie', blocks: [ld({ '@type': 'Product', name, offers: { price: '55.00', priceCurrency: 'USD' } })] });
    const product = extractProduct(doc, 'https://hoodies.example/h');
    expect(product?.title).toBe('<img src=x onerror=alert(1)><script>alert(2)</script> Hoodie');
    expect(doc.querySelectorAll('img[src="x"]').length).toBe(0);
    // Escaped markup decodes to the same literal text, not to an element.
    const escaped = shopPage({ title: 'Hoodie', blocks: [ld({ '@type': 'Product', name: '&lt;img src=x onerror=alert(1)&gt; Hoodie' })] });
    expect(extractProduct(escaped, 'https://hoodies.example/h')?.title).toBe('<img src=x onerror=alert(1)> Hoodie');
    // An unescaped "</script>" ends the block early: the rest is malformed, skipped, and nothing throws.
    const cut = shopPage({ title: 'Hoodie', blocks: [`<script type="application/ld+json">${JSON.stringify({ '@type': 'Product', name })}</script>`] });
    expect(() => extractProduct(cut, 'https://hoodies.example/h')).not.toThrow();
  });

  it('javascript: and data: URLs are refused: no image, and the page URL instead of the product URL', () => {
    const doc = shopPage({ title: 'Cap', blocks: [ld({ '@type': 'Product', name: 'Cap',
      image: 'data:image/svg+xml,<svg onload=alert(1)>', url: 'javascript:alert(document.cookie)' })] });
    expect(extractProduct(doc, 'https://caps.example/cap?c=red#x')).toMatchObject({ imageUrl: null, url: 'https://caps.example/cap?c=red' });
    const obj = shopPage({ title: 'Cap', blocks: [ld({ '@type': 'Product', name: 'Cap', image: { '@type': 'ImageObject', url: 'JavaScript:alert(1)' } })] });
    expect(extractProduct(obj, 'https://caps.example/cap')?.imageUrl).toBeNull();
  });

  it('long names are capped at 300 characters', () => {
    const doc = shopPage({ title: 'Long', blocks: [ld({ '@type': 'Product', name: 'Very long name '.repeat(100) })] });
    const title = extractProduct(doc, 'https://long.example/p')?.title ?? '';
    expect(title.length).toBeLessThanOrEqual(300);
    expect(title.startsWith('Very long name Very long name')).toBe(true);
  });

  it('a block over 1 MB is ignored, a normal block beside it still read', () => {
    const huge = JSON.stringify({ '@type': 'Product', name: 'Huge', description: 'x'.repeat(1_100_000) });
    const doc = shopPage({ title: 'Socks', blocks: [ld(huge), ld({ '@type': 'Product', name: 'Wool Socks', offers: { price: 9, priceCurrency: 'EUR' } })] });
    expect(extractProduct(doc, 'https://socks.example/wool')).toMatchObject({ title: 'Wool Socks', priceMinor: 900 });
    expect(extractProduct(shopPage({ title: 'Huge', blocks: [ld(huge)] }), 'https://socks.example/huge')).toBeNull();
  });

  it('deeply nested data is cut off without throwing', () => {
    const deepOffers = `{"@type":"Product","name":"Deep Offers","offers":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const deepGraph = `${'{"@graph":'.repeat(50_000)}{"@type":"Product","name":"Hidden"}${'}'.repeat(50_000)}`;
    const doc = shopPage({ title: 'Deep', blocks: [ld(deepGraph), ld(deepOffers)] });
    expect(() => extractProduct(doc, 'https://deep.example/p')).not.toThrow();
    expect(extractProduct(doc, 'https://deep.example/p')).toMatchObject({ title: 'Deep Offers', priceMinor: null });
  });

  it('negative, absurdly large or overlong prices are no price', () => {
    for (const price of ['-5.00', '−5', 1e25, '9'.repeat(30), `${'1'.repeat(200)}.00`]) {
      const doc = shopPage({ title: 'P', blocks: [ld({ '@type': 'Product', name: 'P', offers: { price, priceCurrency: 'EUR' } })] });
      expect(extractProduct(doc, 'https://p.example/p')?.priceMinor, String(price)).toBeNull();
    }
  });

  it('never throws on odd values: a bad page URL, non-object nodes, wrong value types', () => {
    const doc = shopPage({ title: 'Odd', blocks: [ld([null, 1, 'x', true, { '@type': 42 },
      { '@type': 'Product', name: 'Odd', image: 12, url: { no: 'url' }, offers: [null, 'free', { price: { amount: 1 }, priceCurrency: 7 }] }])] });
    expect(extractProduct(doc, 'not a url')).toBeNull();
    expect(extractProduct(doc, 'https://odd.example/o')).toMatchObject({ title: 'Odd', priceMinor: null, currency: 'unknown', imageUrl: null, url: 'https://odd.example/o' });
  });
});
