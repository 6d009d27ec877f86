/**
 * Word lists read by hand: a text starts or ends with one of a list's phrases. Each list used to be one
 * long case-insensitive regular expression; the engine compiles a pattern on its first use in each
 * page, and the content script starts afresh on every page, so each long list cost a few tenths of a
 * millisecond of every capture before it tested a single text. Here a list is a map from a phrase's
 * first (or last) character to its phrases, built on first use: a text is lower-cased once and
 * compared with the few phrases that can match it. word-lists.test.ts holds each reader to the
 * pattern it replaces. Measured in Chromium, the seven lists read here cost about 1.7 ms together as
 * patterns under load, and the capture as a whole did not get measurably faster: the lists that search
 * for their words anywhere in a text stay patterns. Spec: docs/capture.md, "Cheap enough for every
 * shop page".
 */
import type { TextTest } from './text.ts';

/** Digits ending at `end`: the index where they start (`end` when there are none). */
export function digitsBefore(text: string, end: number): number {
  let start = end;
  while (start > 0 && text.charCodeAt(start - 1) >= 0x30 && text.charCodeAt(start - 1) <= 0x39) start -= 1;
  return start;
}

/** White space as `\s` counts it ending at `end`: the index where it starts. */
export function spacesBefore(text: string, end: number): number {
  let start = end;
  while (isSpaceAt(text, start - 1)) start -= 1;
  return start;
}

/** A character that `\b` counts as part of a word (ASCII letters, digits, underscore). */
function isAsciiWord(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}

/** An ASCII character that is not a letter (a digit, a sign, punctuation): no word goes on through it. */
function isAsciiNonLetter(code: number): boolean {
  return code < 0x80 && !((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a));
}

/** CJK and full-width punctuation ("（", "【", "：", "、"), which Chinese and Japanese pages write beside their words. */
function isWidePunctuation(code: number): boolean {
  return (code >= 0x3000 && code <= 0x303f) || (code >= 0xff01 && code <= 0xff0f) || (code >= 0xff1a && code <= 0xff20)
    || (code >= 0xff3b && code <= 0xff40) || (code >= 0xff5b && code <= 0xff65);
}

const SPACE = /\s/;
/** Whether the character at `at` is white space as `\s` counts it (false outside the text). */
export const isSpaceAt = (text: string, at: number): boolean => at >= 0 && at < text.length && SPACE.test(text[at]!);

interface Phrase {
  readonly text: string;
  /** The phrase must end a word (`\b` after it in the pattern it replaces). */
  readonly wordEnd: boolean;
}

/** Phrases by one of their characters (the first or the last), built when first asked for. */
function indexBy(phrases: readonly string[], wordEnd: readonly string[], key: (phrase: string) => string): () => Map<string, Phrase[]> {
  let index: Map<string, Phrase[]> | null = null;
  return () => {
    if (index) return index;
    index = new Map();
    for (const [list, ends] of [[phrases, false], [wordEnd, true]] as const) {
      for (const text of list) {
        const at = key(text);
        let known = index.get(at);
        if (!known) index.set(at, known = []);
        known.push({ text, wordEnd: ends });
      }
    }
    return index;
  };
}

/**
 * `^\s*(?:phrase|phrase…)` tested on lower-cased text: the text, after any white space, starts with one
 * of `phrases`, or with one of `wordEnd` followed by a character that is not a word character. `also`,
 * when given, is asked for the rest of the text when no phrase matches (for the few parts of a list
 * that are not plain words, such as "-20 %"). `{ spaces: false }`: `^(?:phrase|phrase…)`, with no
 * white space before the phrase.
 */
export function startsWithPhrase(phrases: readonly string[], wordEnd: readonly string[] = [], also?: (lower: string) => boolean, { spaces = true } = {}): TextTest {
  const index = indexBy(phrases, wordEnd, (phrase) => phrase[0]!);
  return {
    test(text) {
      const lower = (spaces ? text.trimStart() : text).toLowerCase();
      for (const phrase of index().get(lower[0] ?? '') ?? []) {
        if (lower.startsWith(phrase.text) && !(phrase.wordEnd && isAsciiWord(lower.charCodeAt(phrase.text.length)))) return true;
      }
      return also ? also(lower) : false;
    },
  };
}

/**
 * `(?:^|[\s\x00-\x40\x5b-\x60\x7b-\x7f])(?:phrase|phrase…)\s*:?\s*$` tested on lower-cased text
 * (`spaceBefore`), or the same without the part before the phrase: the text ends with one of `phrases`,
 * maybe followed by white space and a colon, and (with `spaceBefore`) the phrase starts the text or
 * follows white space, an ASCII character that is not a letter or CJK punctuation ("（税込"). Korean, Chinese and Japanese boxes run
 * their words into the numbers and signs before them ("22%할인가" after the discount rate).
 */
export function endsWithPhrase(phrases: readonly string[], spaceBefore: boolean, also?: (lower: string) => boolean): TextTest {
  const index = indexBy(phrases, [], (phrase) => phrase[phrase.length - 1]!);
  const endsWith = (lower: string) => {
    for (const phrase of index().get(lower[lower.length - 1] ?? '') ?? []) {
      const start = lower.length - phrase.text.length;
      if (lower.endsWith(phrase.text) && (!spaceBefore || start === 0 || isSpaceAt(lower, start - 1) || isAsciiNonLetter(lower.charCodeAt(start - 1))
        || isWidePunctuation(lower.charCodeAt(start - 1)))) return true;
    }
    return also ? also(lower) : false;
  };
  return {
    test(text) {
      let lower = text.toLowerCase().trimEnd();
      // Chinese and Japanese write the colon full width ("原價：").
      if (lower.endsWith('：')) lower = `${lower.slice(0, -1)}:`;
      // `\s*[:：]?\s*$`: the phrase ends where the trailing spaces start, or before one colon among them.
      return endsWith(lower) || (lower.endsWith(':') && endsWith(lower.slice(0, -1).trimEnd()));
    },
  };
}
