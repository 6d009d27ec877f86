import { describe, expect, it } from 'vitest';
import { decodeEntities } from './entities.ts';

describe('decodeEntities', () => {
  it.each([
    ['Salt &amp; Pepper', 'Salt & Pepper'],
    ['&lt;b&gt;bold&lt;/b&gt;', '<b>bold</b>'],
    ['Caf&eacute; &Eacute;t&eacute;', 'Café Été'],
    ['&#8211; &#x2014; &#39;', '– — \''],
    ['&trade;&reg;&copy;&euro;&hellip;', '™®©€…'],
    ['&AMP; &QUOT;', '& "'],
    ['&amp;amp;', '&amp;'],
  ])('%s → %s', (input, expected) => {
    expect(decodeEntities(input)).toBe(expected);
  });

  it('leaves unknown, invalid and unterminated references as written', () => {
    expect(decodeEntities('&bogus; &#0; &#xD800; &#x110000; &amp &')).toBe('&bogus; &#0; &#xD800; &#x110000; &amp &');
  });
});
