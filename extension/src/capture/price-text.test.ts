import { describe, expect, it } from 'vitest';
import { parsePriceText } from './price-text.ts';

describe('parsePriceText', () => {
  it.each([
    ['1.234,56 €', {}, 123456, 'EUR'],
    ['€1,234.56', {}, 123456, 'EUR'],
    ['$1,234.56', { hostname: 'shop.example.com' }, 123456, 'USD'],
    ['$1,234.56', {}, 123456, 'unknown'],
    ['24.990', { currency: 'CLP' }, 24990, 'CLP'],
    ['$24.990', { hostname: 'tienda.example.cl' }, 24990, 'CLP'],
    ['₹1,23,456', {}, 12345600, 'INR'],
    ['Rs. 1,23,456.50', { hostname: 'shop.example.in' }, 12345650, 'INR'],
    ['Rs 1,250', { hostname: 'shop.example.pk' }, 1250, 'PKR'],
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
    ['49:90 kr', { hostname: 'butik.example.se' }, 4990, 'SEK'],
    ['1 299:90 kr', { hostname: 'butik.example.se' }, 129990, 'SEK'],
    ['199:- kr', { hostname: 'butik.example.se' }, 19900, 'SEK'],
    ['1 500 RUR', {}, 150000, 'RUB'],
    ['1 500 ₽', {}, 150000, 'RUB'],
    ['KWD 1.250', {}, 1250, 'KWD'],
    ['₩12,000', {}, 12000, 'KRW'],
    ['R$ 1.299,90', {}, 129990, 'BRL'],
    ['19.99', {}, 1999, 'unknown'],
    ['١٤٩٫٠٠ ر.س', {}, 14900, 'SAR'],
    ['١٬٢٩٩ د.إ', {}, 129900, 'AED'],
    // The Gulf's dinars and rials as their shops abbreviate them, three decimals each.
    ['١٢٫٥٠٠ د.ك', {}, 12500, 'KWD'],
    ['12.750 د.ب', {}, 12750, 'BHD'],
    ['18.500 ر.ع.', {}, 18500, 'OMR'],
    ['۱۲۹ €', {}, 12900, 'EUR'],
  ])('%s %j → %d %s', (text, hints, amountMinor, currency) => {
    expect(parsePriceText(text, hints)).toMatchObject({ amountMinor, currency });
  });

  it.each([
    ['₩12,000', {}, 12000, 'KRW'],
    ['12,000원', {}, 12000, 'KRW'],
    ['NT$ 1,160', {}, 1160, 'TWD'],
    ['15 990 ₸', {}, 15990, 'KZT'],
    ['3430 лв.', {}, 3430, 'BGN'],
    ['1 720,00 zł', {}, 1720, 'PLN'],
    ['9 800 Kč', {}, 9800, 'CZK'],
    ['7 990 kr', { hostname: 'butik.example.no' }, 7990, 'NOK'],
    ['7 990 kr', {}, 7990, null],
    ['1 849 руб.', { hostname: 'shop.example.ru' }, 1849, 'RUB'],
    ['1 849 руб.', { hostname: 'shop.example.by' }, 1849, 'BYN'],
    ['1 849 руб.', {}, 1849, null],
    ['LE 34', { hostname: 'eg.shop.example.com' }, 34, 'EGP'],
    ['AU $59.95', {}, 59.95, 'AUD'],
    ['99 LEI', {}, 99, 'RON'],
    ['SR 1,550', {}, 1550, 'SAR'],
    ['QR 249', {}, 249, 'QAR'],
    ['749,00 euro', {}, 749, 'EUR'],
    ['16.00', { currencyText: 'zł' }, 16, 'PLN'],
    ['$14.95', { currency: 'CAD' }, 14.95, 'CAD'],
    ['29.1583', { currencyText: 'GBP' }, 29.1583, 'GBP'],
    ['140.000', { decimalSeparator: ',' }, 140000, null],
    ['35€ 99', {}, 35.99, 'EUR'],
    ['1250€600', {}, 1250.6, 'EUR'],
    ['549 €99', {}, 549.99, 'EUR'],
    ['GH₵ 3,499.00', {}, 3499, 'GHS'],
    ['GH¢ 3,499.00', {}, 3499, 'GHS'],
    ['1 299€99', {}, 1299.99, 'EUR'],
    ['$15 $12', {}, 15, null],
    ['$.75', {}, 0.75, null],
    ['3 Ausgaben für nur 14,85 EUR', {}, 14.85, 'EUR'],
    ['12 – 18 USD', {}, 12, 'USD'],
    ['Free!', {}, 0, null],
    ['$.75,333', {}, 75333, null],
    ['$.750.30', { decimalSeparator: '.' }, 750.3, null],
    ['$..75,333', { decimalSeparator: '.' }, 0.75333, null],
    ['1 FBu', {}, 1, 'BIF'],
    ['1 Fdj', {}, 1, 'DJF'],
    ['Only $12.99 until July 4', {}, 12.99, null],
    ['£5.99, free delivery on orders over £40', {}, 5.99, 'GBP'],
    // Local currencies as their shops write them; a word that names one only on its country's pages.
    ['12 990 тг.', {}, 12990, 'KZT'],
    ['1.290.000 đ', {}, 1290000, 'VND'],
    ['1.290.000 VNĐ', {}, 1290000, 'VND'],
    ['S/ 59.90', {}, 59.9, 'PEN'],
    ['S/. 59.90', {}, 59.9, 'PEN'],
    ['Fr. 49.90', {}, 49.9, 'CHF'],
    ['1,290 บาท', {}, 1290, 'THB'],
    ['৳1,299', {}, 1299, 'BDT'],
    ['₡12,900', {}, 12900, 'CRC'],
    ['₲ 129.000', {}, 129000, 'PYG'],
    ['1 299 Lek', {}, 1299, 'ALL'],
    ['1.299 РСД', {}, 1299, 'RSD'],
    ['1.299 din', { hostname: 'prodavnica.example.rs' }, 1299, 'RSD'],
    ['Din pris 299 kr', { hostname: 'butik.example.dk' }, 299, 'DKK'],
    ['599 ден.', { hostname: 'prodavnica.example.mk' }, 599, 'MKD'],
    ['3 ден', { hostname: 'magazin.example.bg' }, 3, null],
    ['129,00 KM', { hostname: 'shop.example.ba' }, 129, 'BAM'],
    ['Range 129 KM', { hostname: 'shop.example.de' }, 129, null],
    ['Q 129.00', { hostname: 'tienda.example.com.gt' }, 129, 'GTQ'],
    ['Bs. 129', { hostname: 'tienda.example.bo' }, 129, 'BOB'],
    ['129 درهم', { hostname: 'shop.example.ae' }, 129, 'AED'],
    ['129 درهم', {}, 129, null],
    ['129 درهم', { hostname: 'shop.example.ma' }, 129, 'MAD'],
    ['1,290元', { hostname: 'shop.example.com.tw' }, 1290, 'TWD'],
    ['$1,290元', { hostname: 'shop.example.com.tw' }, 1290, 'TWD'],
    ['1,290元', { hostname: 'shop.example.cn' }, 1290, 'CNY'],
    ['1,290元', {}, 1290, null],
  ])('%s %j → amount %d, currency %s', (text, hints, amount, currency) => {
    const parsed = parsePriceText(text, hints);
    expect(parsed?.amount).toBe(amount);
    expect(parsed?.currency === 'unknown' ? null : parsed?.currency).toBe(currency);
  });

  // A space groups thousands only before three digits: a model's digit or a quantity before the amount
  // stays apart from it, while "1 299,00" and a space after the decimal separator still read as one number.
  it.each([
    ['Model R2 12,00 €', 1200],
    ['Ab 3 23,50 €', 2350],
    ['2 x 12,00 €', 1200],
    ['1 299,00 €', 129900],
    ['1 234 567 Ft', 1234567],
    ['$119. 95', 11995],
    ['1.837, 32 €', 183732],
  ])('%j reads %d in minor units', (text, minor) => {
    expect(parsePriceText(text)?.amountMinor).toBe(minor);
  });

  it('reads no price in a percentage', () => {
    expect(parsePriceText('40% OFF')).toBeNull();
  });

  it.each([['Out of stock'], ['Free delivery'], [''], ['Call for price']])('%j has no price', (text) => {
    expect(parsePriceText(text)).toBeNull();
  });

  // A date or a condition names a number that is no price to pay.
  it.each([
    ['July, 2004'], ['4. Juli 2025'], ['25 de marzo'], ['25-09'], ['25/09/2004'], ['25.09.2004'], ['2004-09-25'],
    ['Free Shipping on Orders $49+.'], ['Free delivery on orders over £40'], ['Versandkostenfrei ab 50 €'],
    ['Цена: уточняйте (мин. заказ: 1 )'], ['Minimum order: 10'],
  ])('%j is a date or a condition, not a price', (text) => {
    expect(parsePriceText(text)).toBeNull();
  });
});
