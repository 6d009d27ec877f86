import { describe, expect, it } from 'vitest';
import { caseless } from './text.ts';

describe('caseless', () => {
  it('matches text in any case as the case-insensitive pattern does, in several scripts', () => {
    const pattern = /in den warenkorb|в корзину|ajouter au panier|Kč|[A-Z]{3}\b|\bR\b/i;
    const test = caseless(pattern);
    for (const text of ['IN DEN WARENKORB', 'In den Warenkorb', 'В КОРЗИНУ', 'Ajouter Au Panier', '169 KČ', '12 eur', 'R 15', 'r 15', '12', 'Rx', 'в корзине']) {
      expect(test.test(text), text).toBe(pattern.test(text));
    }
  });

  it('keeps upper-case escapes as written (\\S, \\D, \\W, \\B)', () => {
    expect(caseless(/^\S+$/i).test('Price')).toBe(true);
    expect(caseless(/^\S+$/i).test('a b')).toBe(false);
    expect(caseless(/^\D+$/i).test('EUR')).toBe(true);
    expect(caseless(/A\B/i).test('Ab')).toBe(true);
    expect(caseless(/A\W/i).test('a-')).toBe(true);
  });
});
