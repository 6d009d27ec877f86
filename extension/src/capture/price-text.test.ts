import { describe, expect, it } from 'vitest';
import { parsePriceText } from './price-text.ts';

describe('parsePriceText', () => {
  it.each([
    ['1.234,56 €', {}, 123456, 'EUR'],
    ['€1,234.56', {}, 123456, 'EUR'],
    ['$1,234.56', {}, 123456, 'USD'],
    ['24.990', { currency: 'CLP' }, 24990, 'CLP'],
    ['$24.990', { hostname: 'tienda.example.cl' }, 24990, 'CLP'],
    ['₹1,23,456', {}, 12345600, 'INR'],
    ['Rs. 1,23,456.50', {}, 12345650, 'INR'],
    ["CHF 1'234.50", {}, 123450, 'CHF'],
    ['12,99 €', {}, 1299, 'EUR'],
    ['£12', {}, 1200, 'GBP'],
    ['from £12.50', {}, 1250, 'GBP'],
    ['12 – 18 USD', {}, 1200, 'USD'],
    ['USD 1,299', {}, 129900, 'USD'],
    ['1 299,00 zł', {}, 129900, 'PLN'],
    ['¥1,200', { lang: 'ja' }, 1200, 'JPY'],
    ['¥1,200', { lang: 'zh-CN' }, 120000, 'CNY'],
    ['1200円', {}, 1200, 'JPY'],
    ['C$19.99', {}, 1999, 'CAD'],
    ['$19.99', { lang: 'en-CA' }, 1999, 'CAD'],
    ['$19.99', { hostname: 'shop.example.com.au' }, 1999, 'AUD'],
    ['299 kr', { hostname: 'butik.example.se' }, 29900, 'SEK'],
    ['299,- kr', { lang: 'da' }, 29900, 'DKK'],
    ['1 500 RUR', {}, 150000, 'RUB'],
    ['1 500 ₽', {}, 150000, 'RUB'],
    ['KWD 1.250', {}, 1250, 'KWD'],
    ['₩12,000', {}, 12000, 'KRW'],
    ['R$ 1.299,90', {}, 129990, 'BRL'],
    ['19.99', {}, 1999, 'unknown'],
  ])('%s %j → %d %s', (text, hints, amountMinor, currency) => {
    expect(parsePriceText(text, hints)).toEqual({ amountMinor, currency });
  });

  it.each([['Out of stock'], ['Free delivery'], [''], ['Call for price']])('%j has no price', (text) => {
    expect(parsePriceText(text)).toBeNull();
  });
});
