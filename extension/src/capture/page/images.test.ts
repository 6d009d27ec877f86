import { describe, expect, it } from 'vitest';
import { imageCandidates, notProductImage } from './images.ts';
import { pageLayout } from './layout.ts';

const page = (body: string) => new DOMParser().parseFromString(`<!doctype html><html><body>${body}</body></html>`, 'text/html');

describe('imageCandidates', () => {
  it('reads a file\'s address without its host: a shop named "pixelmarkt" serves product photos, its logo file is still none', () => {
    const doc = page(`<h1 id="h">Apple iPhone 16 Pro</h1><img src="https://static.pixelmarkt.example.ch/im/Files/8/1/iPhone_16_Pro_PDP_Image_Position_1.jpg?impolicy=resize-720" width="720" height="720" alt="">
      <img src="https://static.pixelmarkt.example.ch/im/logo-pixelmarkt.png" width="720" height="720" alt="">`);
    const found = imageCandidates(pageLayout(doc), doc.getElementById('h'), 'Apple iPhone 16 Pro', 'https://www.pixelmarkt.example.ch/de/p/1');
    expect(found.map((c) => c.candidate.evidence.notProduct)).toEqual([false, true]);
  });

  it('takes Magento\'s gallery placeholder for the product\'s photo and Tailwind\'s "object-cover" for no main-image name', () => {
    const doc = page(`<div class="gallery-placeholder"><img class="gallery-placeholder__image" src="https://shop.example.eg/media/catalog/product/s/j/sj_1.jpg" alt="Fridge"></div>
      <div slot="thumbs"><img class="object-cover h-full w-full" src="https://shop.example.eg/media/t/sj_1-200x200.jpg" alt="Fridge"></div><h1 id="h">Fridge</h1>`);
    const found = imageCandidates(pageLayout(doc), doc.getElementById('h'), 'Fridge', 'https://shop.example.eg/fridge');
    expect(found.map((c) => [c.candidate.evidence.notProduct, c.candidate.evidence.productLabelled])).toEqual([[false, true], [false, false]]);
  });

  it('takes a strip of thumbnail buttons and files sized as thumbnails for no product photo, but not a single "thumb" link around the cover', () => {
    const file = (name: string, size: number) => `https://img.lamps.example/${name}.jpg?w=${size}&amp;h=${size}`;
    const doc = page(`<div class="gallery"><div class="gallery__main"><img src="${file('pendel-01', 1000)}" alt="Pendel 172"></div>
      <div class="gallery__thumbs">${[1, 2].map((n) => `<button class="gallery__thumb"><img src="https://img.lamps.example/pendel-0${n}-small.jpg" alt="Pendel 172 - ${n}"></button>`).join('')}</div>
      <img src="https://img.lamps.example/cache/60x60/pendel-03.jpg" alt="Pendel 172 - 3"><img src="${file('pendel-04', 120)}" alt="Pendel 172 - 4"></div>
      <div class="m-thumb"><a class="m-thumb__image" href="/sample"><img src="https://img.books.example/cover.jpg" alt="Cover"></a></div>
      <h1 id="h">Pendel 172</h1>`);
    const found = imageCandidates(pageLayout(doc), doc.getElementById('h'), 'Pendel 172', 'https://lamps.example.dk/pendel-172');
    expect(found.map((c) => [String(c.candidate.value).replace('https://img.', ''), c.candidate.evidence.notProduct])).toEqual([
      ['lamps.example/pendel-01.jpg?w=1000&h=1000', false],
      ['lamps.example/pendel-01-small.jpg', true],
      ['lamps.example/pendel-02-small.jpg', true],
      ['lamps.example/cache/60x60/pendel-03.jpg', true],
      ['lamps.example/pendel-04.jpg?w=120&h=120', true],
      ['books.example/cover.jpg', false],
    ]);
  });

  it('takes Shopify\'s named small sizes as Haravan keeps them ("…_small.jpg") and an image Tailwind draws as small as a logo ("h-8") for no product photo', () => {
    const doc = page(`<div class="product-gallery__thumb active"><a class="product-gallery__thumb-placeholder" href="javascript:"><img src="https://product.hstatic.example/p/tea-01_ab12_small.jpg" alt="Tea set"></a></div>
      <img class="product-image-feature" src="https://product.hstatic.example/p/tea-01_ab12_master.jpg" alt="Tea set">
      <div class="main-content"><div class="flex items-center gap-2"><img src="https://cdn.salla.example/XqWvE/brand-ward.png" alt="Ward" class="h-8"><span>Ward</span></div><h1 id="h">Tea set</h1></div>`);
    const found = imageCandidates(pageLayout(doc), doc.getElementById('h'), 'Tea set', 'https://tea.example.vn/products/tea-set');
    expect(found.map((c) => c.candidate.evidence.notProduct)).toEqual([true, false, true]);
  });

  it('reads Salesforce Commerce Cloud\'s "sw"/"sh" as the size a file is served at: a carousel\'s 120-pixel indicators are thumbnails', () => {
    const file = (size: number) => `https://shop.example.mx/dw/image/v2/BKQT_PRD/on/demandware.static/-/Sites-m/default/dw2c/images/large/VZ4W_CRL_01.jpg?sw=${size}&amp;sh=${size}`;
    const doc = page(`<div id="pdpCarousel-VZ4W" class="carousel slide"><ol class="carousel-indicators"><li class="active"><img src="${file(120)}" alt="Veloz 4"></li></ol>
      <div class="carousel-inner"><div class="carousel-item active"><img src="${file(800)}" alt="Veloz 4"></div></div></div><h1 id="h">Veloz 4</h1>`);
    const found = imageCandidates(pageLayout(doc), doc.getElementById('h'), 'Veloz 4', 'https://shop.example.mx/VZ4W.html');
    expect(found.map((c) => [String(c.candidate.value).replace(/^.*\?/, ''), c.candidate.evidence.notProduct])).toEqual([['sw=120&sh=120', true], ['sw=800&sh=800', false]]);
  });

  it('takes an alt text holding the whole title and more of the photo, or mostly the title\'s words, for naming the product', () => {
    const doc = page(`<h1 id="h">Harbour Sofa</h1><div class="gallery">
      <img src="https://cdn.sofas.example/harbour-front.jpg" alt="Harbour Sofa in Oatmeal Weave, 3-Seat, front view">
      <img src="https://cdn.sofas.example/harbour-side.jpg" alt="Harbour Sofa, side profile">
      <img src="https://cdn.sofas.example/room.jpg" alt="A living room in oatmeal tones with a sofa">
      <img src="https://cdn.sofas.example/harbour-pillow.jpg" alt="Harbour cushion"></div>`);
    const found = imageCandidates(pageLayout(doc), doc.getElementById('h'), 'Harbour Sofa', 'https://sofas.example/harbour');
    expect(found.map((c) => c.candidate.evidence.labelled)).toEqual([true, true, false, true]);
    // A one-word title is not enough to name a photo by being somewhere in a long alt text.
    const one = imageCandidates(pageLayout(doc), doc.getElementById('h'), 'Sofa', 'https://sofas.example/harbour');
    expect(one.map((c) => c.candidate.evidence.labelled)).toEqual([false, false, false, false]);
  });

  it('takes an alt text that opens with the title\'s first three words for naming the product, whatever it says of the scene after them', () => {
    const doc = page(`<h1 id="h">Cotswold Rustic Oak Engineered Flooring 14/3mm x 190mm</h1><div class="gallery">
      <img src="https://cdn.floors.example/cotswold-rustic-oak-roomset-01.jpg" alt="Cotswold Rustic Oak flooring in a Scandinavian style living room">
      <img src="https://cdn.floors.example/cotswold-natural-oak-roomset-01.jpg" alt="Cotswold Natural Oak flooring in a Scandinavian style living room"></div>`);
    const found = imageCandidates(pageLayout(doc), doc.getElementById('h'), 'Cotswold Rustic Oak Engineered Flooring 14/3mm x 190mm', 'https://floors.example/cotswold-rustic-oak');
    expect(found.map((c) => c.candidate.evidence.labelled)).toEqual([true, false]);
  });

  it('reads "starter", "iconic" or "flagship" in an alt text as words of the product, not a star, icon or flag', () => {
    const doc = page(`<h1 id="h">The Weighted Razor</h1><div class="gallery">
      <img src="https://cdn.razors.example/weighted-razor-slate-hero.jpg" alt="The Weighted Razor starter kit in Slate with magnetic stand">
      <img src="https://cdn.razors.example/razor-black.jpg" alt="Our iconic flagship razor"><img src="https://cdn.razors.example/r.png" alt="star icon"></div>`);
    const found = imageCandidates(pageLayout(doc), doc.getElementById('h'), 'The Weighted Razor', 'https://razors.example/weighted-razor');
    expect(found.map((c) => c.candidate.evidence.notProduct)).toEqual([false, false, true]);
  });

  it('fills a lazy loader\'s "{width}" address template with the largest width it offers, and skips a template without widths', () => {
    const doc = page(`<h1 id="h">Gulnaar Lawn Suit</h1>
      <img class="lazyload" data-src="//lawn.example.pk/cdn/shop/products/ZL-1_{width}x.jpg?v=17" data-widths="[360, 540, 2048]" alt="Gulnaar Lawn Suit">
      <img class="lazyload" src="//lawn.example.pk/cdn/shop/products/ZL-2_620x.jpg?v=17" data-src="//lawn.example.pk/cdn/shop/products/ZL-2_{width}x.jpg?v=17" alt="Gulnaar Lawn Suit">`);
    const found = imageCandidates(pageLayout(doc), doc.getElementById('h'), 'Gulnaar Lawn Suit', 'https://lawn.example.pk/products/gulnaar');
    expect(found.map((c) => c.candidate.value)).toEqual([
      'https://lawn.example.pk/cdn/shop/products/ZL-1_2048x.jpg?v=17',
      'https://lawn.example.pk/cdn/shop/products/ZL-2_620x.jpg?v=17',
    ]);
  });

  it('reads an AMP page\'s <amp-img> photos, which a saved page keeps without the <img> its script would put inside', () => {
    const doc = page(`<h1 id="h">Oraimo Traveler 4 20000mAh Power Bank</h1><amp-carousel type="slides" width="500" height="500">
      <amp-img src="https://cdn.shop.example.ng/fit-in/500x500/product/71/1.jpg" width="500" height="500" layout="responsive" alt="Oraimo Traveler 4 20000mAh Power Bank - 1"></amp-img>
      <amp-img src="https://cdn.shop.example.ng/fit-in/500x500/product/71/2.jpg" width="500" height="500" layout="responsive" alt="Oraimo Traveler 4 20000mAh Power Bank - 2"></amp-img></amp-carousel>`);
    const found = imageCandidates(pageLayout(doc), doc.getElementById('h'), 'Oraimo Traveler 4 20000mAh Power Bank', 'https://amp.shop.example.ng/oraimo-traveler-4');
    expect(found.map((c) => c.candidate.value)).toEqual([1, 2].map((n) => `https://cdn.shop.example.ng/fit-in/500x500/product/71/${n}.jpg`));
  });

  it('reads a BEM block\'s "product__media" or "pdp__image" as naming the product\'s photo, as "product-media" does', () => {
    const doc = page(`<h1 id="h">2022 Riesling Kalkmergel trocken</h1><div class="product__media media"><img src="https://shop.example.de/files/flasche.jpg" alt="Flasche"></div>
      <div class="pdp__image"><img src="https://shop.example.de/files/glas.jpg" alt="Glas"></div><div class="story"><img src="https://shop.example.de/files/weinberg.jpg" alt="Weinberg"></div>`);
    const found = imageCandidates(pageLayout(doc), doc.getElementById('h'), '2022 Riesling Kalkmergel trocken', 'https://shop.example.de/products/riesling');
    expect(found.map((c) => c.candidate.evidence.productLabelled)).toEqual([true, true, false]);
  });

  it('takes an image declared at most 80 by 80 pixels for a thumbnail, one declared larger not', () => {
    const doc = page(`<h1 id="h">Carpa Dome 4 Personas</h1><ul class="list-inline">
      <li><img src="https://cdn.tienda.example.cl/image/31234567/thumb/100/100" width="80" height="80" alt="Carpa Dome 4 Personas"></li>
      <li><img src="https://cdn.tienda.example.cl/image/31234568/thumb/100/100" width="81" height="81" alt="Carpa Dome 4 Personas"></li></ul>`);
    const found = imageCandidates(pageLayout(doc), doc.getElementById('h'), 'Carpa Dome 4 Personas', 'https://tienda.example.cl/carpa');
    expect(found.map((c) => c.candidate.evidence.notProduct)).toEqual([true, false]);
  });

  it('takes an image alone in a link named as a logo for the brand\'s logo, not the product\'s photo', () => {
    const doc = page(`<figure class="photos__figure"><img class="photos__photo" src="https://www.tools.example.pl/hpeciai/ab/pol_pl_Wkretarka-2291_1.webp" alt="Wkrętarka Makita DF333"></figure>
      <h1 id="h">Wkrętarka Makita DF333</h1><div class="product_name__block"><a class="firm_logo" href="/firm-pol-1-Makita.html"><img src="/data/lang/pol/producers/gfx/projector/1.png" alt="Makita"></a></div>
      <a class="photos__link" href="/big.webp"><img src="https://www.tools.example.pl/hpeciai/ab/pol_pl_Wkretarka-2291_2.webp" alt="Wkrętarka Makita DF333"></a>`);
    const found = imageCandidates(pageLayout(doc), doc.getElementById('h'), 'Wkrętarka Makita DF333', 'https://www.tools.example.pl/product-pol-2291.html');
    expect(found.map((c) => [String(c.candidate.value).replace(/^.*\//, ''), c.candidate.evidence.notProduct])).toEqual([
      ['pol_pl_Wkretarka-2291_1.webp', false],
      ['1.png', true],
      ['pol_pl_Wkretarka-2291_2.webp', false],
    ]);
  });

  it('reads the photos of a related block only when they might still beat the product\'s own best photo', () => {
    const related = `<section class="related-products"><h2>Related products</h2>${[1, 2, 3].map((n) => `<div class="product-tile"><img src="https://shop.example.com/img/other-${n}.jpg" alt="Other lamp ${n}"></div>`).join('')}</section>`;
    const own = page(`<main><h1 id="h">Desk Lamp Nova</h1><div class="product-image-main"><img src="https://shop.example.com/img/nova.jpg" alt="Desk Lamp Nova" width="800" height="800"></div>
      <button type="submit">Add to cart</button></main>${related}`);
    const found = imageCandidates(pageLayout(own), own.getElementById('h'), 'Desk Lamp Nova', 'https://shop.example.com/nova');
    expect(found.map((c) => c.candidate.value)).toEqual(['https://shop.example.com/img/nova.jpg']);
    // Without a photo of its own, the page's related photos are still candidates, marked as elsewhere.
    const none = page(`<main><h1 id="h">Desk Lamp Nova</h1><button type="submit">Add to cart</button></main>${related}`);
    const others = imageCandidates(pageLayout(none), none.getElementById('h'), 'Desk Lamp Nova', 'https://shop.example.com/nova');
    expect(others.map((c) => [c.candidate.value, c.candidate.evidence.elsewhere])).toEqual([1, 2, 3].map((n) => [`https://shop.example.com/img/other-${n}.jpg`, true]));
    // A related photo of the markup's file is read at once: agreeing with the markup may lift it.
    const marked = imageCandidates(pageLayout(own), own.getElementById('h'), 'Desk Lamp Nova', 'https://shop.example.com/nova', ['https://shop.example.com/img/other-2.jpg']);
    expect(marked.map((c) => c.candidate.value)).toEqual(['https://shop.example.com/img/nova.jpg', 'https://shop.example.com/img/other-2.jpg']);
  });
});

describe('notProductImage', () => {
  it('takes a zoom, arrow or close button\'s file for no product photo, but not a product named for its "Zoom" ("AIR+ZOOM+PEGASUS+41.png")', () => {
    expect(['/skin/frontend/zoom-in.png', '/img/btn_close.gif', '/assets/arrow-left.png', '/templates/images/WriteReviewButton.gif'].map(notProductImage)).toEqual([true, true, true, true]);
    expect(notProductImage('https://static.nike.example/a/images/t_PDP_1728_v1/f_auto,q_auto:eco/4c1e8a8d/AIR+ZOOM+PEGASUS+41.png')).toBe(false);
  });
});

describe('notProductImage: rating stars', () => {
  it('takes a file named for a rating star and nothing else for no product photo, a product named with the word for one', () => {
    const stars = ['/img/star-on.png', '/i/stars_5.gif', '/i/5star.png', '/static/star-blank.gif', '/s/stars-your-rating.gif', '/s/stars-0.png', '/img/star.png?v=2'];
    const products = ['/image/cache/ararat-5-star-07-500x500.jpg', '/p/lego-star-wars-75192.jpg', '/p/star-projector-night-light.jpg', '/p/north-star-backpack.webp'];
    expect(stars.filter((path) => !notProductImage(`https://shop.example.com${path}`))).toEqual([]);
    expect(products.filter((path) => notProductImage(`https://shop.example.com${path}`))).toEqual([]);
  });

  it('takes a map of where a listing is for no product photo', () => {
    expect(['https://maps.example.fr/static?lat=45.7772&lng=4.8277&zoom=13&w=640&h=240', 'https://maps.example.com/maps/api/staticmap?center=Lyon&size=640x240']
      .map(notProductImage)).toEqual([true, true]);
  });
});
