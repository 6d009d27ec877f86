/**
 * The character encoding of a saved page, decided the way a browser that also got the shop's
 * Content-Type header would have read it (a saved file has lost that header):
 * 1. a byte order mark (UTF-8, UTF-16LE/BE);
 * 2. a `<meta charset>` or `<meta http-equiv="Content-Type" content="…charset=…">` anywhere in the
 *    head (browsers only pre-scan the first 1024 bytes; a shop's header would have named it anyway);
 * 3. bytes that are valid UTF-8 (what nearly every shop sends today);
 * 4. otherwise none: the page is served without a charset and Chromium reads it as it reads any page
 *    whose server names none, by its own detector (windows-1252 for a Western page; windows-1251,
 *    EUC-JP, Shift_JIS, EUC-KR, GBK or Big5 for a legacy Cyrillic or CJK page saved undeclared).
 * Labels are normalised as the WHATWG Encoding Standard does (latin1, ascii → windows-1252).
 * Spec: docs/capture.md, "Saved pages".
 */

const LATIN1_LABELS = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'us-ascii', 'ascii', 'cp1252', 'x-cp1252', 'windows-1252', 'cp819', 'ibm819', 'iso-ir-100']);
const HEAD_SCAN_BYTES = 512 * 1024;

function knownLabel(label: string): string | null {
  const lower = label.trim().toLowerCase();
  if (LATIN1_LABELS.has(lower)) return 'windows-1252';
  // UTF-16 declared in a meta tag of a page that has no BOM means UTF-8 (WHATWG "prescan").
  if (lower.startsWith('utf-16')) return 'utf-8';
  try {
    return new TextDecoder(lower).encoding;
  } catch {
    return null;
  }
}

/** The charset a `<meta>` in the head declares, or null. */
export function declaredCharset(bytes: Uint8Array): string | null {
  // Latin-1 keeps one character per byte, so tag syntax reads the same whatever the encoding.
  let head = new TextDecoder('latin1').decode(bytes.subarray(0, HEAD_SCAN_BYTES));
  const end = head.search(/<\/head\s*>|<body[\s>]/i);
  if (end > -1) head = head.slice(0, end);
  head = head.replace(/<!--[\s\S]*?-->/g, '');
  for (const tag of head.match(/<meta\b[^>]*>/gi) ?? []) {
    const direct = /\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(tag);
    if (!direct) continue;
    // <meta charset=x>, or http-equiv content="text/html; charset=x" (the same pattern finds both).
    const label = knownLabel(direct[1]!);
    if (label) return label;
  }
  return null;
}

function validUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The charset a shop's header would have named for these bytes, or null when only the bytes themselves can tell. */
export function decideCharset(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return declaredCharset(bytes) ?? (validUtf8(bytes) ? 'utf-8' : null);
}

/** The Content-Type header a saved page is served with: its charset when decided, else none (the browser detects it). */
export function htmlContentType(bytes: Uint8Array): string {
  const charset = decideCharset(bytes);
  return charset === null ? 'text/html' : `text/html; charset=${charset}`;
}
