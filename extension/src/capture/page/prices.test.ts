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

  it('reads the prices of related blocks and site chrome only when the product\'s own area shows none to pay', () => {
    const related = `<section class="related-products"><h2>Customers also bought</h2><ul>
      <li><a href="/p/2">Desk lamp shade</a> <span>$12.00</span></li><li><a href="/p/3">Bulb</a> <span>$4.50</span></li></ul></section>
      <footer><p>Free shipping over $49.00</p></footer>`;
    const own = page(`<h1 id="h">Desk lamp</h1><div><span>$39.99</span></div><button type="button">Add to cart</button>${related}<p>Only <span>$1.00</span> more</p>`);
    const shown = priceCandidates(pageLayout(own), own.getElementById('h'), { hostname: 'shop.example.com' });
    // The blocks' prices are not read; the page's own texts after them still are.
    expect(shown.map((p) => [p.candidate.value, p.candidate.evidence.elsewhere])).toEqual([[3999, false], [100, false]]);

    const none = page(`<h1 id="h">Desk lamp</h1><p>Sold out</p>${related}`);
    const elsewhere = priceCandidates(pageLayout(none), none.getElementById('h'), { hostname: 'shop.example.com' });
    expect(elsewhere.map((p) => [p.candidate.value, p.candidate.evidence.elsewhere])).toEqual([[1200, true], [450, true]]);
  });
});
