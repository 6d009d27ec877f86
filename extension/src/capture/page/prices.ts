/**
 * Price candidates from the page as shown. Every short text with a digit that names a currency (or
 * sits in an element named "price") is a candidate, judged by what surrounds it: struck out or
 * introduced as a list/was/retail price, savings, shipping, instalments, unit prices, member or card
 * prices, prices before tax; inside a related block or site chrome; its distance to the product's
 * heading and buy control; its font size. Cents in their own element are joined to the whole amount.
 */
import type { Candidate } from '../candidates.ts';
import { currencyInText, mayNameCurrency, type PageHints } from '../currency.ts';
import { parsePriceText } from '../price-text.ts';
import { caseless, caselessAny, LETTERS, westernDigits } from '../text.ts';
import { digitsBefore, endsWithPhrase, spacesBefore, startsWithPhrase } from '../word-lists.ts';
import { distanceTo, QUANTITY_WORDS, SCREEN_READER_ONLY, textUpTo, type Layout } from './layout.ts';
import type { PageCandidate } from './titles.ts';

const PRICE_LABEL = caseless(/price|preis|prix|precio|prezzo|preço|preco|cena|cijena|цена|ціна|價格|价格|価格|가격|fiyat|harga|giá|amount/i);
// Words in class names and ids, bounded by start, end, space, "-" or "_" (BEM names: "price__was").
// Looked around rather than matched (`(?<![^\s_-])` for `(?:^|[\s_-])`): the same test, which the engine compiles in a third of the time.
const word = (words: string) => caseless(new RegExp(`(?<![^\\s_-])(?:${words})(?![^\\s_-])`, 'i'));
/** Names of an element that holds a quantity ("product-block-prices-quantity": "Bis 2"): its number counts pieces, not money. */
const QUANTITY_LABEL = word(QUANTITY_WORDS);
const OLD_LABEL = word('old|was|deprecated|compare|compare-at|strike|striked|strikethrough|strike-through|strikeout|strike-out|line-through|linethrough|lthr|crossed-out|before|crossed|msrp|rrp|previous|uvp|saving|savings|save|discount-amount|you-save|basisprice|a-text-strike|antigo|anterior|riscado|tachado|barrato|poupanca|ahorro|risparmio|ersparnis|normalprice|origin-price|originprice|price-standard|standard-price');
/**
 * Names that mean "not reduced" as often as "the old price": a regular, original ("prc-org"), list or retail
 * price is an old one only beside another amount ("price-item--regular" alone is the price to pay).
 */
// "list" but not Bootstrap's lists ("list-unstyled", "list-inline"), which hold OpenCart's price block,
// nor a BEM list's items ("c-item-list__item"), nor Shopware's "with-list-price", the price to pay that has a list price beside it,
// nor a list of prices ("price-list": OpenCart's block of the price to pay, the old one, the instalments).
const BESIDE_ANOTHER_OLD_LABEL = word('regular|non-discounted|org|(?<!with-|price[-_])list(?![-_]+(?!price)[a-z])|listprice|(?<!with-)list-price|original|reference|retail');
/**
 * Names of prices for members or card holders only ("club-price", "member-price", a membership's "plus-price"), and of amounts
 * beside the price that are no price of the product (ECShop's prices per member rank, "ECS_RANKPRICE_2"): a voucher's or coupon's value ("voucher-promo-value":
 * "Giảm ₫30k"), an insurance or warranty add-on ("insurance-price"), reward coins ("coin-amount").
 */
const CONDITIONAL_LABEL = word('club|clubprice|member|members|memberprice|plus-price|plusprice|loyalty|loyalty-price|card-price|cardprice|voucher|coupon|insurance|warranty|coin|coins|rankprice');
const CURRENT_LABEL = word('sale|special|final|current|now|new|offer|promo|deal|actual|real|sales|reduced|(?<!non-)discounted|dsc|price-to-pay|pricetopay|our-price|selling|buybox|main|priceblock_ourprice|apex|coreprice|corepricedisplay|big|atual|attuale|aktuell|productspecialprice|productsaleprice');
/** Words that introduce an old price or a saving: "Was", "UVP", "statt", "You save" (word-lists.ts). */
export const OLD_BEFORE = endsWithPhrase([
  'was', 'listenpreis', 'rrp', 'msrp', 'mrp', 'एमआरपी', 'अधिकतम खुदरा मूल्य', 'uvp', 'statt', 'anstatt', 'avant',
  'prix barré', 'antes', 'de', 'de:', 'prima', 'compare at', 'reg', 'reg.', 'alter preis',
  'bisher', 'vorher', 'старая цена', 'было', 'preço de', 'desde', 'you save', 'save', 'je bespaart', 'u bespaart', 'sie sparen', 'du sparst', 'sparst', 'sparen sie', 'économisez', 'ahorra',
  'risparmi', 'poupa', 'poupe', 'economia de', 'economia de:', 'oszczędzasz', 'ušetříte', 'spare', 'spara', 'du sparar', 'spar', 'du sparer', 'säästä', 'säästät',
  // The list or former price in more languages: Central and Eastern Europe, the Nordics, Asia, the Middle East.
  '소비자가', '시중가', 'stara cena', 'przed obniżką', 'původní cena', 'běžná cena', 'pôvodná cena', 'eredeti ár', 'preț vechi', 'pret vechi', 'стара цена', 'стара ціна',
  'oude prijs', 'adviesprijs', 'ord. pris', 'ordinarie pris', 'tidigare pris', 'før', 'vejl. pris', 'veil. pris', 'normaalihinta', 'prezzo consigliato',
  'precio anterior', 'eski fiyat', 'αρχική τιμή', '通常価格', '定価', '参考価格', '정가', '原价', '原價', '市场价', '市场价格', '市场价格：',
  '市價', 'giá gốc', 'giá cũ', 'ราคาปกติ', 'harga normal', 'السعر الأصلي', 'كان', 'السعر القديم', 'قبل الخصم', 'מחיר מקורי', 'бұрынғы баға',
  'piyasa fiyatı', 'liste fiyatı', 'cena regularna', 'cena katalogowa', 'doporučená cena', 'bežná cena', 'listaár', 'prp', 'preț întreg',
  'pret intreg', 'редовна цена', 'stara cijena', 'redovna cijena',
  // WooCommerce's words for screen readers before a struck price ("Original price was:") as its translations write them.
  'ราคาเดิม', 'ราคาเดิม คือ', 'preis war', 'initial était', 'original era', 'originale era', 'cena wynosiła', 'cena byla', 'hinta oli', 'pris var', 'τιμή ήταν',
  'экономия', 'выгода', 'економія', 'ušetríte', 'megtakarítás', 'economisești', 'economisesti', 'ušteda', 'uštedite', 'tasarruf', 'חסכת', 'חיסכון', 'وفر', 'توفير', '市售價', '市售价', 'מחיר מחירון',
  // The original price, as more languages say it (and as a screen reader's label says it: "Før-pris").
  'ursprünglicher preis', 'ursprünglich', 'originalpreis', 'prix initial', "prix d'origine", 'precio original', 'prezzo originale', 'preço original',
  'oorspronkelijke prijs', 'originalpris', 'opprinnelig pris', 'alkuperäinen hinta', 'før-pris', 'førpris', 'før pris', 'tidligere pris',
  // The lowest price of the last 30 days before a reduction (the EU's Omnibus line) is a former price.
  'før rabat', 'før rabatt', 'vor der preissenkung', 'vor der preisreduzierung', 'vor der reduzierung', 'avant réduction', 'avant la réduction',
  'antes de la rebaja', 'antes del descuento', 'prima dello sconto', 'voor de korting', 'vóór de korting', 'sidste 30 dage', '30 dage', 'siste 30 dager', '30 dager',
  'letzten 30 tage', '30 tage', 'last 30 days', '30 days', 'ostatnich 30 dni', '30 dni', 'posledních 30 dní', '30 dní', 'últimos 30 días', '30 días', 'ultimi 30 giorni', '30 giorni', '30 derniers jours', 'laatste 30 dagen', '30 dagen', 'utolsó 30 nap', '30 nap', 'ultimele 30 de zile', '30 de zile', 'zadnjih 30 dana', '30 dana', 'последние 30 дней', '30 дней', 'senaste 30 dagarna', '30 dagarna',
], true);
/**
 * Words that introduce an old price only beside another amount: a price shown alone as "Regular
 * price" (a theme's words for screen readers) or "Retail" is the price to pay (word-lists.ts).
 */
