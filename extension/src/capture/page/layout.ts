/**
 * The page as the shopper sees it, for the capture's page readers (titles, prices, images): what an
 * element is called (id, class, itemprop, test id), whether it is shown, whether it sits in the main
 * product area or in a related/recommended block, header, footer or navigation, how far it is from
 * another element in the tree, and which controls buy the product. Computed styles are cached: the
 * readers ask about the same elements several times.
 */
import { caseless, caselessAny, LETTERS, lowerPattern, NOT_WORD, remembered } from '../text.ts';
import { startsWithPhrase } from '../word-lists.ts';

/**
 * Hidden by markup: a tag, an attribute or a common "hidden" class (a saved page's stylesheets may not
 * load), on the element or an ancestor; `aria-hidden="true"` too, except on a screen-reader text's twin.
 */
const HIDDEN_BY_MARKUP = ['template', 'noscript', 'script', 'style', 'head', '[hidden]',
  ...['hidden', 'hide', 'is-hidden', 'a-hidden', 'invisible', 'display-none', 'u-hidden', 'aok-hidden'].map((name) => `.${name}`),
  // Bootstrap's "d-none" unless a breakpoint up to a desktop's shows it again ("d-none d-lg-block": JTL-Shop's product heading).
  '.d-none:not([class*="d-sm-"]):not([class*="d-md-"]):not([class*="d-lg-"]):not([class*="d-xl-"])'].join(', ');

/** The tags of HIDDEN_BY_MARKUP: all of it an element without attributes can match (most of a page's elements). */
const HIDDEN_TAGS = new Set(['TEMPLATE', 'NOSCRIPT', 'SCRIPT', 'STYLE', 'HEAD']);

/** Text only screen readers read (a saved page's stylesheet, which hides it, may not load). */
/** Classes of text shown to screen readers only. */
export const SCREEN_READER_ONLY = /screen-reader|sr-only|visually-hidden/i;
/**
 * An element hidden from screen readers only because a screen-reader text beside it says the same
 * (named so, or simply saying the same words and more):
 * shown on screen ("<del aria-hidden=true>RM129.00</del> <span class=screen-reader-text>Original
 * price was…</span> <ins aria-hidden=true>RM 89.90</ins>"), unlike the rest of what `aria-hidden` marks.
 */
const THREE_LETTERS = new RegExp(`[${LETTERS}]{3}`);

function screenReaderTwin(el: Element): boolean {
  const near = [el.previousElementSibling, el.nextElementSibling];
  if (near.some((n) => n !== null && SCREEN_READER_ONLY.test(n.getAttribute('class') ?? ''))) return true;
  // A twin whose class says nothing ("w_iUH7"): a short text beside it that says the same and more
  // ("current price Now $19.98" beside "Now $19.98").
  const own = (textUpTo(el, 60) ?? '').replace(/\s+/g, ' ').trim();
  // A copy of the same text alone (Amazon's "a-offscreen" beside its drawn price) is no such twin.
  return /\d/.test(own) && near.some((n) => {
    if (n === null || n.getAttribute('aria-hidden') === 'true') return false;
    const said = (textUpTo(n, 120) ?? '').replace(/\s+/g, ' ').trim();
    return said.includes(own) && THREE_LETTERS.test(said.replace(own, ''));
  });
}

/**
 * An `<aside>` named as the product's own buy box ("ProductActions_wrapper", "pdp-buybox") or a marketplace listing's
 * sidebar with its bid and buy-now box ("tm-marketplace-listing__sidebar"), not a sidebar of other things.
 */
const OWN_ASIDE = caseless(/product|buy|purchase|price|offer|checkout|add-?to-?cart|listing/i);

/**
 * An `<aside>` holding one or two buttons that buy ("Lisää ostoskoriin" in a Finnish shop's `<aside aria-label="Osta">`
 * of hashed classes): the product's buy box, however it is named. A sidebar of other products has a button on each.
 */
function holdsOwnBuyButton(aside: Element): boolean {
  const buttons = aside.querySelectorAll('button, input[type="submit"]');
  let buying = 0;
  for (let i = 0; i < Math.min(buttons.length, 30); i += 1) {
    const button = buttons[i]!;
    const text = button.tagName === 'INPUT' ? button.getAttribute('value') : textUpTo(button, 60);
    if (text && BUY_WORDS.test(text.toLowerCase())) buying += 1;
  }
  return buying > 0 && buying <= 2;
}

/** A <header> named as the product's own ("product--header", "pdp-header"). */
const OWN_HEADER = caseless(/product|pdp/i);

/**
 * Ids and classes of areas that show other products or site chrome, not the product of the page. A
 * sidebar of the product's details is its own (Ecwid's "product-details__sidebar" holds the price and
 * the buy button, in a "product-details--layout-two-columns-sidebar-right"; Inditex themes write
 * "product-detail-view__side-bar"; a second-hand listing's "item-sidebar" holds its heading and price). A
 * slider that "has-nav-outside" (Shopware's gallery) has arrows, it is no navigation.
 */
