import { minorDigits } from '@tote/core';
import { describe, expect, it } from 'vitest';
import { CURRENCY_CODES, currencyDigits, isCurrencyCode } from './currency-codes.ts';

describe('currency codes held as data', () => {
  it('give the same minor digits as Intl and the core, for every code', () => {
    for (const code of CURRENCY_CODES) expect([code, currencyDigits(code)]).toEqual([code, minorDigits(code)]);
  });

  it('know current codes and refuse words', () => {
    expect(isCurrencyCode('EUR')).toBe(true);
    expect(isCurrencyCode('KZT')).toBe(true);
    expect(isCurrencyCode('SKU')).toBe(false);
    expect(isCurrencyCode('VAT')).toBe(false);
  });
});
