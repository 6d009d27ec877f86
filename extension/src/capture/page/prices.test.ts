import { describe, expect, it } from 'vitest';
import { pageLayout } from './layout.ts';
import { priceCandidates, SIGN, SIGNS_AT_END } from './prices.ts';

const page = (body: string) => new DOMParser().parseFromString(`<!doctype html><html><body>${body}</body></html>`, 'text/html');

describe('priceCandidates', () => {
  it.each([
    ['12 990 тг.', 'shop.example.kz', 1299000, 'KZT'],
    ['1.290.000 đ', 'shop.example.vn', 1290000, 'VND'],
    ['S/ 59.90', 'tienda.example.pe', 5990, 'PEN'],
    ['৳1,299', 'shop.example.com.bd', 129900, 'BDT'],
    ['129,00 KM', 'shop.example.ba', 12900, 'BAM'],
    ['1.299 din.', 'prodavnica.example.rs', 129900, 'RSD'],
  ])('finds "%s" on %s in an element not named a price', (text, hostname, amountMinor, currency) => {
    const doc = page(`<h1 id="h">Desk lamp</h1><div><span>${text}</span></div><button type="button">Add to cart</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname });
    expect(found.map((p) => [p.candidate.value, p.candidate.currency])).toEqual([[amountMinor, currency]]);
  });

  it('reads the words Japanese runs into the yen after an amount: "1,500円以上" is a condition, not a price', () => {
    const doc = page(`<h1 id="h">夜明けの図書館</h1><p class="itemDetail__priceMain"><span class="price">2,420円</span><span class="tax">（税込）</span></p>
      <p class="cartBox__shipping">送料無料（1,500円以上）<br><small>1,500円未満のご注文は送料 350円</small></p><button type="submit">カートに入れる</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.honnomori.example.jp' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional])).toEqual([[2420, false], [1500, true]]);
  });

  it('takes a membership\'s "plus-price" for a conditional price, "prc-org" beside "prc-dsc" for the old one', () => {
    const doc = page(`<h1 id="h"><span>Kadın Siyah Yüksek Bel Mom Jean</span></h1>
      <div class="product-price-container"><div class="pr-bx-nm with-org-prc"><span class="prc-org">699,99 TL</span><span class="prc-dsc">449,99 TL</span></div></div>
      <div class="plus-price-container"><div class="plus-text">Plus'a Özel Fiyat</div><div class="plus-price">427,49 TL</div></div><button>Sepete Ekle</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.modapazar.example.com.tr' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.old, p.candidate.evidence.current, p.candidate.evidence.conditional])).toEqual([
      [69999, true, false, false], [44999, false, true, false], [42749, false, true, true]]);
  });

  it('takes the price of an option the page marks not chosen (aria-current="false" beside "true") for another variant\'s, in a picker of hashed names', () => {
    const doc = page(`<h1 id="h"><strong>Apple</strong> iPhone 16 Pro</h1><div class="css-hthtrd9"><a class="css-jbrhvb5" href="/p/128" aria-current="false"><span>128 GB</span><span>CHF 1'019.–</span></a>
      <a class="css-jbrhvb5" href="/p/256" aria-current="true"><span>256 GB</span><span>CHF 1'149.–</span></a></div><div class="css-price"><strong>CHF 1'149.–</strong></div><button>In den Warenkorb</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.pixelmarkt.example.ch' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional])).toEqual([[101900, true], [114900, false], [114900, false]]);
  });

  it('reads the prices in an <aside> that holds the page\'s one buy button as the product\'s own, however it is named', () => {
    const doc = page(`<main><h1 id="h">Apple iPad Air 11" M2 128 Gt</h1><aside class="sc-uhpndc-3 KZbaLb" aria-label="Osta"><span class="sc-achvig-3">699,90 €</span>
      <button class="sc-ylvkfq-1" type="button">Lisää ostoskoriin</button></aside><aside class="sc-side"><ul><li>Kotelo <span>29,90 €</span><button>Lisää ostoskoriin</button></li>
      <li>Kynä <span>149,90 €</span><button>Lisää ostoskoriin</button></li><li>Laturi <span>39,90 €</span><button>Lisää ostoskoriin</button></li></ul></aside></main>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.tietokauppa.example.fi' });
    expect(found.filter((p) => !p.candidate.evidence.elsewhere).map((p) => p.candidate.value)).toEqual([69990]);
  });

  it('takes the higher of two amounts side by side for the old price when the discount rate beside them matches, struck or not', () => {
    const box = (rate: string) => page(`<h1 id="h"><span>realme Narzo 70 Pro 5G (Glass Green, 128 GB)</span></h1>
      <div class="_25b18c"><div class="_30jeq3">₹18,999</div><div class="_3I9_wc">₹<!-- -->22,999</div><div class="_3Ay6Sb"><span>${rate}</span></div></div><button>ADD TO CART</button>`);
    const read = (doc: Document) => priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.kartbazaar.example.in' }).map((p) => [p.candidate.value, p.candidate.evidence.old]);
    expect(read(box('17% off'))).toEqual([[1899900, false], [2299900, true]]);
    // A rate that does not part the two amounts says nothing of them.
    expect(read(box('40% off'))).toEqual([[1899900, false], [2299900, false]]);
  });

  it('reads ECShop\'s price block: "市场价格" is the old price, the prices per member rank conditional, "￥…元" the yuan', () => {
    const doc = page(`<p id="h">紫砂壶 宜兴原矿朱泥 西施壶</p><ul><li><dd><strong>市场价格：</strong><font class="market">￥336.00元</font><br><strong>本店售价：</strong><font class="shop" id="ECS_SHOPPRICE">￥268.00元</font></dd></li>
      <li><font class="f1">vip</font>：<font class="f1" id="ECS_RANKPRICE_2">￥254.60元</font></li></ul><a href="javascript:addToCart(123)"><img alt="加入购物车"></a>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.zisha.example.com' });
    expect(found.map((p) => [p.candidate.value, p.candidate.currency, p.candidate.evidence.old, p.candidate.evidence.conditional])).toEqual([
      [33600, 'CNY', true, false], [26800, 'CNY', false, false], [25460, 'CNY', false, true]]);
  });

  it('reads "MRP:" inside the amount\'s own element as India\'s maximum retail price, an old price, not a currency code', () => {
    const doc = page(`<div class="buybox"><h1 id="h">Lakshmi 9 To 5 Primer + Matte Lip Color</h1>
      <div class="css-1jczs19"><span class="css-1t8h4ko">MRP:<span class="css-u05rr">₹850</span></span><span class="css-1jczs19">₹595</span><span>30% Off</span></div>
      <button class="add-to-bag">Add to Bag</button></div>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.glamkaart.example.in' });
    expect(found.map((p) => [p.candidate.value, p.candidate.currency, p.candidate.evidence.old])).toEqual([[85000, 'INR', true], [59500, 'INR', false]]);
  });

  it('takes one of several payments ("payments of") for a conditional price, and a price named "discounted" for the one to pay', () => {
    const doc = page(`<section class="item2-main"><h1 id="h">Fender Player Stratocaster HSS 2021 Tidepool</h1>
      <div class="item2-price-display"><span class="price-display price-display--discounted">C$1,049</span> <span class="price-display-original"><s>C$1,199</s></span></div>
      <button class="button">Add to Cart</button><div class="item2-financing">Pay in 4 interest-free payments of <b>C$262.25</b> with Afterpay</div></section>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'gearswap.example.ca' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.current, p.candidate.evidence.old, p.candidate.evidence.conditional]))
      .toEqual([[104900, true, false, false], [119900, false, true, false], [26225, true, false, true]]);
  });

  it('takes a leasing rate "CHF 79.–/Monat" for a conditional price: cents written as a dash are no words before "/Monat"', () => {
    const doc = page(`<h1 id="h">Wanderer E5 Trekking E-Bike 500 Wh Herren</h1><div class="price-box"><span class="price"><span class="price-currency">CHF</span> 3’499.–</span></div>
      <div class="leasing-teaser">Oder leasen ab <strong><span class="price"><span class="price-currency">CHF</span> 79.–</span></strong>/Monat mit Velowerk Leasing</div><button>In den Warenkorb</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.velowerk.example.ch' });
    expect(found.map((p) => [p.candidate.value, p.candidate.currency, p.candidate.evidence.conditional])).toEqual([[349900, 'CHF', false], [7900, 'CHF', true]]);
  });

  it('reads a price drawn a digit per element as one amount, "（税抜）" after it as before tax and "（税込" before the other as with tax', () => {
    const digits = [...'29,800'].map((d) => `<span class="num">${d}</span>`).join('');
    const doc = page(`<h2 id="h" class="item-name">ダイニングチェア オーク無垢材</h2><div class="price-box"><p class="price-box__main"><span class="yen">¥</span>${digits}<span class="tax-ex">（税抜）</span></p>
      <p class="price-box__sub">（税込 <span class="price-in">32,780円</span>）</p></div><button class="btn-cart">カートに入れる</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.kagu.example.jp' });
    expect(found.map((p) => [p.candidate.value, p.candidate.currency, p.candidate.evidence.conditional, p.candidate.evidence.beforeTax])).toEqual([[29800, 'JPY', true, true], [32780, 'JPY', false, undefined]]);
  });

  it('reads "Inc VAT" after a price as with tax, so the "Ex VAT" of the price before it does not make it conditional', () => {
    const doc = page(`<h1 id="h">Makita DHP482Z 18V Combi Drill - Bare</h1><div class="price price--ex" style="display:none">£99.99 <small>Ex VAT</small></div>
      <div class="price price--inc">£119.99 <small>Inc VAT</small></div><div class="price-secondary">£99.99 Ex VAT</div><button>Add to Trolley</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.fixmart.example.co.uk' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional, p.candidate.evidence.beforeTax])).toEqual([[11999, false, undefined], [9999, true, true]]);
  });

  it('reads the prices of a BEM list\'s items ("c-item-list__item") as prices to pay, not list prices', () => {
    const tile = (name: string, price: string) => `<li class="c-item-list__item"><a class="c-item"><p class="c-item__name">${name}</p><p class="c-item__price">${price}</p></a></li>`;
    const doc = page(`<h2 id="h" class="p-category__title">焼き菓子</h2><ul class="c-item-list">${tile('国産小麦の食パン 1.5斤', '¥864')}${tile('ギフト 焼き菓子BOX L', '¥4,320')}</ul>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'kinari.example.jp' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.old])).toEqual([[864, false], [4320, false]]);
  });

  it('takes a price for a quantity in a tier table ("od 3 ks", "ab 10 Stk.") for a conditional price', () => {
    const doc = page(`<h1 id="h">Aku vrtací šroubovák Makita DDF486Z</h1><p>Cena s DPH: <span class="price">6 037,90 Kč</span></p>
      <table><tr><th>od 3 ks</th><td>4 850,00 Kč</td></tr><tr><th>ab 10 Stk.</th><td>4 690,00 Kč</td></tr></table><button>Do košíku</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.naradi.example.cz' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional])).toEqual([[603790, false], [485000, true], [469000, true]]);
  });

  it('takes a price shown with a store card\'s picture, or marked as the card\'s, for a conditional one', () => {
    const doc = page(`<h1 id="h">Notebook IdeaPad Slim 3</h1><ol class="pod-prices">
      <li class="prices-0"><div class="icon-container"><span class="copy12">$ 329.990</span><img src="/svg/card-icon.svg" alt="Tarjeta Montt"></div></li>
      <li data-internet-price="349.990" class="prices-1"><span class="copy10">$ 349.990</span></li>
      <li data-cmr-price="319.990" class="prices-2"><span class="copy12">$ 319.990</span></li></ol><button>Agregar al carro</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.tienda.example.cl' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional])).toEqual([[329990, true], [349990, false], [319990, true]]);
  });

  it('reads the prices of related blocks and site chrome only when the product\'s own area shows none to pay', () => {
    const related = `<section class="related-products"><h2>Customers also bought</h2><ul>
      <li><a href="/p/2">Desk lamp shade</a> <span>$12.00</span></li><li><a href="/p/3">Bulb</a> <span>$4.50</span></li></ul></section>
      <footer><p>Free shipping over $49.00</p></footer>`;
    const own = page(`<h1 id="h">Desk lamp</h1><div><span>$39.99</span></div><button type="button">Add to cart</button>${related}<p>Only <span>$1.00</span> more</p>`);
    const shown = priceCandidates(pageLayout(own), own.getElementById('h'), { hostname: 'shop.example.com' });
    // The blocks' prices are not read; the page's own texts after them still are.
    expect(shown.map((p) => [p.candidate.value, p.candidate.evidence.elsewhere])).toEqual([[3999, false], [100, false]]);

    const none = page(`<h1 id="h">Desk lamp</h1><p>Sold out</p>${related}`);
    const elsewhere = priceCandidates(pageLayout(none), none.getElementById('h'), { hostname: 'shop.example.com' });
    expect(elsewhere.map((p) => [p.candidate.value, p.candidate.evidence.elsewhere])).toEqual([[1200, true], [450, true]]);
  });

  it('reads a price on another option\'s swatch as that variant\'s, not the price to pay', () => {
    const doc = page(`<h1 id="h">Tour One M2, musta</h1><ul class="swatches"><li class="swatch is-selected"><a href="/musta">Musta</a></li>
      <li class="swatch"><a href="/samppanja">Samppanja</a><span class="swatch__price">169,90 €</span></li></ul>
      <div class="price-box"><span class="price">149,90 €</span></div><button type="button">Lisää ostoskoriin</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.fi' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional])).toEqual([[16990, true], [14990, false]]);
  });

  it('keeps cents in their own element apart from a discount rate right after them ("$ 1.234.567 50" "17% OFF")', () => {
    const doc = page(`<h1 id="h">Heladera RT38</h1><div class="price-line"><span class="money-amount"><span>$</span><span class="fraction">1.234.567</span><span class="money-amount__cents">50</span></span><span class="discount">17% OFF</span></div><button type="button">Comprar ahora</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'tienda.example.com.ar' });
    expect(found.map((p) => [p.candidate.value, p.candidate.currency])).toEqual([[123456750, 'ARS']]);
  });

  it('joins cents in their own element to the amount when the page is indented between them', () => {
    const doc = page(`<h1 id="h">Heladera</h1>
      <div class="price-line">
        <span class="money-amount">
          <span>$</span>
          <span class="fraction">1.234.567</span>
          <span class="money-amount__cents">50</span>
        </span>
        <span class="discount">17% OFF</span>
      </div>
      <button type="button">Comprar ahora</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'tienda.example.com.ar' });
    expect(found.map((p) => [p.candidate.value, p.candidate.currency])).toEqual([[123456750, 'ARS']]);
  });

  it.each([
    ['Precio sin impuestos nacionales:', 'tienda.example.com.ar', '$ 1.020.303', true, false],
    ['מחיר באתר:', 'shop.example.co.il', '₪ 349.90', false, true],
  ])('reads "%s" before a price', (words, hostname, text, conditional, current) => {
    const doc = page(`<h1 id="h">Lamp</h1><p>${words} <span>${text}</span></p><button type="button">Buy</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname });
    expect(found.map((p) => [p.candidate.evidence.conditional, p.candidate.evidence.current])).toEqual([[conditional, current]]);
  });

  it('reads the text an element holds itself beside a note inside it, and a price struck by its own style', () => {
    const doc = page(`<h1 id="h">Daily cotton shirt</h1><table><tr><th>판매가</th><td><strong style="text-decoration:line-through">KRW 45,000</strong></td></tr>
      <tr><th>할인판매가</th><td><span id="sale">39,000원 <span>(6,000원 할인)</span></span></td></tr></table><a href="/order">구매하기</a>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.co.kr' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.old])).toEqual([[45000, true], [39000, false], [6000, false]]);
  });

  it('takes words before another amount right after a price for that amount\'s, and open-box goods for another offer', () => {
    const doc = page(`<h1 id="h">IdeaPad Slim 5</h1><div><span class="price-box__price">12 990 Kč</span></div><div>bez DPH <span>10 735 Kč</span></div>
      <div><a href="/rozbaleno">Rozbalené zboží od <strong>11 690 Kč</strong></a></div><a href="/buy">Do košíku</a>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.cz' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional])).toEqual([[1299000, false], [1073500, true], [1169000, true]]);
  });

  it.each([['登入領券 最高折', 'shop.example.com.tw'], ['3期0利率 每期', 'shop.example.com.tw'], ['（本体価格', 'shop.example.jp']])('reads "%s" before an amount as no price to pay', (words, hostname) => {
    const doc = page(`<h1 id="h">Rice cooker</h1><p>${words} <b>$430</b></p><button type="button">Buy</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname });
    expect(found.map((p) => p.candidate.evidence.conditional)).toEqual([true]);
  });

  it('reads the price in the label of a radio button not checked, around it or naming it by "for", as another option\'s', () => {
    const option = (n: number, amount: string, checked: boolean) => `<div class="form-control--radio"><input type="radio" name="Valor" id="v-${n}"${checked ? ' checked' : ''}>
      <label for="v-${n}"><span>${amount}</span></label></div>`;
    const doc = page(`<h1 id="h">Cartão Oferta</h1><div class="details-product-price__value">50,00 €</div>
      <div class="details-product-option--radio">${option(0, '25 €', false)}${option(1, '50 €', true)}${option(2, '100 €', false)}</div><button type="button">Comprar</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.livraria.example.pt' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional])).toEqual([[5000, false], [2500, true], [5000, false], [10000, true]]);
  });

  it('reads no price in a quantity\'s element named among prices ("Bis 2" in Shopware\'s block prices)', () => {
    const row = (quantity: string, price: string) => `<tr class="product-block-prices-row"><th class="product-block-prices-cell"><span class="product-block-prices-quantity">${quantity}</span></th>
      <td class="product-block-prices-cell">${price}</td><td class="product-block-prices-cell">${price.replace(',', '0,')} / 1 Kilogramm</td></tr>`;
    const doc = page(`<h1 id="h">Olivenölseife Lavendel</h1><table class="product-block-prices-grid"><tbody>${row('Bis 2', '6,90 €*')}${row('Ab 3', '6,20 €*')}</tbody></table><button type="button">In den Warenkorb</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.seifen.example.de' });
    expect(found.map((p) => p.candidate.value)).toEqual([690, 620]);
  });

  it('reads a voucher\'s value, an insurance add-on and reward coins beside the price as no price to pay', () => {
    const doc = page(`<h1 id="h">Tai nghe Bluetooth E13 Pro</h1><div class="price-box"><div class="IZPeQz">₫189.000</div></div>
      <div class="voucher-ticket"><span class="voucher-promo-value">Giảm ₫30.000</span></div>
      <div><span>Bảo hiểm Thiết bị điện tử</span><span class="insurance-price">₫4.999</span></div>
      <div><span>Mua hàng và tích <span class="coin-amount">₫1.890</span> Xu</span></div><button type="button">Mua ngay</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.vn' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional])).toEqual([[189000, false], [30000, true], [4999, true], [1890, true]]);
  });

  it.each([['New &amp; Used (84) from', '£1.69'], ['More seller options (3) Starting from', '$18.47'], ['Rozbalené zboží od', '11 690 Kč']])('reads "%s %s" as another offer', (words, text) => {
    const doc = page(`<h1 id="h">Lamp</h1><div><span>${words} <span class="a-color-price">${text}</span></span></div><button type="button">Buy</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.co.uk' });
    expect(found.map((p) => p.candidate.evidence.conditional)).toEqual([true]);
  });

  it('reads an amount split into pieces of their own ("R$" "2" "." "899" "," "00") as one price, and a repeated text as no amount', () => {
    const doc = page(`<h1 id="h">Smart TV</h1><div class="selling">Por: <span class="currencyContainer"><span>R$</span>&nbsp;<span class="currencyInteger">2</span><span class="currencyGroup">.</span><span class="currencyInteger">899</span><span class="currencyDecimal">,</span><span class="currencyFraction">00</span></span></div>
      <button type="button">Comprar</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'loja.example.com.br' });
    expect(found.map((p) => [p.candidate.value, p.candidate.currency])).toEqual([[289900, 'BRL']]);
  });

  it('reads a card holder\'s price by the words after it, the price without a card as the one to pay, and ticked extras and delivery labels as no price to pay', () => {
    const doc = page(`<h1 id="h">Day Cream</h1><div class="adv"><div>£22.46</div><div>Advantage Card price</div><div>Save £7.49</div></div>
      <div><span>Without card</span> <span class="price">£29.95</span></div><div>Online Price: $16.18</div><div>Club Price: $14.56</div>
      <ul><li><label><input type="checkbox"> Aufbau &amp; Anschluss <span>49,99 €</span></label></li></ul><p>Speditionslieferung bis in die Wohnung: <b>39,99 €</b></p>
      <button type="button">Add to basket</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.co.uk' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional])).toEqual([[2246, true], [749, false], [2995, false], [1618, false], [1456, true], [4999, true], [3999, true]]);
  });

  it('keeps a "retail" price the one to pay beside a member\'s and an old price', () => {
    const doc = page(`<h1 id="h">Kühlschrank</h1><div class="pdp_price"><div><span>UVP</span> <span class="pdp_price__uvp-value">1.149,00 €</span></div>
      <div><span class="pdp_price__retail-price">799,00 €</span> <span>-30 %</span></div><div>Niedrigster Preis der letzten 30 Tage: 789,00 €</div>
      <div>Mit Hanse UP: <strong>779,00 €</strong> (Mitgliederpreis)</div></div><button type="button">In den Warenkorb</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.de' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.old || p.candidate.evidence.conditional])).toEqual([[114900, true], [79900, false], [77900, true]]);
  });

  it('reads a chip\'s price in a picker with one chip marked active as another variant\'s', () => {
    const doc = page(`<h1 id="h">IdeaPad Slim 3</h1><div class="configs"><a href="/8gb" class="ConfigChip">8 GB<br><span>199 990 ₸</span></a>
      <a class="ConfigChip ConfigChip_active">16 GB<br><span>249 990 ₸</span></a></div><button type="button">В корзину</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.kz' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional])).toEqual([[19999000, true], [24999000, false]]);
  });

  it('takes a currency written in its own element beside the amount, when other words in the box keep them apart', () => {
    const doc = page(`<h3 id="h">무선 핸디 청소기 V2</h3><strong><span>22%</span><span class="blind">할인가</span><span>69,000</span><span>원</span></strong>
      <button type="button">구매하기</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.co.kr' });
    expect(found.map((p) => [p.candidate.value, p.candidate.currency, p.candidate.evidence.current])).toEqual([[69000, 'KRW', true]]);
  });

  it('knows a struck list price, shipping and points in a Korean price table', () => {
    const doc = page(`<h2 id="h">무선 핸디 청소기 V2</h2><table><tbody>
      <tr><th>소비자가</th><td><span><strike>89,000원</strike></span></td></tr>
      <tr><th>판매가</th><td><strong>69,000원</strong></td></tr>
      <tr><th>적립금</th><td><span>최대 690원 적립</span></td></tr>
      <tr><th>배송비</th><td><span>택배배송 3,000원</span></td></tr></tbody></table><a href="#" class="btnSubmit">구매하기</a>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.co.kr' });
    const said = (amount: number) => {
      const { evidence } = found.find((p) => p.candidate.value === amount)!.candidate;
      return { old: evidence.old, conditional: evidence.conditional, current: evidence.current };
    };
    expect(said(89000)).toMatchObject({ old: true });
    expect(said(69000)).toEqual({ old: false, conditional: false, current: true });
    expect(said(690)).toMatchObject({ conditional: true });
    expect(said(3000)).toMatchObject({ conditional: true });
  });

  it.each([
    ['1.299<sup>99</sup> <span>Lei</span>', 'shop.example.ro', 129999, 'RON'],
    ['1,299<sup>99</sup> <span>USD</span>', 'shop.example.com', 129999, 'USD'],
    ['299<sup>99</sup> €', 'shop.example.de', 29999, 'EUR'],
  ])('joins cents in their own element to the amount without taking them for thousands: %s', (html, hostname, amountMinor, currency) => {
    const doc = page(`<h1 id="h">Espressor</h1><p class="product-new-price">${html}</p><button type="submit">Adaugă în Coș</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname });
    expect(found.map((p) => [p.candidate.value, p.candidate.currency])).toEqual([[amountMinor, currency]]);
  });

  it('reads shipping "from" an amount and delivery fees as no price to pay, and Jumia\'s "-lthr" class as struck out', () => {
    const doc = page(`<h1 id="h">Oraimo FreePods 4</h1><div><span class="-b -fs24">₦ 24,990</span><span class="-tal -gy5 -lthr -fs16">₦ 39,000</span></div>
      <p class="-fs12">+ shipping from <span class="-b">₦ 990</span> to Ikeja</p><p>Delivery Fees <em>₦ 1,150</em></p><button type="button">Add to cart</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.com.ng' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.old, p.candidate.evidence.conditional])).toEqual([[2499000, false, false], [3900000, true, false], [99000, false, true], [115000, false, true]]);
  });

  it('reads a struck price whose screen-reader words stand around its amount ("Price reduced from" $149.90 "to")', () => {
    const doc = page(`<h1 id="h">TrailRunner GTX</h1><div class="price"><span><del><span class="strike-through list"><span class="value" content="149.90">
      <span class="sr-only">Price reduced from</span> $149.90 <span class="sr-only">to</span></span></span></del>
      <span class="sales"><span class="value" content="104.93"> $104.93 </span></span></span></div><button type="submit">Add to Cart</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.com' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.old])).toEqual([[14990, true], [10493, false]]);
  });

  it('reads OpenCart\'s special price in a Bootstrap "list-unstyled" as the price to pay, and the lev beside the euro as no price to pay', () => {
    const doc = page(`<h1 id="h">Кафеавтомат</h1><ul class="list-unstyled"><li><span style="text-decoration: line-through;">$122.00</span></li><li><h2>$98.00</h2></li></ul>
      <ul class="list-unstyled"><li><h2>379,90 €</h2> <span class="price-bgn-main">743,02 лв.</span></li></ul><button type="button">Купи</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.bg' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.old, p.candidate.evidence.conditional])).toEqual([[12200, true, false], [9800, false, false], [37990, false, false], [74302, false, true]]);
  });

  it('reads member prices named by their block, deposits and unit prices as no price to pay, and the non-member and regular prices as the ones to pay', () => {
    const doc = page(`<h1 id="h">Pilsner 24 x 33 cl</h1><div class="member-price-box"><span>Medlemspris</span> <span class="price">109,00 kr.</span></div>
      <div class="price-box"><span class="price-label">Normalpris</span> <span class="price">149,00 kr.</span></div><div class="product-deposit">+ pant 24,00 kr.</div>
      <div>Literpris 18,81 kr.</div><p><span>4 x 1,5 l</span> · <span>prijs per lt €1.08</span></p><div>Club Price <span>$5.99</span></div><div>Non-Club Price <span>$7.49</span></div>
      <span>+ € 1,00 statiegeld</span><button type="button">Læg i kurv</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.dk' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.old || p.candidate.evidence.conditional])).toEqual([
      [10900, true], [14900, false], [2400, true], [1881, true], [108, true], [599, true], [749, false], [100, true],
    ]);
    const marlow = page(`<h1 id="h">Allergy Relief Tablets</h1><div class="product__pricing"><div class="product__price product__price--member"><span class="member-badge">myMarlow</span>
      <div class="product__price-amount"><span class="sr-only">$17.99</span></div></div><div class="product__price product__price--regular"><div class="product__price-amount"><span class="sr-only">$21.99</span></div></div></div>
      <button type="button">Add for Shipping</button>`);
    const own = priceCandidates(pageLayout(marlow), marlow.getElementById('h'), { hostname: 'shop.example.com' });
    expect(own.map((p) => [p.candidate.value, p.candidate.evidence.old || p.candidate.evidence.conditional])).toEqual([[1799, true], [2199, false]]);
  });

  it('reads a bare amount in a price\'s own pieces ("6" "." "49") and Sweden\'s "49:90" as prices, a date or a time beside them as none', () => {
    const doc = page(`<h1 id="h">Cola zero sugar 4 x 1,5 l</h1><div class="price-amount" aria-label="Prijs: €6,49"><span class="price-amount_integer">6</span><span class="price-amount_dot">.</span><span class="price-amount_fractional">49</span></div>
      <p class="price-valid">12.05</p><p class="price-time">10:30</p><p class="price">49:90</p><button type="button">In winkelmand</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.nl' });
    expect(found.map((p) => p.candidate.value)).toEqual([649, 4990]);
  });

  it('reads a price whose own text ends with its tax rate ("CHF 1’826.90 inkl. 8.1% MwSt."), and takes the rate\'s words as said of it', () => {
    const doc = page(`<h1 id="h">MiniSpin plus</h1><div class="price-your"><span class="price-your-value">CHF 1’690.00</span> <span>exkl. MwSt.</span></div>
      <div class="price-gross">CHF 1’826.90 inkl. 8.1% MwSt.</div><p class="price">1.299,00 € zzgl. 19 % MwSt.</p><button type="submit">In den Warenkorb</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.ch' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional])).toEqual([[169000, true], [182690, false], [129900, true]]);
  });

  it('reads a Hindi page\'s MRP and monthly instalment, and WooCommerce\'s Thai words for a struck price, as no price to pay', () => {
    const hindi = page(`<h1 id="h">Apple MacBook Air M3</h1><div class="mrp">एमआरपी: <span>₹1,14,900</span> (सभी करों सहित)</div><div class="sp"><span class="value">₹1,04,990</span></div>
      <div class="emi">नो-कॉस्ट EMI <b>₹4,375/माह</b> से शुरू</div><button type="button">कार्ट में जोड़ें</button>`);
    const found = priceCandidates(pageLayout(hindi), hindi.getElementById('h'), { hostname: 'shop.example.in' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.old || p.candidate.evidence.conditional])).toEqual([[11490000, true], [10499000, false], [437500, true]]);
    const thai = page(`<h1 id="h">หม้อหุงข้าว TOSHIBA</h1><p class="price"><del aria-hidden="true"><span class="amount">฿3,590.00</span></del> <span class="screen-reader-text">ราคาเดิม คือ: ฿3,590.00</span>
      <ins aria-hidden="true"><span class="amount">฿2,890.00</span></ins> <span class="screen-reader-text">ราคาปัจจุบันคือ: ฿2,890.00</span></p><button type="submit">หยิบใส่ตะกร้า</button>`);
    const own = priceCandidates(pageLayout(thai), thai.getElementById('h'), { hostname: 'shop.example.co.th' });
    expect(own.filter((p) => !p.candidate.evidence.old && !p.candidate.evidence.conditional).map((p) => p.candidate.value)).toEqual([289000]);
  });

  it('reads nopCommerce\'s "non-discounted-price" beside its "discounted-price" as the old one, and a Swedish "Spara 300 kr" as savings', () => {
    const doc = page(`<h1 id="h">Kenyérsütőgép BM-3000</h1><div class="prices"><div class="non-discounted-price"><label>Ár:</label><span>37 990 Ft</span></div>
      <div class="product-price discounted-price"><label>Kedvezményes ár:</label><span class="price-value-1017">34 990 Ft</span></div></div>
      <div class="label-list"><span class="product-label product-label--on-sale">Spara <span>300 kr</span></span></div><button type="submit">Kosárba</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.hu' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.old])).toEqual([[37990, true], [34990, false], [30000, true]]);
  });

  it('reads the rows of a quantity-break table for more than one piece as conditional, the row for one as the price to pay', () => {
    const headed = page(`<h1 id="h">G5V-1 DC5</h1><table><thead><tr><th>Qty</th><th>Unit Price</th><th>Ext Price</th></tr></thead><tbody>
      <tr><td>1</td><td>$2.79</td><td>$2.79</td></tr><tr><td>10</td><td>$2.29</td><td>$22.90</td></tr><tr><td>1,500</td><td>$1.12</td><td>$1,680.00</td></tr></tbody></table>
      <button type="submit">Add to Cart</button>`);
    const found = priceCandidates(pageLayout(headed), headed.getElementById('h'), { hostname: 'www.parts.example.com' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional])).toEqual([[279, false], [279, false], [229, true], [2290, true], [112, true], [168000, true]]);
  });

  it('reads the items of a list of quantity breaks for more than one piece as conditional, by its title or its counts from one', () => {
    const titled = page(`<h1 id="h">Widerstand 10 kOhm</h1><div class="staffel-title">Staffelpreise</div><ul>
      <li><span>ab 1 Stück</span> <span>0,12 €</span></li><li><span>ab 100 Stück</span> <span>0,08 €</span></li></ul><button type="submit">In den Warenkorb</button>`);
    const counted = page(`<h1 id="h">Widerstand 10 kOhm</h1><ul class="breaks">
      <li><span class="qty">1+</span> <span class="price">0,12 €</span></li><li><span class="qty">100+</span> <span class="price">0,08 €</span></li>
      <li><span class="qty">1000+</span> <span class="price">0,04 €</span></li></ul><button type="submit">In den Warenkorb</button>`);
    for (const doc of [titled, counted]) {
      const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.bauteile.example.de' });
      expect(found.filter((p) => !p.candidate.evidence.conditional).map((p) => p.candidate.value)).toEqual([12]);
      expect(found.filter((p) => p.candidate.evidence.conditional).map((p) => p.candidate.value)).toContain(8);
    }
  });

  it('reads a list of options with their prices, not quantity breaks, as prices to pay', () => {
    const doc = page(`<h1 id="h">Set of kitchen knives</h1><ul><li><span>12 cm</span> <span>$24.00</span></li><li><span>20 cm</span> <span>$39.00</span></li></ul>
      <button type="submit">Add to Cart</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.com' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional])).toEqual([[2400, false], [3900, false]]);
  });

  it('reads a table of products with their prices, not quantity breaks, as prices to pay', () => {
    const doc = page(`<h1 id="h">Set of kitchen knives</h1><table><tr><th>Model</th><th>Price</th></tr><tr><td>12 cm</td><td>$24.00</td></tr><tr><td>20 cm</td><td>$39.00</td></tr></table>
      <button type="submit">Add to Cart</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'shop.example.com' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional])).toEqual([[2400, false], [3900, false]]);
  });
});

describe('priceCandidates: blind-page rules of the twelfth round', () => {
  const judged = (body: string, hostname: string) => {
    const doc = page(body);
    return priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname }).map((p) => [p.candidate.value, p.candidate.evidence.old === true, p.candidate.evidence.conditional === true]);
  };

  it('reads Coupang\'s "origin-price" as the old price and another seller\'s "다른 판매자" price as no price to pay', () => {
    expect(judged(`<h2 id="h">신선란 대란, 30구</h2><div><div class="prod-origin-price"><span class="origin-price">32,900원</span></div>
      <div class="prod-sale-price"><strong>23,900<span>원</span></strong></div></div><button type="button">장바구니 담기</button>
      <p>이 상품의 다른 판매자 보기 (4) <strong>21,900원~</strong></p>`, 'www.coupang.example.kr')).toEqual([[32900, true, false], [23900, false, false], [21900, false, true]]);
  });

  it('reads a Japanese shop\'s shipping ("送料別 ¥880〜") and free-shipping threshold ("¥11,000以上で送料無料") as no price to pay', () => {
    expect(judged(`<h2 id="h">粉引 しのぎ マグカップ</h2><p><span class="itemPrice">¥3,300</span><span>税込</span></p>
      <p>送料別 <a href="#">¥880〜</a>｜¥11,000以上で送料無料</p><div role="button">カートに入れる</div>`, 'shop.thebase.example.in')).toEqual([[3300, false, false], [880, false, true], [11000, false, true]]);
  });

  it('reads a price "brez DDV" (Slovenian: without VAT) as before tax beside the price a VAT rate above it, which says nothing of tax', () => {
    expect(judged(`<h1 id="h">Pohodniški čevlji</h1><div class="current-price"><span class="current-price-value">149,90 €</span></div>
      <div class="product-without-taxes">122,87 € brez DDV</div><button type="submit">V košarico</button>`, 'www.gorski-raj.example.si')).toEqual([[14990, false, false], [12287, false, true]]);
  });
});

describe('priceCandidates: blind-page rules of the seventeenth round', () => {
  const judged = (body: string, hostname: string) => {
    const doc = page(body);
    return priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname }).map((p) => [p.candidate.value, p.candidate.evidence.old === true, p.candidate.evidence.conditional === true]);
  };

  it('reads "Fără TVA:" (Romanian: without VAT) before a price as before tax, beside the price OpenCart writes in an <h2>', () => {
    expect(judged(`<h1 id="h">Trotinetă electrică Urban X10</h1><ul class="list-unstyled product-price-block"><li><h2>1.299,99 lei</h2></li>
      <li>Fără TVA: 1.092,43 lei</li></ul><button type="button" id="button-cart">Adaugă în coș</button>`, 'roataverde.example.ro')).toEqual([[129999, false, false], [109243, false, true]]);
  });
});

describe('priceCandidates: blind-page rules of the twentieth round', () => {
  it('reads no price in a product code whose letters name a currency ("รหัสสินค้า : BH-SR-087": "SR" is no Saudi riyal)', () => {
    const doc = page(`<h1 id="h">เซรั่มขมิ้นชัน ไบรท์เทนนิ่ง 30 ml.</h1><div class="productCode">รหัสสินค้า : BH-SR-087</div>
      <table class="priceTable"><tr><td>ราคาพิเศษ</td><td><span class="specialPrice">590 บาท</span></td></tr></table><button type="submit">หยิบใส่ตะกร้า</button>`);
    expect(priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.baanherb.example.co.th' }).map((p) => [p.candidate.value, p.candidate.currency])).toEqual([[59000, 'THB']]);
  });

  it('reads the words after a struck amount as its own ("<del>89,99</del> Adviesprijs"), not as the next price\'s, and Klarna\'s three parts as conditional', () => {
    const doc = page(`<h1 id="h">Philips Sonicare ProtectiveClean 4300</h1><div class="buy-block__prices">
      <div class="price-block__highlight"><del class="buy-block__list-price">89,99</del> <span class="buy-block__list-price-label">Adviesprijs</span></div>
      <div class="price-block__price"><span class="promo-price">54<sup class="promo-price__fraction">99</sup></span></div></div>
      <div class="buy-block__payment"><span>Betaal in 3 delen van <strong>€ 18,33</strong> met Klarna</span></div><button type="button">In winkelwagen</button>`);
    expect(priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.bol.example.com' })
      .map((p) => [p.candidate.value, p.candidate.evidence.old === true, p.candidate.evidence.conditional === true])).toEqual([[8999, true, false], [5499, false, false], [1833, false, true]]);
  });

  it('reads a price its own element names the real one ("price_real") as the price to pay, inside a wrapper named for a coupon (Gmarket\'s "price_innerwrap-coupon")', () => {
    const doc = page(`<h1 id="h">[노스피크] 남성 초경량 구스다운 푸퍼 패딩 점퍼</h1><div class="price"><span class="price_innerwrap price_innerwrap-coupon"><span class="text__discount-rate">27<span>%</span></span>
      <strong class="price_real">32,900<span class="unit">원</span></strong><span class="price_original"><span class="for-a11y">원래 판매가</span>45,000<span class="unit">원</span></span></span>
      <div class="box__coupon-price"><span class="text__title">쿠폰적용가</span><strong class="text__coupon-price">29,610<span class="unit">원</span></strong></div></div><button type="button">구매하기</button>`);
    const toPay = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'item.hanmarket.example.co.kr' })
      .filter((p) => !p.candidate.evidence.old && !p.candidate.evidence.conditional).map((p) => p.candidate.value);
    expect(toPay).toEqual([32900]);
  });

  it('reads the words before the next amount in its own element as that amount\'s ("189,95 € <span>Exkl. MwSt. 159,62 €</span>", Magento)', () => {
    const doc = page(`<h1 id="h">Bergwerk Alpin 45+10 Trekkingrucksack</h1><span class="special-price"><span class="price-container">
      <span class="price-wrapper price-including-tax"><span class="price">189,95 €</span></span>
      <span class="price-wrapper price-excluding-tax">Exkl. MwSt. <span class="price">159,62 €</span></span></span></span>
      <p>Set-Preis: 249,00 €</p><button type="submit">In den Warenkorb</button>`);
    expect(priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.gipfel.example.de' })
      .map((p) => [p.candidate.value, p.candidate.evidence.conditional === true])).toEqual([[18995, false], [15962, true], [24900, true]]);
  });
});

describe('priceCandidates: blind-page rules of the twenty-first round', () => {
  const toPay = (body: string, hostname: string) => {
    const doc = page(body);
    return priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname })
      .filter((p) => !p.candidate.evidence.old && !p.candidate.evidence.conditional).map((p) => p.candidate.value);
  };

  it('reads a Nordic member\'s price ("Medlemspris kr 719,-") and a price for two ("Kjøp 2 stk:") as conditional', () => {
    expect(toPay(`<h1 id="h">Janus WoolDry trøye herre, svart</h1><table><tr><td>Vår pris:</td><td><span class="pris-stor">kr 799,-</span></td></tr></table>
      <div class="medlemspris"><b>Medlemspris kr 719,-</b> — <a href="/login.php">logg inn</a></div><div class="mengderabatt">Kjøp 2 stk: <b>kr 1 398,-</b></div>
      <button type="submit">Legg i handlekurv</button>`, 'www.ullogfjell.example.no')).toEqual([79900]);
  });

  it('reads a price for paying by transfer or with Yape or Plin as conditional ("Paga con Yape, Plin o transferencia: S/ 284.05")', () => {
    expect(toPay(`<h1 id="h">Licuadora Oster Pro 1200 W</h1><table><tr><td>Precio online:</td><td><span class="precio-online">S/ 299.00</span></td></tr></table>
      <p>Paga con Yape, Plin o transferencia: <strong>S/ 284.05</strong></p><button type="submit">Agregar al carrito</button>`, 'www.electrohogar.example.com.pe')).toEqual([29900]);
  });
});

describe('priceCandidates: blind-page rules of the twenty-second round', () => {
  it('reads "NT$1,280" beside a discount tag run into its text ("76折") as 1,280, not as one amount "1,28076"', () => {
    const doc = page(`<h1 id="h">膳魔師 THERMOS 不鏽鋼真空保溫杯 500ml</h1><div class="pd_price_box">
      <div class="price_row"><span class="lbl">建議售價</span><del class="price_old">NT$1,680</del></div>
      <div class="price_row"><span class="lbl">特價</span><span class="price_now">NT$<span itemprop="price" content="1280">1,280</span></span><span class="discount_tag">76折</span></div></div>
      <button type="button">加入購物車</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.lohas.example.com.tw', lang: 'zh-TW' });
    expect(found.filter((p) => !p.candidate.evidence.old && p.candidate.currency === 'TWD').map((p) => p.candidate.value)).toEqual([128000]);
  });
});

describe('priceCandidates: blind-page rules of the eighteenth round', () => {
  const judged = (body: string, hostname: string) => {
    const doc = page(body);
    return priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname }).map((p) => [p.candidate.value, p.candidate.evidence.old === true, p.candidate.evidence.conditional === true]);
  };

  it('reads a chip\'s price as another option\'s when the chip marked selected sits alone in its list item, and a footnote\'s <sup>1</sup> as no amount', () => {
    expect(judged(`<h1 id="h">Waschmaschine WM 8400, 8 kg</h1><ul class="pdp_dimension-selection__list">
      <li class="pdp_dimension-selection__item"><a class="pl_selection-chip" href="#7"><span>7 kg</span><span class="pdp_dimension-selection__price">399,99 €</span></a></li>
      <li class="pdp_dimension-selection__item"><a class="pl_selection-chip pl_selection-chip--selected" href="#8"><span>8 kg</span></a></li></ul>
      <div class="pdp_price"><span class="pdp_price__retail-price">449,99 €</span></div>
      <div class="pdp_price__financing">Finanzierung ab <b>18,75 €</b> mtl. <a href="#">mehr</a><sup>1</sup></div><button type="submit">In den Warenkorb</button>`, 'www.quarto.example.de'))
      .toEqual([[39999, false, true], [44999, false, false], [1875, false, true]]);
  });

  it('reads what a screen reader says of a price\'s element ("Før-pris") and "Ursprünglicher Preis:" as an old price', () => {
    expect(judged(`<h1 id="h">Frakke i uldblanding</h1><div data-testid="price-container"><span class="x1">599,95 kr.</span> <span class="x2" aria-label="Før-pris">899,00 kr.</span></div>
      <button type="button">Tilføj</button>`, 'www2.hm.example.dk')).toEqual([[59995, false, false], [89900, true, false]]);
    expect(judged(`<h1 id="h">PUFFER JACKET</h1><p class="a1"><span>129,95 €</span></p><p class="a2"><span>Ursprünglicher Preis:</span> <span>179,95 €</span></p>
      <button type="button">In den Warenkorb</button>`, 'www.modalano.example.de')).toEqual([[12995, false, false], [17995, true, false]]);
  });

  it('reads a Hungarian monthly instalment ("már havi … Ft-tól") and a delivery row ("GLS házhozszállítás") as no price to pay', () => {
    expect(judged(`<h1 id="h">Dorna V12 Turbo porszívó</h1><div class="akcios-ar"><span>Akciós ár:</span> <span id="termek-ar">54 990 Ft</span></div>
      <div class="reszlet">Részletfizetés: már havi <b>4 583 Ft</b>-tól</div><table><tr><td>GLS házhozszállítás</td><td>1 490 Ft</td></tr></table>
      <button type="submit">Kosárba</button>`, 'www.dornashop.example.hu')).toEqual([[54990, false, false], [4583, false, true], [1490, false, true]]);
  });

  it('reads an "Online Price" above the "Your Price" after an instant saving as the old price, and an open-box offer as another block\'s', () => {
    expect(judged(`<h1 id="h">Ridgeline 6-piece Sectional</h1><div class="online-price"><span class="op-label">Online Price</span> <span class="op-value">$1,599.99</span></div>
      <div class="discount"><span class="op-label">Less:</span> <span class="op-value">-$300.00</span></div>
      <div class="your-price"><span class="op-label">Your Price</span> <span class="currency">$</span><span class="value">1,299.99</span></div><button type="button">Add to Cart</button>`, 'www.warehouseclub.example.com')[0])
      .toEqual([159999, true, false]);
    const doc = page(`<h1 id="h">65" QLED TV</h1><div class="priceView-hero-price"><span>$649.99</span></div><div class="open-box-option"><div class="open-box-option__label">Open-Box:</div>
      <div class="open-box-option__price">from <span id="ob">$487.99</span></div></div>`);
    expect(pageLayout(doc).elsewhere(doc.getElementById('ob')!)).toBe(true);
  });
});

describe('priceCandidates: blind-page rules of the thirteenth round', () => {
  const judged = (body: string, hostname: string) => {
    const doc = page(body);
    return priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname }).map((p) => [p.candidate.value, p.candidate.evidence.old === true, p.candidate.evidence.conditional === true]);
  };

  it('reads Salesforce Commerce Cloud\'s "price-standard" as the old price beside its "price-sales"', () => {
    expect(judged(`<h1 id="h">Seaside Merino Crewneck Sweater</h1><div class="product-price"><span class="price-standard">$98.00</span>
      <span class="price-sales">$68.60</span></div><button type="submit">Add to Cart</button>`, 'www.harborandpine.example.com')).toEqual([[9800, true, false], [6860, false, false]]);
  });

  it('reads a store card\'s price "upon approval" as no price to pay', () => {
    expect(judged(`<h1 id="h">Q40 Headphones</h1><div id="corePrice"><span class="a-price">$89.99</span></div>
      <div><span>Get $50 off instantly: Pay <span class="a-color-price">$39.99</span> <span class="a-text-strike">$89.99</span> upon approval for the Amazon Store Card.</span></div>
      <button type="submit">Add to Cart</button>`, 'www.amazon.com').filter(([value]) => value === 3999)).toEqual([[3999, false, true]]);
  });
});

