import { describe, expect, it } from 'vitest';
import { toMinorUnits } from './price.ts';

describe('toMinorUnits', () => {
  it.each([
    [19.99, 'EUR', 1999],
    ['19.99', 'EUR', 1999],
    ['1,299.00', 'USD', 129900],
    ['1.299,00', 'EUR', 129900],
    ['1,299', 'USD', 129900],
    ['24.990', 'CLP', 24990],
    ['12.990', 'EUR', 1299],
    ['1200', 'JPY', 1200],
    ['1.250', 'KWD', 1250],
    ['12', 'USD', 1200],
    ['€ 34,90', 'EUR', 3490],
  ])('%j in %s is %d minor units', (value, currency, expected) => {
    expect(toMinorUnits(value, currency)).toBe(expected);
  });

  it.each([['free'], [''], [null], [{}], [-5], [Number.NaN]])('%j is no price', (value) => {
    expect(toMinorUnits(value, 'EUR')).toBeNull();
  });
});
