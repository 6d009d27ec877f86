import { describe, expect, it } from 'vitest';
import { priceMarks } from './price-history.ts';

describe('priceMarks', () => {
  it('starts at the price seen when added and marks every drop and rise', () => {
    expect(priceMarks({ addedAt: 1, addedPriceMinor: 3000, priceHistory: [{ at: 2, priceMinor: 2500 }, { at: 3, priceMinor: 2700 }, { at: 4, priceMinor: 2000 }] }))
      .toEqual([
        { at: 1, priceMinor: 3000, kind: 'added' }, { at: 2, priceMinor: 2500, kind: 'drop' },
        { at: 3, priceMinor: 2700, kind: 'rise' }, { at: 4, priceMinor: 2000, kind: 'drop' },
      ]);
  });

  it('has no added point when the price was unknown then', () => {
    expect(priceMarks({ addedAt: 1, addedPriceMinor: null, priceHistory: [{ at: 2, priceMinor: 900 }] })).toEqual([{ at: 2, priceMinor: 900, kind: 'same' }]);
    expect(priceMarks({ addedAt: 1, addedPriceMinor: null, priceHistory: [] })).toEqual([]);
  });
});
