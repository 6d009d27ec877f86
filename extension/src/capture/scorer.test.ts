import { describe, expect, it } from 'vitest';
import type { Candidate } from './candidates.ts';
import { chooseFields, imageKey, scoreCandidates } from './scorer.ts';

const price = (value: number, source: Candidate['source'], evidence: Candidate['evidence'] = {}, currency = 'EUR'): Candidate => ({ field: 'price', source, value, currency, evidence });
const title = (value: string, source: Candidate['source'], evidence: Candidate['evidence'] = {}): Candidate => ({ field: 'title', source, value, evidence });
const image = (value: string, source: Candidate['source'], evidence: Candidate['evidence'] = {}): Candidate => ({ field: 'image', source, value, evidence });
const near = { labelled: true, productLabelled: true, toHeading: 2, toBuy: 1 };

describe('chooseFields', () => {
  it('takes the markup price the page shows', () => {
    const chosen = chooseFields([price(1999, 'json-ld', { shown: 'yes' }), price(1999, 'heuristic', near), price(899, 'heuristic', { ...near, elsewhere: true })]);
    expect(chosen.price?.candidate).toMatchObject({ value: 1999, source: 'json-ld' });
  });

  it('takes the markup\'s longer name unless its offer is another variant\'s, shown on the page only as an option not chosen', () => {
    const heading = title('Apple iPhone 16 Pro', 'heuristic', { h1: true, fontSize: 32, toBuy: 3 });
    const named = title('Apple iPhone 16 Pro (128 GB, Wüstensand)', 'json-ld');
    const shown = [price(114900, 'heuristic', { ...near, fontSize: 32 }), price(114900, 'heuristic', near)];
    expect(chooseFields([heading, named, price(114900, 'json-ld', { shown: 'yes' }), ...shown]).title?.candidate.value).toBe(named.value);
    const otherVariant = [heading, named, price(101900, 'json-ld', { shown: 'yes' }), price(101900, 'heuristic', { ...near, conditional: true, option: true }), ...shown];
    expect(chooseFields(otherVariant).title?.candidate.value).toBe(heading.value);
    expect(chooseFields(otherVariant).price?.candidate.value).toBe(114900);
    // A markup price the page shows before tax is no other variant's: the longer name stays.
    const net = [heading, named, price(95750, 'json-ld', { shown: 'beforeTax' }), price(95750, 'heuristic', { ...near, conditional: true }), ...shown];
    expect(chooseFields(net).title?.candidate.value).toBe(named.value);
  });

  it('takes the heading over a markup name that holds it only once their signs are dropped: the page words it so', () => {
    const heading = title('Apple iPhone 13 128GB – Midnight (Unlocked)', 'heuristic', { h1: true, labelled: true, fontSize: 28, toBuy: 1, inPageTitle: 0.8 });
    const named = title('Apple iPhone 13 128GB Midnight Unlocked - Refurbished', 'json-ld');
    expect(chooseFields([heading, named]).title?.candidate.value).toBe(heading.value);
    // Written inside the name as the page writes it, the name is the longer and more precise.
    const within = title('Apple iPhone 13 128GB – Midnight (Unlocked) – Refurbished', 'json-ld');
    expect(chooseFields([heading, within]).title?.candidate.value).toBe(within.value);
  });

  it('lets the price shown to pay win over a markup price the page shows only struck out', () => {
    const chosen = chooseFields([price(14900, 'json-ld', { shown: 'old' }), price(14900, 'heuristic', { ...near, old: true }), price(11900, 'heuristic', { ...near, current: true })]);
    expect(chosen.price?.candidate.value).toBe(11900);
  });

  it('lets a strong product photo the page shows win over a markup photo it shows nowhere (another colour\'s), not over one it shows', () => {
    const red = image('https://shop.example/media/jacket-red.jpg?size=784x833', 'heuristic', { productLabelled: true, labelled: true, area: 653072, toHeading: 5 });
    const grey = 'https://shop.example/media/jacket-grey.jpg?size=1000x1000';
    const markup = [image(grey, 'json-ld'), image(grey, 'microdata'), image(grey, 'open-graph')];
    expect(chooseFields([...markup, red]).image?.candidate.value).toBe(red.value);
    // Shown on the page too (a later slide): the markup's photo stays the product's.
    const greyShown = image(grey.replace('1000x1000', '784x833'), 'heuristic', { productLabelled: true, area: 653072, toHeading: 5, order: 0.2 });
    expect(chooseFields([...markup, red, greyShown]).image?.candidate.value).toContain('jacket-grey');
    // A photo whose file did not load (no size to read) is strong enough by its name, alt text and place.
    const graphite = image('https://shop.example/media/x5-graphite-front.jpg', 'heuristic', { productLabelled: true, labelled: true, area: 4655, toHeading: 4 });
    expect(chooseFields([image(grey, 'json-ld'), image(grey, 'open-graph'), graphite]).image?.candidate.value).toBe(graphite.value);
    // Nothing strong on the page (no name, no alt text): the markup's photo.
    const weak = image('https://shop.example/media/jacket-red.jpg', 'heuristic', { area: 653072, toHeading: 5 });
    expect(chooseFields([...markup, weak]).image?.candidate.source).toBe('json-ld');
  });

  it('lets a strong shown price win over a markup price shown nowhere, and keeps the markup when the page shows nothing strong', () => {
    const shown = price(69900, 'heuristic', { ...near, current: true, toHeading: 1 });
    expect(chooseFields([price(66405, 'microdata', { shown: 'no' }), shown]).price?.candidate.value).toBe(69900);
    expect(chooseFields([price(66405, 'microdata', { shown: 'no' }), price(1200, 'heuristic', { labelled: true, toHeading: 30 })]).price?.candidate.value).toBe(66405);
    // A range's lowest price ("from") the page shows nowhere loses even to a fair price to pay, when a plain markup price would not.
    const fair = price(24999, 'heuristic', { labelled: true, current: true, toHeading: 8, toBuy: 6, order: 0.4 });
    expect(chooseFields([price(19999, 'json-ld', { shown: 'no', lowest: true }), fair]).price?.candidate.value).toBe(24999);
    expect(chooseFields([price(19999, 'json-ld', { shown: 'no' }), fair]).price?.candidate.value).toBe(19999);
  });

  it('lets a strong current price beside the name win over a range\'s lowest price the page shows only as a "from" line', () => {
    const from = price(1490, 'heuristic', { labelled: true, toHeading: 5, toBuy: 5, order: 0.14 });
    const chosen = price(2990, 'heuristic', { ...near, current: true });
    expect(chooseFields([price(1490, 'json-ld', { shown: 'yes', lowest: true }), from, chosen]).price?.candidate.value).toBe(2990);
    // The lowest price is itself the current one beside the name: it stays.
    expect(chooseFields([price(1490, 'json-ld', { shown: 'yes', lowest: true }), price(1490, 'heuristic', { ...near, current: true }), price(2990, 'heuristic', { ...near, current: true, order: 0.5 })])
      .price?.candidate.value).toBe(1490);
  });

  it('lets the chosen variant\'s price win over a range\'s lowest price the page shows as the range\'s end', () => {
    const low = price(125000, 'heuristic', { ...near, toHeading: 99, toBuy: 2 });
    const chosen = price(145000, 'heuristic', { ...near, toHeading: 99, toBuy: 4, order: 0.3, variant: 'shown' });
    expect(chooseFields([price(125000, 'json-ld', { shown: 'yes', lowest: true }), low, chosen]).price?.candidate.value).toBe(145000);
    // Without a chosen variant the range's lowest price stands.
    expect(chooseFields([price(125000, 'json-ld', { shown: 'yes', lowest: true }), low, { ...chosen, evidence: { ...chosen.evidence, variant: undefined } }]).price?.candidate.value).toBe(125000);
  });

  it('lets the chosen variant\'s price win over the ends of a range the page shows by its heading, with or without markup', () => {
    const low = price(990, 'heuristic', { ...near, fontSize: 20, rangeEnd: true });
    const high = price(3690, 'heuristic', { ...near, fontSize: 20, order: 0.1, rangeEnd: true });
    const chosen = price(2490, 'heuristic', { ...near, toHeading: 5, toBuy: 13, fontSize: 20, order: 0.4, variant: 'shown' });
    expect(chooseFields([low, high, chosen]).price?.candidate.value).toBe(2490);
    expect(chooseFields([price(990, 'json-ld', { shown: 'yes', lowest: true }), price(990, 'open-graph', { shown: 'yes' }), low, high, chosen]).price?.candidate.value).toBe(2490);
    // Without a chosen variant the range's first price stands.
    expect(chooseFields([low, high, { ...chosen, evidence: { ...chosen.evidence, variant: undefined } }]).price?.candidate.value).toBe(990);
  });

  it('never takes a conditional, old or related price when a price to pay is next to the heading', () => {
    const chosen = chooseFields([
      price(1456, 'heuristic', { ...near, conditional: true }), price(2699, 'heuristic', { ...near, old: true }),
      price(999, 'heuristic', { ...near, elsewhere: true, current: true }), price(1618, 'heuristic', { ...near, toHeading: 3 }),
    ]);
    expect(chosen.price?.candidate.value).toBe(1618);
  });

  it('prefers the product heading to promotions, statuses and headings of other blocks', () => {
    const chosen = chooseFields([
      title('15% sparen', 'heuristic', { h1: true, promo: true, fontSize: 24 }),
      title('Customers also bought', 'heuristic', { h1: false, elsewhere: true, fontSize: 24 }),
      title('Steel Kettle 1.7 l', 'heuristic', { h1: true, productLabelled: true, inPageTitle: 1, fontSize: 28 }),
    ]);
    expect(chosen.title?.candidate.value).toBe('Steel Kettle 1.7 l');
  });

  it('takes the markup name the page shows in two headings of its own, the brand\'s and the name\'s', () => {
    const heading = { h1: true, productLabelled: true, labelled: true, fontSize: 32, inPageTitle: 1, toBuy: 2 };
    const chosen = chooseFields([
      title('Kasbah Lane', 'heuristic', { ...heading, order: 0.46 }),
      title('Men Navy Blue Tartan Checked Slim Fit Casual Shirt', 'heuristic', { ...heading, order: 0.47 }),
      title('Kasbah Lane Men Navy Blue Tartan Checked Slim Fit Casual Shirt', 'json-ld'),
    ]);
    expect(chosen.title?.candidate.value).toBe('Kasbah Lane Men Navy Blue Tartan Checked Slim Fit Casual Shirt');
  });

  it('takes the whole heading over one word of it, the range name, however named and repeated in the page title', () => {
    const chosen = chooseFields([
      title('MOSHULT', 'heuristic', { h1: true, productLabelled: true, labelled: true, fontSize: 32, inPageTitle: 1, toBuy: 5, order: 0.125, fragment: true }),
      title('MOSHULT Foam mattress, firm, white', 'heuristic', { h1: true, productLabelled: true, fontSize: 32, inPageTitle: 0.6, toBuy: 4 }),
    ]);
    expect(chosen.title?.candidate.value).toBe('MOSHULT Foam mattress, firm, white');
  });

  it('takes the heading when it holds the markup name and more of the product, and the markup name when it holds the heading and a variant', () => {
    expect(chooseFields([title('Peanut Butter (Crunchy)', 'json-ld'), title('Peanut Butter (Crunchy) (1 kg)', 'heuristic', { h1: true, inPageTitle: 0.5 })]).title?.candidate.value)
      .toBe('Peanut Butter (Crunchy) (1 kg)');
    expect(chooseFields([title('Everyday Hoodie – XL', 'json-ld'), title('Everyday Hoodie', 'heuristic', { h1: true, inPageTitle: 1, fontSize: 32 })]).title?.candidate.value)
      .toBe('Everyday Hoodie – XL');
    expect(chooseFields([title('Kettle', 'json-ld'), title('Buy Kettle online at Shop', 'heuristic', { h1: true })]).title?.candidate.value).toBe('Kettle');
  });

  it('prefers the main product image to logos, swatches and related products, and lets sources agree on the same photo', () => {
    const chosen = chooseFields([
      image('https://s.example/logo.png', 'heuristic', { notProduct: true, toHeading: 1 }),
      image('https://s.example/related.jpg', 'heuristic', { elsewhere: true, area: 200_000 }),
      image('https://s.example/p/61abc._SX300_.jpg', 'heuristic', { productLabelled: true, toHeading: 4, area: 90_000 }),
    ]);
    expect(chosen.image?.candidate.value).toBe('https://s.example/p/61abc._SX300_.jpg');
    expect(imageKey('https://s.example/p/61abc._SL1500_.jpg')).toBe(imageKey('https://s.example/p/61abc._SX300_.jpg'));
    // SAP Commerce's media formats, before or after the photo's name.
    expect(imageKey('https://s.example/medias/1200Wx1200H-WGG244A0FR-01.jpg?context=a')).toBe(imageKey('https://s.example/medias/2000Wx2000H-WGG244A0FR-01.jpg?context=b'));
    expect(imageKey('https://s.example/medias/4012345-01-96Wx96H?context=a')).toBe(imageKey('https://s.example/medias/4012345-01-1200Wx1200H?context=b'));
    expect(imageKey('https://s.example/medias/4012345-01-96Wx96H')).not.toBe(imageKey('https://s.example/medias/4012345-02-96Wx96H'));
    // Salla's resized copies and Shopify's named sizes as Haravan keeps them name the same photo.
    expect(imageKey('https://cdn.salla.example/XqWvE/nmwWPjxCfUG8-500x500-8p0YXbPLK6GW.jpg')).toBe(imageKey('https://cdn.salla.example/XqWvE/nmwWPjxCfUG8.jpg'));
    expect(imageKey('https://product.hstatic.example/p/tea-01_ab12_grande.jpg')).toBe(imageKey('https://product.hstatic.example/p/tea-01_ab12_master.jpg'));
    expect(imageKey('https://product.hstatic.example/p/tea-01_ab12_grande.jpg')).not.toBe(imageKey('https://product.hstatic.example/p/tea-02_cd34_grande.jpg'));
    expect(chooseFields([image('https://s.example/og-logo-site.png', 'open-graph', { notProduct: true }), image('https://s.example/p/photo.jpg', 'heuristic', { productLabelled: true, toHeading: 2 })]).image?.candidate.value)
      .toBe('https://s.example/p/photo.jpg');
  });

  it('leaves a field empty rather than guessing from weak evidence, and ranks every candidate with a confidence', () => {
    expect(chooseFields([price(500, 'heuristic', { elsewhere: true })]).price).toBeUndefined();
    const scored = scoreCandidates([price(1999, 'json-ld', { shown: 'yes' }), price(500, 'heuristic', { elsewhere: true })]);
    expect(scored[0]!.candidate.value).toBe(1999);
    expect(scored[0]!.confidence).toBeGreaterThan(scored[1]!.confidence);
    expect(scored.every((s) => s.confidence > 0 && s.confidence < 1)).toBe(true);
  });
});
