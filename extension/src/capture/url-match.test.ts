import { describe, expect, it } from 'vitest';
import { bestForPage, pageMatch } from './url-match.ts';

const page = 'https://www.shop.example/products/tee/?variant=2&utm_source=ig#reviews';

describe('pageMatch', () => {
  it('matches despite www, http, trailing slash, fragments and extra parameters, counting shared parameters', () => {
    expect(pageMatch('https://www.shop.example/products/tee/', page)).toBe(0);
    expect(pageMatch('http://shop.example/products/tee?variant=2', page)).toBe(1);
    expect(pageMatch('/products/tee?variant=2', page)).toBe(1);
    expect(pageMatch('/p?color=Navy%20Blue&size=M', 'https://shop.example/p?size=M&color=Navy+Blue')).toBe(2);
  });

  it('does not match another variant, path or host, or non-strings', () => {
    expect(pageMatch('/products/tee?variant=3', page)).toBe(-1);
    expect(pageMatch('/products/tee-2', page)).toBe(-1);
    expect(pageMatch('https://other.example/products/tee', page)).toBe(-1);
    expect(pageMatch(42, page)).toBe(-1);
    expect(pageMatch('/products/tee', 'not a url')).toBe(-1);
  });
});

describe('bestForPage', () => {
  it('prefers the entry naming the page most precisely, and keeps ties in order', () => {
    const entries = [{ url: '/products/tee' }, { url: '/products/tee?variant=1' }, { url: '/products/tee?variant=2' }, { url: '?variant=2' }];
    expect(bestForPage(entries, (e) => e.url, page)).toEqual([entries[2], entries[3]]);
    expect(bestForPage(entries, (e) => e.url, 'https://shop.example/products/tee')).toEqual([entries[0]]);
    expect(bestForPage(entries, (e) => e.url, 'https://shop.example/elsewhere')).toEqual([]);
  });
});
