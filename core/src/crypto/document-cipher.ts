/**
 * The document cipher: a JSON value in, a short authenticated envelope out (docs/encryption.md).
 *
 * Envelope, base64url without padding:
 *
 *   byte 0        version (1)
 *   bytes 1..12   IV: 96 random bits, new for every encryption
 *   bytes 13..    AES-256-GCM ciphertext followed by its 16-byte tag
 *
 * Plaintext: the value's UTF-8 JSON, padded with spaces to a multiple of 32 bytes (JSON ignores trailing
 * whitespace), so the server learns an item's size only to the nearest 32 bytes.
 * Additional authenticated data: the version byte followed by the UTF-8 document id. A ciphertext copied
 * into another document, or relabelled with another version, fails authentication.
 *
 * The key is imported once as a non-extractable CryptoKey and reused: per document the work is one
 * JSON.stringify, 12 random bytes and one AES-GCM call (NIST SP 800-38D §8.3: with random 96-bit IVs one
 * key may encrypt up to 2^32 messages; a cart writes far fewer).
 */
import { ToteError } from '../errors.ts';
import type { CryptoPort } from '../ports.ts';
import { fromBase64url, toBase64url } from './base64url.ts';

export const ENVELOPE_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES;
const PAD_TO = 32;
const SPACE = 0x20;

export interface DocumentCipher {
  /**
   * Encrypts `value` (plain JSON data: what JSON.stringify keeps is what decrypt returns) for the
   * document `documentId`. Every call gives a different envelope.
   */
  encrypt(documentId: string, value: unknown): Promise<string>;
  /**
   * The value sealed in `envelope` for `documentId`. Throws `ToteError('DECRYPT_FAILED')` when it cannot
   * be read: damaged or changed, sealed for another document or with another key (`details.reason`).
   * The value is whatever was encrypted: validate it like any input.
   */
  decrypt(documentId: string, envelope: string): Promise<unknown>;
  /** `encrypt`, the envelope as its bytes rather than as text (for storage that keeps bytes compactly). */
  encryptToBytes(documentId: string, value: unknown): Promise<Uint8Array<ArrayBuffer>>;
  /** `decrypt` of an envelope given as its bytes; fails alike. */
  decryptBytes(documentId: string, envelope: Uint8Array<ArrayBuffer>): Promise<unknown>;
}

export type DecryptFailure = 'format' | 'version' | 'authentication';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function associatedData(documentId: string): Uint8Array<ArrayBuffer> {
  // Ids are ASCII almost always (UUIDs, clock stamps): copied as they are, without the encoder's
  // round trip (which costs as much again as the copy at every start, 1000 documents at a time).
  const data = new Uint8Array(1 + documentId.length);
  data[0] = ENVELOPE_VERSION;
  for (let i = 0; i < documentId.length; i += 1) {
    const code = documentId.charCodeAt(i);
    if (code > 0x7f) return utf8AssociatedData(documentId);
    data[i + 1] = code;
  }
  return data;
}

function utf8AssociatedData(documentId: string): Uint8Array<ArrayBuffer> {
  const id = encoder.encode(documentId);
  const data = new Uint8Array(1 + id.length);
  data[0] = ENVELOPE_VERSION;
  data.set(id, 1);
  return data;
}

function unreadable(documentId: string, reason: DecryptFailure): ToteError {
  const message = reason === 'version'
    ? 'An item in your cart was saved by a newer version of Tote. Update Tote to see it. Your other items are fine.'
    : 'An item in your cart could not be read: it was changed or damaged on the way. Your other items are fine.';
  return new ToteError('DECRYPT_FAILED', message, { documentId, reason });
}

/**
 * A cipher over `key`, an AES-GCM CryptoKey with encrypt and decrypt usages (from a keyring: see
 * keyring.ts). The key never leaves the platform's crypto implementation.
 */
export function createDocumentCipher(crypto: CryptoPort, key: CryptoKey): DocumentCipher {
  const { subtle } = crypto;
  async function encryptToBytes(documentId: string, value: unknown): Promise<Uint8Array<ArrayBuffer>> {
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) throw new ToteError('INVALID_INPUT', 'There is nothing to save for this item.', { documentId });
    const text = encoder.encode(json);
    const plain = new Uint8Array(Math.ceil(text.length / PAD_TO) * PAD_TO);
    plain.set(text);
    plain.fill(SPACE, text.length);
    const envelope = new Uint8Array(HEADER_BYTES + plain.length + TAG_BYTES);
    envelope[0] = ENVELOPE_VERSION;
    const iv = crypto.getRandomValues(envelope.subarray(1, HEADER_BYTES));
    const sealed = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: associatedData(documentId) }, key, plain);
    envelope.set(new Uint8Array(sealed), HEADER_BYTES);
    return envelope;
  }

  async function decryptBytes(documentId: string, bytes: Uint8Array<ArrayBuffer> | null): Promise<unknown> {
    if (bytes === null || bytes.length < HEADER_BYTES + TAG_BYTES) throw unreadable(documentId, 'format');
    if (bytes[0] !== ENVELOPE_VERSION) throw unreadable(documentId, bytes[0]! > ENVELOPE_VERSION ? 'version' : 'format');
    let plain: ArrayBuffer;
    try {
      plain = await subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(1, HEADER_BYTES), additionalData: associatedData(documentId) },
        key, bytes.subarray(HEADER_BYTES));
    } catch {
      // GCM tells no more than "not authentic": a changed byte, another document's id and another key look alike.
      throw unreadable(documentId, 'authentication');
    }
    try {
      return JSON.parse(decoder.decode(plain)) as unknown;
    } catch {
      throw unreadable(documentId, 'format');
    }
  }

  return {
    encrypt: async (documentId, value) => toBase64url(await encryptToBytes(documentId, value)),
    decrypt: (documentId, envelope) => decryptBytes(documentId, typeof envelope === 'string' ? fromBase64url(envelope) : null),
    encryptToBytes,
    decryptBytes,
  };
}

/**
 * Re-encrypts one document from one key to another (a guest's items joining the account's cart),
 * optionally under a new id. Throws `DECRYPT_FAILED` if `from` cannot read it; nothing is half-done.
 */
export async function reencryptEnvelope(from: DocumentCipher, to: DocumentCipher, documentId: string, envelope: string,
  targetId: string = documentId): Promise<string> {
  const value = await from.decrypt(documentId, envelope);
  return to.encrypt(targetId, value);
}
