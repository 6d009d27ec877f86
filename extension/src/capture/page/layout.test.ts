import { describe, expect, it } from 'vitest';
import { pageLayout, textUpTo } from './layout.ts';
import { titleCandidates } from './titles.ts';

const page = (body: string) => new DOMParser().parseFromString(`<!doctype html><html><body>${body}</body></html>`, 'text/html');

describe('textUpTo', () => {
  it('reads what the page shows: no script or style text, inside an element or as the element itself', () => {
    const doc = page(`<h1 id="h"><script type="text/x-template">{{productName}}</script>Kids Marble Leggings<style>.a{}</style></h1>
      <span id="p">29,99</span><script id="s">window.price = 1999;</script><style id="c">.price{color:red}</style>`);
    expect(textUpTo(doc.getElementById('h')!, 200)).toBe('Kids Marble Leggings');
    expect(textUpTo(doc.getElementById('s')!, 200)).toBe('');
    expect(textUpTo(doc.getElementById('c')!, 200)).toBe('');
    expect(textUpTo(doc.getElementById('p')!, 200)).toBe('29,99');
  });

  it('answers null for a text longer than asked, without reading it all', () => {
    const doc = page(`<div id="d"><p>${'a'.repeat(50)}</p><p>${'b'.repeat(50)}</p></div>`);
    expect(textUpTo(doc.getElementById('d')!, 80)).toBeNull();
    expect(textUpTo(doc.getElementById('d')!, 100)).toHaveLength(100);
  });
});

describe('textUpTo: words of elements side by side', () => {
  it('keeps apart, when asked, the words child elements run together, but not Chinese, Japanese or Korean ones, nor a superscript', () => {
    const doc = page(`<h2 id="a"><span>Xiaomi</span><span>Redmi Note 13 Pro 5G</span><span>8/256GB</span><span>Midnight Black</span></h2>
      <h2 id="b"><span>膳魔師</span><span>保溫杯</span></h2><h2 id="c">Tile 60x60 cm, 1,44 m<sup>2</sup></h2><h1 id="d"><a>Bellandi 1961</a><span>Giacca</span></h1>`);
    expect(['a', 'b', 'c', 'd'].map((id) => textUpTo(doc.getElementById(id)!, 200, true))).toEqual([
      'Xiaomi Redmi Note 13 Pro 5G 8/256GB Midnight Black', '膳魔師保溫杯', 'Tile 60x60 cm, 1,44 m2', 'Bellandi 1961 Giacca']);
    expect(textUpTo(doc.getElementById('a')!, 200)).toBe('XiaomiRedmi Note 13 Pro 5G8/256GBMidnight Black');
  });
});

describe('pageLayout: buy controls', () => {
  it.each([
    'Añadir a la cesta', 'Adicionar à sacola', 'Toevoegen aan winkelwagen', 'Zum Warenkorb hinzufügen', 'Læg i indkøbskurv', 'Vložiť do košíka',
    'Adauga in cos', 'Dodaj u košaricu', 'Dodaj u korpu', 'Dodaj v košarico', 'Į krepšelį', 'Pievienot grozam', 'Lisa ostukorvi',
    'Προσθήκη στο καλάθι', 'Добави в количката', 'Додати в кошик', 'Sepete at', 'הוספה לסל', 'اضف الى السلة', '放入購物車', 'カートに追加',
    'Купи', 'Kupi', 'Osta', 'Kjøp', 'Køb', 'Köp', 'Buy', '買い物かごに入れる', 'Додај у корпу', 'Додади во кошничка',
    'Add 2 tyres to basket', 'Add 1 item to cart', 'Pre-order', 'Preorder now', 'Jetzt vorbestellen', 'Précommander', 'Předobjednat', 'Ön sipariş ver', '予約する', '사전예약',
  ])('"%s" is a way to buy', (words) => {
    const doc = page(`<h1>Lamp</h1><p class="price">€29</p><button type="button">${words}</button><a href="/help">Help</a>`);
    expect(pageLayout(doc).buyControls.map((el) => el.textContent)).toEqual([words]);
  });

  it('a bundle\'s button ("Add combo to cart") is not a way to buy the product', () => {
    const doc = page(`<h1>SSD</h1><p class="price">$139.99</p><button type="button">Add combo to cart</button>`);
    expect(pageLayout(doc).buyControls).toEqual([]);
  });
});

