/**
 * The capture code the content script runs, on the corpus of shop pages, in real Chromium as if each
 * page were served from its shop's URL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FIELDS, runCorpus, scoreCorpus, type PageOutcome } from '../support/capture-corpus.ts';

describe('capture corpus in Chromium', () => {
  let outcomes: PageOutcome[];
  // About half a second per page on a quiet two-core machine (63 s for 141 pages), more while other work runs.
  beforeAll(async () => {
    outcomes = await runCorpus();
  }, 300_000);

  it('recognises title, price, currency and image on every corpus product page', () => {
    const score = scoreCorpus(outcomes);
    console.log(`capture corpus: ${score.pages} pages, all four right on ${score.all_four_share * 100}%`);
    for (const outcome of outcomes) {
      if (outcome.page.expected === null) continue;
      const got = Object.fromEntries(FIELDS.map((field) => [field, outcome.product?.[field] ?? null]));
      expect(got, `${outcome.page.file} (${outcome.page.platform})`).toEqual(outcome.page.expected);
    }
  });

  it('shows nothing on pages that are not product pages (search results, category, home, article)', () => {
    const notProducts = outcomes.filter((outcome) => outcome.page.expected === null);
    expect(notProducts.length).toBeGreaterThanOrEqual(4);
    for (const outcome of notProducts) expect(outcome.product, `${outcome.page.file} (${outcome.page.platform})`).toBeNull();
  });
});
