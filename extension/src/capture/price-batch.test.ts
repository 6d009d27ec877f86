import { describe, expect, it } from 'vitest';
import { parsePriceLines } from './price-batch.ts';

describe('parsePriceLines', () => {
  it('gives one result per input line, in order, with minor units, currency and the decimal amount', () => {
    const out = parsePriceLines('1.234,56 €\n$19.99\n\nOut of stock\n12,000원\r\n16.00\tzł\n');
    expect(out.map((line) => [line.text, line.amountMinor, line.currency, line.amount])).toEqual([
      ['1.234,56 €', 123456, 'EUR', 1234.56],
      ['$19.99', 1999, null, 19.99],
      ['', null, null, null],
      ['Out of stock', null, null, null],
      ['12,000원', 12000, 'KRW', 12000],
      ['16.00', 1600, 'PLN', 16],
    ]);
  });

  it('gives the currency of a text that is only a currency\'s sign or name, with no amount; none for longer texts without one', () => {
    const out = parsePriceLines('chf\nтг\nCND\nPure & IP BP Ph. Eur. USP ACS\n');
    expect(out.map((line) => [line.amountMinor, line.currency, line.amount])).toEqual([[null, 'CHF', null], [null, 'KZT', null], [null, null, null], [null, null, null]]);
  });

  it('resolves shared symbols from the page when one is given', () => {
    expect(parsePriceLines('$19.99\n1 849 руб.', { hostname: 'shop.example.ca' }).map((l) => l.currency)).toEqual(['CAD', 'RUB']);
  });

  it('keeps the digits a text prints beyond the minor unit in the decimal amount', () => {
    expect(parsePriceLines('29.1583 GBP')[0]).toMatchObject({ amountMinor: 2916, amount: 29.1583 });
  });

  it('handles thousands of lines in one call', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `${i},99 €`).join('\n');
    const out = parsePriceLines(many);
    expect(out).toHaveLength(5000);
    expect(out[4999]).toMatchObject({ amountMinor: 499999, currency: 'EUR' });
  });
});