const ELSEWHERE = caselessAny(
  // Other products, and a quick view of another one open over the page ("modal-body quickView").
  /quick-?(?:view|shop)|related|relation|recommend|associated|expandables|carousel(?<!(?:(?:pdp|image|images|media|photo|gallery|thumbs|thumb)-(?:[a-z]+-)?|detail|details|detail-|details-)carousel)|upsell|up-sell|cross-?sell|similar|also-?(?:bought|purchased|viewed|like)|you-?may|customers?-?who|sponsor|(?<![^\s_-])ads?(?![^\s_-])|advert/i,
  // The site's chrome.
  /(?<!\S)(?:site-?|page-?|global-?|main-?)?(?:header|footer)(?!\S)|(?<![^\s_-])(?<!(?:slider|slide|carousel|gallery|has|with|no|show|hide)-)nav(?:$|[\s_-]|bar|igation)|menu|mini-?cart|cart-?drawer|basket-?widget|breadcrumb|newsletter/i,
  // Bundles, accessories, sidebars, filters and histories.
  /bundle|bulk(?<![a-z]bulk)|multi-?buy|accessor|side-?bar(?<!(?:product-details?(?:-[a-z]+)?|pdp|listing)(?:__|--[\w-]*)side-?bar)(?<!(?:^|\s)item-side-?bar)|facet|filter|compare|history|recently|today[-_]?view|recent[-_]?view|last[-_]?(?:visited|viewed|seen)|widget-?cart/i,
  // A marketplace's other offers and sellers, and its widgets.
  /sims-|p13n|zg_|rhf|other-?sellers?|more-?sellers|sellers?-?list|other-?offers|more-?offers|offer-?listing|mbc|aod-|(?<!\S)olp[-_]|featured-?products|(?<![^\s_-])open-?box/i,
);
/**
 * Whether a label names such an area, each label tested once: labels repeat (a shop's markup names
 * thousands of elements alike, "a-section a-spacing-small"), and the pattern's many words are tried at
 * every character of a label.
 */
const elsewhereLabel = remembered((text) => ELSEWHERE.test(text));
/** A label that names other products only by a carousel ("carousel slide", "carousel-item"): a slider, of other products or of the product's own photos. */
const onlyCarousel = remembered((text) => !ELSEWHERE.test(text.toLowerCase().replace(/carousel/g, ' ')));
/** A carousel named as the product's own gallery ("pdpCarousel-VZ4W", "product-images-carousel", "gallery-carousel"). */
const OWN_CAROUSEL = caseless(/(?:pdp|image|images|media|photo|photos|gallery|thumbs|thumb|detail|details)(?:-[a-z]+)?[-_]?carousel/i);
/**
 * A carousel that names itself a gallery, or the product's slideshow, among its other names (SAP Commerce's
 * "carousel image-gallery__image owl-carousel", Shopify's Prestige theme's "Product__Slideshow Carousel").
 */
const GALLERY = caseless(/gallery/i);
const PRODUCT_SLIDESHOW = caseless(/product[-_]*(?:slideshow|slider|media|images|photos)/i);

/**
 * A slider inside the product's own gallery carousel (SFRA's "pdpCarousel-…" of Bootstrap's "carousel slide",
 * "carousel-inner", "carousel-item"), or a carousel named a gallery itself: its slides are the product's photos,
 * not other products. A carousel anywhere else (a bare "carousel" of other products' tiles, or one only inside
 * an area named a gallery: on Zalando's page without its markup that took a later photo for the packshot) still
 * shows other products.
 */
function inOwnCarousel(el: Element, labelOf: (el: Element) => string): boolean {
  if (GALLERY.test(labelOf(el)) || PRODUCT_SLIDESHOW.test(labelOf(el))) return true;
  for (let node: Element | null = el, level = 0; node && level < 6; node = node.parentElement, level += 1) {
    const label = labelOf(node);
    // A slide ("Product__SlideItem Carousel__Cell") of a carousel named the product's slideshow; not one only
    // named a gallery (Zalando's, whose later slide would pass for its packshot).
    if (OWN_CAROUSEL.test(label) || (level > 0 && PRODUCT_SLIDESHOW.test(label) && label.toLowerCase().includes('carousel'))) return true;
  }
  return false;
}
/**
 * Headings that open a block of other products ("Recommendations", "Customers who bought this also
 * bought", "Kunden kauften auch"): the block is elsewhere, however its ids and classes are named.
 */
