/**
 * The capture code the content script runs, on the corpus of shop pages, in real Chromium as if each
 * page were served from its shop's URL.
 */
import { describe, expect, it } from 'vitest';
import { FIELDS, runCorpus, scoreCorpus } from '../support/capture-corpus.ts';

describe('capture corpus in Chromium', () => {
  it('recognises title, price, currency and image on every corpus page', async () => {
    const outcomes = await runCorpus();
    const score = scoreCorpus(outcomes);
    console.log(`capture corpus: ${score.pages} pages, all four right on ${score.all_four_share * 100}%`);
    for (const outcome of outcomes) {
      const got = Object.fromEntries(FIELDS.map((field) => [field, outcome.product?.[field] ?? null]));
      expect(got, `${outcome.page.file} (${outcome.page.platform})`).toEqual(outcome.page.expected);
    }
  });
});
