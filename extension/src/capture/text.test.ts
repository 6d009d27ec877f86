import { describe, expect, it } from 'vitest';
import { caseless, caselessAny } from './text.ts';

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

describe('caselessAny', () => {
  it('answers as the one pattern its parts make, whatever the case', () => {
    const whole = /related|recommend|(?<![^\s_-])nav(?![^\s_-])|footer|menu|mini-?cart/i;
    const parts = caselessAny(/related|recommend/i, /(?<![^\s_-])nav(?![^\s_-])|footer/i, /menu|mini-?cart/i);
    for (const text of ['Related-Products', 'product-RECOMMENDATIONS', 'site-nav', 'navigation', 'canvas', 'Footer', 'MiniCart', 'mini-cart', 'price-box', '']) {
      expect(parts.test(text), text).toBe(whole.test(text));
    }
  });

  it('matches nothing with no parts', () => {
    expect(caselessAny().test('anything')).toBe(false);
  });
});
