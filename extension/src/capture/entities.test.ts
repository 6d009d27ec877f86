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
    // Encoded twice by a template that escapes what was escaped already: the page shows the name once decoded.
    ['Tom &amp;amp; Jerry', 'Tom & Jerry'],
    ['Kaffeem&amp;uuml;hle &amp;#8211; 1 l', 'Kaffeemühle – 1 l'],
    ['&amp;lt;b&amp;gt;', '<b>'],
  ])('%s → %s', (input, expected) => {
    expect(decodeEntities(input)).toBe(expected);
  });

  it('leaves unknown, invalid and unterminated references as written', () => {
    expect(decodeEntities('&bogus; &#0; &#xD800; &#x110000; &amp &')).toBe('&bogus; &#0; &#xD800; &#x110000; &amp &');
  });
});