export const OTHERS_HEADING = startsWithPhrase([
  'recommend', 'related', 'similar', 'you may also', 'you might also', 'customers who', 'customers also', 'people who',
  'people also', 'other listings', 'more listings', 'similar listings', 'frequently bought', 'also bought', 'also viewed', 'more from', 'more like', 'more items',
  'more to consider', 'sponsored', 'inspired by', 'kunden kauften', 'kunden haben', 'kunden die', 'das könnte', 'ähnliche',
  'empfehlung', 'unsere empfehlung', 'vous aimerez', 'produits similaires', 'produits associés', 'produits recommandés',
  'recomendad', 'relacionad', 'productos similares', 'quem viu', 'quem comprou', 'veja também', 'prodotti simili',
  'prodotti correlati', 'potrebbe interessarti', 'похожие', 'рекомендуем', 'с этим товаром',
  // The same headings in the languages of the shops' countries.
  'podobne produkty', 'polecane', 'klienci kupili', 'podobné produkty', 'zákazníci také', 'doporučujeme', 'anderen bekeken', 'anderen kochten', 'vergelijkbare',
  'aanbevolen', 'liknande', 'andra köpte', 'andra har', 'rekommenderade', 'lignende', 'andre købte', 'andre kjøpte', 'también te puede',
  'te puede interesar', 'otros clientes', 'você também pode', 'você pode gostar', 'ti potrebbe', 'chi ha acquistato', 'benzer ürünler', 'bunlar da', '関連商品',
  'おすすめ商品', 'この商品を買った人', 'この本を買った人', 'この作品を買った人', 'この本を見た人', 'こんな本も', '関連書籍', 'あわせて買いたい', '相关商品', '猜你喜欢', '推荐商品', '推薦商品', '相關商品', '看了又看', '관련 상품',
  '관련상품', '추천 상품', '추천상품', 'md 추천', 'md추천', '함께 본', 'схожі', 'рекомендуємо', 'hasonló termékek', 'ajánlott', 'produse similare',
  'produse recomandate', 'clienții au cumpărat', 'παρόμοια', 'σχετικά προϊόντα', 'sản phẩm tương tự', 'sản phẩm liên quan', 'các sản phẩm khác', 'sản phẩm khác của shop', 'top sản phẩm bán chạy', 'sản phẩm bán chạy', 'สินค้าที่เกี่ยวข้อง', 'produk serupa', 'produk terkait',
  'منتجات ذات صلة', 'منتجات مشابهة', 'מוצרים דומים', 'מוצרים קשורים', 'ұқсас', 'համանման', 'նմանատիպ', 'առնչվող', 'მსგავსი', 'oxşar',
  // A seller's other listings on a second-hand marketplace.
  'medlemmens artiklar', "member's items", 'more from this seller', "seller's other items", 'other items from this seller', 'autres annonces du vendeur', 'weitere anzeigen', "o'xshash", 'төстэй',
  'kapcsolódó', 'vásárlóink ezt is', 'powiązane produkty', 'související', 'súvisiace', 'produse asemănătoare', 'з цим товаром', 'разом з цим',
  'подобни продукти', 'свързани продукти', 'slični proizvodi', 'povezani proizvodi', 'preporučujemo', 'preporučeni proizvodi', 'često kupljeno zajedno', 'kupci su kupili i', 'препоручујемо', 'podobni izdelki', 'sorodni izdelki', 'слични производи', 'повезани производи', 'поврзани производи', 'купци су купили', 'kupci su kupili', 'slicni proizvodi', 'panašūs', 'susiję',
  'līdzīgas preces', 'sarnased tooted', 'lainnya di toko', 'produk lainnya', 'rekomendasi', 'kamu mungkin', 'có thể bạn', 'สินค้าแนะนำ',  '함께 비교', '함께 구매', '함께 보면', '다른 고객', '이 상품과 함께', '買了此商品的人', '看了此商品的人', '品牌熱銷', '你可能也喜歡', '猜你喜歡', '为你推荐', '為你推薦', 'この商品を見た人', 'よく一緒に購入',
  'вам может понравиться', 'może cię zainteresować', 'mohlo by vás zajímat', 'ezek is érdekelhetnek', 'te-ar putea interesa',
  'možda će vas zanimati', 'quienes vieron', 'los clientes también', 'compre junto', 'spesso comprati insieme', 'les clients ont aussi',
  'souvent achetés ensemble', 'wird oft zusammen gekauft', 'passend dazu', 'passendes zubehör', 'passende produkte', 'passende artikel', 'vaak samen gekocht', 'compare with similar', 'compare similar',
  'bunları da', 'birlikte alınan', 'μπορεί να σας αρέσ', 'jums gali patikti', 'jums varētu patikt', 'sulle võivad meeldida', 'לקוחות שקנו',
  'قد يعجبك', 'khách hàng cũng', '売れ筋', 'ランキング', 'ショップ内ランキング', 'ショップランキング', '人気ランキング', 'この商品をチェックした人', '最近チェック', '最近見た',
  'akcia týždňa', 'akce týdne', 'tip týždňa', 'tip týdne', 'deal of the week', 'deal of the day', 'haftanın ürünü', 'günün ürünü', 'haftanın fırsatı', 'günün fırsatı', 'product of the week', 'product of the day', 'angebot der woche', 'angebot des tages', 'produkt tygodnia', 'produkt dnia', 'promocja dnia', 'a hét ajánlata', 'napi ajánlat', 'oferta zilei', 'oferta săptămânii', 'oferta del día', 'oferta do dia', 'offerta del giorno', 'offre du jour', 'товар дня', 'товар недели', 'najpredávanejšie', 'nejprodávanější', 'bestsellery', 'الأكثر مبيع',
  'les clients qui ont', 'clients ayant acheté', 'ces produits pourraient', 'produits dans la même catégorie', 'autres produits dans la même catégorie',
  'вы недавно смотрели', 'недавно просмотренные', 'вы смотрели', 'смотрите также', 'покупают вместе', 'ви переглядали', 'нещодавно переглянуті', 'переглянуті товари',
  '店铺热销', '达人选购', '热销推荐', '热卖推荐', '店铺推荐', '人气单品', '店舗人気', '本店熱銷',
  'andere klanten', 'laatst bekeken', 'onlangs bekeken', 'recent bekeken', 'eerder bekeken', 'nodig voor', 'benodigdheden', 'bijpassende', 'ook handig', 'accessoires', 'accessories',
  'zubehör', 'tillbehör', 'tilbehør', 'lisävarusteet', 'lisatarvikud', 'priedai', 'akcesoria', 'příslušenství', 'kiegészítők', 'accessori', 'accesorios', 'acessórios',
  'vaihtoehtoiset tuotteet', 'samankaltaiset tuotteet', 'suositellut', 'asiakkaat ostivat myös', 'viimeksi katsotut', 'you will also need', "you'll also need", 'needed for', 'kiemelt ajánlat', 'legutóbb megtekintett', 'complete the look', 'shop the look', 'style with', 'style it with', 'wear it with', 'style med', 'andre kiggede også', 'du vil måske også',
  'andre så også', 'andre har også sett', 'du kanskje også liker', 'andra tittade också', 'du kanske också gillar', 'muut katsoivat myös', 'saatat pitää myös', 'complete your', 'complétez', 'vous aurez besoin',
  // Other sellers' offers of the same product, each with its price and buy button.
  'other sellers', 'other offers', 'more sellers', 'oferty innych sprzedawców', 'inne oferty', 'weitere angebote', 'andere anbieter', 'autres vendeurs',
  'otros vendedores', 'altri venditori', 'outros vendedores', 'andere verkopers', 'další prodejci', 'ostatní prodejci', 'andra säljare', 'diğer satıcılar',
  'kunden, die', 'zuletzt angesehen', 'zuletzt gesehen', 'recently viewed', 'vous avez consulté', 'vistos recientemente', 'visti di recente', 'vistos recentemente', 'ostatnio oglądane', 'naposledy prohlížené',
]);