describe('priceCandidates: blind-page rules of the fourteenth round', () => {
  const judged = (body: string, hostname: string) => {
    const doc = page(body);
    return priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname }).map((p) => [p.candidate.value, p.candidate.currency, p.candidate.evidence.old === true, p.candidate.evidence.conditional === true]);
  };

  it('reads a monthly rate written "mtl." as no price to pay, and "Du sparst" before a saving as no price either', () => {
    expect(judged(`<h1 id="h">Kaffeevollautomat Aroma One</h1><div class="pdp_price"><span class="pdp_price__retail">449,99 €</span>
      <p class="savings">Du sparst € 150,–</p><div class="pdp_price__financing">oder ab <b>18,75 € mtl.</b> mit Ratenkauf</div></div>
      <button type="submit">In den Warenkorb</button>`, 'www.kaufhalle24.example.de')).toEqual([[44999, 'EUR', false, false], [15000, 'EUR', true, false], [1875, 'EUR', false, true]]);
  });

  it('reads an auction\'s current bid, start price and courier fee as no price to pay, and a listing\'s sidebar with its buy-now price as the listing\'s own', () => {
    expect(judged(`<h1 id="h">Shimano Deore M6100 Groupset</h1><table class="tm-shipping-options"><tr><td>Nationwide courier</td><td>$12.50</td></tr></table>
      <aside class="tm-marketplace-listing__sidebar"><div class="tm-bid-box__bid-section"><div class="label">Current bid</div><p class="tm-bid-box__current-bid"><strong>$185.00</strong></p>
      <button class="tm-bid-box__place-bid">Place bid</button><p class="tm-bid-box__start">Start price: $1.00</p></div>
      <div class="tm-buy-box"><div class="tm-buy-box__label">Buy Now</div><p class="tm-buy-box__buy-now-price"><span>$</span><span>329</span><span>.00</span></p><button>Buy Now</button></div></aside>
      <section><h2>Other listings from cycle_parts_nz</h2><div class="card"><span class="price">$119.00</span></div></section>`, 'www.trademe.example.co.nz')
      .map(([value, , , conditional]) => [value, conditional])).toEqual([[1250, true], [18500, true], [100, true], [32900, false]]);
  });

  it('reads a bid whose count or reserve stands between its label and its amount as no price to pay ("Current bid" "17 bids · No reserve" "$142.50")', () => {
    expect(judged(`<h1 id="h">Apple iPod Classic 160GB Black</h1><div class="bidbox"><div class="row"><div><span class="label">Current bid</span><div class="sub">17 bids · No reserve</div></div><span class="amount">$142.50</span></div>
      <button>Place bid</button><div class="row"><div><span class="label">Buy It Now</span><div class="sub">End the auction and buy instantly</div></div><span class="amount">$229.99</span></div><a class="btn" href="/buy">Buy It Now</a></div>`, 'www.gavel.example.com')
      .map(([value, , , conditional]) => [value, conditional])).toEqual([[14250, true], [22999, false]]);
  });

  it('takes the currency in its own element on the other side of a range\'s dash ("₫" "189.000" " - " "₫" "259.000")', () => {
    expect(judged(`<h1 id="h">Tai Nghe Bluetooth AURALIS Air 3 Pro</h1><div class="ee9ig_"><span class="s4kpbu">₫</span><span class="KtZB_i">189.000</span><span class="f0qwbV"> - </span><span class="s4kpbu">₫</span><span class="KtZB_i">259.000</span></div>
      <button>Mua Ngay</button>`, 'shopee.example.vn').map(([value, currency]) => [value, currency])).toEqual([[189000, 'VND'], [259000, 'VND']]);
  });

  it('reads a bare "R" before an amount as the rand on a shop without a country domain, and a model\'s code "FT4461" as no forint', () => {
    expect(judged(`<h1 id="h">Vortexa V12 Cordless Stick Vacuum</h1><div class="buybox"><span class="currency">R 2,499</span></div><button>Add to Cart</button>`, 'www.takealot.example.com'))
      .toEqual([[249900, 'ZAR', false, false]]);
    expect(judged(`<h1 id="h">Wasmachine</h1><span class="price">649,-</span><button>In winkelwagen</button><ul class="related"><li><span class="price">Siemenz FT4461 10 kg</span></li></ul>`, 'www.blauwvink.example.nl')
      .map(([, currency]) => currency)).not.toContain('HUF');
  });
});

