import { describe, expect, it } from 'vitest';
import { fromByteString, toByteString } from './byte-string.ts';

describe('byte string', () => {
  it('keeps one character per byte, for every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = toByteString(all);
    expect(text).toHaveLength(256);
    expect([...text].every((char, i) => char.charCodeAt(0) === i)).toBe(true);
    expect(fromByteString(text)).toEqual(all);
  });

  it('round-trips inputs longer than one conversion chunk, and the empty one', () => {
    const long = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 31) % 256);
    expect(fromByteString(toByteString(long))).toEqual(long);
    expect(toByteString(new Uint8Array(0))).toBe('');
    expect(fromByteString('')).toEqual(new Uint8Array(0));
  });

  it('refuses text with a character above U+00FF', () => {
    expect(fromByteString('abc\u0100')).toBeNull();
    expect(fromByteString('🍮')).toBeNull();
  });
});
