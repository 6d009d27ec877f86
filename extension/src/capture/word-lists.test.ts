import { describe, expect, it } from 'vitest';
import { OTHERS_HEADING } from './page/layout.ts';
import { CONDITIONAL_BEFORE, CURRENT_BEFORE, OLD_BEFORE, OLD_BEFORE_BESIDE_ANOTHER } from './page/prices.ts';
import { OTHER_NAME, PROMO } from './page/titles.ts';
import { NOT_PRODUCT_NAME } from './page/images.ts';
import { caseless, type TextTest } from './text.ts';

/** The patterns the word lists replace (docs/capture.md, "Cheap enough"), kept here to hold the readers to the same answers. */
const PATTERNS: Record<string, [TextTest, TextTest]> = {
  promo: [PROMO, caseless(/^\s*(?:-?\d+\s*%|save\b|sparen|spare|économisez|ahorra|risparmi|essai gratuit|free trial|kostenlos testen|adding to|wird hinzugefügt|added to|log ?in|sign ?in|anmelden|connexion|iniciar sesión|follow the author|dem autor folgen|suivre l'auteur|seguir al autor|only \d+ left|nur noch|in stock|auf lager|out of stock|sold out|ausverkauft|épuisé|agotado|new arrival|bestseller|best seller|sale\b|angebot|oferta|promo|deal of the day|free (?:shipping|delivery)|kostenloser versand|livraison gratuite|envío gratis|about this item|product (?:details|information|description)|customer reviews|kundenrezensionen|produktinformation|acerca de este producto|détails|technical details|detalles técnicos|feedback|cookies?\b|newsletter|your cart|warenkorb|menu\b)/i)],
  othersHeading: [OTHERS_HEADING, caseless(/^\s*(?:recommend|related|similar|you (?:may|might) also|customers (?:who|also)|people (?:who|also)|frequently bought|also (?:bought|viewed)|more (?:from|like|items|to consider)|sponsored|inspired by|kunden (?:kauften|haben|die)|das könnte|ähnliche|empfehlung|unsere empfehlung|vous aimerez|produits (?:similaires|associés|recommandés)|recomendad|relacionad|productos similares|quem (?:viu|comprou)|veja também|prodotti (?:simili|correlati)|potrebbe interessarti|похожие|рекомендуем|с этим товаром|podobne produkty|polecane|klienci kupili|podobné produkty|zákazníci také|doporučujeme|anderen bekeken|anderen kochten|vergelijkbare|aanbevolen|liknande|andra köpte|andra har|rekommenderade|lignende|andre købte|andre kjøpte|también te puede|te puede interesar|otros clientes|você também pode|você pode gostar|ti potrebbe|chi ha acquistato|benzer ürünler|bunlar da|関連商品|おすすめ商品|この商品を買った人|相关商品|猜你喜欢|推荐商品|推薦商品|相關商品|看了又看|관련 상품|관련상품|추천 상품|추천상품|함께 본|схожі|рекомендуємо|hasonló termékek|ajánlott|produse similare|produse recomandate|clienții au cumpărat|παρόμοια|σχετικά προϊόντα|sản phẩm tương tự|sản phẩm liên quan|สินค้าที่เกี่ยวข้อง|produk serupa|produk terkait|منتجات ذات صلة|منتجات مشابهة|מוצרים דומים|מוצרים קשורים|ұқсас|kapcsolódó|vásárlóink ezt is|powiązane produkty|související|súvisiace|produse asemănătoare|з цим товаром|разом з цим|подобни продукти|свързани продукти|slični proizvodi|povezani proizvodi|podobni izdelki|sorodni izdelki|panašūs|susiję|līdzīgas preces|sarnased tooted|lainnya di toko|produk lainnya|rekomendasi|kamu mungkin|có thể bạn|สินค้าแนะนำ|함께 비교|함께 구매|함께 보면|다른 고객|이 상품과 함께|買了此商品的人|看了此商品的人|品牌熱銷|你可能也喜歡|猜你喜歡|为你推荐|為你推薦|この商品を見た人|よく一緒に購入|вам может понравиться|może cię zainteresować|mohlo by vás zajímat|ezek is érdekelhetnek|te-ar putea interesa|možda će vas zanimati|quienes vieron|los clientes también|compre junto|spesso comprati insieme|les clients ont aussi|souvent achetés ensemble|wird oft zusammen gekauft|passend dazu|vaak samen gekocht|compare with similar|compare similar|bunları da|birlikte alınan|μπορεί να σας αρέσ|jums gali patikti|jums varētu patikt|sulle võivad meeldida|לקוחות שקנו|قد يعجبك|khách hàng cũng|売れ筋|ランキング|この商品をチェックした人|最近チェック|最近見た|akcia týždňa|akce týdne|tip týždňa|tip týdne|deal of the week|deal of the day|angebot der woche|angebot des tages|produkt tygodnia|produkt dnia|promocja dnia|a hét ajánlata|napi ajánlat|oferta zilei|oferta săptămânii|oferta del día|oferta do dia|offerta del giorno|offre du jour|товар дня|товар недели|najpredávanejšie|nejprodávanější|bestsellery|الأكثر مبيع|andere klanten|laatst bekeken|onlangs bekeken|nodig voor|benodigdheden|bijpassende|ook handig|accessoires|accessories|zubehör|you will also need|you'll also need|needed for|complete the look|shop the look|complete your|complétez|vous aurez besoin|kunden, die|zuletzt angesehen|zuletzt gesehen|recently viewed|vous avez consulté|vistos recientemente|visti di recente|vistos recentemente|ostatnio oglądane|naposledy prohlížené)/i)],
  oldBefore: [OLD_BEFORE, caseless(/(?:^|[\s\x00-\x40\x5b-\x60\x7b-\x7f])(was|listenpreis|rrp|msrp|mrp|uvp|statt|anstatt|avant|prix barré|antes|de:?|prima|compare at|reg\.?|alter preis|bisher|vorher|старая цена|было|preço de|desde|you save|save|sie sparen|économisez|ahorra|risparmi|economia de:?|oszczędzasz|ušetříte|spare|stara cena|przed obniżką|původní cena|běžná cena|pôvodná cena|eredeti ár|preț vechi|pret vechi|стара цена|стара ціна|oude prijs|adviesprijs|ord\. pris|ordinarie pris|tidigare pris|før|vejl\. pris|veil\. pris|normaalihinta|prezzo consigliato|precio anterior|eski fiyat|αρχική τιμή|通常価格|定価|参考価格|정가|原价|原價|市场价|市價|giá gốc|giá cũ|ราคาปกติ|harga normal|السعر الأصلي|מחיר מקורי|бұрынғы баға|소비자가|시중가|piyasa fiyatı|liste fiyatı|cena regularna|cena katalogowa|doporučená cena|bežná cena|listaár|prp|preț întreg|pret intreg|редовна цена|stara cijena|redovna cijena|экономия|выгода|економія|ušetríte|megtakarítás|economisești|economisesti|ušteda|uštedite|tasarruf|חסכת|חיסכון|وفر|توفير|市售價|市售价|מחיר מחירון|letzten 30 tage|30 tage|last 30 days|30 days|ostatnich 30 dni|30 dni|posledních 30 dní|30 dní|últimos 30 días|30 días|ultimi 30 giorni|30 giorni|30 derniers jours|laatste 30 dagen|30 dagen|utolsó 30 nap|30 nap|ultimele 30 de zile|30 de zile|zadnjih 30 dana|30 dana|последние 30 дней|30 дней|senaste 30 dagarna|30 dagarna)\s*[:：]?\s*$/i)],
  oldBeforeBesideAnother: [OLD_BEFORE_BESIDE_ANOTHER, caseless(/(?:^|[\s\x00-\x40\x5b-\x60\x7b-\x7f])(list price|retail(?: price)?|regular price|original price)\s*[:：]?\s*$/i)],
  conditionalBefore: [CONDITIONAL_BEFORE, caseless(/((?:club|member|members'?|mitglieder|card|prime|rewards?)\s+(?:price|preis|pris|prijs|cena)|mitglieder-?preis|mitgliedspreis|clubpreis|kartenpreis|prix (?:membre|club|carte)|precio (?:socio|club|tarjeta)|preço (?:clube|cartão)|club|member|mitglieds?|membre|miembro|card|karte|carte|cartão|tarjeta|kaart|klantenkaart|prime|subscribe|abo|abonnement|assinatura|\d+\s*x\s*(de|of|à)?|ou até|oder|bis zu|instal?lments?|raten|mensual|monthly|per month|pro monat|ex\.? ?tax|excl\.?|exkl\.?|zzgl\.?|netto|bez dph|без ндс|hors taxes?|ht|sin impuestos(?: nacionales)?|sin iva|sem impostos|senza iva|ohne mwst\.?|hors tva|ex\.? vat|excl\.? vat|bez vat|bez pdv|без ддс|без пдв|coupon|voucher|gutschein|cupón|cupom|kupon|купон|쿠폰|クーポン|优惠券|優惠券|折價券|領券|折|每期|分期|月付|分割|本体価格|税抜|税別|税抜価格|buy \d+ or more for|ab \d+ stück|shipping|versand|delivery|lieferung|envío|frete|livraison|\+|月額|月々|毎月|每月|배송|배송비|送料|运费|運費|egységár|jednotková cena|cena jednostkowa|preț unitar|ongkir|ongkir mulai|ongkos kirim|phí vận chuyển|ค่าจัดส่ง|الشحن|شحن|משלוח|بعد الخصم|بقيمة|دفعات|قسط|أقساط)\s*[:：]?\s*$/i)],
  notProductName: [NOT_PRODUCT_NAME, caseless(/^(logo|icon|sprite|badge|flag|avatar|payment|rating|stars?|banner|placeholder|spinner|loader|swatch|social|share)/i)],
  otherName: [OTHER_NAME, caseless(/^(brand|seller|store|shop|user|author|review|variant|colou?r|size|category|site|logo|modal|dialog|popup|cart|menu|section|widget|tab)/i)],
  currentBefore: [CURRENT_BEFORE, caseless(/(?:^|[\s\x00-\x40\x5b-\x60\x7b-\x7f])(now|jetzt|nur|por|prix|price|preis|precio|preço|prezzo|cena|цена|価格|angebot|à partir de|ab|售價|售价|特價|特价|優惠價|판매가|할인가|セール価格|販売価格|giá|ราคา|harga|fiyat|ціна|τιμή|nu|nyt|nå|teraz|nyní|ár|akciós ár|preț|pret|cijena|kaina|hind|מחיר|מחיר באתר|מחיר מבצע|السعر|سعر)\s*[:：]?\s*$/i)],
};

const CHOSEN: Record<string, [string, boolean][]> = {
  promo: [['15% sparen', true], [' -20 %', true], ['-%', false], ['Save 5', true], ['Saved', false], ['save_x', false], ['SALE!', true], ['Salesforce', false],
    ['Log In needed', true], ['Login', true], ['Only 3 left in stock', true], ['only  3 left', false], ['only left', false], ['Cookies', true], ['Cookiesx', false],
    ['Menu', true], ['Menus', false], ['Adding to Cart...', true], ['Essai gratuit Amazon Prime', true], ['Brassière', false], ['', false], ['Nike Air Max 90', false],
    ['\u00a0Détails du produit', true], ['In Stock', true], ['Inside', false], ['50', false]],
  othersHeading: [['Recommendations', true], ['Customers who bought this also bought', true], ['  Kunden kauften auch', true], ['Quem viu, comprou', true],
    ['Похожие товары', true], ['Product details', false], ['Unrelated', false], ['More like this', true], ['More', false], ['', false],
    ['Podobne produkty', true], ['Anderen bekeken ook', true], ['関連商品', true], ['猜你喜欢', true], ['관련 상품', true], ['Sản phẩm liên quan', true], ['Polecane dla Ciebie', true], ['Nodig voor de plaatsing', true], ['Andere klanten bekeken ook', true], ['Opis', false], ['Kapcsolódó termékek', true], ['Разом з цим товаром купують', true],
    ['함께 비교하면 좋을 상품', true], ['買了此商品的人也買了', true], ['Mohlo by vás zajímat', true], ['Passend dazu', true], ['함께', false], ['売れ筋ランキング', true], ['Akcia týždňa', true], ['Kunden, die diesen Artikel kauften', true], ['Zuletzt angesehen', true]],
  oldBefore: [['Was', true], ['List Price:', false], ['UVP: ', true], ['De:', true], ['de: :', true], ['Reg.', true], ['reg. : ', true], ['Kindle Price:', false],
    ['Swas', false], ['Sie sparen', true], ['Статт', false], ['Было', true], ['', false], [':', false], ['was 12', false], ['you save:', true], ['economia de:', true],
    ['Stara cena:', true], ['Ord. pris', true], ['Før', true], ['原價', true], ['原價：', true], ['-30%정가', true], ['通常価格', true], ['정가', true], ['소비자가', true], ['Piyasa Fiyatı:', true], ['PRP:', true], ['Giá gốc:', true], ['Skinnfør', false], ['Экономия', true], ['市售價', true], ['מחיר מחירון', true], ['Niedrigster Preis der letzten 30 Tage:', true], ['Nejnižší cena za posledních 30 dní:', true]],
  oldBeforeBesideAnother: [['List Price:', true], ['Regular price', true], ['  retail ', true], ['Unregular price', false], ['price', false], ['', false]],
  conditionalBefore: [['Club Price:', true], ['Met je KlusPlus-kaart:', true], ["Members'  price", true], ['Kindle Price:', false], ['10x de', true], ['10 X  à :', true], ['x de', false],
    ['Buy 3 or more for', true], ['buy  3 or more for', false], ['ab 10 Stück', true], ['zzgl.', true], ['ex. tax', true], ['+', true], ['Nightclub', true],
    ['Price', false], ['', false], ['3x:', true], ['rewards  price', true], ['Club Preis', true], ['月額', true], ['年額', false], ['택배배송', true], ['배송비 :', true], ['送料', true], ['Mitglieder Preis', true], ['Kindle Preis', false],
    ['Precio sin impuestos nacionales:', true], ['Ohne MwSt.', true], ['登入領券 最高折', true], ['3期0利率 每期', true], ['Coupon', true], ['（本体価格', true]],
  notProductName: [['Logo', true], ['stars', true], ['MainContentPlaceHolder', false], ['placeholder', true], [' logo', false], ['', false]],
  otherName: [['brand-name', true], ['Colour', true], ['colr', false], ['product-title', false], [' tab', false], ['table', true]],
  currentBefore: [['Now', true], ['Preis:', true], ['Jetzt nur', true], ['snow', false], ['à partir de', true], ['ab :', true], ['Grab', false], ['Цена:', true], ['価格', true], ['', false],
    ['售價', true], ['판매가:', true], ['22%할인가', true], ['3now', true], ['정상할인가', false], ['Nu', true], ['Menu', false], ['Giá:', true], ['Fiyat', true], ['Akciós ár:', true], ['Eredeti ár:', true], ['Bár', false],
    ['מחיר באתר:', true], ['מחיר מחירון', false], ['السعر:', true]],
};

describe('word lists read by hand', () => {
  for (const [name, [reader, pattern]] of Object.entries(PATTERNS)) {
    it.each(CHOSEN[name]!)(`${name}(%j) is %s`, (text, expected) => {
      expect(reader.test(text)).toBe(expected);
      expect(pattern.test(text)).toBe(expected);
    });
  }

  it('answer as their patterns do on random texts around their phrases', () => {
    const parts = ['save', 'sale', 'spare', 'log', 'in', 'only', 'left', 'cookie', 's', 'menu', 'recommend', 'customers', 'who', 'more', 'like', 'was',
      'list price', 'regular price', 'original price', 'de', 'reg', 'retail', 'price', 'now', 'ab', 'nur', 'économisez', 'ähnliche', 'похожие', 'было', 'цена', '価格', 'à partir de',
      'x', '_', '-', '%', ':', '：', '原價', 'før', '.', '!', '3', '15', ' ', '  ', '\u00a0', '\t', '\n', 'É', 'İ', 'S', 'LOG', 'Was', 'NOW',
      'logo', 'star', 'colou', 'r', 'place', 'holder', 'brand', 'tab', 'Share',
      'club', 'Price', 'preis', ' cena', "members'", 'x', 'X', 'de', 'à', 'buy ', ' or more for', 'ab ', ' stück', 'ex', 'tax', '+', 'card'];
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 20_000; i += 1) {
      let text = '';
      for (let n = next() % 6; n >= 0; n -= 1) text += parts[next() % parts.length];
      for (const [name, [reader, pattern]] of Object.entries(PATTERNS)) expect(reader.test(text), `${name} ${JSON.stringify(text)}`).toBe(pattern.test(text));
    }
  });
});
