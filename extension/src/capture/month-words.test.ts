import { describe, expect, it } from 'vitest';
import { endsWithMonth, startsWithMonth } from './month-words.ts';

/** The patterns the readers replace (docs/capture.md, "Price text"), kept here to hold them to the same answers. */
const MONTH = 'jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|févr(?:ier)?|mar(?:ch|s|zo)?|märz|apr(?:il)?|avril|abr(?:il)?|may|mayo|mai|jun(?:e|i|io)?|juin|jul(?:y|i|io)?|juil(?:let)?|aug(?:ust)?|ago(?:sto)?|août|sep(?:t|tember|tembre|tiembre)?|oct(?:ober|obre|ubre)?|okt(?:ober)?|nov(?:ember|embre|iembre)?|dec(?:ember)?|dez(?:ember)?|déc(?:embre)?|dic(?:iembre)?|enero|febrero|январ[ья]|феврал[ья]|марта?|апрел[ья]|ма[йя]|июн[ья]|июл[ья]|августа?|сентябр[ья]|октябр[ья]|ноябр[ья]|декабр[ья]';
const MONTH_BEFORE = new RegExp(`(?:^|[^a-zà-ÿа-я])(?:${MONTH})\\.?,?(?:\\s+(?:de|of))?\\s*$`);
const MONTH_AFTER = new RegExp(`^\\.?\\s*(?:(?:de|of)\\s+)?(?:${MONTH})(?![a-zà-ÿа-я])`);
const before = (text: string) => MONTH_BEFORE.test(text.toLowerCase());
const after = (text: string) => MONTH_AFTER.test(text.toLowerCase());

describe('month names beside a number', () => {
  it.each([
    ['Published July, ', true], ['am 4. Juli ', true], ['Juli', true], ['25 de março de ', false], ['25 de julio de ', true],
    ['Ends Dec. ', true], ['sept.,', true], ['mars', true], ['Summars', false], ['Preis: ', false], ['was ', false],
    ['ab 12. Mai ', true], ['до 5 мая ', true], ['Mayor', false], ['of May of ', true], ['jan de', true], ['jan de.', false],
    ['jan,.', false], ['Jan.', true], ['', false], ['de ', false], ['dejan', false], ['x jan', true], ['xjan', false],
  ])('endsWithMonth(%j) is %s', (text, expected) => {
    expect(endsWithMonth(text)).toBe(expected);
    expect(before(text)).toBe(expected);
  });

  it.each([
    [' Juli 2024', true], ['. März', true], [' de julio', true], ['of May', true], ['Mayor', false], ['dejan', false],
    [' €', false], ['января', true], ['январьский', false], ['.jan', true], ['..jan', false], ['', false],
  ])('startsWithMonth(%j) is %s', (text, expected) => {
    expect(startsWithMonth(text)).toBe(expected);
    expect(after(text)).toBe(expected);
  });

  it('answers as the month patterns do on random texts around month names', () => {
    const parts = ['jan', 'Juli', 'märz', 'Mai', 'мая', 'июнь', 'sept', 'déc', 'de', 'of', 'x', 'ÿ', 'ё', 'a', '.', ',', ' ', '  ', '\u00a0', '\t', '4', '€', '-', 'É', 'İ'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 20_000; i += 1) {
      let text = '';
      for (let n = next() % 6; n >= 0; n -= 1) text += parts[next() % parts.length];
      expect(endsWithMonth(text), JSON.stringify(text)).toBe(before(text));
      expect(startsWithMonth(text), JSON.stringify(text)).toBe(after(text));
    }
  });
});
