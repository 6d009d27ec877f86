import { describe, expect, it } from 'vitest';
import { extractProduct } from './extract-product.ts';
import { fromMicrodata } from './sources/microdata.ts';
import { fromOpenGraph } from './sources/open-graph.ts';

const page = (html: string, lang = 'en') => new DOMParser().parseFromString(`<!doctype html><html lang="${lang}">${html}</html>`, 'text/html');

describe('microdata, RDFa, OpenGraph and page heuristics', () => {
  it('reads the price of one from Shopware\'s quantity tiers in an AggregateOffer, and its lowPrice alone as the lowest', () => {
    const tier = (label: string, price: string) => `<tr itemprop="offers" itemscope itemtype="https://schema.org/Offer"><th><meta itemprop="priceCurrency" content="EUR"><meta itemprop="price" content="${price}">${label}</th><td>${price.replace('.', ',')}0 €*</td></tr>`;
    const aggregate = (inner: string) => page(`<body><div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Natives Olivenöl Extra Sitia 500 ml</h1>
      <div itemprop="offers" itemscope itemtype="https://schema.org/AggregateOffer"><meta itemprop="lowPrice" content="21.9"><meta itemprop="highPrice" content="24.9">${inner}</div></div></body>`);
    const tiers = fromMicrodata(aggregate(`<table><tbody>${tier('Bis 2', '24.9')}${tier('Ab 3', '23.5')}${tier('Ab 10', '21.9')}</tbody></table>`), 'https://www.feinkost.example.de/p/1');
    expect(tiers?.fields).toMatchObject({ priceMinor: 2490, currency: 'EUR' });
    expect(tiers?.fields.priceIsLowest).toBeUndefined();
    const range = fromMicrodata(aggregate('<meta itemprop="priceCurrency" content="EUR">'), 'https://www.feinkost.example.de/p/1');
    expect(range?.fields).toMatchObject({ priceMinor: 2190, currency: 'EUR', priceIsLowest: true });
  });

  it('reads schema.org microdata with a nested Offer and brand', () => {
    const doc = page(`<body><div itemscope itemtype="https://schema.org/Product">
      <h1 itemprop="name">Trail Shoe</h1><img itemprop="image" src="/i/shoe.jpg">
      <div itemprop="brand" itemscope itemtype="https://schema.org/Brand"><span itemprop="name">Acme</span></div>
      <meta itemprop="sku" content="TS-1">
      <div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
        <span itemprop="price" content="89.95">89,95 €</span><meta itemprop="priceCurrency" content="EUR">
        <link itemprop="availability" href="https://schema.org/InStock">
      </div></div>
      <div class="related"><div itemscope itemtype="https://schema.org/Product"><span itemprop="name">Other</span></div></div></body>`);
    expect(extractProduct(doc, 'https://shoes.example/trail')).toMatchObject({
      title: 'Trail Shoe', priceMinor: 8995, currency: 'EUR', imageUrl: 'https://shoes.example/i/shoe.jpg', brand: 'Acme', sku: 'TS-1',
      availability: 'in_stock', source: 'microdata', origins: { title: { source: 'microdata' }, price: { source: 'microdata' } },
    });
  });

  it('reads a name that holds a heading as the heading alone, not the product code beside it', () => {
    const doc = page(`<body><div itemscope itemtype="http://schema.org/Product"><div itemprop="name"><h1>Geladeira Frost Free 2 Portas 380 Litros Inox - DW42X</h1><span>código do produto: 96453</span></div>
      <meta itemprop="priceCurrency" content="BRL"><span itemprop="price" content="2099">R$ 2.099,00</span></div></body>`, 'pt-BR');
    expect(fromMicrodata(doc, 'https://www.loja.example.com.br/Produto/96453')?.fields.title).toBe('Geladeira Frost Free 2 Portas 380 Litros Inox - DW42X');
  });

  it('reads the old data-vocabulary.org microdata', () => {
    const doc = page(`<body><div itemscope itemtype="http://data-vocabulary.org/Product"><span itemprop="name">Old Lamp</span>
      <span itemprop="offerDetails" itemscope itemtype="http://data-vocabulary.org/Offer"><meta itemprop="currency" content="USD"><span itemprop="price">24.00</span></span></div></body>`);
    expect(extractProduct(doc, 'https://lamps.example/old')).toMatchObject({ title: 'Old Lamp' });
  });

  it('reads RDFa', () => {
    const doc = page(`<body vocab="https://schema.org/"><div typeof="Product"><span property="name">RDFa Mug</span>
      <div property="offers" typeof="Offer"><span property="price" content="7.50">7.50</span><span property="priceCurrency" content="GBP">£</span></div></div></body>`);
    expect(extractProduct(doc, 'https://mugs.example/r')).toMatchObject({ title: 'RDFa Mug', priceMinor: 750, currency: 'GBP', source: 'rdfa' });
  });

  it('reads OpenGraph product tags and drops the site name from og:title', () => {
    const doc = page(`<head><meta property="og:type" content="product"><meta property="og:site_name" content="Bikes R Us">
      <meta property="og:title" content="City Bike 3 | Bikes R Us"><meta property="og:image" content="https://cdn.example/bike.jpg">
      <meta property="product:price:amount" content="499.00"><meta property="product:price:currency" content="USD"></head><body></body>`);
    expect(extractProduct(doc, 'https://bikes.example/city-3')).toMatchObject({
      title: 'City Bike 3', priceMinor: 49900, currency: 'USD', imageUrl: 'https://cdn.example/bike.jpg', source: 'open-graph',
    });
  });

  it('takes OpenGraph\'s sale price (product:sale_price, as Cafe24 writes it) over the regular one', () => {
    const doc = page(`<head><meta property="og:type" content="product"><meta property="og:title" content="코지 케이블 니트 가디건">
      <meta property="product:price:amount" content="39000"><meta property="product:price:currency" content="KRW">
      <meta property="product:sale_price:amount" content="31200"><meta property="product:sale_price:currency" content="KRW"></head><body></body>`);
    expect(extractProduct(doc, 'https://www.closet.example.co.kr/product/detail.html?product_no=1842')).toMatchObject({ priceMinor: 31200, currency: 'KRW', source: 'open-graph' });
  });

  it('without markup: the heading, the price beside the buy button (not the old one, not related ones), cents in <sup>', () => {
    const doc = page(`<head><title>Store</title></head><body>
      <header><img src="/logo.png" alt="Store logo"><span class="cart-total">$0.00</span></header>
      <main><div class="product"><img src="/img/blender-large.jpg" width="600" height="600" alt="Blender">
        <div class="info"><h1>PowerBlend 900 Blender</h1>
          <div class="price-box"><span class="old-price"><del>$129.99</del></span>
            <span class="price sale-price">$<span>99</span><sup>49</sup></span></div>
          <button>Add to Cart</button></div></div>
        <section class="related-products"><h2>Customers also bought</h2><div class="price">$12.99</div><div class="price">$8.00</div></section>
      </main></body>`);
    expect(extractProduct(doc, 'https://store.example/dp/B0001')).toMatchObject({
      title: 'PowerBlend 900 Blender', priceMinor: 9949, currency: 'USD', imageUrl: 'https://store.example/img/blender-large.jpg', source: 'heuristic',
    });
  });

  it('without markup: a club or member price is not the price to pay, and a block headed "Recommendations" holds other products', () => {
    const doc = page(`<head><title>The Salt Road by Mara Quill: books.example</title></head><body>
      <div class="module details"><h2>The Salt Road</h2><img src="/covers/salt-road.jpg" width="150" height="230" alt="">
        <a href="/cart?add=1" class="cart-btn-large">Add to Cart</a>
        <table><tr><td class="price">Club Price: $11.34</td></tr><tr><td class="price">Online Price: $12.60</td></tr></table></div>
      <div class="module wide"><h4>Recommendations</h4>
        <dl class="product"><dt><a href="/p/2"><img src="/covers/2.gif" alt="Ember"></a><span class="price">$14.54</span><a href="/cart?add=2">Add to Cart</a></dt></dl>
        <dl class="product"><dt><a href="/p/3"><img src="/covers/3.gif" alt="Cedar"></a><span class="price">$9.71</span><a href="/cart?add=3">Add to Cart</a></dt></dl>
        <dl class="product"><dt><a href="/p/4"><img src="/covers/4.gif" alt="Moons"></a><span class="price">$13.49</span><a href="/cart?add=4">Add to Cart</a></dt></dl>
        <dl class="product"><dt><a href="/p/5"><img src="/covers/5.gif" alt="Rivers"></a><span class="price">$10.79</span><a href="/cart?add=5">Add to Cart</a></dt></dl>
        <dl class="product"><dt><a href="/p/6"><img src="/covers/6.gif" alt="Orchard"></a><span class="price">$16.78</span><a href="/cart?add=6">Add to Cart</a></dt></dl>
      </div></body>`);
    expect(extractProduct(doc, 'https://books.example/product/9781234567897')).toMatchObject({ title: 'The Salt Road', priceMinor: 1260, currency: 'USD' });
  });

  it('without markup: the other sellers\' offers in a seller list are not the price of the page\'s own offer', () => {
    const doc = page(`<head><title>Frigobar Polar 70 L</title></head><body><div class="produto">
      <div class="nome"><h1>Frigobar Polar 70 L</h1></div><div class="imagens"><img src="/img/frigobar-grande.jpg" width="500" height="500" alt="Frigobar Polar 70 L"></div>
      <div class="compra"><div class="area-preco"><div class="descricao"><span class="detalhes"><span class="de">De: <strong>R$ 764,10</strong></span> <span class="por">Por: <strong>R$ <i class="sale price">699,00</i></strong></span></span></div></div>
      <div class="area-comprar"><div class="comprar"><button>Comprar</button></div></div>
      <table class="sellerList"><tr><td><a class="seller" href="/lojista/1">LojaSul</a> por <strong class="sale price">R$ 649,00</strong></td>
        <td class="addCart"><a href="/carrinho/1" class="bt">Comprar</a></td></tr></table></div></div></body>`, 'pt-BR');
    expect(extractProduct(doc, 'https://www.frio.example.com.br/frigobar-polar')).toMatchObject({ priceMinor: 69900, currency: 'BRL' });
  });

  it('without markup: a section headed as other sellers\' offers, and a line "other sellers\' offers from", are not the price of the page\'s own offer', () => {
    const doc = page(`<body><h1 class="product_name">Złote godziny</h1><div class="projector_prices"><h2 class="projector_prices__price"><span>119,99 zł</span></h2></div>
      <div class="marketplace-link"><a href="#oferty">Oferty innych sprzedawców (3)</a> od <strong>112,50 zł</strong> + dostawa</div><img src="/img/zlote-godziny.jpg" width="500" height="500" alt="">
      <section id="oferty" class="col-12"><h2 class="headline"><span>Oferty innych sprzedawców</span></h2><table><tr><td>Płytomania</td><td class="marketplace__price">112,50 zł</td>
      <td><button class="btn">Do koszyka</button></td></tr><tr><td>Winylowy</td><td class="marketplace__price">118,00 zł</td><td><button class="btn">Do koszyka</button></td></tr></table></section></body>`, 'pl');
    expect(extractProduct(doc, 'https://sklep.example.pl/product-pol-18821.html')).toMatchObject({ priceMinor: 11999, currency: 'PLN' });
  });

  it('a page with a heading and prices but no way to buy is not a product page', () => {
    const doc = page('<body><h1>Our best sellers</h1><div class="price">$12.99</div><div class="price">$8.00</div></body>');
    expect(extractProduct(doc, 'https://store.example/best')).toBeNull();
  });

  it('resolves an ambiguous $ from the page\'s domain', () => {
    const doc = page(`<body><h1>Zapatilla Runner</h1><p class="price">$24.990</p><button>Agregar al carrito</button></body>`, 'es-CL');
    expect(extractProduct(doc, 'https://tienda.example.cl/zapatilla')).toMatchObject({ priceMinor: 24990, currency: 'CLP' });
  });
});

