import { describe, expect, it } from 'vitest';
import { pageLayout } from './layout.ts';
import { priceCandidates } from './prices.ts';

const page = (body: string) => new DOMParser().parseFromString(`<!doctype html><html><body>${body}</body></html>`, 'text/html');

describe('priceCandidates', () => {
  it.each([
    ['12 990 тг.', 'shop.example.kz', 1299000, 'KZT'],
    ['1.290.000 đ', 'shop.example.vn', 1290000, 'VND'],
    ['S/ 59.90', 'tienda.example.pe', 5990, 'PEN'],
    ['৳1,299', 'shop.example.com.bd', 129900, 'BDT'],
    ['129,00 KM', 'shop.example.ba', 12900, 'BAM'],
    ['1.299 din.', 'prodavnica.example.rs', 129900, 'RSD'],
  ])('finds "%s" on %s in an element not named a price', (text, hostname, amountMinor, currency) => {
    const doc = page(`<h1 id="h">Desk lamp</h1><div><span>${text}</span></div><button type="button">Add to cart</button>`);
    const found = priceCandidates(pageLayout(doc), doc.getElementById('h'), { hostname });
    expect(found.map((p) => [p.candidate.value, p.candidate.currency])).toEqual([[amountMinor, currency]]);
  });
});
