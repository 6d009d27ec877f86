/**
 * The recovery key: 256 random bits the shopper writes down, which unlock the cart when the password is
 * lost (docs/encryption.md). Shown as 56 characters of Crockford's base32 (https://www.crockford.com/base32.html:
 * digits and capitals without I, L, O, U, case-insensitive, O read as 0 and I or L as 1) in 14 groups of 4:
 *
 *   7K3M-Q9ZD-…-W2XA
 *
 * The last 24 bits are a CRC-24 (RFC 4880 §6.1) of the key. A CRC-24 detects every error confined to 24
 * consecutive bits, so every single wrong character (5 bits) and every swap of two neighbours (10 bits) is
 * caught, and other typos slip through once in 16.7 million: a typo gets a clear message instead of
 * "wrong recovery key".
 */
import { ToteError } from '../errors.ts';
import type { CryptoPort } from '../ports.ts';

export const RECOVERY_KEY_BYTES = 32;
const CHECK_BYTES = 3;
const GROUP = 4;
/** (32 + 3) bytes × 8 / 5 bits per character. */
export const RECOVERY_KEY_LENGTH = ((RECOVERY_KEY_BYTES + CHECK_BYTES) * 8) / 5;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const READ_AS: Readonly<Record<string, string>> = { O: '0', I: '1', L: '1' };

function crc24(bytes: Uint8Array): number {
  let crc = 0xb704ce;
  for (const byte of bytes) {
    crc ^= byte << 16;
    for (let bit = 0; bit < 8; bit += 1) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

function withCheck(key: Uint8Array): Uint8Array {
  const crc = crc24(key);
  const all = new Uint8Array(RECOVERY_KEY_BYTES + CHECK_BYTES);
  all.set(key);
  all.set([crc >> 16, (crc >> 8) & 0xff, crc & 0xff], RECOVERY_KEY_BYTES);
  return all;
}

/** The 32 key bytes as the shopper sees them. */
export function formatRecoveryKey(key: Uint8Array): string {
  if (key.length !== RECOVERY_KEY_BYTES) throw new ToteError('INVALID_INPUT', 'A recovery key is 32 bytes.', { field: 'recoveryKey' });
  let chars = '';
  let value = 0;
  let bits = 0;
  for (const byte of withCheck(key)) {
    value = ((value << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      chars += ALPHABET[(value >> bits) & 31]!;
    }
  }
  return chars.match(new RegExp(`.{${GROUP}}`, 'g'))!.join('-');
}

/** A new random recovery key, formatted for the shopper. */
export function newRecoveryKey(crypto: CryptoPort): string {
  const key = crypto.getRandomValues(new Uint8Array(RECOVERY_KEY_BYTES));
  const text = formatRecoveryKey(key);
  key.fill(0);
  return text;
}

function invalid(message: string, reason: 'empty' | 'character' | 'length' | 'checksum'): ToteError {
  return new ToteError('INVALID_INPUT', message, { field: 'recoveryKey', reason });
}

/**
 * The 32 key bytes of a recovery key as typed: spaces, dashes and case do not matter. A typo raises
 * `ToteError('INVALID_INPUT')` with `details.reason` ('empty' | 'character' | 'length' | 'checksum') and a
 * sentence that says what to check.
 */
export function parseRecoveryKey(text: string): Uint8Array<ArrayBuffer> {
  const chars = text.toUpperCase().replace(/[\s-]+/g, '');
  if (chars === '') throw invalid('Enter your recovery key.', 'empty');
  const bytes = new Uint8Array(RECOVERY_KEY_BYTES + CHECK_BYTES);
  let value = 0;
  let bits = 0;
  let o = 0;
  for (const char of chars) {
    const digit = ALPHABET.indexOf(READ_AS[char] ?? char);
    if (digit < 0) {
      throw invalid(`A recovery key has only the digits 0 to 9 and the letters A to Z except U, so "${char}" is a typo.`, 'character');
    }
    value = ((value << 5) | digit) & 0xfff;
    bits += 5;
    if (bits >= 8 && o < bytes.length) {
      bits -= 8;
      bytes[o] = (value >> bits) & 0xff;
      o += 1;
    }
  }
  if (chars.length !== RECOVERY_KEY_LENGTH) {
    throw invalid(`A recovery key has ${RECOVERY_KEY_LENGTH} characters (${RECOVERY_KEY_LENGTH / GROUP} groups of ${GROUP}); this one has ${chars.length}. Check for a missing or extra character.`, 'length');
  }
  const key = bytes.slice(0, RECOVERY_KEY_BYTES);
  const crc = crc24(key);
  if (bytes[32] !== crc >> 16 || bytes[33] !== ((crc >> 8) & 0xff) || bytes[34] !== (crc & 0xff)) {
    key.fill(0);
    throw invalid('This recovery key has a typo: at least one character is wrong. Compare it with the one you wrote down.', 'checksum');
  }
  return key;
}

/** Throws the same errors as parsing, for checking a recovery key while the shopper types it. */
export function checkRecoveryKey(text: string): void {
  parseRecoveryKey(text).fill(0);
}