export const OLD_BEFORE_BESIDE_ANOTHER = endsWithPhrase(['list price', 'retail', 'retail price', 'regular price', 'original price', 'online price'], true);
/** Words that make the price a conditional one: member, card, subscription, instalments, before tax, shipping (word-lists.ts). */
export const CONDITIONAL_BEFORE = endsWithPhrase([
  'mitglieder-preis', 'mitgliederpreis', 'mitgliedspreis', 'clubpreis', 'kartenpreis', 'prix membre', 'prix club', 'prix carte',
  'precio socio', 'precio club', 'precio tarjeta', 'preço clube', 'preço cartão', 'club', 'member', 'mitglied', 'mitglieds',
  'medlemspris', 'klubbpris', 'kundeklubbpris', 'jäsenhinta', 'bonuspris',
  'membre', 'miembro', 'card', 'karte', 'carte', 'cartão', 'tarjeta', 'kaart', 'klantenkaart', 'select deal', 'nettó', 'nettó ár', 'netto cena', 'cena netto', 'nettopreis', 'preis netto', 'net price', 'prix ht', 'precio sin iva', 'shipping from', 'delivery from', 'shipping fee', 'shipping fees', 'delivery fee', 'delivery fees', 'delivery charge', 'delivery charges', 'shipping cost', 'shipping costs', 'courier', 'nationwide courier', 'versandkosten', 'versand ab', 'lieferung ab', 'frais de livraison', 'livraison dès', 'livraison à partir de', 'gastos de envío', 'costo de envío', 'envío desde', 'custo de envio', 'frete a partir de', 'spese di spedizione', 'plus价', 'plus會員價', 'plus会员价', '会员价', '會員價', 'vip价', 'prime', 'subscribe', 'abo', 'abonnement', 'assinatura',
  // A price for paying one way: by transfer, in cash, with Peru's Yape or Plin, Brazil's Pix or boleto ("Paga con Yape, Plin o transferencia: S/ 284.05").
  'transferencia', 'transferencia bancaria', 'transferência', 'en efectivo', 'pago en efectivo', 'yape', 'plin', 'pix', 'no pix', 'boleto', 'no boleto',
  // A bundle's price, this product with others ("Im Set günstiger … Set-Preis: 249,00 €").
  'set-preis', 'setpreis', 'set price', 'bundle price', 'bundle-preis', 'bundlepreis', 'paketpreis', 'prix du lot', 'prix du pack', 'prijs bundel',
  // An auction's bid is no price to pay: its buy-now price is.
  'current bid', 'bid', 'starting bid', 'start price', 'starting price', 'aktuelles gebot', 'gebot', 'startpreis', 'enchère actuelle', 'offerta attuale', 'puja actual',
  // A bid's label with its count or reserve under it ("Current bid" "17 bids · No reserve" "$142.50").
  'bids', 'no reserve', 'reserve met', 'reserve not met', 'gebote', 'ohne mindestpreis', 'enchères', 'sans prix de réserve', 'pujas',
  // A price after a coupon ("Best Price: ₹1133" above "Coupon code: EXTRA10", as Indian fashion marketplaces show it).
  'best price',
  // An amount offered up to a limit: a cashback or a trade-in's ("claim up to £80 via redemption", "získáte až 8 000 Kč").
  'up to', 'ou até', 'oder', 'bis zu', 'až', 'akár', "jusqu'à", 'jusqu’à', 'hasta', 'fino a', 'upp till', 'op til', 'opp til', 'aż do', 'nawet do', 'instalment', 'instalments', 'installment', 'installments', 'raten', 'mensual', 'monthly',
  // One of several payments ("Pay in 4 interest-free payments of C$262.25 with Afterpay").
  'payments of', 'instalments of', 'installments of', 'cuotas de', 'parcelas de', 'rate da', 'raty po', 'mensualités de', 'paiements de', 'raten à', 'raten von', 'zahlungen von', 'zahlungen à',
  'delen van', 'termijnen van', 'betalingen van',
  'per month', 'pro monat', 'ex.tax', 'ex. tax', 'extax', 'ex tax', 'excl', 'excl.', 'exkl', 'exkl.', 'zzgl', 'zzgl.', 'netto',
  'bez dph', 'без ндс', 'hors taxe', 'hors taxes', 'ht', 'sin impuestos', 'sin impuestos nacionales', 'sin iva', 'sem impostos', 'senza iva',
  // Monthly instalments and delivery in Central Europe's languages ("Részletfizetés: már havi 4 583 Ft-tól", "GLS házhozszállítás 1 490 Ft").
  'havi', 'már havi', 'havonta', 'részletfizetés', 'házhozszállítás', 'szállítás', 'szállítási díj', 'doprava', 'dopravné', 'poštovné', 'doručenie', 'doručení', 'dostawa', 'wysyłka',
  // The order total from which delivery is free ("Kuriér: 4,90 € — zadarmo nad 79 €", "Versandkostenfrei ab 50 €").
  'frakt från', 'frakt fra', 'fragt fra', 'frais de protection', 'frais de protection acheteur', 'protection fee', 'buyer protection fee', 'service fee', 'buyer fee', 'käuferschutz', 'käuferschutzgebühr', 'köparskydd', 'frais de service', 'opłata za ochronę kupującego', 'при заказе от', 'при покупке от', 'бесплатно от', 'при замовленні від', 'безкоштовно від', 'zadarmo nad', 'zadarmo od', 'zdarma nad', 'zdarma od', 'za darmo od', 'darmowa dostawa od', 'free over', 'free shipping over', 'free delivery over', 'orders over',
  'verzending vanaf', 'bezorging vanaf',
  'kostenlos ab', 'versandkostenfrei ab', 'gratis ab', 'gratis vanaf', 'gratuite dès', 'offerte dès', 'gratis a partir de', 'grátis acima de', 'gratis oltre',
  // "Without VAT" in more of Europe's languages ("Fără TVA: 1.092,43 lei" under OpenCart's price).
  'fără tva', 'fara tva', 'áfa nélkül', 'bez pdv-a', 'χωρίς φπα', 'sem iva', 'iva esclusa', 'iva excluida', 'kdv hariç', 'be pvm', 'bez pvn', 'ilma km',
  'ekskl. moms', 'eks. mva', 'eks mva', 'ekskl. mva', 'exclusief btw',
  'ohne mwst', 'ohne mwst.', 'hors tva', 'ex vat', 'ex. vat', 'excl vat', 'excl. vat', 'bez vat', 'bez pdv', 'без ддс', 'без пдв', 'shipping', 'versand', 'delivery', 'lieferung', 'envío', 'frete',
  'livraison', '+', '月額', '月々', '毎月', '每月', '배송', '배송비', '送料', '送料別', '运费', '運費',
  // Korean instalments, card discounts and coupon prices ("무이자 할부 월 107,500원", "삼성카드 5% 청구할인 시 1,225,500원", "쿠폰적용가").
  '월', '할부', '무이자', '할인 시', '결제 시', '쿠폰적용가', '쿠폰 적용가', '쿠폰가',
  'coupon', 'voucher', 'gutschein', 'cupón', 'cupom', 'kupon', 'купон', '쿠폰', 'クーポン', '优惠券', '優惠券', '折價券', '領券', '折', '每期', '分期', '月付', '分割', '本体価格', '税抜', '税別', '税抜価格',
  // The price after a coupon or a subsidy ("券后价 ￥6599", "到手价").
  '券后价', '券後價', '券后', '到手价', '到手價',
  // A deposit on the bottles or cans, added to the price ("+ pant 24,00 kr.", "zzgl. 3,30 € Pfand").
  '+ pant', 'plus pant', 'pfand', 'statiegeld', 'deposit', 'consigne', 'kaucja', 'pantti', 'záloha',
  // A unit price ("prijs per lt €1.08", "Grundpreis: 2,58 €", "Literpris 18,81 kr.").
  'per kg', 'per kilo', 'per l', 'per lt', 'per ltr', 'per liter', 'per litre', 'per 100 g', 'per 100g', 'per 100 ml', 'per 100ml',
  'unit price', 'grundpreis', 'literpreis', 'kilopreis', 'literpris', 'kilopris', 'literprijs', 'kiloprijs', 'prix au kilo', 'prix au kg', 'prix au litre',
  'egységár', 'jednotková cena', 'cena jednostkowa', 'preț unitar', 'ongkir', 'ongkir mulai', 'ongkos kirim', 'phí vận chuyển', 'ค่าจัดส่ง', 'الشحن', 'شحن', 'משלוח', 'بعد الخصم', 'بقيمة', 'دفعات', 'قسط', 'أقساط',
], false, (lower) => memberPrice(lower) || timesPrice(lower) || COUNTED_OFFERS.some(([start, end]) => countedOffer(lower, start, end)));

/** Words for "price" after who may pay it: "Club Price", "Club Preis". */
const PRICE_WORDS = ['price', 'preis', 'pris', 'prijs', 'cena'];

/** "Club   Price", "Members' price", "Club Preis": a member's price. */
function memberPrice(lower: string): boolean {
  const priceWord = PRICE_WORDS.find((w) => lower.endsWith(w));
  if (!priceWord) return false;
  const end = lower.length - priceWord.length;
  const start = spacesBefore(lower, end);
  if (start === end) return false;
  const before = lower.slice(0, start);
  return ['club', 'member', 'members', "members'", 'mitglieder', 'card', 'prime', 'reward', 'rewards'].some((word) => before.endsWith(word));
}

/** "3x", "10 x de", "12 x of": instalments. */
function timesPrice(lower: string): boolean {
  const endsWithTimes = (text: string) => {
    const trimmed = text.slice(0, spacesBefore(text, text.length));
    if (!trimmed.endsWith('x')) return false;
    const digitsEnd = spacesBefore(trimmed, trimmed.length - 1);
    return digitsBefore(trimmed, digitsEnd) < digitsEnd;
  };
  if (endsWithTimes(lower)) return true;
  const word = ['de', 'of', 'à'].find((w) => lower.endsWith(w));
  return word !== undefined && endsWithTimes(lower.slice(0, -word.length));
}

/** Words around a count that make a price one for a quantity: "buy 3 or more for", "ab 10 Stück", "od 3 ks". */
const COUNTED_OFFERS: readonly (readonly [string, string])[] = [['buy ', ' or more for'], ['ab ', ' stück'], ['ab ', ' stk'], ['ab ', ' stk.'],
  ['od ', ' ks'], ['od ', ' szt'], ['od ', ' szt.'], ['from ', ' pcs'], ['from ', ' units'], ['vanaf ', ' stuks'], ['à partir de ', ' pièces'],
  ['da ', ' pezzi'], ['desde ', ' unidades'], ['kjøp ', ' stk'], ['kjøp ', ' stk.'], ['køb ', ' stk'], ['køb ', ' stk.'], ['köp ', ' st'], ['köp ', ' st.'], ['osta ', ' kpl']];