describe('OpenGraph a template fills for the home page', () => {
  const tags = (url: string, type = 'website') => `<head><meta property="og:type" content="${type}"><meta property="og:title" content="오르다 커피 ORDA COFFEE">
    <meta property="og:image" content="https://cdn.imweb.example/upload/banner.png"><meta property="og:url" content="${url}"></head>`;

  it('says nothing of a product page when its og:url is the site\'s root and its type no product\'s (Imweb\'s shops)', () => {
    expect(fromOpenGraph(page(tags('https://ordacoffee.example.kr')), 'https://ordacoffee.example.kr/shop_view/?idx=137')).toBeNull();
  });

  it('is read on the home page itself, and where it names this page or a product', () => {
    expect(fromOpenGraph(page(tags('https://ordacoffee.example.kr/')), 'https://ordacoffee.example.kr/')?.fields.imageUrl).toBe('https://cdn.imweb.example/upload/banner.png');
    expect(fromOpenGraph(page(tags('https://ordacoffee.example.kr/shop_view/?idx=137')), 'https://ordacoffee.example.kr/shop_view/?idx=137')?.fields.imageUrl).toBe('https://cdn.imweb.example/upload/banner.png');
    expect(fromOpenGraph(page(tags('https://ordacoffee.example.kr', 'product')), 'https://ordacoffee.example.kr/shop_view/?idx=137')?.fields.imageUrl).toBe('https://cdn.imweb.example/upload/banner.png');
  });
});
