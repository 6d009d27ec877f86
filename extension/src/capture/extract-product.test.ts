import { describe, expect, it } from 'vitest';
import type { Choice } from './scorer.ts';
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

  it('reads "$" in the country\'s currency where a currency switcher left the markup in another dollar ("$44.990" on a .cl shop, USD 54.99)', () => {
    const ld = (price: string) => `<script type="application/ld+json">${JSON.stringify({ '@type': 'Product', name: 'Saco de dormir Cordillera', offers: { price, priceCurrency: 'USD' } })}</script>`;
    const body = (shown: string) => `<h1 class="product_title">Saco de dormir Cordillera</h1><p class="price"><span class="amount">${shown}</span></p><button type="submit" class="single_add_to_cart_button">Añadir al carrito</button>`;
    expect(extractProduct(page(ld('54.99'), body('$44.990')), 'https://www.andes.example.cl/producto/saco')).toMatchObject({ priceMinor: 44990, currency: 'CLP' });
    // A markup price a little stale, or a shop that sells in US dollars on a .cl domain: the markup's dollar stays.
    expect(extractProduct(page(ld('54.99'), body('$49.99')), 'https://www.andes.example.cl/producto/saco')).toMatchObject({ priceMinor: 4999, currency: 'USD' });
    expect(extractProduct(page(ld('44.99'), body('$44.99')), 'https://www.andes.example.cl/producto/saco')).toMatchObject({ priceMinor: 4499, currency: 'USD' });
  });

  it('takes the price with tax where the page shows it beside the markup\'s price before tax, by its words or by its name', () => {
    const ld = `<script type="application/ld+json">${JSON.stringify({ '@type': 'Product', name: 'Kombidämpfer 6-1/1 GN', offers: { price: '3999', priceCurrency: 'EUR' } })}</script>`;
    const doc = page(ld, `<h1>Kombidämpfer 6-1/1 GN</h1><div class="buy"><div class="price-container"><div><span>Netto:</span> <p class="product-price">3.999,00 €*</p></div>
      <div><span>Brutto:</span> <span class="product-price-gross">4.758,81 €</span> <small>inkl. 19 % MwSt.</small></div></div>
      <table><tr><th>Stückpreis netto</th><th>Stückpreis brutto</th></tr><tr><td>3.999,00 €*</td><td>4.758,81 €</td></tr></table>
      <button type="submit">In den Warenkorb</button></div>`);
    expect(extractProduct(doc, 'https://www.gastro.example.de/p/1')).toMatchObject({ priceMinor: 475881, currency: 'EUR' });
    const pro = page(ld.replace('3999', '189'), `<h1>Perforateur DHR243Z</h1><div class="product-prices"><span class="price">189,00 € HT</span>
      <p class="tax">soit <span>226,80 €</span> TTC</p></div><button type="submit">Ajouter au panier</button>`);
    expect(extractProduct(pro, 'https://www.outillage.example.fr/p/1')?.priceMinor).toBe(22680);
    // Magento names both and shows their words only from its stylesheet (`data-label`).
    const magento = page(ld.replace('3999', '74.99').replace('EUR', 'GBP'), `<h1>Makita DHP485Z Combi Drill</h1><div class="price-box price-final_price"><span class="price-container price-final_price tax weee">
      <span data-label="Excl. VAT" class="price-wrapper price-excluding-tax"><span class="price">£74.99</span></span>
      <span data-label="Incl. VAT" class="price-wrapper price-including-tax"><span class="price">£89.99</span></span></span></div><button type="submit">Add to Basket</button>`);
    expect(extractProduct(magento, 'https://www.toolhub.example.co.uk/makita-dhp485z.html')?.priceMinor).toBe(8999);
  });

  it('reads cents printed after the euro sign in a <sup> ("549<sup>€99</sup>", "449€<sup>99</sup>")', () => {
    const ld = (price: string) => `<script type="application/ld+json">${JSON.stringify({ '@type': 'Product', name: 'Lave-linge WGG244', offers: { price, priceCurrency: 'EUR' } })}</script>`;
    for (const [shown, price] of [['549<sup>€99</sup>', '549.99'], ['549€<sup>99</sup>', '549.99']] as const) {
      const doc = page(ld(price), `<h1>Lave-linge WGG244</h1><p class="price-block"><del>699,99 €</del> <span class="product_price">${shown}</span></p><button type="submit">Ajouter au panier</button>`);
      expect(extractProduct(doc, 'https://www.electro.example.fr/p/1')?.priceMinor).toBe(54999);
    }
  });

  it('shows nothing on a category page whose every tile is marked up as a Product', () => {
    const tile = (n: number) => `<article itemscope itemtype="http://schema.org/Product"><img itemprop="image" src="/t${n}.jpg" alt=""><h2 itemprop="name"><a href="/p/${n}">Théière en fonte Tetsubin ${n} L</a></h2>
      <div itemprop="offers" itemscope itemtype="http://schema.org/Offer"><span itemprop="price" content="${50 + n}">${50 + n},00 €</span><meta itemprop="priceCurrency" content="EUR"></div><button type="button">Ajouter au panier</button></article>`;
    const listing = page('', `<h1>Théières en fonte</h1><div class="products">${[1, 2, 3, 4, 5].map(tile).join('')}</div>`);
    expect(extractProduct(listing, 'https://www.the.example.fr/12-theieres-en-fonte')).toBeNull();
    // A product page with related products marked up alike still shows its own.
    const own = page('', `<h1>Théière en fonte Tetsubin 9 L</h1>${tile(9)}<section><h2>Vous aimerez aussi</h2>${[1, 2, 3].map(tile).join('')}</section>`);
    expect(extractProduct(own, 'https://www.the.example.fr/p/9')).toMatchObject({ title: 'Théière en fonte Tetsubin 9 L', priceMinor: 5900 });
  });

  it('reads a JD-like page without markup or <h1>: the title in "sku-name", the member price and the shop\'s best sellers aside', () => {
    const tiles = [1, 2, 3, 4, 5].map((n) => `<li><a href="/${n}.html">小米 ${n}</a><strong><i>￥</i><em>${n}99.00</em></strong></li>`).join('');
    const doc = page('<title>【小米Redmi K70 至尊版】小米 Redmi K70 至尊版 12GB+256GB 墨羽黑</title>', `<div class="w"><div class="product-intro">
      <div class="preview"><img id="spec-img" src="https://img.example.cn/n1/s450x450_jfs/k70.jpg" width="450" height="450" alt="Redmi K70 至尊版"></div>
      <div class="itemInfo-wrap"><div class="sku-name">Redmi K70 至尊版 12GB+256GB 墨羽黑</div>
      <div class="summary-price"><div class="dt">京 东 价</div><div class="dd"><span class="p-price"><span>￥</span><span class="price">2599.00</span></span></div></div>
      <div class="summary-plus-price"><div class="dt">PLUS价</div><div class="dd"><span class="p-price-plus"><span>￥</span><span class="price">2569.00</span></span></div></div>
      <a href="/cart/add" id="InitCartUrl" class="btn-special1 btn-lg">加入购物车</a></div></div>
      <div class="m m-aside"><div class="mt"><h3>店铺热销</h3></div><div class="mc"><ul class="plist">${tiles}</ul></div></div></div>`);
    expect(extractProduct(doc, 'https://item.example.cn/100058231745.html')).toMatchObject({ title: 'Redmi K70 至尊版 12GB+256GB 墨羽黑', priceMinor: 259900, currency: 'CNY' });
  });

  it('reads a page without markup whose one price under the heading beats its options\' and accessories\' prices, but not a listing', () => {
    const options = [['16 GB · 512 GB', '1.099,00 €'], ['32 GB · 1 TB', '1.349,00 €'], ['32 GB · 2 TB', '1.599,00 €']]
      .map(([name, price]) => `<button class="config-option"><span>${name}</span><span class="option-price">${price}</span></button>`).join('');
    const extras = [['Funda 14"', '24,99 €'], ['Ratón', '29,99 €'], ['Garantía 3 años', '89,99 €'], ['Dock USB-C', '54,99 €'], ['Mochila', '39,99 €'], ['Antivirus', '69,99 €']]
      .map(([name, price]) => `<li class="extra"><span>${name}</span> <span class="extra-price">${price}</span></li>`).join('');
    const doc = page('<title>Portátil Zenobook Air 14 OLED | Tecnia</title>', `<main><div class="gallery"><img src="https://cdn.tecnia.example.es/zenobook-air-14.jpg" width="1200" height="900" alt="Portátil Zenobook Air 14 OLED"></div>
      <div class="buy"><h1>Portátil Zenobook Air 14 OLED</h1><div class="box"><span class="price">1.349,00 €</span>
      <div class="config">${options}</div><button data-testid="add-to-cart">Añadir a la cesta</button></div></div>
      <section class="extras"><div><div><h2>Completa tu compra</h2><ul>${extras}</ul></div></div></section></main>`);
    expect(extractProduct(doc, 'https://www.tecnia.example.es/portatiles/zenobook-air-14-oled')).toMatchObject({ title: 'Portátil Zenobook Air 14 OLED', priceMinor: 134900, currency: 'EUR' });
    // A category page: tiles alike, each with its name, price and button, under the category's heading.
    const tiles = Array.from({ length: 6 }, (_, i) => `<li class="tile"><img src="https://cdn.tecnia.example.es/p${i}.jpg" alt="Portátil ${i}"><h3>Portátil ${i}</h3><span class="price">${999 + i * 100},00 €</span><button>Añadir a la cesta</button></li>`).join('');
    const listing = page('<title>Portátiles | Tecnia</title>', `<main><h1>Portátiles</h1><ul class="grid">${tiles}</ul></main>`);
    expect(extractProduct(listing, 'https://www.tecnia.example.es/portatiles')).toBeNull();
  });

  it('reads a WooCommerce product page that an SEO plugin calls an article, but not an article about a product', () => {
    const head = '<meta property="og:type" content="article"><title>Visakoivukuksa Lappi - Pohjolan Puoti</title>';
    const product = page(head, `<main><div class="product"><div class="woocommerce-product-gallery"><img src="https://puoti.example.fi/wp-content/uploads/kuksa-iso.jpg" width="1200" height="1200" alt="Visakoivukuksa Lappi"></div>
      <div class="summary entry-summary"><h1 class="product_title entry-title">Visakoivukuksa Lappi</h1><p class="price"><span class="woocommerce-Price-amount amount"><bdi>34,90&nbsp;<span class="woocommerce-Price-currencySymbol">&euro;</span></bdi></span></p>
      <form class="cart"><button type="submit" name="add-to-cart" class="single_add_to_cart_button button alt">Lisää ostoskoriin</button></form></div></div></main>`);
    expect(extractProduct(product, 'https://puoti.example.fi/tuote/visakoivukuksa-lappi/')).toMatchObject({ title: 'Visakoivukuksa Lappi', priceMinor: 3490, currency: 'EUR' });
    // A blog post about the same cup, with its price and a link to buy it: still an article.
    const article = page(head, `<main><article><h1 class="entry-title">Visakoivukuksa Lappi: a cup for the trail</h1><img src="https://puoti.example.fi/wp-content/uploads/kuksa-iso.jpg" width="1200" height="1200" alt="Visakoivukuksa Lappi">
      <p>Our favourite cup costs <span class="price">34,90 €</span>.</p><a class="button" href="/tuote/visakoivukuksa-lappi/">Buy now</a></article></main>`);
    expect(extractProduct(article, 'https://puoti.example.fi/blog/kuksa/')).toBeNull();
  });

  it('reads a page called an article whose only <h1> is its logo, by a heading named as the product\'s title beside the buy button ("goods_ttl" three levels from it); not a post with a product box', () => {
    const head = '<meta property="og:type" content="article"><title>ダイニングチェア オーク無垢材｜木心家具</title>';
    const product = page(head, `<header id="header"><h1 class="header__logo"><a href="/"><img src="/logo.svg" alt="木心家具"></a></h1></header><main>
      <div class="item-detail"><img class="item-main" src="https://www.kagu.example.jp/upload/DC-0412_main_01_L.jpg" width="800" height="800" alt="ダイニングチェア">
      <div class="item-detail__info"><h2 class="item-name">ダイニングチェア オーク無垢材</h2><p class="price-box__main">32,780円</p>
      <form action="/cart/add.php" method="post"><button type="submit" class="btn-cart">カートに入れる</button></form></div></div></main>`);
    expect(extractProduct(product, 'https://www.kagu.example.jp/item/detail.php?item_id=DC-0412')).toMatchObject({ title: 'ダイニングチェア オーク無垢材', priceMinor: 32780, currency: 'JPY' });
    // A post whose own <h1> is its title, with a product box named so and a link to buy: still an article.
    const post = page(head, `<header id="header"><h1 class="header__logo"><a href="/"><img src="/logo.svg" alt="木心家具"></a></h1></header><main><article>
      <h1 class="entry-title">オーク材の椅子を選ぶ五つのこと</h1><div class="product-box"><img src="https://www.kagu.example.jp/upload/DC-0412_main_01_L.jpg" width="800" height="800" alt="ダイニングチェア">
      <h2 class="product-name">ダイニングチェア オーク無垢材</h2><p>32,780円</p><a class="button" href="/item/DC-0412">購入する</a></div></article></main>`);
    expect(extractProduct(post, 'https://www.kagu.example.jp/blog/oak/')).toBeNull();
    // A bookshop's "goods_ttl" in its centre column, the cart box in the right column: three levels apart.
    const book = page(head, `<header><h1 class="logo"><a href="/"><img src="/logo.png" alt="森の書店"></a></h1></header><div id="main"><div id="left_area"><img src="https://www.shoten.example.jp/img/9784163921234_L.jpg" width="400" height="560" alt=""></div>
      <div id="center_area"><div class="goods_head"><h3 class="goods_ttl">星降る町の図書館</h3><p class="author">青山 美咲【著】</p></div></div>
      <div id="right_area"><div class="cart_box"><p class="cart_price"><span class="yen">￥1,980</span>（税込）</p><form action="/cart" method="post"><input type="submit" value="カートに入れる" class="btn_cart"></form></div></div></div>`);
    expect(extractProduct(book, 'https://www.shoten.example.jp/f/dsg-01-9784163921234')).toMatchObject({ title: '星降る町の図書館', priceMinor: 1980, currency: 'JPY' });
  });

  it('shows nothing for a blog post titled in a "blog-item-title" with a product block and its add-to-cart button (Squarespace)', () => {
    const post = page('<meta property="og:type" content="article"><title>İznik Çinisinin Dört Rengi — Atölye Lal</title>', `<main><article class="blog-item">
      <div class="blog-item-title"><h1 class="entry-title p-name">İznik Çinisinin Dört Rengi: Atölyemizden Notlar</h1></div>
      <img src="https://images.example-cdn.com/atolye/iznik-renkler.jpg?format=1500w" width="1500" height="1000" alt="">
      <div class="sqs-block product-block"><h2 class="product-title">El Yapımı İznik Desenli Kase</h2><div class="product-price">1.450,00 TL</div>
      <div class="sqs-add-to-cart-button" role="button" tabindex="0">Sepete Ekle</div></div></article></main>`);
    expect(extractProduct(post, 'https://www.atolyelal.example.com/gunluk/iznik-cinisinin-dort-rengi')).toBeNull();
  });

  it('takes the page\'s photo over an OpenGraph image that is the site\'s logo', () => {
    const doc = page('<meta property="og:type" content="product"><meta property="og:image" content="https://static.kart.example.in/web/og-logo.png">', `<main>
      <div class="a"><div class="b"><div class="c"><div class="d"><div class="e"><img src="https://img.kart.example.in/image/173/173/laptop/g16-original.jpeg?q=70" width="173" height="173" alt=""></div></div></div></div></div>
      <h1><span>ASUS ROG Strix G16 Gaming Laptop</span></h1><div class="price">₹1,29,999</div><button>Add to cart</button></main>`);
    expect(extractProduct(doc, 'https://www.kart.example.in/asus-rog-strix-g16/p/itm8c1d2')?.imageUrl).toBe('https://img.kart.example.in/image/173/173/laptop/g16-original.jpeg?q=70');
  });

  it('takes the currency of the shop\'s country for a price that names none ("1 499,-" on a .no shop)', () => {
    const doc = page('<title>Fjellbris skalljakke</title>', `<main><img src="https://www.tur.example.no/images/fjellbris-1_1600.jpg" width="800" height="800" alt="Fjellbris skalljakke dame">
      <h1 class="product-title">Fjellbris skalljakke dame</h1><div class="product-price">1 499,-</div><button class="add-to-cart">Legg i handlekurv</button></main>`);
    expect(extractProduct(doc, 'https://www.tur.example.no/fjellbris-skalljakke')).toMatchObject({ priceMinor: 149900, currency: 'NOK' });
    expect(extractProduct(doc, 'https://www.tur.example.com/fjellbris-skalljakke')).toMatchObject({ priceMinor: 149900, currency: 'unknown' });
  });

  it('takes the <h1> over a tab\'s heading that puts its name before the product\'s ("Характеристики …")', () => {
    const ld = `<script type="application/ld+json">${JSON.stringify({ '@type': 'Product', name: 'Ноутбук Lenovo IdeaPad Slim 3', offers: { price: '24999', priceCurrency: 'UAH' } })}</script>`;
    const doc = page(`<title>Ноутбук Lenovo IdeaPad Slim 3 – купити</title>${ld}`, `<h1 class="h2 bold">Ноутбук Lenovo IdeaPad Slim 3 / Intel Core i5 / RAM 16 ГБ</h1>
      <div class="product-prices"><p class="product-price__small">28 999<span class="currency">₴</span></p><p class="product-price__big">24 999<span class="currency">₴</span></p></div>
      <button type="button" class="buy-button">Купити</button><h2 class="tabs-title" style="font-size:24px">Характеристики Ноутбук Lenovo IdeaPad Slim 3</h2><p>Процесор Intel Core i5</p>`);
    expect(extractProduct(doc, 'https://tovarka.example.com.ua/ua/lenovo/p1/')).toMatchObject({ title: 'Ноутбук Lenovo IdeaPad Slim 3 / Intel Core i5 / RAM 16 ГБ', priceMinor: 2499900 });
  });

  it('joins cents written as the last piece of a price ("$" "99" "00"), and an unchosen protection plan is no price to pay', () => {
    const doc = page('', `<h1>20V MAX Cordless Drill Combo Kit</h1><div class="price"><div class="price-format__main-price"><span class="price-format__large-currency-symbols">$</span><span>99</span><span class="price-format__large-currency-symbols">00</span></div>
      <div><span>Was </span><span class="u__strike"><span>$169.00</span></span></div></div><div class="buybox__protection"><label><input type="radio" name="plan" value="2y"> 2-Year Protection Plan <span>$9.97</span></label>
      <label><input type="radio" name="plan" value="" checked> No Plan</label></div><button type="button" class="add-to-cart">Add to Cart</button>`);
    expect(extractProduct(doc, 'https://www.bigbox.example.com/p/300000001')).toMatchObject({ priceMinor: 9900, currency: 'USD' });
  });

  it('joins the cents piece of a price in a block of its own beside the unit of sale ("$" "39" "97" "/box")', () => {
    const doc = page('', `<h1>Deck-Drive DSV Wood Screw #10 x 3-inch</h1><div class="price-detailed"><div class="price"><div class="price-format__main-price"><span class="price-format__large-currency-symbols">$</span><span>39</span><span class="price-format__large-currency-symbols">97</span></div><span class="price__uom">/box</span></div>
      <div><span>Was </span><span class="u__strike">$44.97</span></div></div><button type="button" class="add-to-cart">Add to Cart</button>`);
    expect(extractProduct(doc, 'https://www.depot.example.ca/p/1001584236')).toMatchObject({ priceMinor: 3997, currency: 'CAD' });
  });

  it('reads Portuguese names of the old and the current price ("preco-antigo", "preco-atual", "Poupa 4,00 €") on a page without markup', () => {
    const doc = page('<title>Carteira em Cortiça – Corticarte</title>', `<main><img src="https://www.corticarte.example.pt/uploads/carteira-lisboa-1200.jpg" width="900" height="900" alt="Carteira em Cortiça Natural">
      <h1>Carteira em Cortiça Natural – Modelo Lisboa</h1><div class="bloco-preco"><span class="preco-antigo">16,90 €</span> <span class="preco-atual">12,90 €</span><span class="poupanca">Poupa 4,00 €</span></div>
      <form><button type="submit" class="btn-adicionar">Adicionar ao carrinho</button></form></main>`);
    expect(extractProduct(doc, 'https://www.corticarte.example.pt/loja/carteira-lisboa')).toMatchObject({ priceMinor: 1290, currency: 'EUR' });
  });

  it('keeps the price paid in instalments by card the price to pay, beside a lower one for paying by Pix', () => {
    const doc = page('', `<h1>Smartphone Galaxy S24 256GB Violeta</h1><div data-testid="price"><p><del>R$ 5.999,00</del></p><p class="price-big">R$ 3.999,00</p>
      <p>em 10x de R$ 399,90 sem juros no cartão</p><p>ou <strong>R$ 3.599,10</strong> à vista no Pix</p></div><button class="add-to-cart">Adicionar à sacola</button>`);
    expect(extractProduct(doc, 'https://www.magalu.example.com.br/p/238741100/')).toMatchObject({ priceMinor: 399900, currency: 'BRL' });
  });

  it('reads an osCommerce page: the name in <td class="pageHeading"> without its model code, the special price, the photo only in <noscript>', () => {
    const doc = page('<title>Кофеварка рожковая DeLonghi EC 685.M Dedica - ТехноПланета</title>', `<table><tr><td><form name="cart_quantity" action="/product_info.php?action=add_product" method="post"><table>
      <tr><td class="pageHeading">Кофеварка рожковая DeLonghi EC 685.M Dedica<br><span class="smallText">[EC685M]</span></td><td class="pageHeading" align="right"><s>18 490 руб.</s> <span class="productSpecialPrice">15 990 руб.</span></td></tr>
      <tr><td><script>document.write('<img src="images/delonghi/ec685m_big.jpg">');</script><noscript><img src="images/delonghi/ec685m_big.jpg" alt="Кофеварка рожковая DeLonghi EC 685.M Dedica" width="300" height="300"></noscript></td></tr>
      <tr><td class="main">Количество: <input type="text" name="quantity" value="1"><input type="image" src="button_in_cart.gif" alt="Добавить в корзину"></td></tr></table></form></td></tr></table>`);
    expect(extractProduct(doc, 'https://www.tehnoplaneta.example.ru/product_info.php?products_id=512')).toMatchObject({
      title: 'Кофеварка рожковая DeLonghi EC 685.M Dedica', priceMinor: 1599000, currency: 'RUB', imageUrl: 'https://www.tehnoplaneta.example.ru/images/delonghi/ec685m_big.jpg',
    });
  });

  it('leaves out the prices of a floating "recently viewed" box (MakeShop\'s "today_view") beside the page\'s tables', () => {
    const doc = page('<title>맨즈룸 - 남성 캐주얼 린넨 셔츠</title>', `<table><tr><td><img src="/shopimages/0020030000312.jpg" width="400" height="500" alt="남성 캐주얼 린넨 셔츠"></td><td><table><tr><td><h1>남성 캐주얼 린넨 셔츠</h1></td></tr>
      <tr><td><table><tr><td>판매가격</td><td>:</td><td><b><font color="#FF6600">39,000원</font></b></td></tr></table></td></tr>
      <tr><td><button type="button" onclick="send_basket()">장바구니 담기</button></td></tr></table></td></tr></table>
      <div id="today_view">최근본상품<br><a href="/shop/shopdetail.html?branduid=00087"><img src="/shopimages/0010010000087.jpg" width="70" height="85"></a><br>69,000원</div>`);
    expect(extractProduct(doc, 'https://www.mensroom.example.co.kr/shop/shopdetail.html?branduid=12345')).toMatchObject({ priceMinor: 39000, currency: 'KRW' });
  });

  it('takes the name in the buy form of a page without any heading, every word of it in the <title>, and the one price in that form (ECShop\'s "f_l")', () => {
    const body = (name: string) => `<div class="imgInfo"><img src="images/201203/goods_img/123_G.jpg" alt="紫砂壶 宜兴原矿朱泥 西施壶" width="360" height="360"></div><div class="textInfo"><form action="javascript:addToCart(123)" name="ECS_FORMBUY">
      <div class="clearfix"><p class="f_l">${name}</p></div><ul><li><dd><strong>市场价格：</strong><font class="market">￥336.00元</font><br><strong>本店售价：</strong><font class="shop" id="ECS_SHOPPRICE">￥268.00元</font></dd></li>
      <li class="padd"><a href="javascript:addToCart(123)"><img src="bnt_cat.gif" alt="加入购物车"></a></li></ul></form></div>
      <div class="box"><div class="box_1"><h3><span>销售排行</span></h3>${[238, 198, 288, 68, 560, 58, 128].map((n, i) => `<ul class="clearfix"><li><a href="goods.php?id=${i}">宜兴紫砂 ${i}</a><br>本店售价：<font class="f1">￥${n}.00元</font></li></ul>`).join('')}</div></div>`;
    const title = '<title>紫砂壶 宜兴原矿朱泥 西施壶_紫砂壶 - 阳羡陶坊</title>';
    expect(extractProduct(page(title, body('紫砂壶 宜兴原矿朱泥 西施壶')), 'http://www.zisha.example.com/goods.php?id=123')).toMatchObject({
      title: '紫砂壶 宜兴原矿朱泥 西施壶', priceMinor: 26800, currency: 'CNY', imageUrl: 'http://www.zisha.example.com/images/201203/goods_img/123_G.jpg',
    });
    // Words the <title> does not hold are no name ("库存紧张" is "low stock").
    expect(extractProduct(page(title, body('库存紧张 请尽快')), 'http://www.zisha.example.com/goods.php?id=123')).toBeNull();
  });

  it('takes Zen Cart\'s "productSpecialPrice" over the "normalprice" before it', () => {
    const doc = page('', `<h1 id="productName" class="productGeneral">Termoska Stanley Classic 1,0 l zelená</h1><h2 id="productPrices" class="productGeneral"><span class="normalprice">1 590,00 Kč </span>&nbsp;<span class="productSpecialPrice">1 290,00 Kč</span><span class="productPriceDiscount"><br>Ušetříte 19%</span></h2>
      <input type="submit" class="button_in_cart" value="Do košíku">`);
    expect(extractProduct(doc, 'https://www.outdoor.example.cz/index.php?main_page=product_info&products_id=88')).toMatchObject({ priceMinor: 129000, currency: 'CZK' });
  });

  it('shows nothing on a category page whose JSON-LD lists its products in an ItemList', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ '@type': 'ListItem', position: n, item: { '@type': 'Product', name: `Rain Jacket ${n}`, url: `https://www.coop.example.com/product/${n}`, offers: { price: `${100 + n}.93`, priceCurrency: 'USD' } } }));
    const ld = `<script type="application/ld+json">${JSON.stringify({ '@type': 'ItemList', name: "Men's Rain Jackets", itemListElement: items })}</script>`;
    const tiles = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `<li><a href="/product/${n}">Rain Jacket ${n}</a><span class="price">$${100 + n}.93</span><button type="button">Add to cart</button></li>`).join('');
    expect(extractProduct(page(ld, `<h1>Men's Rain Jackets</h1><ul class="results">${tiles}</ul>`), 'https://www.coop.example.com/c/mens-rain-jackets')).toBeNull();
  });

  it('shows nothing on a category page whose ItemList is named as its heading, even with one deal shown large right under it', () => {
    const items = [1, 2, 3, 4].map((n) => ({ '@type': 'ListItem', position: n, url: `https://www.technik.example.de/de/product/_tv-${n}.html` }));
    const ld = `<script type="application/ld+json">${JSON.stringify({ '@type': 'ItemList', name: 'OLED TV', numberOfItems: 148, itemListElement: items })}</script>`;
    const tiles = [1, 2, 3, 4].map((n) => `<article class="product-tile"><a href="/de/product/_tv-${n}.html"><img src="/tv-${n}.png" alt=""><p>LG OLED ${40 + n}"</p></a>
      <div class="price"><span class="price__main">${n}.${n}99,–</span> €</div><button class="btn-atc">In den Warenkorb</button></article>`).join('');
    const body = `<main><h1>OLED TV</h1><section class="hero-deal"><h2>Deal der Woche</h2><img src="/tv-1.png" width="600" height="400" alt="">
      <p class="price">2.499,– €</p></section><div class="plp"><section class="results"><div class="grid">${tiles}</div></section></div></main>`;
    expect(extractProduct(page(ld, body), 'https://www.technik.example.de/de/category/_oled-tv-2003.html')).toBeNull();
  });

  it('takes the shop\'s own photo over the file a saved page ("Save Page As… Complete") points at', () => {
    const doc = page('<meta property="og:image" content="https://www.seife.example.de/media/lavendel-seife-01.jpg">', `<div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Olivenölseife Lavendel 100 g</h1>
      <img itemprop="image" src="./Olivenölseife Lavendel _ Seifenmanufaktur_files/lavendel-seife-01_800x800.jpg" data-full-image="https://www.seife.example.de/media/lavendel-seife-01.jpg" width="800" height="800" alt="">
      <div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><meta itemprop="price" content="6.90"><meta itemprop="priceCurrency" content="EUR"><p class="product-detail-price">6,90 €*</p></div>
      <button type="submit">In den Warenkorb</button></div>`);
    expect(extractProduct(doc, 'https://www.seife.example.de/olivenoelseife-lavendel-100-g/')?.imageUrl).toBe('https://www.seife.example.de/media/lavendel-seife-01.jpg');
  });

  it('reads an OpenCart page: special price in Bootstrap\'s "list-unstyled", the lev beside the euro, related products after the product in one container', () => {
    const related = [1, 2, 3, 4].map((n) => `<div class="product-layout col-sm-3"><div class="product-thumb"><h4><a href="/p${n}">Кафемелачка ${n}</a></h4><p class="price">${n}9,00 € <span>(${n}9 лв.)</span></p><button type="button">Купи</button></div></div>`).join('');
    const doc = page('', `<div id="content" class="col-sm-12"><div class="row"><div class="col-sm-7"><img src="/image/cache/ecam-500x500.jpg" width="500" height="500" alt="Кафеавтомат DeLonghi"></div>
      <div class="col-sm-5"><h1>Кафеавтомат DeLonghi Magnifica S</h1><ul class="list-unstyled"><li><span style="text-decoration: line-through;">449,00 €</span> <span style="text-decoration: line-through;">(878,17 лв.)</span></li>
      <li><h2>379,90 €</h2> <span class="price-bgn-main">743,02 лв.</span></li><li>Без ДДС: 316,58 €</li></ul>
      <div class="tbi-credit">Купи на изплащане от <b>33,24 €</b> <small>(65,01 лв.)</small> / месец</div><button type="button" id="button-cart" class="btn btn-primary">Купи</button></div></div>
      <h3>Свързани продукти</h3><div class="row">${related}</div></div>`);
    expect(extractProduct(doc, 'https://www.kafe.example.bg/delonghi-ecam')).toMatchObject({ title: 'Кафеавтомат DeLonghi Magnifica S', priceMinor: 37990, currency: 'EUR' });
  });

  it('reads a Bitrix page whose buy button is a <span class="btn to-cart">, and Cafe24\'s price struck on a <span> inside its cell', () => {
    const bitrix = page('<meta property="og:type" content="website">', `<h1>Смартфон Xiaomi Redmi Note 13 8/256GB</h1><div class="price_matrix_wrapper"><div class="price" data-currency="KZT">109 990 ₸</div></div>
      <img src="/upload/iblock/3f2/redmi.jpg" width="450" height="450" alt="Смартфон Xiaomi Redmi Note 13"><div class="buy_block"><span class="btn btn-default to-cart" data-item="48213">В корзину</span></div>`);
    expect(extractProduct(bitrix, 'https://www.alem.example.kz/catalog/smartfony/redmi-note-13/')).toMatchObject({ priceMinor: 10999000, currency: 'KZT' });
    const cafe24 = page('', `<div class="item_detail_tit"><h3>멜로우 코튼 라운드 니트 가디건</h3></div><table><tr><th>판매가</th><td><span style="text-decoration:line-through;"><strong id="span_product_price_text">59,000원</strong></span></td></tr>
      <tr><th>할인판매가</th><td><span><span id="span_product_price_sale">39,000원 <span>(20,000원 할인)</span></span></span></td></tr></table>
      <img src="/web/product/big/cardigan.jpg" width="500" height="500" alt=""><a href="#none" class="btnSubmit">바로구매</a><a href="#none" class="btn_cart">장바구니 담기</a>`);
    expect(extractProduct(cafe24, 'https://www.mellow.example.co.kr/product/detail.html?product_no=1')).toMatchObject({ title: '멜로우 코튼 라운드 니트 가디건', priceMinor: 39000, currency: 'KRW' });
  });

  it('takes a WooCommerce variable product\'s chosen variation price over the ends of the range above it', () => {
    const doc = page('', `<h1 class="product_title entry-title">Bio Lavendelöl fein</h1><p class="price"><span class="woocommerce-Price-amount amount"><bdi>9,90&nbsp;€</bdi></span> <span aria-hidden="true">&ndash;</span>
      <span class="woocommerce-Price-amount amount"><bdi>36,90&nbsp;€</bdi></span><span class="screen-reader-text">Preisspanne: 9,90 € bis 36,90 €</span></p>
      <img src="/wp-content/uploads/lavendeloel-30ml.jpg" width="600" height="600" alt=""><form class="variations_form cart"><select name="attribute_pa_inhalt"><option value="10-ml">10 ml</option><option value="30-ml" selected>30 ml</option></select>
      <div class="single_variation_wrap"><div class="woocommerce-variation single_variation"><div class="woocommerce-variation-price"><span class="price"><span class="woocommerce-Price-amount amount"><bdi>24,90&nbsp;€</bdi></span></span></div></div>
      <button type="submit" class="single_add_to_cart_button button alt">In den Warenkorb</button></div></form>`);
    expect(extractProduct(doc, 'https://www.kraeuter.example.de/produkt/bio-lavendeloel-fein/')).toMatchObject({ priceMinor: 2490, currency: 'EUR' });
  });

  it('reads Godomall\'s name drawn in a <div class="goods_nm"> when the page\'s <title> names only the shop', () => {
    const doc = page('<title>농부마켓 - 산지직송 친환경 농산물</title>', `<table><tr><td><div id="goods_image"><img src="../data/goods/l_2231_0.jpg" width="400" height="400"></div></td>
      <td><div style="font:bold 20px sans-serif" class="goods_nm">유기농 제주 한라봉 3kg (10~14과)</div><table><tr><th>판매가격</th><td><b id="price">36,900</b><b>원</b></td></tr></table>
      <a href="javascript:act('../order/order')"><img src="../img/btn_direct_buy.gif" alt="바로구매"></a></td></tr></table>
      <h3>함께 구매한 상품</h3><ul>${[1, 2, 3].map((n) => `<li class="relation__item"><p class="name">제주 감귤 ${n}kg</p><p>${n}9,800원</p></li>`).join('')}</ul>`);
    expect(extractProduct(doc, 'https://www.nongbu.example.co.kr/shop/goods/goods_view.php?goodsno=2231')).toMatchObject({ title: '유기농 제주 한라봉 3kg (10~14과)', priceMinor: 36900, currency: 'KRW' });
  });

  it('reads "CHF 4’299.00" beside Shopware\'s "with-list-price" class as the price to pay', () => {
    const ld = `<script type="application/ld+json">${JSON.stringify({ '@type': 'Product', name: 'E-Bike Alpenblick T7', offers: { price: '4299.00', priceCurrency: 'EUR' } })}</script>`;
    const doc = page(ld, `<h1>E-Bike Alpenblick T7</h1><div class="product-detail-price-container"><p class="product-detail-price with-list-price">CHF&nbsp;4’299.00*</p>
      <span class="list-price-badge">%</span> <span class="product-detail-list-price-wrapper">statt <span class="list-price-price">CHF&nbsp;4’999.00*</span></span></div><button type="submit">In den Warenkorb</button>`);
    expect(extractProduct(doc, 'https://www.velo.example.ch/de/e-bike/VZ-1')).toMatchObject({ priceMinor: 429900, currency: 'CHF' });
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

  it('takes the photo of the variant the address names (Shopify\'s ?variant=) over the product\'s first photo the markup names', () => {
    const photo = (name: string) => `https://wool.example/cdn/shop/files/crew-${name}-1.jpg?v=1698765432`;
    const doc = page(`<meta property="og:image" content="${photo('heather-grey')}">${ld({ '@type': 'Product', name: 'Merino Crew Sweater', image: photo('heather-grey'),
      offers: [{ '@type': 'Offer', price: '119.00', priceCurrency: 'CAD', url: '/products/crew?variant=43210987650007' },
        { '@type': 'Offer', price: '119.00', priceCurrency: 'CAD', url: '/products/crew?variant=43210987650015' }] })}`,
    `<main><div class="product__media-list">
      <div class="product__media"><img src="${photo('forest-green')}&width=1445" width="1100" height="1375" alt="Merino Crew Sweater in Forest Green"></div>
      <div class="product__media"><img src="${photo('heather-grey')}&width=1445" width="1100" height="1375" alt="Merino Crew Sweater in Heather Grey"></div>
    </div>
    <h1>Merino Crew Sweater</h1><span class="price">$119.00 CAD</span><button name="add">Add to cart</button>
    <variant-selects><script type="application/json">[
      {"id":43210987650007,"title":"Heather Grey / XS","price":11900,"featured_image":{"id":31000000,"src":"${photo('heather-grey')}"}},
      {"id":43210987650015,"title":"Forest Green / XS","price":11900,"featured_image":{"id":31000001,"src":"${photo('forest-green').replace('https:', '')}"}}
    ]</script></variant-selects></main>`);
    expect(extractProduct(doc, 'https://wool.example/products/crew?variant=43210987650015')?.imageUrl).toContain('crew-forest-green-1.jpg');
    // Without a variant in the address, the product's first photo, as the markup names it.
    expect(extractProduct(doc, 'https://wool.example/products/crew')?.imageUrl).toContain('crew-heather-grey-1.jpg');
    // A variant the embedded list does not know changes nothing.
    expect(extractProduct(doc, 'https://wool.example/products/crew?variant=99999999')?.imageUrl).toContain('crew-heather-grey-1.jpg');
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

describe('extractProduct: blind-page rules of the twelfth round', () => {
  it('shows nothing on a search page whose tiles name their products in elements alike, each with a photo and a price', () => {
    const tiles = ['Specs Kairo Run', 'Ortuseight Fulmine', 'Kalibre Haze Ultra', 'Piero Velocity Knit'].map((name, i) => `<div class="css-jza1fo"><div class="css-llwpbs"><div class="css-5wh65g"><a href="/p/${i}">
      <img src="https://images.example.id/${i}.jpg" width="200" height="200" alt=""><div class="prd_link-product-name css-3um8ox">${name} Sepatu Lari Pria</div>
      <div class="prd_link-product-price css-h66vau">Rp${399 - i * 50}.000</div></a></div></div></div>`).join('');
    const doc = page('<title>Jual sepatu lari pria | Tokopedia</title><meta property="og:type" content="website">', `<div class="css-search">${tiles}</div>`);
    expect(extractProduct(doc, 'https://www.tokopedia.example/search?q=sepatu%20lari%20pria')).toBeNull();
  });

  it('takes the currency the page shows and its og:price:currency names over a JSON-LD that says USD ("HK$388.00")', () => {
    const doc = page(`<meta property="og:price:amount" content="388.00"><meta property="og:price:currency" content="HKD">
      ${ld({ '@context': 'https://schema.org', '@type': 'Product', name: 'Uji Matcha 30g', offers: { '@type': 'Offer', price: '388.00', priceCurrency: 'USD' } })}`,
    '<h1>Uji Matcha 30g</h1><div class="price"><span class="price-item price-item--sale">HK$388.00</span></div><button type="submit" name="add">Add to cart</button>');
    expect(extractProduct(doc, 'https://leafandlatte.example.hk/products/uji-matcha')).toMatchObject({ priceMinor: 38800, currency: 'HKD' });
  });
});

describe('extractProduct: blind-page rules of the thirteenth round', () => {
  const daypack = (shown: string) => page(ld({ '@context': 'https://schema.org', '@type': 'Product', name: 'Ridgeline 28L Hiking Daypack',
    offers: { '@type': 'Offer', price: '149.95', priceCurrency: 'USD' } }),
  `<h1>Ridgeline 28L Hiking Daypack</h1><div class="price"><span class="sale">${shown}</span> <s>$189.95</s></div><button type="submit">Add to cart</button>`);

  it('takes the country\'s dollar for a bare "$" amount on a .com.au shop whose JSON-LD says USD, and USD where the page writes "US$"', () => {
    expect(extractProduct(daypack('$149.95'), 'https://www.ridgebackoutdoor.example.com.au/products/ridgeline-28l')).toMatchObject({ priceMinor: 14995, currency: 'AUD' });
    expect(extractProduct(daypack('US$149.95'), 'https://www.ridgebackoutdoor.example.com.au/products/ridgeline-28l')).toMatchObject({ priceMinor: 14995, currency: 'USD' });
  });
});

describe('extractProduct: a side column of other products, each with its price and buy button', () => {
  // An old shop's layout: the side column's tiles sit fewer levels below the page's wrapper than the
  // product's own price and button below the product's block, in its tables.
  const tile = (name: string, price: string) => `<div class="produkt-box"><h3><a href="/p">${name}</a></h3><div class="produkt-ceny"><span class="cena">${price} €</span></div>
    <form action="kosik.php" method="post"><input type="text" name="ks" value="1"> ks <input type="submit" class="btn-kupit" value="Do košíka"></form></div>`;
  const doc = page('<title>Akumulátorová vŕtačka Forsten AV 18-2 | Náradie Forsten</title>', `<div id="obal"><div id="lavy-stlpec"><div class="box"><h3>Akcia týždňa</h3>
    ${tile('Rázový uťahovák Forsten RU 18', '89,90')}${tile('Batéria Forsten 18 V 4,0 Ah', '34,90')}${tile('Nabíjačka Forsten 18 V', '19,90')}
    ${tile('Sada bitov 32 ks', '16,90')}${tile('Vŕtačka Forsten AV 12-1', '74,90')}</div></div>
    <div id="hlavny-stlpec"><div class="produkt-detail"><h1>Akumulátorová vŕtačka Forsten AV 18-2 Brushless, 2× 4,0 Ah</h1>
    <table class="produkt-hlavny"><tr><td class="produkt-foto"><img src="https://www.naradie.example.sk/data/4412_big.jpg" width="400" height="400" alt="Akumulátorová vŕtačka Forsten AV 18-2 Brushless"></td>
    <td class="produkt-info"><div class="ceny-box"><table class="ceny">
      <tr><td>Bežná cena:</td><td><del>159,90 €</del></td></tr>
      <tr><td>Cena bez DPH:</td><td>105,61 €</td></tr>
      <tr><td>Cena s DPH:</td><td><strong class="cena-hlavna">129,90 €</strong></td></tr></table>
      <div class="splatky">Na splátky cez Home Credit od <strong>11,37 €</strong> mesačne.</div>
      <form action="kosik.php" method="post">Množstvo: <input type="text" name="ks" value="1"> ks <input type="submit" class="btn-kupit velke" value="Vložiť do košíka"></form></div>
      <div class="doprava-info"><h4>Doprava</h4><ul><li>Kuriér GLS / DPD: 4,90 € — <strong>zadarmo nad 79 €</strong></li><li>Packeta: 2,90 €</li></ul></div>
    </td></tr></table></div></div></div>`);

  it('takes the product\'s own price beside its own buy button, in the block it shares with the heading, and knows the page for a product\'s', () => {
    expect(extractProduct(doc, 'https://www.naradie.example.sk/vrtacky/forsten-av-18-2.html')).toMatchObject({
      title: 'Akumulátorová vŕtačka Forsten AV 18-2 Brushless, 2× 4,0 Ah', priceMinor: 12990, currency: 'EUR', imageUrl: 'https://www.naradie.example.sk/data/4412_big.jpg',
    });
  });
});

describe('extractProduct: a Cafe24 page without markup', () => {
  it('takes the name Cafe24 draws in its "headingArea" where the logo is the only <h1> and the <title> names the shop alone', () => {
    const related = ['라운드 S (15cm)', '라운드 L (25cm)', '스퀘어 M'].map((name, i) => `<li><div class="thumbnail"><a href="/product/detail.html?product_no=${320 + i}"><img src="//monogarden.example.kr/web/product/medium/20240${i}/a${i}.jpg" alt="${name}"></a></div>
      <div class="description"><strong class="name"><a href="/product/detail.html?product_no=${320 + i}"><span>${name}</span></a></strong><ul><li><span>${19_900 + i * 5000}원</span></li></ul></div></li>`).join('');
    const doc = page('<title>모노가든</title><meta property="og:title" content="모노가든"><meta property="og:type" content="website">', `
      <div id="header"><h1 class="xans-element- xans-layout xans-layout-logotop top_logo"><a href="/"><img src="/web/upload/logo.png" alt="모노가든"></a></h1></div>
      <div class="xans-element- xans-product xans-product-detail"><div class="detailArea">
        <div class="imgArea"><div class="keyImg"><img src="//monogarden.example.kr/web/product/big/202404/8f3c2a1d.jpg" alt="세라믹 화분 라운드 M (20cm)" class="BigImage" width="500" height="500"></div></div>
        <div class="infoArea"><div class="headingArea"><h2>세라믹 화분 라운드 M (20cm)</h2></div>
          <table><tbody><tr><th>소비자가</th><td><span style="text-decoration:line-through">39,000원</span></td></tr>
          <tr><th>판매가</th><td><strong id="span_product_price_text">29,900원</strong></td></tr>
          <tr><th>배송비</th><td>3,000원 (50,000원 이상 구매 시 무료)</td></tr></tbody></table>
          <div class="btnArea"><a href="#none" class="first"><img src="/web/upload/btn_buy.png" alt="바로구매하기"></a><a href="#none"><img src="/web/upload/btn_cart.png" alt="장바구니 담기"></a></div>
        </div></div></div>
      <div class="xans-product-detail-info"><h2>결제 안내</h2><p>카드 결제</p><h2>배송 안내</h2><p>CJ대한통운</p><h2>교환 및 반품정보</h2><p>7일 이내</p></div>
      <div class="xans-element- xans-product xans-product-relation"><div class="title"><h2>관련상품</h2></div><ul class="prdList">${related}</ul></div>`);
    expect(extractProduct(doc, 'https://monogarden.example.kr/product/detail.html?product_no=318')).toMatchObject({
      title: '세라믹 화분 라운드 M (20cm)', priceMinor: 29900, currency: 'KRW', imageUrl: 'https://monogarden.example.kr/web/product/big/202404/8f3c2a1d.jpg',
    });
  });

  it('reads a card discount, monthly instalments and a coupon price as no price to pay, and an "MD 추천상품" block as other products', () => {
    const picks = [['LG 스타일러 S5BBU', 690_000], ['LG 트롬 미니워시 F2WND', 590_000], ['LG 통돌이 T20DX7', 820_000], ['위니아 클라쎄 WWF21GDWK', 1_590_000], ['삼성 비스포크 AI 콤보', 3_690_000]]
      .map(([name, price], i) => `<li><div class="prdImg"><a href="/product/detail.html?product_no=${1900 + i}"><img src="//gajeon.example.kr/web/product/medium/202403/m${i}.jpg" alt="${name}"></a>
        <div class="icon"><img src="/web/upload/icon_basket.png" alt="장바구니 담기" class="ec-admin-icon cart"></div></div>
        <div class="description"><strong class="name"><a href="/product/detail.html?product_no=${1900 + i}"><span>${name}</span></a></strong>
        <ul><li><strong>판매가</strong> : <span>${Number(price).toLocaleString('en-US')}원</span></li></ul></div></li>`).join('');
    const doc = page('<title>가전마트</title>', `
      <div id="header"><h1 class="xans-element- xans-layout xans-layout-logotop"><a href="/"><img src="/web/upload/logo.png" alt="가전마트"></a></h1></div>
      <div class="xans-element- xans-product xans-product-detail"><div class="detailArea">
        <div class="imgArea"><div class="keyImg"><img src="//gajeon.example.kr/web/product/big/202403/3f2c1a9b.jpg" alt="LG 트롬 드럼세탁기 FX24ENE" class="BigImage"></div></div>
        <div class="infoArea"><div class="headingArea"><h2>LG 트롬 드럼세탁기 FX24ENE 24kg</h2></div>
          <div class="xans-product-detaildesign"><table><tbody><tr><th><span>소비자가</span></th><td><span style="text-decoration:line-through">1,690,000원</span></td></tr>
          <tr><th><span>판매가</span></th><td><span><strong id="span_product_price_text">1,290,000원</strong></span></td></tr>
          <tr><th><span>쿠폰적용가</span></th><td><span>1,251,300원</span> <span>(3% 장바구니쿠폰 다운로드 시)</span></td></tr></tbody></table></div>
          <div class="card_benefit"><p><strong>카드 즉시할인</strong> 삼성카드 5% 청구할인 시 <strong>1,225,500원</strong></p><p><strong>무이자 할부</strong> 월 <strong>107,500원</strong> (12개월)</p></div>
          <div class="xans-product-action"><div class="btnArea"><a href="#none" class="first btnSubmit"><span id="btnBuy">바로구매하기</span></a><a href="#none" class="btnNormal">장바구니 담기</a></div></div>
        </div></div></div>
      <div class="xans-element- xans-product xans-product-listmain-2 ec-base-product"><div class="title"><h2><span>MD 추천상품</span></h2></div><ul class="prdList grid5">${picks}</ul></div>`);
    expect(extractProduct(doc, 'https://gajeon.example.kr/product/detail.html?product_no=1834')).toMatchObject({
      title: 'LG 트롬 드럼세탁기 FX24ENE 24kg', priceMinor: 1290000, currency: 'KRW', imageUrl: 'https://gajeon.example.kr/web/product/big/202403/3f2c1a9b.jpg',
    });
  });
});

describe('extractProduct: an Imweb page without markup', () => {
  it('takes the name Imweb draws in its "view_tit" box, and the gallery\'s photo over the shop\'s banner its home-page OpenGraph names', () => {
    const doc = page(`<title>핸드드립 스타터 세트 : 오르다 커피</title><meta property="og:type" content="website"><meta property="og:title" content="오르다 커피 ORDA COFFEE">
      <meta property="og:image" content="https://cdn.imweb.example/upload/S2020/a91f3c7e2d5b8.png"><meta property="og:url" content="https://ordacoffee.example.kr">`, `
      <div class="shop_view"><div class="shop_goods_img"><div class="owl-item"><div class="item _item"><img class="_item_img" src="https://cdn.imweb.example/upload/S2020/4f7d2e8a1b3c9.jpg" alt=""></div></div></div>
      <div class="shop_view_body"><div class="view_tit title_font_style">핸드드립 스타터 세트 (드리퍼+서버+원두 200g)</div>
        <div class="pay_detail"><span class="real_price">68,000원</span> <span class="sale_price"><s>85,000원</s></span></div>
        <div class="buy_btns"><a href="#" class="btn defualt _btn_buy">구매하기</a><a href="#" class="btn _btn_cart">장바구니</a></div></div></div>`);
    expect(extractProduct(doc, 'https://ordacoffee.example.kr/shop_view/?idx=137')).toMatchObject({
      title: '핸드드립 스타터 세트 (드리퍼+서버+원두 200g)', priceMinor: 68000, currency: 'KRW', imageUrl: 'https://cdn.imweb.example/upload/S2020/4f7d2e8a1b3c9.jpg',
    });
  });
});

describe('extractProduct: rules of the twenty-third round of blind pages', () => {
  it('takes the product whose offer names the page\'s address over a recommended product\'s block before it (EC-CUBE), its photo too', () => {
    const product = (name: string, image: string, url: string, price: number) => `<script type="application/ld+json">${JSON.stringify({
      '@context': 'https://schema.org/', '@type': 'Product', name, image: [image], offers: { '@type': 'Offer', url, priceCurrency: 'JPY', price } })}</script>`;
    const doc = page(`<title>堺刀司 三徳包丁 165mm 銀三鋼 黒打 / 堺刃物 一</title>
      ${product('キング 両面砥石 #1000/#6000 台付', 'https://shop.example.jp/html/upload/save_image/whetstone.jpg', 'https://shop.example.jp/products/detail/57', 3850)}
      ${product('堺刀司 三徳包丁 165mm 銀三鋼 黒打', '/html/upload/save_image/santoku.jpg', 'https://shop.example.jp/products/detail/128', 12800)}`,
    `<header class="ec-headerRole"><h1><a href="/">堺刃物 一</a></h1></header><h2>堺刀司 三徳包丁 165mm 銀三鋼 黒打</h2><p>￥12,800</p><button>カートに入れる</button>`);
    expect(extractProduct(doc, 'https://shop.example.jp/products/detail/128')).toMatchObject({
      title: '堺刀司 三徳包丁 165mm 銀三鋼 黒打', priceMinor: 12800, currency: 'JPY', imageUrl: 'https://shop.example.jp/html/upload/save_image/santoku.jpg',
    });
  });

  it('reads a brand link and the name run together in a heading as two words, and "Aggiungi alla shopping bag" as a way to buy', () => {
    const doc = page('<title>Giacca doppiopetto | Modalia</title>', `<div class="pdp"><div class="gallery"><img src="https://img.example.it/p/MDL1_01_1200.jpg" width="600" height="800" alt=""></div>
      <div class="pdp-info"><h1 class="pdp-info__title"><a class="pdp-info__brand" href="/designer/bellandi">Bellandi 1961</a><span class="pdp-info__name">Giacca doppiopetto in lana e cashmere</span></h1>
      <p class="pdp-info__price">€ 289,00</p><button class="btn-primary" data-action="add-to-bag">Aggiungi alla shopping bag</button></div></div>`);
    expect(extractProduct(doc, 'https://www.modalia.example.it/it-it/p/MDL1')).toMatchObject({ title: 'Bellandi 1961 Giacca doppiopetto in lana e cashmere', priceMinor: 28900, currency: 'EUR' });
  });

  it('reads a page whose product photo is named for the brandy\'s "5 star", and whose similar products are under "Համանման ապրանքներ"', () => {
    const related = ['Ararat Akhtamar', 'Noy Traditional', 'Ararat Nairi'].map((name, i) => `<div class="product-layout"><div class="product-thumb"><div class="image"><img src="https://shop.example.am/image/cache/rel-${i}-200x200.jpg" alt="${name}"></div>
      <div class="caption"><h4><a href="/p${i}">${name}</a></h4><p class="price">${4700 + i * 1500} ֏</p></div><div class="button-group"><button type="button">Զամբյուղ</button></div></div></div>`).join('');
    const doc = page('<title>Արարատ 5 աստղ կոնյակ, 0.7 լ</title>', `<div id="content"><div class="row"><div class="col-sm-8"><ul class="thumbnails"><li><a class="thumbnail" href="https://shop.example.am/image/cache/ararat-5-star-07-800x800.jpg">
      <img src="https://shop.example.am/image/cache/ararat-5-star-07-500x500.jpg" alt="Արարատ 5 աստղ կոնյակ, 0.7 լ"></a></li></ul></div>
      <div class="col-sm-4"><h1>Արարատ 5 աստղ կոնյակ, 0.7 լ</h1><ul class="list-unstyled"><li><span style="text-decoration: line-through;">9 800 ֏</span></li><li><h2>8 900 ֏</h2></li>
      <li>Առանց ԱԱՀ: 7 417 ֏</li></ul><button type="button" id="button-cart" class="btn btn-primary">Ավելացնել զամբյուղ</button></div></div>
      <h3>Համանման ապրանքներ</h3><div class="row">${related}</div></div>`);
    expect(extractProduct(doc, 'https://shop.example.am/index.php?route=product/product&product_id=142')).toMatchObject({
      title: 'Արարատ 5 աստղ կոնյակ, 0.7 լ', priceMinor: 890000, currency: 'AMD', imageUrl: 'https://shop.example.am/image/cache/ararat-5-star-07-500x500.jpg',
    });
  });
});

describe('extractProduct: rules of the twenty-fifth round of blind pages', () => {
  it('reads a microdata name of spans run together as the words a stylesheet sets apart', () => {
    const doc = page('<title>Xiaomi Redmi Note 13 Pro 5G | Mobilny Świat</title>', `<div itemscope itemtype="https://schema.org/Product">
      <h1 itemprop="name"><span class="b">Xiaomi</span><span class="m">Redmi Note 13 Pro 5G</span><span class="v">8/256GB</span><span class="c">Midnight Black</span></h1>
      <div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><meta itemprop="price" content="1299.00"><meta itemprop="priceCurrency" content="PLN"><span>1 299,00 zł</span></div>
      <button>Do koszyka</button></div>`);
    expect(extractProduct(doc, 'https://www.mobilnyswiat.example.pl/p/18472')).toMatchObject({ title: 'Xiaomi Redmi Note 13 Pro 5G 8/256GB Midnight Black', priceMinor: 129900 });
  });

});

describe('extractProduct: rules of the twenty-fourth round of blind pages', () => {
  it('takes a JSON-LD image whose file is the shop\'s icon and home-page logo (Wix) for no product photo: the gallery\'s photo is the product\'s', () => {
    const logo = 'https://static.example.com/media/7c1d2e_0a1b2c3d4e5f47a8b9c0d1e2f3a4b5c6~mv2.png';
    const doc = page(`<title>Speckled Stoneware Mug | Birch &amp; Kiln</title><link rel="icon" href="${logo}/v1/fill/w_192,h_192/${'7c1d2e_0a1b2c3d4e5f47a8b9c0d1e2f3a4b5c6~mv2.png'}">
      <script type="application/ld+json">${JSON.stringify({ '@context': 'https://schema.org/', '@type': 'Product', name: 'Speckled Stoneware Mug in Oatmeal',
        image: [{ '@type': 'ImageObject', contentUrl: logo }], Offers: { '@type': 'Offer', price: '38', priceCurrency: 'CAD' } })}</script>`,
    `<header><a href="https://www.birchandkiln.example.ca"><img src="${logo}/v1/fill/w_160,h_64/Birch%20and%20Kiln.png" alt="Birch and Kiln"></a></header>
      <main><div class="gallery"><img src="https://static.example.com/media/7c1d2e_4b8f0a9c3e6d4f21a5b7c9e0d2f4a6b8~mv2.jpg" width="500" height="500" alt="Speckled Stoneware Mug in Oatmeal"></div>
      <h1>Speckled Stoneware Mug in Oatmeal</h1><p>C$38.00</p><button>Add to Cart</button></main>`);
    const scored: Choice[] = [];
    expect(extractProduct(doc, 'https://www.birchandkiln.example.ca/product-page/speckled-mug', (choices) => scored.push(...choices))).toMatchObject({
      title: 'Speckled Stoneware Mug in Oatmeal', imageUrl: 'https://static.example.com/media/7c1d2e_4b8f0a9c3e6d4f21a5b7c9e0d2f4a6b8~mv2.jpg',
    });
    expect(scored.filter((c) => c.candidate.source === 'json-ld' && c.candidate.field === 'image').map((c) => c.candidate.evidence.notProduct)).toEqual([true]);
  });
});