/** "buy 3 or more for", "ab 10 stück": a price for a quantity. */
function countedOffer(lower: string, start: string, end: string): boolean {
  if (!lower.endsWith(end)) return false;
  const digitsEnd = lower.length - end.length;
  const digitsStart = digitsBefore(lower, digitsEnd);
  return digitsStart < digitsEnd && lower.slice(0, digitsStart).endsWith(start);
}
/**
 * Words right after an amount that make it a price per unit, per month, before tax, for shipping or a deposit
 * ("zzgl. Versand", "/ mes", "+ pant"), as a list read by hand (word-lists.ts): the pattern it replaced was
 * compiled on every page, twice on a page whose texts hold "€" (word-lists.test.ts holds it to its answers).
 */
export const CONDITIONAL_WORDS_AFTER = startsWithPhrase([
  'per kg', 'per lb', 'per 100', 'per unit', 'per item', 'pro kg', 'pro 100', 'pro liter', 'extax', 'ex tax', 'ex.tax', 'ex. tax', 'excl', 'exkl', 'zzgl',
  'netto', 'hors taxes', 'bez dph', 'shipping', 'versand', 'delivery', '+shipping', '+ shipping', 'a month', 'pro monat', 'im monat', 'monatl', 'par mois',
  'al mese', 'per maand', 'per month', 'в месяц', 'miesięcznie', 'měsíčně', 'mesačne', 'havonta', 'aylık', 'mensuais', 'sem juros', 'pfand', 'statiegeld', 'deposit',
  '以上', '이상',
], ['ht', 'each', 'mtl', 'al mes', 'x',
  // An amount taken off the price ("Extra ₹4000 off"), not one to pay.
  'off',
  // A price for paying with one bank's card ("Buy at ₹17,499 with Bank offer").
  'with bank offer', 'with bank offers',
  // A price for paying by Pix, Brazil's instant transfer, lower than the one by card ("R$ 1.979,10 no Pix").
  'no pix', 'via pix', 'com pix', 'pelo pix', 'à vista no pix', 'a vista no pix', 'à vista via pix'],
// A surcharge in brackets ("(+ 2,00 € Pfand)"), and Korean reward points ("적립", not the "적립금" balance).
(lower) => (lower.startsWith('(') && lower.slice(1).trimStart().startsWith('+')) || (lower.startsWith('적립') && !lower.startsWith('적립금')));
/**
 * Per measure, per month, or a pack's price each in English's unit-price notation ("/ kg", "/ mes", "$0.73 / ea",
 * Malaysia's "RM 274.92/mth", Indonesia's "/bln", Vietnam's "/tháng", Thailand's "/เดือน").
 * A price per piece in the words of Central and Eastern Europe ("/шт", "/szt", "/ks", "/Stk") is the price of one,
 * what a shopper pays for the product: Bitrix's Aspro themes print "289,90 р./шт" as the price itself.
 */
const PER_UNIT_AFTER = caselessAny(
  /^\s*\/\s*(?:(?:ea|each|ct|count|kg|g|100\s?g|l|100\s?ml|ml|m|m²|lb|oz)\b|(?:кг|100\s?г|г|100\s?мл|мл|л|м²|м)(?![а-яё])|month|mo\b|(?:monat|mois|mes|mese|maand|mnd|måned|mån|mth|mths|bulan|bln|buwan)\b|(?:माह|महीना)|мес|міс|mies|měs|hó|lun[aă]|ay\b|tháng|เดือน|월|月)/i,
);
const conditionalAfter = (text: string) => PER_UNIT_AFTER.test(text) || CONDITIONAL_WORDS_AFTER.test(text);
/** Offers of other sellers or conditions: "Other Used, New, Collectible from", "gebraucht ab". */
const OTHER_OFFER_BEFORE = caseless(/\bnew\s*\(\d+\)\s*(?:from|ab|à partir de|desde|da)\s*:?\s*$|\b(used|collectible|gebraucht|occasion|usado|usato|refurbished|other sellers|other offers|andere verkopers|autres vendeurs|altri venditori|otros vendedores|andere anbieter|weitere angebote|autres offres|otras ofertas|outros vendedores|outras ofertas|andere aanbiedingen|innych sprzedawców|inni sprzedawcy|inne oferty|další prodejci|ostatní prodejci|další nabídky|andra säljare|diğer satıcılar|more buying choices|seller options|more sellers|open[- ]box|b-ware|rozbalen\w*|resigilat\w*|powystawow\w*|outlet|reacondicionado|recondicionado|ricondizionato|generalüberholt)\b(?:[^\d]|\(\d+\))*$|(?:다른 판매자|その他の出品者|他の出品者|其他卖家|其他賣家)(?:[^\d]|\(\d+\))*$/i);
/**
 * Discounts for paying a certain way: "Mais 5% de desconto em 1x no Cartão", "with Prime", "mit Kundenkarte".
 * Not the instalments of the price itself ("R$ 3.999,00 em 10x de R$ 399,90 sem juros no cartão").
 */
