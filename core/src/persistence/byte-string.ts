/**
 * Bytes as a "byte string": one character (U+0000 to U+00FF) per byte. How encryption at rest keeps
 * an envelope in a stored row (encrypted-storage.ts): IndexedDB's serializer writes such a string one
 * byte per character (V8 keeps it as a one-byte string), where base64url text costs 4 characters per
 * 3 bytes. The envelope takes a quarter less room, and neither writing nor reading walks the text in
 * JavaScript.
 * It is not meant for JSON on the wire (control characters are escaped there): sync keeps base64url.
 */

/** Below this many bytes, one `String.fromCharCode` call; longer inputs go in chunks of it. */
const CHUNK = 8192;

export function toByteString(bytes: Uint8Array): string {
  if (bytes.length <= CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]));
  return parts.join('');
}

/** The bytes, or null when `text` has a character above U+00FF (it is not a byte string). */
export function fromByteString(text: string): Uint8Array<ArrayBuffer> | null {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code > 0xff) return null;
    bytes[i] = code;
  }
  return bytes;
}