describe('pageLayout: buy controls a platform draws', () => {
  it('reads a link drawn as an image by its image\'s alt text (ECShop\'s "加入购物车", an old shop\'s "In den Warenkorb")', () => {
    const doc = page('<h1>紫砂壶 西施壶</h1><p>￥268.00元</p><a href="javascript:addToCart(123)"><img src="themes/default/images/bnt_cat.gif" alt="加入购物车"></a> <a href="javascript:collect(123)"><img src="bnt_colles.gif" alt="收藏"></a>');
    expect(pageLayout(doc).buyControls.map((el) => el.getAttribute('href'))).toEqual(['javascript:addToCart(123)']);
  });


  it('finds a platform\'s own button element and a div named to add to the bag when no ordinary control is there', () => {
    const salla = page('<h1>دهن العود</h1><p>٣٤٥ ر.س</p><salla-add-product-button product-id="1">أضف للسلة</salla-add-product-button>');
    expect(pageLayout(salla).buyControls.map((el) => el.tagName)).toEqual(['SALLA-ADD-PRODUCT-BUTTON']);
    const bag = page('<h1>Shirt</h1><p>Rs. 719</p><div class="pdp-add-to-bag pdp-button">ADD TO BAG</div>');
    expect(pageLayout(bag).buyControls.map((el) => el.textContent)).toEqual(['ADD TO BAG']);
  });
});

