import { describe, expect, it } from 'vitest';
import { availabilityOf } from './availability.ts';

describe('availabilityOf', () => {
  it('reads schema.org ItemAvailability names and OpenGraph words', () => {
    for (const name of ['InStock', 'https://schema.org/InStock', 'LimitedAvailability', 'PreOrder', 'BackOrder', 'OnlineOnly', 'in stock', 'available for order', 'preorder']) {
      expect(availabilityOf(name)).toBe('in_stock');
    }
    for (const name of ['OutOfStock', 'http://schema.org/SoldOut', 'Discontinued', 'out of stock', 'oos', 'out_of_stock']) {
      expect(availabilityOf(name)).toBe('out_of_stock');
    }
  });

  it('says unknown for anything else, never a guess', () => {
    for (const name of [null, undefined, '', 'Reserved', 'pending', 'Ships in 3 weeks', 'InStockish']) expect(availabilityOf(name)).toBeNull();
  });
});
