import { describe, expect, it } from 'vitest';
import { fromBase64url, toBase64url } from './base64url.ts';

const bytesOf = (text: string) => new TextEncoder().encode(text);

describe('base64url', () => {
  it.each([['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']])(
    'encodes RFC 4648 §10 vector %j as %j (no padding)', (text, encoded) => {
      expect(toBase64url(bytesOf(text))).toBe(encoded);
      expect(fromBase64url(encoded)).toEqual(bytesOf(text));
    });

  it('uses the URL-safe alphabet and round-trips every byte value at every length remainder', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let end = 250; end <= 256; end += 1) {
      const encoded = toBase64url(all.subarray(0, end));
      expect(encoded).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(fromBase64url(encoded)).toEqual(all.slice(0, end));
    }
    expect(toBase64url(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
  });

  it.each(['Zm9v=', 'Zm9v!', 'Z', 'Zh', 'Zm9', 'é'])('refuses %j (padding, foreign characters, impossible length, stray bits)', (text) => {
    expect(fromBase64url(text)).toBeNull();
  });
});
