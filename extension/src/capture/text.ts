import { decodeEntities } from './entities.ts';

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