const CARD_AFTER = caselessAny(
  /^\s*(?:mais|plus|extra|\+)?\s*\d*\s*%?\s*(?:de\s)?(?:desconto|discount|rabatt|remise|descuento)/i,
  /\b(?:(?<!juros\s)no cartão|with (?:card|prime|membership)|with your [\w ]{0,24}card|mitglieder-?preis|clubpreis|kartenpreis|prix (?:membre|adhérent)|precio (?:socio|miembro)|mit (?:karte|kundenkarte)|avec la carte|con tarjeta|members? only|für mitglieder|upon approval|store card|(?:with|met|mit|avec|con|com) (?:klarna|afterpay|clearpay|affirm|sezzle|zip|laybuy|humm|atome|tabby|tamara))\b/i,
  /^\s*\(?(?:[^\d\s]+\s+){0,2}(?:card|members?|club|loyalty|rewards) price(?!\s*[:：]?\s*[^\d\s]{0,3}\s*\d)/i,
);
/** An option of a variant picker: a swatch, a variant's tile or chip ("swatch-option", "variant-item", "ConfigChip"). */
/** A variant picker's names; Bitrix writes its options' block "sku-props". */
const OPTION_LABEL = caseless(/swatch|variant|chip|(?<![a-z])sku(?![a-z])/i);
const CHOSEN_LABEL = word('selected|is-selected|active|is-active|current|checked|chosen');
/**
 * The price written on an option the page does not show ("Samppanja 169,90 €" on the other colour's
 * swatch): inside a variant picker (an area named swatch, variant or chip), the element that is one of
 * several alike (the same tag) of which one is marked chosen, and not itself. Such a price belongs to
 * the other variant, not to the item in view.
 */
function otherOption(el: Element, layout: Layout): boolean {
  let area: Element | null = null;
  // The outermost such area within a few levels: the picker, not only its option's own part ("swatch__price").
  for (let node: Element | null = el, level = 0; node && level < 6; level += 1, node = node.parentElement) if (OPTION_LABEL.test(layout.label(node))) area = node;
  if (!area) return ariaUnchosen(el);
  const marked = (e: Element) => CHOSEN_LABEL.test(layout.label(e)) || ARIA_STATES.some((a) => e.getAttribute(a) === 'true');
  // Marked itself, or its only element is (a list item around the chip marked "--selected").
  const chosen = (e: Element) => marked(e) || (e.childElementCount === 1 && marked(e.firstElementChild!));
  // Up to the list around the area: a chip alone in its list item is one of the list's items.
  const top = area.parentElement?.parentElement ?? null;
  for (let node: Element | null = el; node && node !== top; node = node.parentElement) {
    const alike = node.parentElement ? Array.from(node.parentElement.children).filter((c) => c.tagName === node!.tagName) : [];
    if (alike.length >= 2 && alike.some(chosen)) return !chosen(node);
  }
  return false;
}

const ARIA_STATES = ['aria-selected', 'aria-checked', 'aria-current', 'aria-pressed'];

/**
 * An option the page marks not chosen in so many words, in a picker of hashed names: within three levels,
 * an element whose `aria-current` (or `-checked`, `-selected`, `-pressed`) is "false" beside one of its
 * kind whose state is "true" ("<a aria-current="false">128 GB CHF 1'019.–</a>" beside the 256 GB in view).
 */
function ariaUnchosen(el: Element): boolean {
  for (let node: Element | null = el, level = 0; node && level < 3; level += 1, node = node.parentElement) {
    const state = ARIA_STATES.find((a) => node!.getAttribute(a) === 'false');
    if (!state || !node.parentElement) continue;
    const siblings = node.parentElement.children;
    for (let i = 0; i < siblings.length; i += 1) if (siblings[i]!.tagName === node.tagName && siblings[i]!.getAttribute(state) === 'true') return true;
  }
  return false;
}

/** Words that say the price needs no card or membership ("Without card £29.95", "Non-Club Price $7.49"): the price to pay for everyone. */
const WITHOUT_CONDITION_BEFORE = caseless(/(?:\b(?:without|no|non)[ -]?(?:card|membership|member|club)(?:[ -]?(?:price|member price))?|ohne (?:karte|kundenkarte|mitgliedschaft)|sans carte|sin tarjeta|sem cartão)\s*[:：]?\s*$/i);
/**
 * A label of a delivery fee that says more than the word ("Speditionslieferung bis in die Wohnung: 39,99 €", "Delivery to your door:",
 * "Доставка по Минску — 7 р.").
 */
const SHIPPING_LABEL_BEFORE = caseless(/(?:versand|lieferung|shipping|delivery|courier|kurier|kuriér|envío|frete|livraison|spedizione|doprava|dostawa|szállítás|livrare|dostava|доставка|доставки|достава|доставлення)[^\d:：—–]{0,40}[:：—–]\s*$/i);
/**
 * The price of an extra the shopper may tick (a service, a protection plan) or of an option not chosen:
 * in the label of a checkbox or of a radio button not checked, around it or naming it by `for` (Ecwid's
 * "<label for=…-Valor-0><span>25 €</span></label>" beside the checked "50 €").
 */
const TICKABLE_OR_UNCHOSEN = 'input[type="checkbox" i], input[type="radio" i]:not([checked])';
function optionalExtra(el: Element): boolean {
  const label = el.closest('label');
  if (label === null) return false;
  // A ticked extra's price, or an option not chosen ("2-Year Protection Plan $9.97" beside "No Plan", checked).
  if (label.querySelector(TICKABLE_OR_UNCHOSEN) !== null) return true;
  const named = label.getAttribute('for') ? label.ownerDocument.getElementById(label.getAttribute('for')!) : null;
  return named !== null && named.matches(TICKABLE_OR_UNCHOSEN);
}

/**
 * The first cell of a price table's quantity column ("Qty", "Quantity", "Menge", "Staffel", "数量"), or the title
 * of a list of breaks ("Staffelpreise", "Volume pricing"). Electronics distributors and wholesale shops list a
 * price per piece for each quantity break under it.
 */
const QUANTITY_HEADER = caseless(/^\s*(?:qty\.?|quantity|quantities|break qty\.?|price breaks?|quantity (?:breaks|discounts?|pricing)|volume pricing|menge|anzahl|stück|stückzahl|staffel|staffelpreise?|mengenrabatte?|quantité|qté|cantidad|quantità|quantidade|ilość|množství|počet|mennyiség|antal|aantal|antall|määrä|количество|кол-во|miktar|adet|数量|수량)\s*[:：]?\s*$/i);
/** A quantity break in a tier row's first cell: "10", "1,500", "10+", "≥ 10", "10 - 24", "ab 10", "100 pcs". */
const TIER_COUNT = caseless(/^\s*(?:(?:ab|from|od|dès|desde|da|vanaf|från|fra|от|≥|>=)\s*)?(\d{1,3}(?:[,.\s\u00a0]\d{3})+|\d+)\s*(?:\+|(?:-|–|to|bis|à|a)\s*\d[\d,.\s\u00a0]*)?\s*(?:pcs?\.?|pieces?|units?|stk\.?|stück|st\.?|ks|szt\.?|шт\.?|個|개)?\s*$/i);
/** A quantity break at the end of the words before its row's price ("1+", "ab 100 Stück", "10 - 24 pcs:"): it says which break, not a condition. */
const BREAK_AT_END = /(?:(?:ab|from|od|dès|desde|da|vanaf|från|fra|от|≥|>=)\s*)?\d[\d,.\s\u00a0]*(?:\+|(?:-|–|to|bis)\s*\d[\d,.\s\u00a0]*)?\s*(?:pcs?\.?|pieces?|units?|stk\.?|stück|st\.?|ks|szt\.?|шт\.?|個|개)?\s*[:：]?\s*$/i;

/** A row's cells: a table row's, or a list item's elements ("<li><span>1+</span> <span>0,12 €</span></li>"). */
function cellsOf(row: Element): readonly Element[] {
  return row.tagName === 'TR' ? Array.from((row as HTMLTableRowElement).cells) : Array.from(row.children);
}

/** The count a tier row starts at ("1,500" → 1500), or null when its first cell is no quantity break. */
function tierCount(row: Element): number | null {
  const text = textUpTo(cellsOf(row)[0] ?? row, 40);
  if (text === null || !TIER_COUNT.test(text)) return null;
  return Number(/\d{1,3}(?:[,.\s\u00a0]\d{3})+|\d+/.exec(text)![0].replace(/\D/g, ''));
}
/**
 * The count a price's row starts at in a quantity-break table ("1,500 | $1.12 | $1,680.00" under "Qty |
 * Unit Price | Ext Price": 1500) or list ("<li><span>100+</span> <span>0,08 €</span></li>"), or null when
 * the price is in no such row. A table is one when its first header cell names a quantity, a list when the
 * title right before it does ("Staffelpreise"), and either when the first cells of its rows are quantity
 * breaks counting up from one. The row for one piece is the price a shopper pays; the others apply only to
 * larger orders, however low (a markup's `lowPrice` is often the largest break's).
 */
function tierRowCount(el: Element): number | null {
  const row = el.closest('tr, li');
  const group = row === null ? null : row.tagName === 'TR' ? row.closest('table') : row.parentElement;
  if (!row || !group) return null;
  const cells = cellsOf(row);
  if (cells.length < 2 || cells[0]!.contains(el)) return null;
  const count = tierCount(row);
  if (count === null) return null;
  const rows = (group.tagName === 'TABLE' ? Array.from((group as HTMLTableElement).rows) : Array.from(group.children).filter((item) => item.tagName === 'LI')).slice(0, 30);
  const headerCell = group.tagName === 'TABLE' ? (rows[0] !== row ? cellsOf(rows[0]!)[0] : undefined) : group.previousElementSibling;
  const header = headerCell ? textUpTo(headerCell, 40) : null;
  if (header !== null && QUANTITY_HEADER.test(header)) return count;
  const counts = rows.map(tierCount).filter((n): n is number => n !== null);
  return counts[0] === 1 && counts.length >= 2 && counts.every((n, i) => i === 0 || n > counts[i - 1]!) ? count : null;
}

/** Tax words right before the next amount ("12 990 Kč" "bez DPH 10 735 Kč"): they say what that amount is, not this one. */
/** Alt texts of a payment card's picture ("Tarjeta Montt", "Cartão Loja", "Kundenkarte"). */
const CARD_PICTURE = caseless(/tarjeta|cart[aã]o|(?<![^\s_-])card|karte|carte|kaart/i);

/**
 * A store card's price: shown with the card's picture beside it in its small box ("<span>$ 329.990</span>
 * <img alt="Tarjeta Montt">"), or marked as one (Falabella's `data-cmr-price`). Everyone else pays the other.
 */
function storeCardPrice(el: Element): boolean {
  if (el.closest('[data-cmr-price]') !== null) return true;
  const card = (picture: Element | null) => picture !== null && picture.tagName === 'IMG' && CARD_PICTURE.test(picture.getAttribute('alt') ?? '');
  if (card(el.previousElementSibling) || card(el.nextElementSibling)) return true;
  const pictures = el.childElementCount <= 4 ? el.getElementsByTagName('img') : [];
  for (let i = 0; i < pictures.length; i += 1) if (card(pictures[i]!)) return true;
  return false;
}

/** Tax words that introduce the next amount ("excl. 1.499,00 €"), not a rate ("zzgl. 19 % MwSt." is said of this one). */
const TAX_WORDS_OF_NEXT = caseless(/^\s*\(?\s*(?:bez dph|bez pdv|без ндс|excl\.?|exkl\.?|zzgl\.?|netto|hors taxes?|ht|ex\.? ?tax|ohne mwst\.?)\s*[:：]?\s*(?:[^\d\s]{1,4}\s*)?\d(?![\d.,]*\s*%)/i);

/**
 * What the words around a price say of it: a member's, card, instalment, unit, before-tax or shipping
 * price ("Club Price:", "/kg", "bez DPH"), unless "without card" or "incl." says otherwise or the tax
 * words belong to the next amount; another seller's or a used offer; a discount for paying a certain way.
 */
function saysConditional(before: string, after: string): boolean {
  if (SHIPPING_LABEL_BEFORE.test(before) || OTHER_OFFER_BEFORE.test(before) || CARD_AFTER.test(after)) return true;
  const wordsBefore = CONDITIONAL_BEFORE.test(before) && !WITHOUT_CONDITION_BEFORE.test(before);
  // The words after the same amount in another currency ("33,24 € (65,01 лв.) / месец") are this amount's too.
  const afterConverted = after.replace(/^\s*\([^()\d]{0,6}\d[^()]{0,20}\)/, '');
  const wordsAfter = (conditionalAfter(after) || (afterConverted !== after && conditionalAfter(afterConverted))) && !TAX_WORDS_OF_NEXT.test(after);
  return (wordsBefore || wordsAfter) && !INCLUDED_AFTER.test(after);
}
/** Words that introduce the price to pay: "Now", "Por:", "Preis:". */
export const CURRENT_BEFORE = endsWithPhrase(['now', 'jetzt', 'nur', 'por', 'prix', 'price', 'preis', 'precio', 'preço', 'prezzo', 'cena', 'цена', '価格', 'angebot', 'à partir de', 'ab',
  '售價', '售价', '特價', '特价', '優惠價', '판매가', '할인가', 'セール価格', '販売価格', 'giá', 'ราคา', 'harga', 'fiyat', 'ціна', 'τιμή', 'nu', 'nyt', 'nå', 'teraz', 'nyní',
  'ár', 'akciós ár', 'preț', 'pret', 'cijena', 'kaina', 'hind', 'מחיר', 'מחיר באתר', 'מחיר מבצע', 'السعر', 'سعر'], true);
/** A text without the white space, asterisk and opening bracket before its words ("* (inkl. MwSt.)" → "inkl. MwSt.)"). */
function wordsInBrackets(text: string, asterisk: boolean): string {
  let rest = text.trimStart();
  if (asterisk && rest.startsWith('*')) rest = rest.slice(1).trimStart();
  if (rest.startsWith('(') || rest.startsWith('（')) rest = rest.slice(1);
  return rest;
}
/** The words after a price that say tax is included ("inkl. MwSt.", "(TTC)", "s DPH"), read by hand as CONDITIONAL_WORDS_AFTER is. */
export const INCLUDED_WORDS = startsWithPhrase(['inkl', 'incl', 'inc.', 'inc vat', 'inc gst', 'सभी करों सहित', 'ttc', '税込', 's dph', 'z dph', 'z ddv', 's pdv', 'sa pdv',
  'с ндс', 'с пдв', 'brutto', 'iva incl', 'kdv dahil']);
export const INCLUDED_AFTER = { test: (text: string) => INCLUDED_WORDS.test(wordsInBrackets(text, false)) };
/** A price before tax, said before it ("Netto:", "HT") or after it ("exkl. MwSt.", "+ VAT"). */
const NET_BEFORE = endsWithPhrase(['netto', 'net', 'excl', 'excl.', 'exkl', 'exkl.', 'zzgl', 'zzgl.', 'ex tax', 'ex. tax', 'ex vat', 'excl. vat', 'excl. btw',
  'hors taxes', 'hors taxe', 'ht', 'bez dph', 'bez pdv', 'без ндс', 'sin iva', 'senza iva', 'sem impostos', 'ex moms', 'exkl. moms', 'nettó', 'netto cena',
  'nettó ár', 'cena netto', 'nettopreis', 'preis netto', 'net price', 'prix ht', 'fără tva', 'fara tva', 'áfa nélkül', 'bez pdv-a', 'χωρίς φπα', 'sem iva',
  'iva esclusa', 'iva excluida', 'kdv hariç', 'be pvm', 'bez pvn', 'ilma km', 'ekskl. moms', 'eks. mva', 'eks mva', 'ekskl. mva', 'exclusief btw',
  // Without VAT in Armenian, Azerbaijani, Georgian, Kazakh, Uzbek and Mongolian.
  'առանց աահ', 'ədv-siz', 'ədvsiz', 'დღგ-ს გარეშე', 'ққс-сыз', 'ққс есепсіз', 'qqssiz', 'qqs-siz', 'нөат-гүй',
  // Japanese "before tax" in brackets closing a label ("販売価格（税抜）").
  '税抜）', '税別）', '税抜)', '税別)'], true);
const NET_WORDS = startsWithPhrase(['netto', '税抜', '税別', 'excl', 'exkl', 'zzgl', 'hors taxe', 'bez dph', 'bez pdv', 'brez ddv', 'без ндс', 'без пдв', 'sin iva', 'senza iva', 'kdv hariç'],
  ['net', 'ht', ...['vat', 'tax', 'btw', 'moms', 'gst'].flatMap((tax) => ['ex', 'ex.'].flatMap((ex) => [`${ex}${tax}`, `${ex} ${tax}`])),
    // Turkey's trade view: "4.082,50 TL + KDV".
    ...['vat', 'mwst', 'iva', 'tva', 'btw', 'kdv'].flatMap((tax) => [`+${tax}`, `+ ${tax}`])]);
export const NET_AFTER = { test: (text: string) => NET_WORDS.test(wordsInBrackets(text, true)) };
/** The same price with tax, said before it ("Brutto:", "TTC") or after it ("inkl. 19 % MwSt."). */
const GROSS_BEFORE = endsWithPhrase(['brutto', '税込', 'inkl', 'inkl.', 'incl', 'incl.', 'incl. vat', 'inc. vat', 'ttc', 's dph', 'z dph', 'z ddv', 's pdv', 'sa pdv', 'с ндс', 'с пдв', 'iva incluido', 'bruttó', 'brutto cena', 'bruttó ár', 'cena brutto', 'bruttopreis', 'preis brutto', 'prix ttc', 'kdv dahil'], true);
/** How much more a price with tax is than the same price before it: the VAT rates of the world (3 % to 27 %). */
/**
 * Names of a price with or without tax: Magento's "price-including-tax" and "price-excluding-tax" show
 * their words ("Incl. VAT", "Excl. VAT") only from the stylesheet, out of their `data-label`.
 */
const GROSS_LABEL = caseless(/(?<![^\s_-])(?:price-)?(?:including-tax|incl-tax|inc-vat|incl-vat|with-tax|gross-price|price-gross|price-brutto)(?![^\s_-])/i);
const NET_LABEL = caseless(/(?<![^\s_-])(?:price-)?(?:excluding-tax|excl-tax|ex-vat|excl-vat|without-tax|without-taxes|net-price|price-net|price-netto)(?![^\s_-])/i);
const VAT_RATIO = { min: 1.025, max: 1.275 };

/** Short text right beside a text node (its siblings, its parent's siblings): "EGP" in its own element. */
function nearbyText(node: Node, parent: Element): string {
  const short = (n: Node | null) => (n && (n.nodeType === 3 || (n.nodeType === 1 && (n as Element).childElementCount <= 3)) ? (textUpTo(n, 200) ?? '').slice(0, 40) : '');
  return `${short(node.previousSibling)} ${short(node.nextSibling)} ${short(parent.previousSibling)} ${short(parent.nextSibling)} ${short(parent.previousElementSibling)} ${short(parent.nextElementSibling)}`;
}

/**
 * A currency written in an element of its own right beside the amount's ("69,000" <span>원</span>),
 * where other words in the box ("22%", a screen reader's "할인가") kept the amount's element from
 * taking it in: the short text without digits next to it, or null.
 */
function currencyBeside(el: Element, namesCurrency: (text: string) => boolean): string | null {
  // The first that names one: a range's dash may stand on the other side ("₫" "189.000" " - " "₫" "259.000").
  for (const node of [el.nextSibling, el.previousSibling, el.nextElementSibling, el.previousElementSibling]) {
    const text = node ? (textUpTo(node, 12) ?? '').trim() : '';
    if (text && text.length <= 6 && !/\d/.test(text) && namesCurrency(text)) return text;
  }
  return null;
}

/** The words of a price's own text after its amount and the currency beside it ("690원 적립" → " 적립"), or ''. */
function trailingWords(raw: string, hints: PageHints): string {
  let last = raw.length - 1;
  while (last >= 0 && (raw.charCodeAt(last) < 0x30 || raw.charCodeAt(last) > 0x39)) last -= 1;
  const rest = raw.slice(last + 1);
  // Cents written as a dash ("79.–", "3’499,-") are no words.
  if (!/\S/.test(rest.replace(/^[\s.,:\-–—]+/, ''))) return '';
  // Japanese, Chinese and Korean run their words into the currency after an amount ("1,500円以上", "2,200円(税抜)").
  const sign = CJK_CURRENCY_AFTER.exec(rest)?.[0] ?? /^\s*[^\s/]+/.exec(rest)?.[0] ?? '';
  return sign && currencyInText(sign.trim(), hints) !== null ? rest.slice(sign.length) : rest;
}
const CJK_CURRENCY_AFTER = /^\s*[円元원圓]/;

/** Words before an amount without the currency word that ends them ("Ongkir mulai Rp" → "Ongkir mulai"). */
function withoutCurrencyAtEnd(words: string, hints: PageHints): string {
  const last = /\S+$/.exec(words)?.[0];
  return last && currencyInText(last, hints) !== null ? words.slice(0, -last.length).trim() : words;
}

/** A digit as shops write them: ASCII, Arabic-Indic or Persian. */
const ANY_DIGIT = /[\d\u0660-\u0669\u06F0-\u06F9]/;

/** A price's text holds at most this many characters besides white space (longer is a container or a sentence). */
const MAX_PRICE_TEXT = 40;

/**
 * The price text of an element, with cents in their own element ("19" + <sup>99</sup>) joined by a
 * point, or by a comma after thousands grouped with points ("1.299" + <sup>99</sup>); null when it
 * holds more than MAX_PRICE_TEXT characters besides white space, which no price does: the walk stops
 * there instead of reading a whole block of the page to learn that it is long.
 */
/** The text after an element inside its parent. */
function textAfter(el: Element): string {
  let text = '';
  for (let node = el.nextSibling; node && text.length < 40; node = node.nextSibling) text += node.textContent ?? '';
  return text;
}

function priceTextOf(el: Element): string | null {
  const hidden = el.querySelector('.a-offscreen, [class*="sr-only"], [class*="visually-hidden"], [class*="screen-reader"]');
  if (hidden?.textContent && /\d/.test(hidden.textContent)) return hidden.textContent;
  let text = '';
  const walk = (node: Node): boolean => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 3) {
        const data = (child as Text).data;
        text += data;
        // Only a text with more than white space can take it past the limit: counted then, not for every node.
        if (text.length > MAX_PRICE_TEXT && /\S/.test(data) && text.replace(/\s+/g, '').length > MAX_PRICE_TEXT) return false;
      } else if (child.nodeType === 1) {
        const element = child as Element;
        // A screen reader's words around the amount ("Price reduced from" $149.90 "to") are not the price's text.
        if (SCREEN_READER_ONLY.test(element.getAttribute('class') ?? '')) continue;
        // Or the last of the price's pieces, two digits after the whole units ("$" "99" "00", as one big-box shop writes it,
        // also in a block of its own beside the unit of sale: "$" "39" "97" "/box").
        const isCents = element.tagName === 'SUP' || /fraction|cents?\b|decimal|price-?minor|small/i.test(element.getAttribute('class') ?? '')
          || (element.nextElementSibling === null && element.previousElementSibling !== null && !/\S/.test(textAfter(element)));
        // Joined by the separator the amount does not group its thousands with ("1.299" + "99" → "1.299,99").
        if (isCents && /\d$/.test(text.trim()) && /^\d{2}$/.test((element.textContent ?? '').trim())) text = `${text.trim()}${/\.\d{3}$/.test(text.trim()) ? ',' : '.'}`;
        if (!walk(element)) return false;
      }
    }
    return true;
  };
  return walk(el) ? text : null;
}