describe('small shops of the Caucasus, Central Asia and Eastern Europe, and marketplace offers', () => {
  const judged = (body: string, hostname: string) => {
    const doc = page(body);
    return priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname }).map((p) => [p.candidate.value, p.candidate.currency, p.candidate.evidence.conditional === true]);
  };

  it('reads a price per piece ("289,90 р./шт", as Bitrix prints the price itself) as the price to pay, a price per kilogram as conditional', () => {
    expect(judged(`<h1 id="h">Дрель-шуруповёрт Bosch GSR 120-LI</h1><div class="price"><span class="price_value">289,90</span><span class="price_currency"> р.</span><span class="price_measure">/шт</span></div>
      <p>Кофе: <span>39,90 р.</span>/кг</p><button>В корзину</button>`, 'instrumax.example.by').map(([amount, , conditional]) => [amount, conditional])).toEqual([[28990, false], [3990, true]]);
  });

  it('reads a delivery fee after a dash ("Доставка по Минску — 7 р.") and a free-delivery threshold ("бесплатно при заказе от 150 р.") as conditional', () => {
    expect(judged(`<h1 id="h">Дрель-шуруповёрт Bosch GSR 120-LI</h1><div class="price">289,90 р.</div><button>В корзину</button>
      <div>Доставка по Минску — <b>7 р.</b>, бесплатно при заказе от <b>150 р.</b></div>`, 'instrumax.example.by'))
      .toEqual([[28990, 'BYN', false], [700, 'BYN', true], [15000, 'BYN', true]]);
  });

  it('reads a price "without VAT" in Armenian ("Առանց ԱԱՀ") as conditional', () => {
    expect(judged(`<h1 id="h">Արարատ 5 աստղ կոնյակ, 0.7 լ</h1><ul><li><h2>8 900 ֏</h2></li><li>Առանց ԱԱՀ: 7 417 ֏</li></ul><button>Ավելացնել զամբյուղ</button>`, 'alco-market.example.am'))
      .toEqual([[890000, 'AMD', false], [741700, 'AMD', true]]);
  });

  it('reads a price for paying with one bank\'s card ("Buy at ₹17,499 with Bank offer") as conditional', () => {
    expect(judged(`<h1 id="h">realme NARZO 70 Pro 5G (Glass Green, 128 GB)</h1><div class="Nx9bqj">₹18,999</div>
      <div><span class="bank-price">Buy at <b>₹17,499</b> with Bank offer</span></div><button>Add to cart</button>`, 'www.kartwala.example.in'))
      .toEqual([[1899900, 'INR', false], [1749900, 'INR', true]]);
  });

  it('takes the prices on Bitrix\'s options not chosen ("sku-props", one item "active") for other variants\' prices', () => {
    const doc = page(`<h1 id="h">Дрель-шуруповёрт Bosch GSR 120-LI</h1><div class="sku-props"><ul>
      <li class="item"><span class="cnt">Solo</span><span class="sku-price">189,90 р.</span></li>
      <li class="item active"><span class="cnt">2 АКБ</span><span class="sku-price">289,90 р.</span></li></ul></div>
      <div class="price">289,90 р.</div><button>В корзину</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'instrumax.example.by' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.option === true])).toEqual([[18990, true], [28990, false], [28990, false]]);
  });
});

describe('second-hand listings and labels before a price', () => {
  const judged = (body: string, hostname: string) => {
    const doc = page(body);
    return priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname }).map((p) => [p.candidate.value, p.candidate.evidence.conditional === true]);
  };

  it('reads no words of the product\'s heading before its price: a listing "lightly used, full set" is no other seller\'s used offer', () => {
    expect(judged(`<aside class="D_side"><h1 id="h">Dyson V11 Absolute Extra cordless vacuum - lightly used, full set</h1><div class="D_listing-price"><h2>RM 1,150</h2></div>
      <button>Buy Now</button></aside>`, 'www.swapsy.example.com.my')).toEqual([[115000, false]]);
  });

  it('reads buyer-protection fees and "Frakt från" before an amount as no price to pay', () => {
    expect(judged(`<h1 id="h">Table de ferme en chêne massif</h1><div class="price">1 150 €</div><button>Acheter</button>
      <p>Frais de protection acheteur : <b>46,70 €</b></p>`, 'www.lebonspot.example.fr')).toEqual([[115000, false], [4670, true]]);
    expect(judged(`<h1 id="h">Levi's 501 Original jeans</h1><p>250,00 kr</p><button>Köp nu</button><div><span>Frakt</span> <span>från 39,00 kr</span></div>`, 'www.klaedo.example.se'))
      .toEqual([[25000, false], [3900, true]]);
  });

  it('reads a label of its own before a price ("販売価格（税抜）") as before tax, the price with tax after it as the one to pay', () => {
    const doc = page(`<h1 id="h">マルチペーパー A4 1箱</h1><div class="buy-box"><p>販売価格（税抜）</p><p class="price-ex">2,180<span>円</span></p><p class="price-in">税込 2,398円</p>
      <button type="button">買い物かごに入れる</button></div>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname: 'www.bizmart.example.co.jp' });
    expect(found.map((p) => [p.candidate.value, p.candidate.evidence.conditional === true, p.candidate.evidence.beforeTax === true])).toEqual([[2180, true, true], [2398, false, false]]);
  });
});

describe('SIGN', () => {
  const BLOCKS = [[0x0000, 0x00ff], [0x02b0, 0x02ff], [0x0370, 0x03ff], [0x0530, 0x06ff], [0x0900, 0x0bff], [0x0e00, 0x0e7f], [0x17d0, 0x17df],
    [0x2000, 0x20cf], [0x3000, 0x30ff], [0xfdf0, 0xfdff], [0xfe50, 0xfe6f], [0xff00, 0xffef]];
  const property = /^[\p{Sc}\p{P}\p{Sk}]$/u;

  it('takes the signs of Unicode\'s Sc, P and Sk classes, and no other character, in the blocks it covers (an ASCII colon aside)', () => {
    const differ: string[] = [];
    for (const [low, high] of BLOCKS) {
      for (let code = low!; code <= high!; code += 1) {
        const c = String.fromCharCode(code);
        if (SIGN.test(c) !== (code !== 0x3a && property.test(c))) differ.push(code.toString(16));
      }
    }
    expect(differ).toEqual([]);
  });

  it('removes a code and the signs before an amount, and keeps the words and a colon, as the pattern with `\\p` classes did', () => {
    const leads = ['Club Price: US$ ', 'MRP:₹', 'R$ ', 'Preis  € ', 'EUR ', 'PriceUS$', 'ABCD$', 'Цена: «', '价格：￥', 'السعر: ر.س ', '$US ', 'Giá: ₫', 'מחיר: ₪ ', 'ราคา ฿'];
    const stripped = leads.map((lead) => lead.replace(SIGNS_AT_END, '').trim());
    expect(stripped).toEqual(leads.map((lead) => lead.replace(/(?:[A-Z]{1,3}\s*)?(?:(?!:)[\p{Sc}\p{P}\p{Sk}])*\s*$/u, '').trim()));
    expect(stripped.slice(0, 11)).toEqual(['Club Price:', 'MRP:', '', 'Preis', '', 'Price', 'A', 'Цена:', '价格', 'السعر: ر.س', '$']);
  });
});


describe('electronics shops of South and South-East Asia', () => {
  const judged = (body: string, hostname: string) => {
    const doc = page(body);
    return priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname }).map((p) => [p.candidate.value, p.candidate.evidence.old === true, p.candidate.evidence.conditional === true]);
  };

  it('reads OpenCart\'s "price-new" in a "price-list" as the price to pay, beside its old price', () => {
    expect(judged(`<h1 id="h">Samsung Galaxy A35 5G (8/256GB)</h1><ul class="list-unstyled price-list"><li><span class="price-new">৳ 45,000</span>
      <span class="price-old">৳ 47,999</span> <span class="label label-danger">Save ৳ 2,999</span></li><li class="emi-line">EMI from <b>৳ 3,750/month</b></li></ul>
      <button type="button" id="button-cart">Buy Now</button>`, 'shop.example.com.bd')).toEqual([[4500000, false, false], [4799900, true, false], [299900, true, false], [375000, false, true]]);
  });

  it('reads an amount offered "up to" a limit (a cashback by redemption) as no price to pay', () => {
    expect(judged(`<h1 id="h">Michelin Pilot Sport 5 225/40 R18</h1><div class="PriceBox_box"><span class="PriceBox_perTyre">£142.50</span> <span>per tyre inc. VAT</span>
      <div>Buy 2 or more tyres and claim up to <strong>£80</strong> via redemption.</div></div><button type="button">Add 2 tyres to basket</button>`, 'www.tyres.example.co.uk')).toEqual([[14250, false, false], [8000, false, true]]);
  });

  it('reads an amount offered up to a limit in Czech, Hungarian, French and Spanish ("získáte až 8 000 Kč") as no price to pay', () => {
    expect(judged(`<h1 id="h">Lenovo IdeaPad Slim 5 14IMH9</h1><div class="price-box"><span class="price-box__price">18 990 Kč</span></div><button type="button">Do košíku</button>
      <div class="tradein-box">Alza Trade-in: Za starý notebook od nás získáte až <strong>8 000 Kč</strong>.</div>`, 'www.alza.example.cz')).toEqual([[1899000, false, false], [800000, false, true]]);
    for (const [words, amount, hostname] of [['Csereprogram: akár', '40 000 Ft', 'shop.example.hu'], ['Reprise de votre ancien appareil jusqu’à', '150 €', 'shop.example.fr'], ['Te damos hasta', '120 €', 'shop.example.es']]) {
      expect(judged(`<h1 id="h">Samsung Galaxy S24</h1><span class="price">899 €</span><button>Buy</button><p>${words} <b>${amount}</b></p>`, hostname!).map(([, , conditional]) => conditional)).toEqual([false, true]);
    }
  });

  it('reads Turkey\'s trade view: the price "+ KDV" (before VAT) shown large is no price to pay beside the one "KDV Dahil"', () => {
    expect(judged(`<h1 id="h">Bosch Professional GSB 18V-55 Akülü Darbeli Matkap</h1><div class="fiyatKdvHaric"><span class="spanFiyat">4.082,50 TL</span> <small>+ KDV</small></div>
      <div class="fiyatKdvDahil">KDV Dahil: <span class="spanFiyat">4.899,00 TL</span></div><button type="button">Sepete Ekle</button>`, 'www.hirdavat.example.com.tr')).toEqual([[408250, false, true], [489900, false, false]]);
  });

  it('reads a monthly amount written "/mth", "/bln", "/tháng" or "/เดือน" as no price to pay', () => {
    expect(judged(`<h1 id="h">Dyson V12 Detect Slim</h1><div class="price-box"><span class="price">RM 3,299.00</span></div>
      <div>0% Easy Payment Plan from <strong>RM 274.92/mth</strong> (12 months)</div><button type="button">Add to Cart</button>`, 'shop.example.com.my')).toEqual([[329900, false, false], [27492, false, true]]);
    expect(judged(`<h1 id="h">Redmi Note 13 Pro</h1><div class="price">Rp 4.599.000</div><div>Cicilan <b>Rp 383.250/bln</b></div>
      <div>Trả góp <b>1.083.000₫/tháng</b></div><div>ผ่อน <b>฿1,083/เดือน</b></div><button type="button">Beli Sekarang</button>`, 'shop.example.co.id').map(([, , conditional]) => conditional)).toEqual([false, true, true, true]);
  });
});
