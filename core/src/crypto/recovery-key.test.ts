import { describe, expect, it } from 'vitest';
import { isToteError } from '../errors.ts';
import { checkRecoveryKey, formatRecoveryKey, newRecoveryKey, parseRecoveryKey, RECOVERY_KEY_LENGTH } from './recovery-key.ts';
import { webCrypto } from './test/fixtures.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function reason(text: string): unknown {
  try {
    checkRecoveryKey(text);
  } catch (error) {
    if (isToteError(error, 'INVALID_INPUT')) return error.details?.reason;
    throw error;
  }
  return 'accepted';
}

describe('recovery key', () => {
  it('is 56 characters of Crockford base32 in 14 groups of 4, and parses back to its 32 bytes', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    const text = formatRecoveryKey(key);
    expect(text).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){13}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(RECOVERY_KEY_LENGTH).toBe(56);
    expect(parseRecoveryKey(text)).toEqual(key);
    expect(newRecoveryKey(webCrypto)).not.toBe(newRecoveryKey(webCrypto));
  });

  it('forgives what people do when typing: case, spaces, no dashes, O for 0, I or L for 1', () => {
    const key = new Uint8Array(32);
    const text = formatRecoveryKey(key);
    const typed = text.toLowerCase().replaceAll('-', ' ').replaceAll('0', 'o');
    expect(parseRecoveryKey(typed)).toEqual(key);
    const ones = formatRecoveryKey(Uint8Array.from({ length: 32 }, () => 0x08)).replaceAll('1', 'l');
    expect(parseRecoveryKey(ones)).toEqual(Uint8Array.from({ length: 32 }, () => 0x08));
  });

  it('catches every single wrong character, in every position, as a typo', () => {
    const text = newRecoveryKey(webCrypto).replaceAll('-', '');
    for (let position = 0; position < text.length; position += 1) {
      for (const char of ALPHABET) {
        if (char === text[position]) continue;
        expect(reason(text.slice(0, position) + char + text.slice(position + 1))).toBe('checksum');
      }
    }
  });

  it('catches every swap of two neighbouring characters', () => {
    const text = newRecoveryKey(webCrypto).replaceAll('-', '');
    for (let position = 0; position + 1 < text.length; position += 1) {
      if (text[position] === text[position + 1]) continue;
      const swapped = text.slice(0, position) + text[position + 1] + text[position] + text.slice(position + 2);
      expect(reason(swapped)).toBe('checksum');
    }
  });

  it('says what is wrong: a missing or extra character, a character that is never in a key, nothing at all', () => {
    const text = newRecoveryKey(webCrypto);
    expect(reason(text.slice(0, -1))).toBe('length');
    expect(reason(`${text}7`)).toBe('length');
    expect(reason(`${text.slice(0, -1)}U`)).toBe('character');
    expect(reason(' - ')).toBe('empty');
    expect(() => checkRecoveryKey(text.slice(0, -1)))
      .toThrow('A recovery key has 56 characters (14 groups of 4); this one has 55. Check for a missing or extra character.');
    expect(() => checkRecoveryKey(`${text.slice(0, 5)}${text[5] === 'A' ? 'B' : 'A'}${text.slice(6)}`)).toThrow(/^This recovery key has a typo/);
    expect(() => checkRecoveryKey(`${text.slice(0, -1)}U`)).toThrow('A recovery key has only the digits 0 to 9 and the letters A to Z except U, so "U" is a typo.');
  });
});
