import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { countryCurrency, currencyInText, mayNameCurrency, type PageHints } from './currency.ts';

/** Real price strings (../shared/capture-dev, beside the checkout in CI too). */
const CASES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/capture-dev/price-text-cases.json');
const realTexts = existsSync(CASES)
  ? (JSON.parse(readFileSync(CASES, 'utf8')) as { cases: { input: string | null }[] }).cases.flatMap((c) => (c.input ? [c.input] : []))
  : [];

const HINTS: PageHints[] = [{}, { hostname: 'shop.example.de', lang: 'de' }, { hostname: 'shop.example.za' }, { hostname: 'shop.example.rs', lang: 'sr' },
  { hostname: 'shop.example.ba' }, { hostname: 'shop.example.gt' }, { hostname: 'shop.example.bo' }, { hostname: 'shop.example.mk' }, { hostname: 'shop.example.se' }];

describe('mayNameCurrency, the filter before the full reading', () => {
  const written = ['19,99 €', '$5', 'EUR 5', '5 lei', '10,75 TL', '749,00 euro', '1 chf', '12 kr', '100 р.', '100 Р', 'Fr. 12', '12 euros', '599 ден.',
    '12 990 тг.', 'S/ 59.90', '129,00 KM', 'Q 129.00', 'Bs. 129', 'R 100', '100 din', 'LE 34', '34 جنيه', '1 ر.س', '₨ 500', '2963yen', '1 VNĐ', '3 000 сом',
    '1 250 000 so‘m', "1 250 000 so'm", '1 250 000 soʻm', '1 250 000 сўм', '1 250 000 сум'];

  it('lets through every text the full reading names a currency in, real or written', () => {
    const missed = [...written, ...realTexts].filter((text) => HINTS.some((hints) => currencyInText(text, hints) !== null) && !mayNameCurrency(text));
    expect(missed).toEqual([]);
  });

  it('stops the short texts with digits that name no currency', () => {
    for (const text of ['4.5 out of 5 stars', 'Ready in 2 days', 'Only 3 left', '2 items', 'Size 42', 'first 3 orders', 'Step 2 of 4', '1.234 Bewertungen']) {
      expect(mayNameCurrency(text), text).toBe(false);
    }
  });
});

describe('countryCurrency', () => {
  it('names the currency of the country a page sells in, by its domain, else its language tag\'s region', () => {
    expect(countryCurrency({ hostname: 'www.turutstyr.example.no' })).toBe('NOK');
    expect(countryCurrency({ hostname: 'shop.example.co.uk' })).toBe('GBP');
    expect(countryCurrency({ hostname: 'www.puoti.example.fi' })).toBe('EUR');
    expect(countryCurrency({ hostname: 'shop.example.com', lang: 'sv-SE' })).toBe('SEK');
    // A language alone names no country ("sv" is also El Salvador's domain); a generic domain none either.
    expect(countryCurrency({ hostname: 'shop.example.com', lang: 'sv' })).toBeNull();
    expect(countryCurrency({ hostname: 'shop.example.com' })).toBeNull();
  });
});

describe('currencyInText: the so\'m', () => {
  it('reads Uzbekistan\'s so\'m with each apostrophe its shops type, and in Cyrillic', () => {
    for (const text of ['1 250 000 so‘m', "1 250 000 so'm", '1 250 000 soʻm', '1 250 000 So’m', '1 250 000 сўм', '1 250 000 сум']) expect(currencyInText(text, {}), text).toBe('UZS');
  });
});

describe('currencyInText: the Moldovan leu and the tögrög', () => {
  it('reads "lei" as the Moldovan leu on a Moldovan page, the Romanian leu elsewhere, and "₮" as the tögrög', () => {
    expect(currencyInText('3 499 lei', { hostname: 'tehnoplus.example.md' })).toBe('MDL');
    expect(currencyInText('3 499 Lei', { hostname: 'shop.example.com', lang: 'ro-MD' })).toBe('MDL');
    expect(currencyInText('3 499 lei', { hostname: 'shop.example.ro' })).toBe('RON');
    expect(currencyInText('3 499 RON', { hostname: 'tehnoplus.example.md' })).toBe('RON');
    expect(currencyInText('189,000₮', { hostname: 'shop.example.mn' })).toBe('MNT');
  });
});
