export { extractProduct, type PassTimes, type CapturedProduct, type FieldOrigin, type FieldSource } from './extract-product.ts';
export { parsePriceText, type ParsedPrice } from './price-text.ts';
export { recognisePurchasePage, type PurchasePage, type PurchasePageKind } from './purchase-page.ts';
