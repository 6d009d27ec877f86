import { describe, expect, it } from 'vitest';
import { extractProduct } from './extract-product.ts';

const page = (head: string, body = '') => new DOMParser().parseFromString(`<!doctype html><html><head>${head}</head><body>${body}</body></html>`, 'text/html');
const ld = (json: unknown) => `<script type="application/ld+json">${typeof json === 'string' ? json : JSON.stringify(json)}</script>`;

describe('extractProduct from JSON-LD', () => {
  it('reads a WooCommerce-like @graph with an Offer array and a relative image', () => {
    const doc = page(ld({ '@context': 'https://schema.org', '@graph': [
      { '@type': 'WebPage', name: 'Shop' },
      { '@type': 'Product', name: 'Linen Shirt &amp; Tie', image: ['/img/shirt.jpg'], color: 'Blue', size: 'M',
        offers: [{ '@type': 'Offer', price: '49.50', priceCurrency: 'gbp' }] },
    ] }));
    expect(extractProduct(doc, 'https://www.shirts.example/p/linen#reviews')).toMatchObject({
      url: 'https://www.shirts.example/p/linen', shop: 'shirts.example', title: 'Linen Shirt & Tie', priceMinor: 4950,
      currency: 'GBP', imageUrl: 'https://www.shirts.example/img/shirt.jpg', variant: 'Blue / M', source: 'json-ld',
    });
  });

  it('reads an array of blocks with an AggregateOffer and string prices, @type as array with prefix', () => {
    const doc = page(ld([{ '@type': 'Organization', name: 'X' },
      { '@type': ['schema:Product'], name: 'Mug', image: { '@type': 'ImageObject', url: 'https://cdn.example/m.jpg' },
        offers: { '@type': 'AggregateOffer', lowPrice: '12', highPrice: '18', priceCurrency: 'USD' } }]));
    expect(extractProduct(doc, 'https://mugs.example/m')).toMatchObject({ title: 'Mug', priceMinor: 1200, currency: 'USD', imageUrl: 'https://cdn.example/m.jpg' });
  });

  it('reads priceSpecification and ProductGroup variants', () => {
    const doc = page(ld({ '@type': 'ProductGroup', name: 'Sneaker', hasVariant: [
      { '@type': 'Product', name: 'Sneaker 42', url: 'https://s.example/p?size=42', offers: { priceSpecification: { price: 89, priceCurrency: 'EUR' } } },
      { '@type': 'Product', name: 'Sneaker 43', url: 'https://s.example/p?size=43', offers: { priceSpecification: { price: 95, priceCurrency: 'EUR' } } },
    ] }));
    expect(extractProduct(doc, 'https://s.example/p?size=43')).toMatchObject({ title: 'Sneaker 43', priceMinor: 9500 });
  });

  it('skips a malformed block and reads the next; tolerates comment wrappers and trailing commas', () => {
    const doc = page(ld('{ "@type": "Product", "name": ') + ld('<!-- {"@type":"Product","name":"Lamp","offers":{"price":5,"priceCurrency":"EUR",},} -->'));
    expect(extractProduct(doc, 'https://l.example/')).toMatchObject({ title: 'Lamp', priceMinor: 500 });
  });

  it('resolves the page\'s own relative image addresses against its <base href>', () => {
    const doc = page('<base href="https://www.potreby.example.sk/">', `<h1>Kanvica KLF03</h1><img src="images/produkty/stredne/klf03_1.jpg" width="280" height="280" alt="Kanvica KLF03">
      <p class="price">129,90 €</p><button type="button">Do košíka</button>`);
    expect(extractProduct(doc, 'https://www.potreby.example.sk/produkt/12398/kanvica.html')?.imageUrl).toBe('https://www.potreby.example.sk/images/produkty/stredne/klf03_1.jpg');
  });

  it('takes the price\'s own sign over a markup currency the shop set wrong, but not between dollars', () => {
    const ld = (currency: string) => `<script type="application/ld+json">${JSON.stringify({ '@type': 'Product', name: 'Headphones', offers: { price: '26990', priceCurrency: currency } })}</script>`;
    const body = (sign: string) => `<h1>Headphones</h1><p class="price">${sign}26,990</p><button type="button">Add to cart</button>`;
    expect(extractProduct(page(ld('USD'), body('₹')), 'https://www.shop.example.in/p/1')?.currency).toBe('INR');
    expect(extractProduct(page(ld('CAD'), body('$')), 'https://www.shop.example.com/p/1')?.currency).toBe('CAD');
  });

  it('takes the name <h1> over a one-word brand <h1> beside it, and a heading named as the title when the only <h1> is the logo', () => {
    const brand = page('', '<h1 class="pdp-title">Roadster</h1><h1 class="pdp-name">Men Checked Casual Shirt</h1><p class="pdp-price">Rs. 719</p><button type="button">Add to bag</button>');
    expect(extractProduct(brand, 'https://www.shop.example.in/shirt/p/1')?.title).toBe('Men Checked Casual Shirt');
    const logo = page('', `<header><h1 class="logo">Mamezara shop</h1></header><main><h2 class="item-title">有田焼 豆皿 5枚セット</h2><p class="price">¥3,300</p>
      <a href="/cart/add" class="buy">カートに入れる</a><ul class="items">${[1, 2, 3, 4, 5, 6, 7, 8].map((n) => `<li><div><div><a href="/i/${n}">豆皿 ${n}</a><p>¥${n},${n}00</p></div></div></li>`).join('')}</ul></main>`);
    expect(extractProduct(logo, 'https://mamezara.example.jp/items/1')).toMatchObject({ title: '有田焼 豆皿 5枚セット', priceMinor: 3300, currency: 'JPY' });
  });

  it('keeps script in a name as literal text and refuses javascript: images', () => {
    const doc = page(ld({ '@type': 'Product', name: '<img src=x onerror=alert(1)>Evil', image: 'javascript:alert(1)', url: 'javascript:alert(2)' }));
    expect(extractProduct(doc, 'https://e.example/p')).toMatchObject({
      title: '<img src=x onerror=alert(1)>Evil', imageUrl: null, url: 'https://e.example/p', priceMinor: null, currency: 'unknown',
    });
  });

  it('returns null for pages without a product, and for absurd input', () => {
    expect(extractProduct(page(ld({ '@type': 'Organization', name: 'Shop' })), 'https://x.example/')).toBeNull();
    expect(extractProduct(page('', '<h1>Hello</h1>'), 'https://x.example/')).toBeNull();
    const deep = `${'{"@graph":['.repeat(5_000)}{"@type":"Product","name":"Deep"}${']}'.repeat(5_000)}`;
    expect(extractProduct(page(ld(deep)), 'https://x.example/')).toBeNull();
    expect(extractProduct(page(ld({ '@type': 'Product', name: 'A' })), 'file:///etc/passwd')).toBeNull();
  });

  it('follows @id references in a @graph for offers and images', () => {
    const doc = page(ld({ '@graph': [
      { '@type': 'ImageObject', '@id': '#img', url: 'https://cdn.example/kettle.jpg' },
      { '@type': 'Offer', '@id': '#offer', price: '19.00', priceCurrency: 'EUR' },
      { '@type': 'Product', name: 'Kettle', image: { '@id': '#img' }, offers: { '@id': '#offer' } },
    ] }));
    expect(extractProduct(doc, 'https://k.example/p')).toMatchObject({ priceMinor: 1900, currency: 'EUR', imageUrl: 'https://cdn.example/kettle.jpg' });
  });

  it('picks the product the page is about among related products, and the offer of the shown variant', () => {
    const doc = page(ld([
      { '@type': 'ItemList', itemListElement: [{ '@type': 'ListItem', item: { '@type': 'Product', name: 'Related Cup', offers: { price: 3, priceCurrency: 'USD' } } }] },
      { '@type': 'Product', name: 'Big Teapot', url: 'https://t.example/teapot', offers: [
        { '@type': 'Offer', url: 'https://t.example/teapot?variant=1', price: '30.00', priceCurrency: 'USD' },
        { '@type': 'Offer', url: 'https://t.example/teapot?variant=2', price: '35.00', priceCurrency: 'USD' },
      ] },
    ]), '<h1>Big Teapot</h1>');
    expect(extractProduct(doc, 'https://t.example/teapot?variant=2')).toMatchObject({ title: 'Big Teapot', priceMinor: 3500 });
  });

  it('ignores a zero price and borrows a missing currency from another source', () => {
    const doc = page(ld({ '@type': 'Product', name: 'Rug', offers: [{ price: 0 }, { price: '120.00' }] })
      + '<meta property="og:price:currency" content="EUR"><meta property="og:price:amount" content="120.00">');
    expect(extractProduct(doc, 'https://rugs.example/r')).toMatchObject({ priceMinor: 12000, currency: 'EUR' });
  });
});

describe('extractProduct pass times', () => {
  it('reports how long each pass took when asked, and captures the same product', () => {
    const doc = page(ld({ '@type': 'Product', name: 'Kettle', offers: { price: '19.00', priceCurrency: 'EUR' } }),
      '<h1>Kettle</h1><span class="price">19,00 €</span><img src="/k.jpg" width="600" height="600" alt="Kettle">');
    const times: Record<string, number> = {};
    const timed = extractProduct(doc, 'https://k.example/p', undefined, times);
    expect(timed).toEqual(extractProduct(doc, 'https://k.example/p'));
    expect(Object.keys(times).sort()).toEqual(['images', 'json-ld', 'layout', 'meta', 'microdata', 'open-graph', 'prices', 'rdfa', 'scoring', 'titles', 'variants']);
    for (const ms of Object.values(times)) expect(ms).toBeGreaterThanOrEqual(0);
  });
});
