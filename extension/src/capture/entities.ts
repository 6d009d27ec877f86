/**
 * HTML character references that shops leave in JSON-LD and meta text ("Caf&eacute;", "&trade;",
 * "&#8211;"), decoded by table, so the text is never handed to an HTML parser.
 */

// Latin-1 names for U+00A0..U+00FF, in code point order (HTML's own table for that range).
const LATIN1 = ('nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute '
  + 'micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil '
  + 'Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute '
  + 'Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute '
  + 'icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml').split(' ');

const NAMED = new Map<string, string>([
  ...LATIN1.map((name, i): [string, string] => [name, String.fromCodePoint(0xa0 + i)]),
  ['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"],
  ['OElig', 'Œ'], ['oelig', 'œ'], ['Scaron', 'Š'], ['scaron', 'š'], ['Yuml', 'Ÿ'], ['Zcaron', 'Ž'], ['zcaron', 'ž'],
  ['ndash', '–'], ['mdash', '—'], ['lsquo', '‘'], ['rsquo', '’'], ['sbquo', '‚'], ['ldquo', '“'], ['rdquo', '”'],
  ['bdquo', '„'], ['laquo', '«'], ['raquo', '»'], ['lsaquo', '‹'], ['rsaquo', '›'], ['hellip', '…'], ['bull', '•'],
  ['middot', '·'], ['prime', '′'], ['Prime', '″'], ['trade', '™'], ['euro', '€'], ['dagger', '†'], ['Dagger', '‡'],
  ['permil', '‰'], ['minus', '−'], ['ensp', ' '], ['emsp', ' '], ['thinsp', ' '], ['zwnj', ''], ['zwj', ''],
]);

/** The character a reference's name stands for: exact case first, then the lower-case name (&AMP;). */
function named(name: string): string | undefined {
  return NAMED.get(name) ?? NAMED.get(name.toLowerCase());
}

/**
 * Decodes numeric and named references; unknown or invalid ones stay as written. A text encoded twice
 * ("Tom &amp;amp; Jerry", "M&amp;uuml;hle": a template escaping what was escaped already) is decoded
 * twice: the shopper's page shows the name with "&", not "&amp;".
 */
export function decodeEntities(text: string): string {
  // Most texts hold no reference: the pattern is not run over them at all.
  if (!text.includes('&')) return text;
  const once = decodeOnce(text);
  return text.includes('&amp;') && /&(?:#x[0-9a-f]{1,6}|#\d{1,7}|[a-z][a-z0-9]{1,31});/i.test(once) ? decodeOnce(once) : once;
}

function decodeOnce(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z][a-z0-9]{1,31});/gi, (whole, code: string) => {
    if (code[0] !== '#') return named(code) ?? whole;
    const point = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
    const valid = Number.isFinite(point) && point > 0 && point < 0x110000 && !(point >= 0xd800 && point <= 0xdfff);
    return valid ? String.fromCodePoint(point) : whole;
  });
}