describe('pageLayout: what is shown', () => {
  it('counts Bootstrap\'s "d-none" as hidden unless a breakpoint up to a desktop\'s shows it again ("d-none d-lg-block")', () => {
    const doc = page('<div class="d-none d-lg-block"><h1 id="shown">Espresso Crema Classica – ganze Bohne, 500 g</h1></div><div class="d-none"><h1 id="hidden">Espresso</h1></div>');
    const layout = pageLayout(doc);
    expect(['shown', 'hidden'].map((id) => layout.visible(doc.getElementById(id)!))).toEqual([true, false]);
  });

  it('counts an aria-hidden price beside its screen-reader text as shown, and other aria-hidden content as hidden', () => {
    const doc = page(`<p class="price"><del aria-hidden="true" id="old">RM129.00</del> <span class="screen-reader-text">Original price was: RM129.00.</span>
      <ins aria-hidden="true" id="now">RM 89.90</ins><span class="screen-reader-text">Current price is: RM 89.90.</span></p>
      <div aria-hidden="true"><span id="hidden">RM 10.00</span></div>`);
    const layout = pageLayout(doc);
    expect(['old', 'now', 'hidden'].map((id) => layout.visible(doc.getElementById(id)!))).toEqual([true, true, false]);
  });

  it('never takes the main content for elsewhere, whatever its names say; a block inside it still can be', () => {
    const doc = page(`<div class="site-content shop-content-area breadcrumbs-location-below_header" role="main"><p id="own">৳ 1,450.00</p>
      <div class="breadcrumbs"><span id="crumb">৳ 9</span></div></div><main class="recently-viewed"><p id="main">৳ 1,450.00</p></main>`);
    const layout = pageLayout(doc);
    expect(['own', 'crumb', 'main'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([false, true, false]);
  });

  it('takes a <header> named as the product\'s, or inside its microdata, for the product\'s own heading block, the site\'s header for elsewhere', () => {
    const doc = page(`<header class="header-main"><h2 id="site">Versandapotheke</h2></header><section class="content-main"><div class="content--wrapper">
      <div class="content product--details" itemscope itemtype="https://schema.org/Product"><header class="product--header"><h1 id="own" itemprop="name">Thymelan® Hustensaft 200 ml</h1></header>
      <header><span id="scoped">9,49 €</span></header></div></div><header class="pdp-header"><h1 id="named">Thymelan</h1></header></section>`);
    const layout = pageLayout(doc);
    expect(['site', 'own', 'scoped', 'named'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([true, false, false, false]);
  });

  it('takes the sidebar of the product\'s details or view ("product-detail-view__side-bar") for the product\'s own, other sidebars for elsewhere', () => {
    const doc = page(`<div class="product-details product-details--layout-two-columns-sidebar-right"><div class="product-details__sidebar"><p id="own">50,00 €</p></div></div>
      <div class="product-detail-view__side-bar"><p id="view">59,95 EUR</p></div><div class="pdp__sidebar"><p id="pdp">5,00 €</p></div>
      <div class="sidebar"><p id="side">9,90 €</p></div><div class="product-sidebar"><p id="bar">1,00 €</p></div><div class="layout-side-bar"><p id="hyphen">2,00 €</p></div>`);
    const layout = pageLayout(doc);
    expect(['own', 'view', 'pdp', 'side', 'bar', 'hyphen'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([false, false, false, true, true, true]);
  });

  it('takes a quick view of another product, open over the page, for elsewhere ("modal-body quickView", "quick-shop")', () => {
    const doc = page(`<main><div class="productView"><h1 id="own">Jarrón de Talavera 30 cm</h1></div></main>
      <div role="dialog" aria-modal="true" class="modal open"><div class="modal-body quickView"><h1 id="quick">Plato decorativo 25 cm</h1></div></div>
      <div class="quick-shop-drawer"><img id="shop" src="https://shop.example.mx/plato.jpg" alt=""></div>`);
    const layout = pageLayout(doc);
    expect(['own', 'quick', 'shop'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([false, true, true]);
  });

  it('reads no name in a Tailwind class with a variant: Hydrogen\'s "md:top-nav" buy box is the product\'s own, a "top-nav" bar elsewhere', () => {
    const doc = page(`<section class="sticky md:-mb-nav md:top-nav md:-translate-y-nav md:h-screen md:pt-nav hiddenScroll"><p id="own">£84.00</p></section>
      <div class="top-nav"><p id="bar">£5.00</p></div>`);
    const layout = pageLayout(doc);
    expect(['own', 'bar'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([false, true]);
  });

  it('takes an aside named as the product\'s buy box for the product\'s own, and other asides and sidebars for elsewhere', () => {
    const doc = page('<aside class="ProductActions_wrapper"><p id="own">249 990 тг</p></aside><aside><p id="side">9 990 тг</p></aside><aside class="product-sidebar"><p id="bar">1 тг</p></aside>');
    const layout = pageLayout(doc);
    expect(['own', 'side', 'bar'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([false, true, true]);
  });

  it('takes a block after a heading of other products, or opening with a box title that says so, for elsewhere; "tabulka" is no bulk offer', () => {
    const doc = page(`<table class="cenova_tabulka"><tr><td id="own">129,90 €</td></tr></table><h3>Podobné produkty</h3><table><tr><td id="similar">134,90 €</td></tr></table>
      <div class="box_akcia"><div class="nadpis_box">Akcia týždňa</div><span id="deal">189,00 €</span></div>`);
    const layout = pageLayout(doc);
    expect(['own', 'similar', 'deal'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([false, true, true]);
  });

  it('takes a block opening with a title box that holds a heading of other products and a "view all" link for elsewhere, not one whose heading is the product\'s own', () => {
    const doc = page(`<section class="s-block"><div class="s-block__title"><h2>قد يعجبك أيضاً</h2><a href="/offers">عرض الكل</a></div><div><span id="tile">99 ر.س</span></div></section>
      <section class="s-block"><div class="s-block__title"><h2>الوصف</h2><a href="#more">المزيد</a></div><p id="own">عطر عود</p></section>`);
    const layout = pageLayout(doc);
    expect(['tile', 'own'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([true, false]);
  });

  it('takes no block around the product\'s whole summary for its buy control, though its class names the cart (WoodMart\'s "meta-location-add_to_cart")', () => {
    const doc = page(`<div id="product-1" class="single-product-page meta-location-add_to_cart product type-product"><div class="summary">
      <h1 id="h" class="product_title">Bordslampa Opal Mässing – Liten</h1><p class="price">1 295,00 kr</p>
      <div class="desc">Bordslampa i mässing med opalglas, dimbar, E14, höjd 32 cm, handgjord i Småland av lokala hantverkare sedan 1958.</div>
      <div class="desc">Levereras med textilkabel och strömbrytare. Passar i sovrummet, vardagsrummet och på kontoret; ljuset är varmt och jämnt.</div>
      <div class="desc">Fri frakt över 999 kr. 30 dagars öppet köp och två års garanti. Skickas inom 1–2 arbetsdagar från vårt lager i Växjö.</div>
      <form class="cart"><button type="submit" name="add-to-cart" class="single_add_to_cart_button button alt">Lägg i varukorg</button></form></div></div>`);
    const layout = pageLayout(doc);
    expect(layout.toBuy(doc.getElementById('h')!)).toBe(1);
  });

  it('takes blocks opening with the Nordic headings of other products ("Style med", "Andre kiggede også på") for elsewhere', () => {
    const doc = page(`<section class="a1"><h2>Style med</h2><div><span id="with">149,95 kr.</span></div></section>
      <section class="a1"><h2>Andre kiggede også på</h2><div><span id="viewed">899,00 kr.</span></div></section><section class="a1"><h2>Detaljer</h2><p id="own">Uld</p></section>`);
    const layout = pageLayout(doc);
    expect(['with', 'viewed', 'own'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([true, true, false]);
  });

  it('counts an aria-hidden price as shown beside a text of any class that says it with more words, not beside a bare copy', () => {
    const doc = page(`<div><span class="w_iUH7">current price Now $19.98</span><span aria-hidden="true"><span id="hero">Now $19.98</span></span></div>
      <span class="a-price"><span class="a-offscreen">£9.99</span><span aria-hidden="true"><span id="drawn">£9.99</span></span></span>`);
    const layout = pageLayout(doc);
    expect([layout.visible(doc.getElementById('hero')!), layout.visible(doc.getElementById('drawn')!)]).toEqual([true, false]);
  });

  it('takes ad columns for elsewhere', () => {
    const doc = page('<div id="ad-display-right"><div id="dp-ads-center-promo_feature_div"><span id="ad">179,99 €</span></div></div><div class="add-to-cart"><span id="own">29,99 €</span></div>');
    const layout = pageLayout(doc);
    expect([layout.elsewhere(doc.getElementById('ad')!), layout.elsewhere(doc.getElementById('own')!)]).toEqual([true, false]);
  });

  it('takes a block of products customers also purchased for another product\'s', () => {
    const doc = page('<div class="also-purchased-products-grid product-grid"><span id="p">₪ 27.90</span></div><div><span id="own">₪ 349.90</span></div>');
    const layout = pageLayout(doc);
    expect([layout.elsewhere(doc.getElementById('p')!), layout.elsewhere(doc.getElementById('own')!)]).toEqual([true, false]);
  });

  it('takes a product details carousel ("productDetailsCarousel") for the product\'s own, other carousels for elsewhere', () => {
    const doc = page('<section class="productDetailContent" id="productDetailsCarousel"><span id="own">17.999,00 TL</span></section><div class="recommendation-carousel"><span id="p">899,00 TL</span></div>');
    const layout = pageLayout(doc);
    expect([layout.elsewhere(doc.getElementById('own')!), layout.elsewhere(doc.getElementById('p')!)]).toEqual([false, true]);
  });
});

describe('pageLayout: blind-page rules of the fourteenth round', () => {
  it('takes a store\'s "product of the week" box for another product\'s ("Haftanın Ürünü")', () => {
    const doc = page('<h1>Ev Atölyesi</h1><section class="seller-store-featured"><h2 class="store-section-title">Haftanın Ürünü</h2><div class="featured-product"><span id="p">749,90 TL</span></div></section>');
    expect(pageLayout(doc).elsewhere(doc.getElementById('p')!)).toBe(true);
  });
});

describe('pageLayout: a gallery in a Bootstrap carousel', () => {
  it('takes the slides of a carousel named as the product\'s gallery ("pdpCarousel-…") for the product\'s own, a bare carousel for other products', () => {
    const doc = page(`<div id="pdpCarousel-VZ4W" class="carousel slide"><div class="carousel-inner" role="listbox"><div class="carousel-item active"><img id="own" src="/VZ4W_CRL_01.jpg"></div></div></div>
      <div class="carousel"><div class="carousel-item"><a href="/other"><img id="other" src="/other.jpg"></a><span>$ 999</span></div></div>
      <div id="pdpCarousel-X" class="carousel slide recommendations"><img id="named" src="/r.jpg"></div>`);
    const layout = pageLayout(doc);
    expect(['own', 'other', 'named'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([false, true, true]);
  });

  it('takes the slides of a carousel named as the product\'s slideshow (Shopify Prestige\'s "Product__Slideshow Carousel") for the product\'s own', () => {
    const doc = page(`<div class="Product__Gallery"><div class="Product__Slideshow Product__Slideshow--zoomable Carousel"><div class="Product__SlideItem Carousel__Cell is-selected">
      <div class="AspectRatio"><img id="own" data-src="//cdn.shopify.com/s/files/1/products/duvet-sage-01_{width}x.jpg"></div></div></div></div>
      <div class="ProductRecommendations"><div class="Carousel"><div class="Carousel__Cell"><img id="other" src="/other.jpg"></div></div></div>
      <div class="Product__Gallery"><div class="Carousel"><div class="Carousel__Cell"><img id="bare" src="/b.jpg"></div></div></div>`);
    const layout = pageLayout(doc);
    expect(['own', 'other', 'bare'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([false, true, true]);
  });
});

describe('pageLayout: blind-page rules of the twelfth round', () => {
  it('takes WooCommerce\'s "single_add_to_cart_button" for a way to buy in any language, and the Thai and Uzbek words for one', () => {
    for (const button of ['<button type="submit" name="add-to-cart" class="single_add_to_cart_button button alt">Toevoegen</button>',
      '<button type="submit" class="button">เพิ่มลงตะกร้า</button>', '<button type="submit" class="button product__add-btn">Savatga qo\'shish</button>']) {
      const doc = page(`<h1>Lamp</h1><p class="price">€29</p>${button}`);
      expect(pageLayout(doc).buyControls).toHaveLength(1);
    }
  });

  it('keeps a slider\'s arrows ("slider-nav-small") in the product\'s gallery, and takes a box headed "Ostatnio oglądane", "Recent bekeken" or "Other Offers (3)", other sellers and last visited for elsewhere', () => {
    const doc = page(`<figure class="woocommerce-product-gallery__wrapper product-gallery-slider slider slider-nav-small"><img id="photo" src="/a.jpg"></figure>
      <div class="box" id="box_x"><div class="boxhead"><span>Ostatnio oglądane</span></div><div><span id="seen">499,00 zł</span></div></div>
      <div class="block"><h3 class="block-title">Recent bekeken</h3><span id="nl">€59,95</span></div>
      <div class="offers-module"><div class="offers-module-head">Other Offers (3)</div><span id="offer">R 1,249</span></div>
      <div class="prod-other-seller-container"><span id="seller">21,900원~</span></div><div id="box_lastvisited"><span id="last">12 €</span></div>`);
    const layout = pageLayout(doc);
    expect(['photo', 'seen', 'nl', 'offer', 'seller', 'last'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([false, true, true, true, true, true]);
  });
});

describe('pageLayout: blind-page rules of the twenty-third round', () => {
  it('takes a block that opens with its title in a <div> of a hashed name ("Frequently Bought Together"), and Bitrix\'s "ASSOCIATED" tab, for elsewhere', () => {
    const doc = page(`<div class="_1YokD2"><h1 class="_6EBuvT">realme NARZO 70 Pro 5G</h1><div id="own" class="Nx9bqj">₹18,999</div><button>Add to cart</button></div>
      <div class="_1YokD2 x9"><div class="col"><div class="_1AtVbE">Frequently Bought Together</div><div class="_3mNY7A"><b id="fbt">₹2,199</b></div></div></div>
      <div class="_1YokD2"><div class="col"><div class="_1AtVbE">Highlights</div><ul><li id="spec">8 GB RAM</li></ul></div></div>
      <ul class="tabs_content"><li class="tab ASSOCIATED_wrapp cur"><div class="price" id="tab">2 490 ₽</div></li></ul>`);
    const layout = pageLayout(doc);
    expect(['own', 'fbt', 'spec', 'tab'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([false, true, false, true]);
  });

  it('takes no block whose first child is a badge for other products, whatever the badge says ("<span class=flag>الأكثر مبيعاً</span>")', () => {
    const doc = page(`<div class="pd"><div class="pd-title-wrap"><span class="flag best">الأكثر مبيعاً</span><span class="flag off">-20%</span>
      <div class="pd-name" id="name">سماعة رأس سوني WH-1000XM5</div></div><p>1,199 ر.س</p><button>أضف إلى السلة</button></div>
      <section><div class="sec-title">الأكثر مبيعاً</div><div><p id="other">899 ر.س</p></div></section>`);
    const layout = pageLayout(doc);
    expect(['name', 'other'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([false, true]);
  });

  it('takes a slider that "has-nav-outside" (Shopware\'s gallery) for no navigation, a navigation for elsewhere', () => {
    const doc = page(`<div class="base-slider gallery-slider has-nav-outside has-dots-outside"><img id="photo" src="/media/espresso-hafenblick-500g.jpg" alt=""></div>
      <div class="main-nav"><a id="menu" href="/kaffee">Kaffee</a></div><h1>Espresso Hafenblick</h1><p>14,90 €</p><button>In den Warenkorb</button>`);
    const layout = pageLayout(doc);
    expect(['photo', 'menu'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([false, true]);
  });

  it('takes a second-hand listing\'s "item-sidebar" for its own, and the member\'s other items for elsewhere', () => {
    const doc = page(`<main><aside class="item-sidebar"><h1 id="title">Levi's 501 Original jeans</h1><p id="price">250,00 kr</p><button>Köp nu</button></aside>
      <aside class="sidebar"><p id="side">Populära märken</p></aside>
      <section class="closet-container"><h2>Medlemmens artiklar (38)</h2><div><p id="other">420,00 kr</p></div></section></main>`);
    const layout = pageLayout(doc);
    expect(['title', 'price', 'side', 'other'].map((id) => layout.elsewhere(doc.getElementById(id)!))).toEqual([false, false, true, true]);
  });
});

describe('titleCandidates: sales announced in a heading', () => {
  it.each(['عروض اليوم الوطني 94 خصومات تصل إلى 50%', 'Black Week: tot 40% korting', 'Распродажа до 70%', 'セール 最大50%OFF'])('takes "%s" for a promotion', (text) => {
    const doc = page(`<h1>${text}</h1><h2 class="product-name">Sony WH-1000XM5</h2><p>1 199 €</p><button>Add to cart</button>`);
    expect(titleCandidates(pageLayout(doc), '').find((c) => c.el.tagName === 'H1')?.candidate.evidence.promo).toBe(true);
  });
});