/** Words that name a quantity field or list ("qty", "Menge", "aantal"), in ids, classes and names. */
export const QUANTITY_WORDS = 'quantity|qty|menge|anzahl|quantité|cantidad|quantità|quantidade|ilość|množství|aantal|antal|määrä';

/** Names of badges shops put inside a heading or above a name ("flag-new", "badge--sale", "product-sticker"). */
export const BADGE_LABEL = caseless(/(?<![^\s_-])(?:flag|flags|badge|badges|sticker|stickers|ribbon|tag|tags)(?![^\s_-])/i);

/** Class names of a box's title in the shops' languages ("box-title", Shoper's "boxhead", "offers-head", "nadpis_box", "naslov"). */
const BOX_TITLE = /title|head|nadpis|naslov|titulo|titolo|titre|titel/i;

const isSubheading = (el: Element) => {
  const tag = el.tagName;
  return tag.length === 2 && tag >= 'H2' && tag <= 'H6';
};

/** Whether every element before this one in its parent is a small thing: a few elements, a short text. */
function smallThingsBefore(el: Element): boolean {
  for (let before = el.previousElementSibling; before; before = before.previousElementSibling) {
    if (before.childElementCount > 3 || textUpTo(before, 60) === null) return false;
  }
  return true;
}

/** A block whose own heading (among its first children) says it shows other products. */
function opensWithOthersHeading(el: Element): boolean {
  let child = el.firstElementChild;
  for (let i = 0; child && i < 3; i += 1, child = child.nextElementSibling) {
    // Only a first child is more than a heading; a later one is looked at only when it is a heading.
    if (i > 0 && !isSubheading(child)) continue;
    // Only after small things (an icon, an anchor): a heading after the product's own block opens the block after
    // it, not the container (OpenCart's "#content": the product's row, "<h3>Свързани продукти</h3>", their row).
    if (i > 0 && !smallThingsBefore(child)) return false;
    // The heading itself, or a first child that is only a title box around one ("<div class=title><h3>관련상품</h3></div>").
    // (No array of the two: this runs for most elements of a page, before the engine has compiled it.)
    if (isSubheading(child)) return OTHERS_HEADING.test(textUpTo(child, 200) ?? '');
    // Or a title box that opens with its heading, a "view all" link beside it ("<div class=s-block__title><h2>قد يعجبك أيضاً</h2><a>عرض الكل</a></div>").
    const inner = i === 0 && child.childElementCount <= 3 ? child.firstElementChild : null;
    if (inner && isSubheading(inner)) return OTHERS_HEADING.test(textUpTo(inner, 200) ?? '');
    // A first child of text named as the box's title ("<div class=nadpis_box>Akcia týždňa</div>", "<div class=boxhead><span>Ostatnio oglądane</span></div>").
    if (i === 0 && child.childElementCount <= 1 && child.hasAttribute('class') && BOX_TITLE.test(child.getAttribute('class')!)) return OTHERS_HEADING.test(textUpTo(child, 200) ?? '');
    // Or a first child of a few words alone, before the block's other parts, whatever its name (a hashed one:
    // "<div class=_1AtVbE>Frequently Bought Together</div>"); not a badge ("<span class="flag best">الأكثر مبيعاً</span>"
    // above the product's own name).
    if (i === 0 && child.childElementCount === 0 && el.childElementCount >= 2 && child.tagName !== 'SPAN' && !BADGE_LABEL.test(child.getAttribute('class') ?? '')
      && OTHERS_HEADING.test(textUpTo(child, 60) ?? '')) return true;
  }
  return false;
}

