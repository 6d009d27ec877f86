import { decodeEntities } from './entities.ts';

/**
 * Letters (and, for WORD_CHARS, digits) of the scripts shops write in, as plain character ranges:
 * Latin with Vietnamese, Greek, Cyrillic, Armenian, Hebrew, Arabic, the Indic scripts with their vowel
 * signs, Thai, Georgian, Hangul, kana and CJK. Unicode property escapes (\\p{L}) cost more to compile
 * than a whole capture of a small page may take.
 */
export const LETTERS = 'A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u052F\u0531-\u0587\u0590-\u06FF\u0900-\u0DFF\u0E00-\u0E7F\u10A0-\u10FF\u1100-\u11FF\u1E00-\u1EFF\u3040-\u30FF\u3400-\u9FFF\uAC00-\uD7AF';
export const WORD_CHARS = `0-9${LETTERS}`;
/** A run of anything but WORD_CHARS: what splits a text into its words. */
export const NOT_WORD = new RegExp(`[^${WORD_CHARS}]+`);

/** Product text from pages: decoded, collapsed, capped, and always treated as text. */
export function cleanText(value: unknown, max = 300): string | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string') return null;
  const text = decodeEntities(raw).replace(/\s+/g, ' ').trim();
  if (text === '') return null;
  if (text.length <= max) return text;
  // Cut before max - 1 without splitting a surrogate pair, and mark the cut.
  const cut = /[\ud800-\udbff]/.test(text[max - 2] ?? '') ? max - 2 : max - 1;
  return `${text.slice(0, cut)}…`;
}

/** An absolute http(s) URL resolved against the page, or null (javascript:, data: and junk are refused). */
export function httpUrl(value: unknown, base: string): string | null {
  const raw = Array.isArray(value) ? value[0] : value;
  const candidate = typeof raw === 'object' && raw !== null ? ((raw as Record<string, unknown>).url ?? (raw as Record<string, unknown>).contentUrl) : raw;
  if (typeof candidate !== 'string' || candidate.length > 2048) return null;
  try {
    const url = new URL(candidate.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export interface TextTest {
  test(text: string): boolean;
}

/**
 * A case-insensitive pattern that tests lower-cased text with a pattern compiled without the `i`
 * flag. With `i`, the engine works out the case variants of every letter when it first compiles a
 * pattern, which for the long word lists in many scripts cost milliseconds on every page: the
 * content script starts afresh on each page, so that cost is paid every time. Escapes (\S, \B, \W,
 * \D) keep their case; the pattern is used with `test` only.
 */
export function caseless(pattern: RegExp): TextTest {
  const lower = lowerPattern(pattern);
  return { test: (text) => lower.test(text.toLowerCase()) };
}

/**
 * `caseless` for a long list written as a few patterns: a text matches when any of them does. The
 * engine's time to compile a pattern grows faster than the pattern (a list of 50 words in four parts
 * compiles in two thirds of the time of the same list in one, measured in Chromium), and every page
 * compiles each pattern anew.
 */
export function caselessAny(...patterns: RegExp[]): TextTest {
  const lower = patterns.map(lowerPattern);
  return {
    test(text) {
      const lowered = text.toLowerCase();
      for (const pattern of lower) if (pattern.test(lowered)) return true;
      return false;
    },
  };
}

/** `caseless`'s pattern itself, for a caller that lower-cases a text once and tests it against several patterns. */
export function lowerPattern(pattern: RegExp): RegExp {
  const source = pattern.source.replace(/\\.|[^\\]+/g, (part) => (part[0] === '\\' ? part : part.toLowerCase()));
  return new RegExp(source, pattern.flags.replace('i', ''));
}

/**
 * A pure function of a short text, with its answers kept: the scorer compares every markup value with
 * every page candidate of its field, several times per capture, and the page readers test the same
 * element labels thousands of times on large pages. Texts of up to 600 characters, a few thousand at most.
 */
export function remembered<T>(read: (text: string) => T): (text: string) => T {
  const known = new Map<string, T>();
  return (text) => {
    if (text.length > 600) return read(text);
    let found = known.get(text);
    if (found === undefined) {
      if (known.size >= 4000) known.clear();
      known.set(text, found = read(text));
    }
    return found;
  };
}

/** Arabic-Indic and Persian digits, and the Arabic decimal and thousands signs, as any digit may be written. */
const EASTERN_DIGITS = /[\u0660-\u0669\u06F0-\u06F9\u066B\u066C]/g;

/**
 * The text with Eastern Arabic digits as ASCII ones ("١٢٩٫٠٠ ر.س" → "129.00 ر.س"): shops in Arabic
 * and Persian write prices in them. Texts without any are returned as they are.
 */
export function westernDigits(text: string): string {
  if (!/[\u0660-\u066C\u06F0-\u06F9]/.test(text)) return text;
  return text.replace(EASTERN_DIGITS, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x066b) return '.';
    if (code === 0x066c) return ',';
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

const SAVED_COPY = /^\s*(?:file:|(?!https?:|\/\/)[^?#]*_files\/)/i;

/**
 * A file a browser's "Save Page As… Complete" wrote beside the page ("./Seife _ Shop_files/a.jpg", "file:///…"):
 * no address on the shop's site, so the readers take the attributes and sources that still name the shop's file.
 */
export function savedCopy(url: string): boolean {
  // Most addresses are the shop's own, absolute: no pattern is run for them.
  if (url.startsWith('https://') || url.startsWith('http://')) return false;
  return SAVED_COPY.test(url);
}