/** How many numbers a text holds, each with its separators ("1.299,00" is one, "45,000 39,000" two). */
function countNumbers(text: string): number {
  // The symbol between whole units and cents ("549€99", "449€ 99", as French shops print them) is one number's,
  // and so is Sweden's colon before the öre ("49:90").
  return text.replace(/(\d)(?:[\s\u00a0]?€\s?|[£$]|:)(\d{2})(?![\d.,:])/g, '$1.$2').match(/\d(?:[\d.,'\u2019\s\u00a0]*\d)?/g)?.length ?? 0;
}

/** The text an element holds itself, without its child elements' (at most a few hundred characters read). */
function ownText(el: Element): string {
  let text = '';
  for (let child = el.firstChild; child && text.length <= 200; child = child.nextSibling) if (child.nodeType === 3) text += (child as Text).data;
  return text;
}

/**
 * Whether the amount before a price, the last one before it in its block, is struck out: words between them
 * ("<del>89,99</del> Adviesprijs 54,99") name the struck one, as "Was" after "Now £10" names the next.
 */
function afterStruckAmount(el: Element): boolean {
  for (let node: Element | null = el, up = 0; node && up < 3; node = node.parentElement, up += 1) {
    for (let prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
      const text = prev.textContent ?? '';
      if (!/\d/.test(text)) continue;
      const struck = prev.matches(STRUCK) ? prev : Array.from(prev.querySelectorAll(STRUCK)).pop();
      if (!struck) return false;
      const struckText = struck.textContent ?? '';
      return !/\d/.test(text.slice(text.lastIndexOf(struckText) + struckText.length));
    }
  }
  return false;
}
const STRUCK = 'del, s, strike';

/**
 * Whether the element right after a price (or after the element holding only it) starts with words and
 * holds an amount with cents: the words are that amount's label ("Exkl. MwSt. 159,62 €", "zzgl. 4,95 € Versand"),
 * not words after this price. "mtl. in 24 Monaten" names no amount.
 */
function nextHoldsLabelledAmount(el: Element): boolean {
  for (let node: Element | null = el, up = 0; node && up < 2; node = node.parentElement, up += 1) {
    const next = node.nextElementSibling;
    if (next === null) continue;
    const text = (textUpTo(next, 200) ?? '').trim();
    return LEADING_LETTER.test(text) && AMOUNT_WITH_CENTS.test(text);
  }
  return false;
}
const LEADING_LETTER = new RegExp(`^[${LETTERS}]`);
const AMOUNT_WITH_CENTS = /\d[.,]\d{2}(?!\d)/;

/**
 * Text just before and after an element inside its block (for "Was", "inkl. MwSt.", "/ kg"). The product's
 * heading in the same block names the product, not the price: no words of it are read before the price (a
 * second-hand listing's "… lightly used, full set" is no other seller's "used" offer).
 */
function around(el: Element, heading: Element | null): { before: string; after: string } {
  const ownText = textUpTo(el, 400) ?? '';
  let block: Element | null = el.parentElement;
  // Up through the elements that hold only this price, or it twice (Amazon's screen-reader copy beside the shown one).
  const own = ownText.trim();
  for (let i = 0; block && i < 3 && block.childElementCount <= 8 && (own ? (textUpTo(block, 400) ?? '').split(own).join('').trim() === '' : (textUpTo(block, 400) ?? '').trim() === ''); i += 1) block = block.parentElement;
  if (!block || block.childElementCount > 30) return { before: '', after: '' };
  const blockText = textUpTo(block, 8000);
  if (blockText === null) return { before: '', after: '' };
  const all = blockText.replace(/\s+/g, ' ');
  const spaced = ownText.replace(/\s+/g, ' ').trim();
  const at = spaced ? all.indexOf(spaced) : -1;
  if (at < 0 || all.length > 2000) return { before: '', after: '' };
  // The copy right after it is the same price's, not words after it.
  let end = at + spaced.length;
  if (all.slice(end).trimStart().startsWith(spaced)) end = all.indexOf(spaced, end) + spaced.length;
  let from = Math.max(0, at - 40);
  if (heading && heading !== block && block.contains(heading) && !heading.contains(el)) {
    const name = (textUpTo(heading, 400) ?? '').replace(/\s+/g, ' ').trim();
    const named = name ? all.lastIndexOf(name, at) : -1;
    if (named >= 0 && named + name.length <= at) from = Math.max(from, named + name.length);
  }
  return { before: all.slice(from, at).trim(), after: all.slice(end, end + 40) };
}

const MANY_LETTERS = new RegExp(`[${LETTERS}]+`, 'g');
const WORDS_ADDED = new RegExp(`[${LETTERS}]{4,}|[${LETTERS}]+\\s+[${LETTERS}]+`);

/** Numbers in a text, each with its grouped thousands and cents ("$ 1.234.567 50" is one). */
const AMOUNTS = /\d+(?:[.,'\u2019\u00a0\u202f ]\d+)*/g;

/**
 * The outermost element holding just this price: "<span class=price><span>$</span><span>19</span>…",
 * but not the row around it that adds words ("Kindle Price:"), which are read as its context instead.
 * A price drawn a digit per element ("¥" "2" "9" "," "8" "0" "0") has up to a dozen.
 */
function priceElement(start: Element): Element {
  let el = start;
  for (let i = 0; i < 4 && el.parentElement && el.parentElement.tagName !== 'BODY' && el.parentElement.childElementCount <= 12; i += 1) {
    const parentText = textUpTo(el.parentElement, 400);
    if (parentText === null) break;
    const text = parentText.replace(/\s+/g, ' ').trim();
    if (text.length > 40 || (text.match(AMOUNTS)?.length ?? 0) > 3) break;
    const own = (textUpTo(el, 400) ?? '').replace(/\s+/g, ' ').trim();
    const added = text.replace(own, '');
    // Another amount beside this one (old and new price in one box): this element is the price. Cents
    // in their own element, two digits right after the amount ("$" "99" "49"), are part of it; "LE 64"
    // after "LE 34" is another price.
    const addedDigits = added.replace(/\D/g, '');
    const at = text.indexOf(own);
    const next = at < 0 ? '' : text.slice(at + own.length).replace(/^[\s.,]+/, '');
    const cents = addedDigits.length <= 2 && /\d\s*$/.test(own) && /^\d{2}(?!\d|\s*%)/.test(next);
    // Pieces of one amount, each in an element of its own ("R$" "2" "." "899" "," "00"), make one price;
    // the same digits repeated without a separator ("109" "109" "109") do not.
    const amounts = text.match(AMOUNTS) ?? [];
    const pieces = amounts.length === 1 && /[.,'\u00a0\u202f ]/.test(amounts[0]!) && !/[%٪]/.test(added);
    if (addedDigits && (!(cents || pieces) || NUMBER_IN_WORD_NEXT.test(next))) break;
    // Added letters that are not a currency ("EGP", "zł", "円") are words about the price: stop here.
    if (WORDS_ADDED.test(added)) break;
    el = el.parentElement;
  }
  return el;
}

/** Digits run into a word after the amount are a tag of their own ("NT$1,280" beside "76折": 24 % off), neither its cents nor a piece of it. */
const NUMBER_IN_WORD_NEXT = new RegExp(`^\\d+[${LETTERS}]`);

/** Tree levels within which another amount makes a "regular" or "list" price an old one. */
const NEAR_ANOTHER = 5;

/**
 * The last node inside an element (its deepest last descendant): a tree walker set there goes on
 * with the first text after the element.
 */
function lastInside(el: Node): Node {
  let last = el;
  while (last.lastChild) last = last.lastChild;
  return last;
}

/**
 * Elements whose text may be a price, in document order, from the text nodes under `root`. With
 * `skip`, a text inside a related block or site chrome ends the walk through that block: the outermost
 * such block is passed to `skip` and the walk goes on after it (most of a large page's text is there:
 * menus, footers, other products).
 */
/** Elements whose text is not shown as a price: a script's, a template's, a menu option's. */
const NOT_SHOWN_TEXT = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA', 'OPTION', 'TITLE']);

function priceElements(root: Element, layout: Layout, seen: Set<Element>, skip?: (block: Element) => void): { el: Element; start: Element }[] {
  const found: { el: Element; start: Element }[] = [];
  const walker = root.ownerDocument.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  let total = 0;
  for (let node = walker.nextNode(); node && total < 50_000; node = walker.nextNode(), total += 1) {
    // The length first: reading a long text (a script's, a description's) would copy it for nothing.
    // Indentation counts in a text's length: "\n" and 32 spaces around "LE 34" is still a short text.
    const length = (node as Text).length;
    if (length > 240) continue;
    const text = (node as Text).data;
    if (!ANY_DIGIT.test(text) || (length > 60 && text.trim().length > 60)) continue;
    const parent = node.parentElement;
    if (!parent || NOT_SHOWN_TEXT.has(parent.tagName)) continue;
    if (skip && layout.elsewhere(parent)) {
      let block = parent;
      while (block.parentElement && block.parentElement !== root && layout.elsewhere(block.parentElement)) block = block.parentElement;
      skip(block);
      walker.currentNode = lastInside(block);
      continue;
    }
    // Cheap first look: a currency sign or word in this text or the one around it, or a "price" name.
    // Cheapest first: the text itself, the names of its element and parent, then the text around it.
    if (!mayNameCurrency(text) && !PRICE_LABEL.test(`${layout.label(parent)} ${parent.parentElement ? layout.label(parent.parentElement) : ''}`) && !mayNameCurrency(nearbyText(node, parent))) continue;
    const el = priceElement(parent);
    if (seen.has(el)) continue;
    seen.add(el);
    found.push({ el, start: parent });
  }
  return found;
}

/** A product's code, letters and digits joined by hyphens ("รหัสสินค้า : BH-SR-087", whose "SR" is no Saudi riyal). */
const PRODUCT_CODE = /(?:^|[\s:：])[A-Za-z]+(?:-[A-Za-z0-9]+)*-\d+$/;

/**
 * A date or a time written alone ("12.05", "3/4/2024", "10:30"), not an amount: its parts within a day's
 * and a month's range, or an hour's and a minute's. "6.49" in a price's own element (Albert Heijn draws
 * "6" "." "49" and names the euro only in its aria-label) and Sweden's "49:90" are amounts.
 */
function dateOrTime(raw: string): boolean {
  const parts = /^(\d{1,2})([./:-])(\d{1,2})([./:-]\d{2,4})?$/.exec(raw);
  if (!parts) return false;
  if (parts[4]) return true;
  const [first, second] = [Number(parts[1]), Number(parts[3])];
  return parts[2] === ':' ? first <= 24 && second <= 59 : (first <= 31 && second <= 12) || (first <= 12 && second <= 31);
}

/**
 * The currency signs, punctuation and modifier symbols (Unicode's Sc, P and Sk; an ASCII colon aside)
 * that end the words before an amount ("Club Price: US$ ", "MRP:₹"), with a currency code: those of ASCII and
 * Latin-1, the spacing modifiers, Greek, Armenian, Hebrew, Arabic, the Indic scripts to Tamil, Thai, Khmer,
 * general punctuation, super- and subscripts, the currency block, CJK, kana, the rial sign, small and full-width forms.
 * Plain ranges: the same class written `[\p{Sc}\p{P}\p{Sk}]` cost 0.6 ms to compile in Chromium on the
 * first price of every page. prices.test.ts holds it to that class over these blocks.
 */
export const SIGN = /[\u0021-\u002A\u002C-\u002F\u003B\u003F-\u0040\u005B-\u0060\u007B\u007D\u00A1-\u00A5\u00A7-\u00A8\u00AB\u00AF\u00B4\u00B6-\u00B8\u00BB\u00BF\u02C2-\u02C5\u02D2-\u02DF\u02E5-\u02EB\u02ED\u02EF-\u02FF\u0375\u037E\u0384-\u0385\u0387\u055A-\u055F\u0589-\u058A\u058F\u05BE\u05C0\u05C3\u05C6\u05F3-\u05F4\u0609-\u060D\u061B\u061D-\u061F\u066A-\u066D\u06D4\u0964-\u0965\u0970\u09F2-\u09F3\u09FB\u09FD\u0A76\u0AF0-\u0AF1\u0BF9\u0E3F\u0E4F\u0E5A-\u0E5B\u17D4-\u17D6\u17D8-\u17DB\u2010-\u2027\u2030-\u2043\u2045-\u2051\u2053-\u205E\u207D-\u207E\u208D-\u208E\u20A0-\u20C1\u3001-\u3003\u3008-\u3011\u3014-\u301F\u3030\u303D\u309B-\u309C\u30A0\u30FB\uFDFC\uFE50-\uFE52\uFE54-\uFE61\uFE63\uFE68-\uFE6B\uFF01-\uFF0A\uFF0C-\uFF0F\uFF1A-\uFF1B\uFF1F-\uFF20\uFF3B-\uFF40\uFF5B\uFF5D\uFF5F-\uFF65\uFFE0-\uFFE1\uFFE3\uFFE5-\uFFE6]/;
/** A currency code and such signs at the end of the words before an amount. */
export const SIGNS_AT_END = new RegExp(`(?:[A-Z]{1,3}\\s*)?${SIGN.source}*\\s*$`);

/** A tax rate said after a price, in its own text: "inkl. 8.1% MwSt.", "(incl. 21% btw)", "zzgl. 19 % USt.". */
const TAX_RATE_NOTE = /\s*[(（]?\s*(?:inkl|incl|inc|including|zzgl|exkl|excl|excluding|plus|ohne|mit|sans|avec)\.?\s*\d{1,2}(?:[.,]\d{1,2})?\s*%\s*(?:mwst|ust|vat|btw|tva|iva|moms|dph|pdv|gst)\.?\s*[)）]?\s*$/i;

/** Two amounts joined by a dash in the element around a price ("9,90 € – 36,90 €", WooCommerce's variable products). */
const RANGE = /\d[^\d–—-]{0,6}\s[–—-]\s[^\d–—-]{0,6}\d/;

/** Whether a price is one end of a range shown in the element around it, or the one around that (with its words for screen readers). */
function rangeEnd(el: Element): boolean {
  for (let around = el.parentElement, up = 0; around && up < 2; around = around.parentElement, up += 1) {
    const text = textUpTo(around, 120);
    if (text === null || countNumbers(text) > 4) return false;
    if (RANGE.test(text)) return true;
  }
  return false;
}

export function priceCandidates(layout: Layout, heading: Element | null, hints: PageHints): PageCandidate[] {
  const { doc } = layout;
  if (!doc.body) return [];
  const seen = new Set<Element>();
  /**
   * Prices in related blocks and site chrome (most of a large page's: 33 of 37 on one marketplace page)
   * are read only when the product's own area shows no price to pay in a known currency: the scorer
   * never prefers them to one (they lose 7 points and count for no agreement). Their blocks are not
   * even walked until then.
   */
  const blocksElsewhere: Element[] = [];
  const elements = priceElements(doc.body, layout, seen, (block) => blocksElsewhere.push(block));
  const toHeading = distanceTo(heading ? [heading] : []);
  let count = Math.max(1, elements.length);
  /**
   * Elements inside a price already taken (the taken price elements and everything in them): a price
   * element is small, so listing its elements once costs less than walking up from every later one.
   */
  const insideTaken = new Set<Element>();
  const taken: { index: number; found: PageCandidate; oldBesideAnother: boolean; tax?: 'excluded' | 'included' }[] = [];
  const judge = (found: { el: Element; start: Element }, index: number, elsewhere: boolean) => {
    let { el } = found;
    const { start } = found;
    let ownOnly = false;
    if (insideTaken.has(el)) return;
    const text = priceTextOf(el);
    let raw = text === null ? '' : westernDigits(text).replace(/\s+/g, ' ').trim();
    // The tax rate in the price's own text ("CHF 1’826.90 inkl. 8.1% MwSt.") is a note on the price, read as the words after it.
    const rateNote = TAX_RATE_NOTE.exec(raw);
    if (rateNote) raw = raw.slice(0, rateNote.index).trim();
    // An element holding several prices (old and new) is a container: its parts are judged instead,
    // and so is the text of its own, beside a note in an element inside it ("39,000원 <span>(6,000원 할인)</span>").
    if (text === null || raw.length > MAX_PRICE_TEXT || countNumbers(raw) > 1) {
      const own = westernDigits(ownText(start)).replace(/\s+/g, ' ').trim();
      if (own.length > MAX_PRICE_TEXT || countNumbers(own) !== 1 || own === raw) return;
      [el, raw, ownOnly] = [start, own, true];
    }
    // A footnote's mark ("Finanzierung ab 18,75 € mtl. mehr<sup>1</sup>") is no amount.
    if (el.tagName === 'SUP' && /^\d{1,2}$/.test(raw)) return;
    // Words around a number ("Ready x5", "Save 20 today") make a name or a sentence, not a price.
    const wordsAround = raw.match(MANY_LETTERS) ?? [];
    if (wordsAround.join('').length > 14 || wordsAround.length > 3) return;
    // Hidden prices (templates, other variants' boxes) are many on large pages: asked first, and cheap.
    if (!layout.visible(el)) return;
    const named = `${layout.label(start)} ${layout.label(el)} ${el.parentElement ? layout.label(el.parentElement) : ''}`;
    const labelled = PRICE_LABEL.test(named);
    const withHost = { ...hints, hostname: hints.hostname ?? 'page' };
    const ownCurrency = currencyInText(raw, withHost);
    const currencyText = ownCurrency === null ? currencyBeside(el, (beside) => currencyInText(beside, withHost) !== null) : null;
    const namesCurrency = ownCurrency !== null || currencyText !== null;
    if (!labelled && !namesCurrency) return;
    if (!namesCurrency && QUANTITY_LABEL.test(layout.label(start))) return;
    if (/[%٪]/.test(raw) || dateOrTime(raw) || PRODUCT_CODE.test(raw)) return;
    const price = parsePriceText(raw, currencyText !== null ? { ...hints, currencyText } : hints);
    if (!price || price.amountMinor <= 0) return;
    const context = around(el, heading);
    // Words the price's own element puts before the amount ("Club Price: $11.34") say what it is too. A
    // colon ends them: "MRP:₹850" is India's maximum retail price, not a currency code "MRP".
    const digit = raw.search(/\d/);
    const lead = digit > 0 ? withoutCurrencyAtEnd(raw.slice(0, digit).replace(SIGNS_AT_END, '').trim(), withHost) : '';
    // What a screen reader says of the price's element is said before it too ("<span aria-label="Før-pris">899,00 kr.</span>").
    const spoken = spokenBefore(start) || (el === start ? '' : spokenBefore(el));
    const before = [context.before, spoken, lead].filter((part) => part !== '').join(' ');
    // So do the words it puts after the amount and its currency ("690원 적립", "2,99 €/kg").
    // Words in the element after the price that holds another amount are that amount's ("189,95 € <span>Exkl. MwSt. 159,62 €</span>").
    const after = `${trailingWords(raw, withHost)}${rateNote ? ` ${rateNote[0].trim()} ` : ''}${context.after && !nextHoldsLabelledAmount(el) ? context.after : ''}`;
    // The nearest element whose name says old or current decides; "product-sale product-retail" is a sale.
    let labelSays: 'old' | 'current' | 'oldBesideAnother' | null = null;
    for (const e of [start, el, el.parentElement, el.parentElement?.parentElement]) {
      const named = e ? layout.label(e) : '';
      if (CURRENT_LABEL.test(named)) labelSays = 'current';
      else if (OLD_LABEL.test(named)) labelSays = 'old';
      else if (BESIDE_ANOTHER_OLD_LABEL.test(named)) labelSays = 'oldBesideAnother';
      if (labelSays) break;
    }
    // Named a member's or card holder's price ("club-price", "price--member"), by itself or the elements holding it, or shown with a store card's icon.
    // Up to the block around the amount's element ("product__price--member" around "price-amount" around its "sr-only" copy).
    // A wrapper's name says less than the price's own: Gmarket's "price_real" (the price to pay) sits in "price_innerwrap-coupon".
    const ownCurrent = [start, el].some((e) => CURRENT_LABEL.test(layout.label(e)));
    const namedConditional = [start, el, ...(ownCurrent ? [] : [el.parentElement, el.parentElement?.parentElement])].some((e) => e != null && CONDITIONAL_LABEL.test(layout.label(e))) || storeCardPrice(el);
    // Struck out where the amount's own text sits (its tag or its own style), or around the whole price.
    const lineThrough = (e: Element | null) => {
      const style = e === null ? null : layout.style(e);
      return Boolean((style?.textDecorationLine || style?.textDecoration)?.includes('line-through'));
    };
    // Every element from the amount's own up to the price's, and the one around it (Cafe24 strikes a <span> between
    // the price's <td> and its <strong>).
    let struckBetween = false;
    for (let e: Element | null = start; e && !struckBetween; e = e === el ? null : e.parentElement) struckBetween = lineThrough(e);
    const struck = start.closest('del, s, strike, [data-a-strike="true"]') !== null || struckBetween || lineThrough(el.parentElement);
    // In a quantity-break table, rows for more than one piece are conditional; the "+" of a break ("1+", "10+")
    // belongs to its count, not to a surcharge ("+ 5,00 €").
    const pieces = tierRowCount(el);
    const tierBefore = pieces === null ? before : before.replace(BREAK_AT_END, '');
    const option = otherOption(start, layout);
    const candidate: Candidate = {
      field: 'price', source: 'heuristic', value: price.amountMinor, currency: price.currency,
      evidence: {
        labelled: labelled || namesCurrency,
        productLabelled: labelled && namesCurrency,
        old: struck || labelSays === 'old' || (OLD_BEFORE.test(before) && !(lead === '' && spoken === '' && afterStruckAmount(el))),
        conditional: namedConditional || option || optionalExtra(start) || (pieces ?? 0) > 1 || saysConditional(tierBefore, after),
        current: labelSays === 'current' || CURRENT_BEFORE.test(before),
        elsewhere,
        toHeading: toHeading(el),
        toBuy: layout.toBuy(el),
        fontSize: layout.fontSize(el),
        order: index / count,
        ...(rangeEnd(el) ? { rangeEnd: true } : {}),
        ...(option ? { option: true } : {}),
      },
    };
    insideTaken.add(el);
    // The elements inside are part of this price, unless only its own text was read: they are judged on their own.
    if (!ownOnly) for (const inner of Array.from(el.getElementsByTagName('*'))) insideTaken.add(inner);
    const oldBesideAnother = !candidate.evidence.old && (labelSays === 'oldBesideAnother' || OLD_BEFORE_BESIDE_ANOTHER.test(before));
    // A label of its own before a price (no amount in it) names it before the words after it, which may open the next
    // amount ("販売価格（税抜）" 2,180円 "税込 2,398円"); words right after another amount are that amount's ("£99.99 Ex VAT").
    const labelBefore = !/\d\D{0,16}$/.test(before);
    const tax = GROSS_BEFORE.test(before) ? 'included' : labelBefore && NET_BEFORE.test(before) ? 'excluded'
      : INCLUDED_AFTER.test(after) || GROSS_LABEL.test(named) ? 'included' : NET_BEFORE.test(before) || NET_AFTER.test(after) || NET_LABEL.test(named) ? 'excluded' : undefined;
    taken.push({ index, found: { el, candidate }, oldBesideAnother, tax });
  };
  elements.forEach((found, index) => judge(found, index, false));
  const toPay = taken.some(({ found: { candidate: { evidence, currency } } }) => !evidence.old && !evidence.conditional && currency && currency !== 'unknown');
  if (!toPay) {
    const elsewhere = blocksElsewhere.flatMap((block) => priceElements(block, layout, seen));
    count = Math.max(1, elements.length + elsewhere.length);
    elsewhere.forEach((found, index) => judge(found, elements.length + index, true));
  }
  // "Regular price", "price-item--regular": old when another amount stands within a few levels of it.
  for (const t of taken) {
    if (!t.oldBesideAnother) continue;
    const near = distanceTo([t.found.el]);
    // Another price to pay: a member's or card holder's price or an old one beside it leaves the regular price the one to pay.
    const another = taken.some((o) => o !== t && o.found.candidate.value !== t.found.candidate.value && !o.found.candidate.evidence.conditional && !o.found.candidate.evidence.old && near(o.found.el) <= NEAR_ANOTHER);
    if (another) t.found = withEvidence(t.found, { old: true });
  }
  netBesideGross(taken);
  convertedBesideEuro(taken);
  struckByRate(taken);
  return taken.sort((a, b) => a.index - b.index).map((t) => t.found);
}

/** The words of an element's `aria-label` before any amount in it ("Før-pris", "was $49.99" → "was"), or ''. */
function spokenBefore(el: Element): string {
  const said = el.getAttribute('aria-label');
  if (!said) return '';
  const digit = said.search(/\d/);
  return (digit < 0 ? said : said.slice(0, digit)).replace(SIGNS_AT_END, '').trim().slice(0, 60);
}

/** A discount rate in a price box: "17% off", "-17 %", "(65% OFF)", Turkish "%36". */
const RATE = /^\s*\(?\s*[-−]?\s*(?:(\d{1,2})\s*%|%\s*(\d{1,2}))/;

/**
 * Two amounts side by side in one box with the discount rate that parts them ("₹18,999" "₹22,999" "17% off"):
 * the higher is the old price, though only a stylesheet the saved page lacks strikes it (a class of hashed
 * names). Only when the rate matches the two amounts, to the point and a half.
 */
function struckByRate(taken: { found: PageCandidate }[]): void {
  const open = taken.filter((t) => !t.found.candidate.evidence.old && !t.found.candidate.evidence.conditional && !t.found.candidate.evidence.elsewhere);
  for (const high of open) {
    const box = high.found.el.parentElement;
    if (!box || box.childElementCount > 6) continue;
    const low = open.find((o) => o !== high && o.found.el.parentElement === box && o.found.candidate.currency === high.found.candidate.currency
      && Number(o.found.candidate.value) < Number(high.found.candidate.value));
    if (!low) continue;
    const off = (1 - Number(low.found.candidate.value) / Number(high.found.candidate.value)) * 100;
    const rated = Array.from(box.children).some((child) => {
      const rate = RATE.exec(textUpTo(child, 24) ?? '');
      return rate !== null && Math.abs(Number(rate[1] ?? rate[2]) - off) <= 1.5;
    });
    if (rated) high.found = withEvidence(high.found, { old: true });
  }
}

/** A taken price with more said of it (old, conditional, before tax), found once all prices are read. */
function withEvidence(found: PageCandidate, more: Partial<Candidate['evidence']>): PageCandidate {
  return { el: found.el, candidate: { ...found.candidate, evidence: { ...found.candidate.evidence, ...more } } };
}

/**
 * A price before tax shown beside the same price with tax ("Netto: 3.999,00 €" over "Brutto: 4.758,81 €
 * inkl. 19 % MwSt.", as business shops show both): the shopper pays the one with tax, so the amount before
 * tax is not a price to pay wherever else it stands (a tier table, a sticky bar), and a markup price of that
 * amount is then shown only as such. The price with tax need not say so: beside "122,87 € brez DDV", the
 * "149,90 €" a VAT rate above it is the one with tax (PrestaShop says "z DDV" in a line of its own further down).
 */
function netBesideGross(taken: { found: PageCandidate; tax?: 'excluded' | 'included' }[]): void {
  const gross = taken.filter((t) => t.tax !== 'excluded' && !t.found.candidate.evidence.old && !t.found.candidate.evidence.elsewhere
    && (t.tax === 'included' || !t.found.candidate.evidence.conditional));
  if (!gross.length) return;
  const net = new Set<number>();
  for (const t of taken) {
    if (t.tax !== 'excluded' || t.found.candidate.evidence.elsewhere) continue;
    const amount = Number(t.found.candidate.value);
    const near = distanceTo([t.found.el]);
    if (gross.some((g) => Number(g.found.candidate.value) / amount >= VAT_RATIO.min && Number(g.found.candidate.value) / amount <= VAT_RATIO.max && near(g.found.el) <= NEAR_ANOTHER)) net.add(amount);
  }
  for (const t of taken) {
    if (net.has(Number(t.found.candidate.value)) && !t.found.candidate.evidence.conditional) t.found = withEvidence(t.found, { conditional: true, beforeTax: true });
  }
}

/** Currencies a country's shops show beside the euro at the fixed rate it replaced them at (Bulgaria 2026, Croatia 2023). */
const REPLACED_BY_EURO: Readonly<Record<string, number>> = { BGN: 1.95583, HRK: 7.5345 };

/**
 * The same price in the euro and the currency it replaced, shown side by side as the law asks in the months
 * around the change ("379,90 €" "743,02 лв."): the one shown first is the price to pay (the euro after the
 * change, the old currency before it), the other its conversion.
 */
function convertedBesideEuro(taken: { index: number; found: PageCandidate }[]): void {
  const euros = taken.filter((t) => t.found.candidate.currency === 'EUR');
  if (!euros.length) return;
  const second = new Set<{ index: number; found: PageCandidate }>();
  for (const t of taken) {
    const rate = REPLACED_BY_EURO[t.found.candidate.currency ?? ''];
    if (!rate || t.found.candidate.evidence.conditional) continue;
    const amount = Number(t.found.candidate.value);
    const near = distanceTo([t.found.el]);
    const euro = euros.find((e) => Math.abs(Number(e.found.candidate.value) * rate - amount) <= Math.max(2, amount * 0.005) && near(e.found.el) <= NEAR_ANOTHER);
    if (euro) second.add(euro.index < t.index ? t : euro);
  }
  for (const t of second) t.found = withEvidence(t.found, { conditional: true });
}