/**
 * A block right after a heading of its own that says it shows other products: "<h3>Podobné produkty</h3>"
 * then the table or list of them (older and table layouts put the heading beside the block, not in it).
 */
function followsOthersHeading(el: Element): boolean {
  const heading = el.previousElementSibling;
  return heading !== null && isSubheading(heading) && OTHERS_HEADING.test(textUpTo(heading, 200) ?? '');
}

/** Names of buy controls in ids, classes and file names (tested on lower-cased text). */
const BUY_NAME = /add[-_]?to[-_]?(cart|bag|basket)|addtocart|buy[-_]?now|buybox|buy[-_]?button|btn[-_]?cart|cart[-_]?button|add[-_]?cart/;
/**
 * The words of buy controls in many languages, as a pattern tested on lower-cased text; a pre-order is bought as well ("Pre-order",
 * "Vorbestellen", "予約する"), and a count may stand between "add" and "to basket" ("Add 2 tyres to basket"; not "Add combo to cart",
 * a bundle's button).
 */
const BUY_WORDS = lowerPattern(/add (?:\d+ (?:\S+ )?)?to (?:cart|bag|basket|trolley)|add to shopping|buy now|buy it now|order now|in den warenkorb|in den einkaufswagen|jetzt kaufen|ajouter au panier|acheter|añadir al carrito|agregar al carrito|comprar|aggiungi al carrello|acquista|adicionar ao carrinho|in winkelwagen|do koszyka|kup teraz|do košíku|koupit|kosárba|în coș|adaugă în coș|i varukorgen|lägg i varukorg|læg i kurv|legg i handlekurv|lisää ostoskoriin|sepete ekle|в корзину|купить|у кошик|купити|в кошницата|カートに入れる|今すぐ買う|購入|加入购物车|立即购买|加入購物車|直接購買|立即購買|장바구니|구매하기|바로구매|себетке|қосу|savatga|sotib olish|xarid qilish|səbətə|კალათაში|ყიდვა|զամբյուղ|сагсанд|сагслах|أضف إلى السلة|أضف للسلة|اشتري الآن|הוסף לסל|thêm vào giỏ|mua ngay|หยิบใส่ตะกร้า|เพิ่มลงตะกร้า|เพิ่มไปยังตะกร้า|ใส่รถเข็น|ซื้อเลย|masukkan keranjang|beli sekarang|keranjang|beli langsung|tambah ke troli|chọn mua|ใส่ตะกร้า|añadir a la cesta|añadir a la bolsa|agregar a la bolsa|añadir al carro|agregar al carro|adicionar à sacola|adicionar ao cesto|colocar no carrinho|ajouter à mon panier|ajouter au sac|aggiungi alla borsa|aggiungi alla shopping bag|warenkorb hinzufügen|aan winkelwagen|in winkelmand|aan winkelmand|i indkøbskurv|tilføj til kurv|i kundvagn|do košíka|kúpiť|do kosiku|adauga in cos|u košaricu|u korpu|у корпу|во кошничка|v košarico|į krepšelį|pirkti|pievienot grozam|grozā|lisa ostukorvi|ostukorvi|στο καλάθι|αγορά τώρα|в количката|купи сега|в кошик|sepete at|satın al|הוספה לסל|أضف الى السلة|اضف الى السلة|اضف للسلة|إضافة إلى السلة|放入購物車|放入购物车|加入購物袋|カートに追加|カートへ|買い物かご|かごに入れる|カゴに入れる|pre-order|preorder|pre order|vorbestellen|précommander|pré-commander|preordina|pré-venda|reservar ya|předobjednat|zamów przedpremierowo|ön sipariş|予約する|予約注文|予約購入|立即预订|預購|예약구매|사전예약|(?<![^\s!])(?:купи|kupi|kup|cumpără|cumpara|osta|kjøp|køb|köp|buy|kaufen)(?![^\s!])/i);

export interface Layout {
  readonly doc: Document;
  readonly view: Window | null;
  style(el: Element): CSSStyleDeclaration | null;
  visible(el: Element): boolean;
  elsewhere(el: Element): boolean;
  fontSize(el: Element): number;
  /** `label(el)`, read once per element during the capture: the readers ask about the same elements many times. */
  label(el: Element): string;
  buyControls: readonly Element[];
  /** Tree distance to the nearest buy control. */
  toBuy(el: Element): number;
}

/**
 * A node's text when it holds at most `max` characters, else null. Reads no further than it needs:
 * `textContent` of a wrapper would copy the whole page's text (megabytes on large shop pages) only to
 * learn that it is long. `apart`: texts of two elements that meet without a space, a letter or digit
 * before a capital ("<a>Bellandi 1961</a><span>Giacca…</span>": a brand and the name, set on lines of
 * their own by the shop's stylesheet) or before another letter or digit, neither of them Chinese, Japanese
 * or Korean nor in a <sup> or <sub> ("<span>Redmi Note 13 Pro 5G</span><span>8/256GB</span>", spaced by
 * margins), are read as two words.
 */
