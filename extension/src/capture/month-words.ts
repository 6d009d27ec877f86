/**
 * Month names beside a number ("July, 2004", "4. Juli", "25 de março"), which make it a date rather
 * than a price. Read by hand from a set of words instead of one regular expression of every month in
 * six languages: the engine compiles a pattern on its first use in each page, and that pattern alone
 * cost about a millisecond of every capture (the content script starts afresh on each page).
 * month-words.test.ts holds these readers to the pattern they replace. Spec: docs/capture.md.
 */

/** Month names and their short forms, lower case (English, German, French, Spanish, Italian, Russian…). */
const MONTHS = new Set(('jan january januar janvier feb february februar févr février mar march mars marzo märz '
  + 'apr april avril abr abril may mayo mai jun june juni junio juin jul july juli julio juil juillet aug august ago '
  + 'agosto août sep sept september septembre septiembre oct october octobre octubre okt oktober nov november '
  + 'novembre noviembre dec december dez dezember déc décembre dic diciembre enero febrero январь января '
  + 'февраль февраля март марта апрель апреля май мая июнь июня июль июля август августа сентябрь сентября '
  + 'октябрь октября ноябрь ноября декабрь декабря').split(' '));

/** A letter as the date readers count letters: a-z, à-ÿ, а-я (lower case). */
function isLetter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0xe0 && code <= 0xff) || (code >= 0x430 && code <= 0x44f);
}

const SPACE = /\s/;
const isSpace = (text: string, at: number) => at >= 0 && at < text.length && SPACE.test(text[at]!);

/** The whole run of letters ending just before `end`, when it is a month's name. */
function monthEndingAt(text: string, end: number): boolean {
  let at = end;
  if (text[at - 1] === ',') at -= 1;
  if (text[at - 1] === '.') at -= 1;
  let start = at;
  while (start > 0 && isLetter(text.charCodeAt(start - 1))) start -= 1;
  return start < at && MONTHS.has(text.slice(start, at));
}

/** The whole run of letters starting at `start`, when it is a month's name. */
function monthStartingAt(text: string, start: number): boolean {
  let end = start;
  while (end < text.length && isLetter(text.charCodeAt(end))) end += 1;
  return end > start && MONTHS.has(text.slice(start, end));
}

/**
 * The text ends with a month's name, maybe with a point, a comma, "de" or "of" and spaces after it
 * ("July, ", "4. Juli ", "25 de março de "): the number after it is a day or a year.
 */
export function endsWithMonth(text: string): boolean {
  const lower = text.toLowerCase();
  let end = lower.length;
  while (isSpace(lower, end - 1)) end -= 1;
  if (monthEndingAt(lower, end)) return true;
  const word = lower.slice(end - 2, end);
  if ((word === 'de' || word === 'of') && isSpace(lower, end - 3)) {
    let before = end - 2;
    while (isSpace(lower, before - 1)) before -= 1;
    return monthEndingAt(lower, before);
  }
  return false;
}

/** The text starts with a month's name, maybe after a point, spaces, "de" or "of" ("Juli", ". März", " de julio"). */
export function startsWithMonth(text: string): boolean {
  const lower = text.toLowerCase();
  let at = lower[0] === '.' ? 1 : 0;
  while (isSpace(lower, at)) at += 1;
  if (monthStartingAt(lower, at)) return true;
  const word = lower.slice(at, at + 2);
  if ((word === 'de' || word === 'of') && isSpace(lower, at + 2)) {
    let after = at + 2;
    while (isSpace(lower, after)) after += 1;
    return monthStartingAt(lower, after);
  }
  return false;
}