export function textUpTo(root: Node, max: number, apart = false): string | null {
  if (root.nodeType === 3) {
    const data = (root as Text).data;
    return data.length <= max ? data : null;
  }
  // A script's or a style's own text is not shown either (a price's neighbour may be one).
  const tag = (root as Element).tagName;
  if (tag === 'SCRIPT' || tag === 'STYLE') return '';
  // No child elements: its text is its own text nodes, usually one.
  if ((root as Element).childElementCount === 0) {
    let text = '';
    for (let node = root.firstChild; node; node = node.nextSibling) {
      if (node.nodeType === 3 && (text += (node as Text).data).length > max) return null;
    }
    return text;
  }
  const walker = root.ownerDocument?.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  if (!walker) return null;
  let text = '';
  let nodes = 0;
  let lastParent: Node | null = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    // A script's or a style's text is not shown: a heading holding a page template's source
    // ("{{#if brandInfo.name}} <a class=…") says nothing of the product.
    const parent = node.parentNode as Element | null;
    if (parent && (parent.tagName === 'SCRIPT' || parent.tagName === 'STYLE')) continue;
    const data = (node as Text).data;
    if (apart && parent !== lastParent && text !== '' && data !== '' && wordsApart(text, data, parent, lastParent)) text += ' ';
    lastParent = parent;
    text += data;
    nodes += 1;
    if (text.length > max || nodes > max) return null;
  }
  return text;
}

/**
 * Whether a character is a letter or a digit, read from its code without a Unicode property pattern (each is
 * compiled on a page's first use): ASCII letters and digits, and every character from Latin-1's letters on
 * that is not a space or a sign of the General Punctuation to CJK Symbols blocks.
 */
function wordChar(code: number): boolean {
  if (code < 0x80) return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
  return code >= 0xc0 && code !== 0xd7 && code !== 0xf7 && !(code >= 0x2000 && code <= 0x303f) && !(code >= 0xfe30 && code <= 0xfe4f) && !(code >= 0xff00 && code <= 0xff0f);
}
/** Chinese, Japanese and Korean characters: written without spaces between words. */
function cjk(code: number): boolean {
  return (code >= 0x3040 && code <= 0x30ff) || (code >= 0x3400 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || (code >= 0x1100 && code <= 0x11ff) || (code >= 0xf900 && code <= 0xfaff);
}
const inScriptPosition = (el: Node | null) => el !== null && ((el as Element).tagName === 'SUP' || (el as Element).tagName === 'SUB');

/**
 * Two texts of elements side by side that a stylesheet sets apart: a letter or digit before a capital, or
 * before another letter or digit when neither is Chinese, Japanese or Korean nor in a superscript or subscript.
 */
function wordsApart(text: string, data: string, parent: Node | null, lastParent: Node | null): boolean {
  const end = text.charCodeAt(text.length - 1);
  const start = data.charCodeAt(0);
  if (!wordChar(end) || !wordChar(start)) return false;
  const first = data[0]!;
  if (first !== first.toLowerCase() && first === first.toUpperCase()) return true;
  return !cjk(end) && !cjk(start) && !inScriptPosition(parent) && !inScriptPosition(lastParent);
}

/** The label of an element without attributes (many: spans, list items, cells): five separators. */
const NO_LABEL = '     ';

/** Tailwind classes with a variant ("md:top-nav", "hover:underline"): they style an element and name nothing. */
const VARIANT_CLASS = /\S*:\S*/g;

export function label(el: Element): string {
  if (!el.hasAttributes()) return NO_LABEL;
  // Older shops name elements with `name` ("related_products_product_image_1") where newer ones use classes.
  const tag = el.tagName;
  const name = tag === 'A' || tag === 'IMG' || tag === 'DIV' ? el.getAttribute('name') ?? '' : '';
  // Hydrogen's buy box is "sticky md:-mb-nav md:top-nav md:pt-nav": spacing by the height of the nav, not a nav.
  const classes = el.getAttribute('class') ?? '';
  return `${el.id} ${classes.includes(':') ? classes.replace(VARIANT_CLASS, '') : classes} ${el.getAttribute('itemprop') ?? ''} ${el.getAttribute('data-testid') ?? ''} ${el.getAttribute('data-test') ?? ''} ${name}`;
}

/**
 * Distances to a set of elements: levels up from an element until an ancestor contains one of the
 * targets (99: none within 40 levels). The targets' ancestors are indexed once, so each question
 * costs one walk up the tree.
 */
export function distanceTo(targets: readonly Element[]): (el: Element) => number {
  const ancestors = new Set<Element>();
  for (const target of targets) for (let node: Element | null = target; node && !ancestors.has(node); node = node.parentElement) ancestors.add(node);
  return (el) => {
    let node: Element | null = el;
    for (let level = 0; node && level < 40; level += 1, node = node.parentElement) if (ancestors.has(node)) return level;
    return 99;
  };
}

/**
 * Selectors for an id or class holding a word as shops write it: "cart", "Cart" (addToCart) or "CART".
 * Not `[class*="cart" i]`: Chromium folds the case of every element's whole attribute for each such
 * selector, which took 5-10 ms of a capture on large shop pages (4,000-5,500 elements) where three
 * case-sensitive ones take 1-2.
 */
export function nameContains(attributes: readonly string[], words: readonly string[]): string {
  // A long word's tail holds both its lower-case and its capitalised form ("itle": "title", "Title"); one of each
  // form ("_nm" is its own capitalised form). Each selector is another test of every element of the page.
  const forms = (word: string) => (word.length >= 5
    ? [word.slice(1), word.toUpperCase().slice(1)]
    : [...new Set([word, `${word[0]!.toUpperCase()}${word.slice(1)}`, word.toUpperCase()])]);
  return attributes.flatMap((attribute) => words.flatMap((word) => forms(word).map((form) => `[${attribute}*="${form}"]`))).join(', ');
}

/**
 * Controls that may buy the product, links aside: buttons, image and submit inputs, elements named for the cart.
 * Links are asked only when none of these buys it: most links of a large page are its menus and footer (400 to
 * 1,400 on large shops' pages, against 50 to 170 of these).
 */
const BUY_CONTROLS = `button, input[type="submit"], input[type="button"], input[type="image"], [role="button"], ${nameContains(['class', 'id'], ['cart', 'buy'])}, [name="add"]`;

function findBuyControls(doc: Document, layout: Pick<Layout, 'visible' | 'elsewhere' | 'label'>): Element[] {
  const controls = buyControlsAmong(doc.querySelectorAll(BUY_CONTROLS), layout);
  if (controls.length > 0) return controls;
  const links = buyControlsAmong(doc.getElementsByTagName('a'), layout);
  return links.length > 0 ? links : customBuyControls(doc, layout);
}

/** The elements of a list that buy the product: visible, in the product's own area, saying so in a language or a name. */
function buyControlsAmong(candidates: ArrayLike<Element>, layout: Pick<Layout, 'visible' | 'elsewhere' | 'label'>): Element[] {
  const out: Element[] = [];
  for (let i = 0; i < Math.min(candidates.length, 3000); i += 1) {
    const el = candidates[i]!;
    // A control holds a few elements; a container named "…cart…" around half the page is not one.
    if (el.childElementCount > 6) continue;
    // Asked first: most links of a large page are in its menus and footer (1,300 of 1,400 on one shop's
    // page), and whether an ancestor is such a block is known after the first of them.
    if (layout.elsewhere(el)) continue;
    // A <span> or <div> styled as a button ("btn btn-default to-cart", as Bitrix themes draw it) is read like one.
    const buttonLike = el.tagName === 'A' || el.getAttribute('role') === 'button' || el.tagName === 'BUTTON' || /btn|button/i.test(el.getAttribute('class') ?? '');
    const text = buttonLike ? (textUpTo(el, 400) ?? '').slice(0, 80) : '';
    // A link or button drawn as an image says what its image's alt text says (`<a href="javascript:addToCart(123)"><img alt="加入购物车">`).
    const image = buttonLike && !/\S/.test(text) && el.childElementCount === 1 && el.firstElementChild!.tagName === 'IMG' ? el.firstElementChild!.getAttribute('alt') ?? '' : '';
    const said = `${text} ${image} ${el.getAttribute('value') ?? ''} ${el.getAttribute('aria-label') ?? ''} ${el.getAttribute('title') ?? ''} ${el.getAttribute('alt') ?? ''} ${el.getAttribute('src') ?? ''} ${layout.label(el)}`;
    // Lower-cased once for both patterns (compiled without `i`: caseless in text.ts says why).
    const lower = said.toLowerCase();
    if (!BUY_NAME.test(lower) && !BUY_WORDS.test(lower)) continue;
    // Nor is a block of a few children named for the cart around the product's whole summary (WoodMart's
    // "single-product-page … meta-location-add_to_cart" around the heading, the price and the form): a control says
    // little. Its text is read only for the few that pass the words above.
    if (!buttonLike && textUpTo(el, 400) === null) continue;
    if (out.some((known) => known.contains(el))) continue;
    if (layout.visible(el)) out.push(el);
    if (out.length >= 40) break;
  }
  return out;
}

/**
 * A platform's own button element, as a saved page keeps it before its script draws a <button> inside
 * (`<salla-add-product-button>أضف للسلة</salla-add-product-button>`), or a `<div>` named to add to the
 * bag ("ADD TO BAG"). Looked for only when no ordinary control was found: every element is asked.
 */
function customBuyControls(doc: Document, layout: Pick<Layout, 'visible' | 'elsewhere' | 'label'>): Element[] {
  const out: Element[] = [];
  const all = doc.body?.getElementsByTagName('*');
  for (let i = 0; all && i < Math.min(all.length, 20_000) && out.length < 4; i += 1) {
    const el = all[i]!;
    // A platform's own element ("SALLA-ADD-PRODUCT-BUTTON"), or a <div> named to add to the bag ("pdp-add-to-bag").
    const custom = el.tagName.includes('-') && /BUTTON$/.test(el.tagName);
    if ((!custom && !(el.tagName === 'DIV' && /add-?to-?bag/i.test(el.getAttribute('class') ?? ''))) || el.childElementCount > 6 || layout.elsewhere(el)) continue;
    const lower = `${(textUpTo(el, 400) ?? '').slice(0, 80)} ${el.tagName} ${layout.label(el)}`.toLowerCase();
    if ((BUY_NAME.test(lower) || BUY_WORDS.test(lower) || /add-product|add-to-cart|buy/.test(lower)) && layout.visible(el)) out.push(el);
  }
  return out;
}

/**
 * A property that holds for an element when it holds for the element itself or any ancestor, worked
 * out once per element: the answers of the ancestors are kept, and the walk up is a loop (pages may
 * nest thousands of levels deep).
 */
function cachedUp(own: (el: Element) => boolean): (el: Element) => boolean {
  const known = new Map<Element, boolean>();
  return (el) => {
    const path: Element[] = [];
    let result = false;
    for (let node: Element | null = el; node; node = node.parentElement) {
      const cached = known.get(node);
      if (cached !== undefined) {
        result = cached;
        break;
      }
      path.push(node);
    }
    // From the top down: once an ancestor holds, everything below it holds.
    for (let i = path.length - 1; i >= 0; i -= 1) {
      result = result || own(path[i]!);
      known.set(path[i]!, result);
    }
    return result;
  };
}

export function pageLayout(doc: Document): Layout {
  const view = doc.defaultView;
  const styles = new Map<Element, CSSStyleDeclaration | null>();
  const labels = new Map<Element, string>();
  const labelOf = (el: Element) => {
    let known = labels.get(el);
    if (known === undefined) labels.set(el, known = label(el));
    return known;
  };
  const style = (el: Element) => {
    if (!styles.has(el)) styles.set(el, view ? view.getComputedStyle(el) : null);
    return styles.get(el)!;
  };
  // Each element matched against the selectors once: the readers ask about elements that share most
  // of their ancestors, and `closest` would match every ancestor again for each of them.
  const markupHidden = cachedUp((el) => (el.hasAttributes() ? el.matches(HIDDEN_BY_MARKUP) : HIDDEN_TAGS.has(el.tagName))
    || (el.getAttribute('aria-hidden') === 'true' && !screenReaderTwin(el)));
  /** Hidden by its style or an ancestor's, where the DOM cannot say at once (checkVisibility). */
  const styleHidden = cachedUp((el) => {
    const s = style(el);
    return s !== null && (s.display === 'none' || s.visibility === 'hidden');
  });
  // checkVisibility asks the rendering engine, which knows already: no style is read in a loop here.
  const visible = (el: Element) => !markupHidden(el)
    && (typeof el.checkVisibility === 'function' ? el.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true }) : !styleHidden(el));
  // A <header> inside the main content, an article or the product's own microdata, or named as the product's
  // (Shopware 5's `<header class="product--header">` around its <h1>), is the product's own heading block. The
  // main content itself is never another block, whatever its names say (WoodMart's `role="main"` is named
  // "breadcrumbs-location-below_header").
  const elsewhere = cachedUp((el) => {
    // The tag read once: this runs for every element above the ones the readers ask about.
    const tag = el.tagName;
    return tag === 'FOOTER' || tag === 'NAV' || (tag === 'ASIDE' && !OWN_ASIDE.test(labelOf(el)) && !holdsOwnBuyButton(el))
      || (tag === 'HEADER' && !OWN_HEADER.test(labelOf(el)) && !el.closest('main, article, [role="main"], [itemtype*="schema.org/Product" i]'))
      || (tag !== 'BODY' && tag !== 'HTML' && tag !== 'MAIN' && el.getAttribute('role') !== 'main'
        && ((elsewhereLabel(labelOf(el)) && !(onlyCarousel(labelOf(el)) && inOwnCarousel(el, labelOf))) || opensWithOthersHeading(el) || followsOthersHeading(el)));
  });
  const fontSize = (el: Element) => Number.parseFloat(style(el)?.fontSize ?? '') || 0;
  const partial = { visible, elsewhere, label: labelOf };
  const buyControls = findBuyControls(doc, partial);
  return { doc, view, style, visible, elsewhere, fontSize, label: labelOf, buyControls, toBuy: distanceTo(buyControls) };
}

/** Words of a text, lower-cased, for comparing a heading with the page's <title>. */
export function words(text: string): string[] {
  return text.toLowerCase().split(NOT_WORD).filter((w) => w.length > 1 || /[^\x00-\x7f]/.test(w));
}

/** The words of the last text compared against: every heading and image is compared with the same title. */
let lastOther: { text: string; words: Set<string> } | null = null;

/** Share of `text`'s words that `other` also has (0..1). */
export function wordOverlap(text: string, other: string): number {
  const mine = words(text);
  if (mine.length === 0) return 0;
  if (lastOther?.text !== other) lastOther = { text: other, words: new Set(words(other)) };
  const theirs = lastOther.words;
  return mine.filter((w) => theirs.has(w)).length / mine.length;
}
