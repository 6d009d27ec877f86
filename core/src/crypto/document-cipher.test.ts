import { describe, expect, it } from 'vitest';
import { isToteError, type ToteError } from '../errors.ts';
import { fromBase64url, toBase64url } from './base64url.ts';
import { createDocumentCipher, ENVELOPE_VERSION, reencryptEnvelope, type DocumentCipher } from './document-cipher.ts';
import { createGuestKey, createKeyring } from './keyring.ts';
import { sealedContent, storedDocument, typicalItem, webCrypto } from './test/fixtures.ts';

async function refusal(promise: Promise<unknown>): Promise<ToteError> {
  try {
    await promise;
  } catch (error) {
    if (isToteError(error)) return error;
    throw error;
  }
  throw new Error('expected a ToteError');
}

/** The envelope with one byte changed. */
function flipped(envelope: string, index: number): string {
  const bytes = fromBase64url(envelope)!;
  bytes[index] = bytes[index]! ^ 0x01;
  return toBase64url(bytes);
}

const cipher = async (): Promise<DocumentCipher> => (await createKeyring(webCrypto)).cipher;

describe('document cipher', () => {
  it('round-trips a cart item, and every encryption gives a new envelope', async () => {
    const { cipher: own } = await createKeyring(webCrypto);
    const item = typicalItem();
    const first = await own.encrypt(item.id, item);
    const second = await own.encrypt(item.id, item);
    expect(first).not.toBe(second);
    expect(await own.decrypt(item.id, first)).toEqual(item);
    expect(await own.decrypt(item.id, second)).toEqual(item);
  });

  it('gives the same envelope as bytes (for storage) as it does as base64url text', async () => {
    const own = await cipher();
    const item = typicalItem();
    const bytes = await own.encryptToBytes(item.id, item);
    expect(bytes[0]).toBe(ENVELOPE_VERSION);
    expect(await own.decryptBytes(item.id, bytes)).toEqual(item);
    expect(await own.decrypt(item.id, toBase64url(bytes))).toEqual(item);
    expect(await own.decryptBytes(item.id, fromBase64url(await own.encrypt(item.id, item))!)).toEqual(item);
    const changed = bytes.slice();
    changed[20] = changed[20]! ^ 0x01;
    expect((await refusal(own.decryptBytes(item.id, changed))).details).toMatchObject({ reason: 'authentication' });
    expect((await refusal(own.decryptBytes('another-id', bytes))).details).toMatchObject({ reason: 'authentication' });
    expect((await refusal(own.decryptBytes(item.id, bytes.subarray(0, 20)))).details).toMatchObject({ reason: 'format' });
  });

  it('round-trips JSON values of every kind, including text outside ASCII', async () => {
    const own = await cipher();
    for (const value of [0, -1.5, true, null, 'Crème brûlée 🍮 ½ kg', [], { nested: { list: [1, 'two', null] } }]) {
      expect(await own.decrypt('doc', await own.encrypt('doc', value))).toEqual(value);
    }
  });

  it('refuses a changed byte anywhere in the envelope with DECRYPT_FAILED and the shopper\'s message', async () => {
    const own = await cipher();
    const item = typicalItem();
    const envelope = await own.encrypt(item.id, item);
    const length = fromBase64url(envelope)!.length;
    // The IV, the start, middle and end of the ciphertext, and the tag's last byte.
    for (const index of [1, 12, 13, Math.floor(length / 2), length - 17, length - 1]) {
      const error = await refusal(own.decrypt(item.id, flipped(envelope, index)));
      expect(error.code).toBe('DECRYPT_FAILED');
      expect(error.details).toMatchObject({ documentId: item.id, reason: 'authentication' });
      expect(error.message).toBe('An item in your cart could not be read: it was changed or damaged on the way. Your other items are fine.');
    }
  });

  it('binds the envelope to its document id: moved to another document, it does not open', async () => {
    const own = await cipher();
    const envelope = await own.encrypt('item-a', typicalItem({ id: 'item-a' }));
    expect((await refusal(own.decrypt('item-b', envelope))).details?.reason).toBe('authentication');
    expect((await refusal(own.decrypt('item-a ', envelope))).code).toBe('DECRYPT_FAILED');
  });

  it('authenticates the id as its UTF-8 bytes after the version byte, for every id (envelopes already stored keep opening)', async () => {
    const key = await webCrypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const own = createDocumentCipher(webCrypto, key);
    for (const id of ['0f8a3c52-9d1e-4b7a-8c2f-3e5d6a7b8c9d', 'liste-café', 'cart-🛒', '']) {
      // An envelope made by hand, as the format (docs/encryption.md, "Envelope") describes it.
      const iv = webCrypto.getRandomValues(new Uint8Array(12));
      const additionalData = new Uint8Array([ENVELOPE_VERSION, ...new TextEncoder().encode(id)]);
      const plain = new TextEncoder().encode(JSON.stringify({ title: 'Wool socks' }).padEnd(32, ' '));
      const sealed = new Uint8Array(await webCrypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, key, plain));
      const envelope = toBase64url(new Uint8Array([ENVELOPE_VERSION, ...iv, ...sealed]));
      expect(await own.decrypt(id, envelope)).toEqual({ title: 'Wool socks' });
      expect((await refusal(own.decrypt(`${id}x`, envelope))).details?.reason).toBe('authentication');
      expect(await own.decrypt(id, await own.encrypt(id, { note: 'größer' }))).toEqual({ note: 'größer' });
    }
  });

  it('does not open with another shopper\'s key', async () => {
    const [mine, theirs] = [await cipher(), await cipher()];
    const envelope = await mine.encrypt('item-a', typicalItem());
    expect((await refusal(theirs.decrypt('item-a', envelope))).code).toBe('DECRYPT_FAILED');
  });

  it('says "update Tote" for an envelope from a newer version, and refuses what is not an envelope', async () => {
    const own = await cipher();
    const envelope = await own.encrypt('item-a', typicalItem());
    const newer = fromBase64url(envelope)!;
    newer[0] = ENVELOPE_VERSION + 1;
    const error = await refusal(own.decrypt('item-a', toBase64url(newer)));
    expect(error).toMatchObject({ code: 'DECRYPT_FAILED', details: { reason: 'version' } });
    expect(error.message).toMatch(/newer version of Tote/);
    for (const garbage of ['', 'not an envelope!', envelope.slice(0, 30), 42 as unknown as string]) {
      expect((await refusal(own.decrypt('item-a', garbage))).details?.reason).toBe('format');
    }
  });

  it('refuses to encrypt what JSON cannot hold', async () => {
    expect((await refusal((await cipher()).encrypt('item-a', undefined))).code).toBe('INVALID_INPUT');
  });

  it('keeps a typical item (title, URL, price, currency, quantity, note, times) well under 1 KB', async () => {
    const own = await cipher();
    const item = {
      title: 'Trail Runner GTX waterproof running shoes for women, blue 38',
      url: 'https://www.outdoor-shop.example/products/trail-runner-gtx-womens-blue-38?ref=home',
      priceMinor: 12995, currency: 'EUR', quantity: 1, note: 'For the half marathon in May',
      addedAt: 1_793_000_000_000, updatedAt: 1_793_000_450_000,
    };
    const envelope = await own.encrypt('0b7c4f1e-6a2d-4c57-9e1b-3f8a2d5c7e90', item);
    expect(envelope.length).toBeLessThan(500);
    expect(await own.decrypt('0b7c4f1e-6a2d-4c57-9e1b-3f8a2d5c7e90', envelope)).toEqual(item);
  });

  it('keeps a full cart item under 1 KB stored, with the metadata the server needs in clear beside it', async () => {
    const own = await cipher();
    const item = typicalItem();
    const envelope = await own.encrypt(item.id, sealedContent(item));
    // Overhead: 29 bytes (version, IV, tag), padding to 32 bytes, base64url's third.
    expect(envelope.length).toBeLessThanOrEqual(Math.ceil((Math.ceil(JSON.stringify(sealedContent(item)).length / 32) * 32 + 29) * 4 / 3));
    expect(new TextEncoder().encode(storedDocument(item, envelope)).length).toBeLessThan(1024);
  });

  it('shows the server only its size, to the nearest 32 bytes', async () => {
    const own = await cipher();
    const sizes = new Set<number>();
    for (let length = 1; length <= 20; length += 1) sizes.add((await own.encrypt('item-a', { note: 'x'.repeat(length) })).length);
    expect(sizes.size).toBe(1);
  });

  it('leaves no plaintext in the envelope: no field value, no field name, in any encoding we use', async () => {
    const own = await cipher();
    const item = typicalItem();
    // Five envelopes of the same item: plaintext that leaked would be in every one of them, while a short
    // word ("EUR") turns up in random base64 by chance in about one envelope in 400.
    const envelopes = await Promise.all(Array.from({ length: 5 }, () => own.encrypt(item.id, item)));
    const inEvery = (find: (envelope: string) => boolean) => envelopes.every(find);
    const words = [item.title, item.url, item.note, item.shop, item.variant!, item.currency, String(item.priceMinor), 'Trail', 'marathon', 'title', 'priceMinor'];
    for (const word of words) {
      const encoded = toBase64url(new TextEncoder().encode(word)).slice(0, -1);
      expect(inEvery((envelope) => envelope.includes(word)), word).toBe(false);
      expect(inEvery((envelope) => envelope.includes(encoded)), word).toBe(false);
      expect(inEvery((envelope) => new TextDecoder('latin1').decode(fromBase64url(envelope)!).includes(word)), word).toBe(false);
    }
  });

  it('moves a guest\'s item to the account\'s key (guest merge): readable there, no longer with the guest key', async () => {
    const guest = await createGuestKey(webCrypto);
    const account = await cipher();
    const item = typicalItem();
    const asGuest = await guest.keyring.cipher.encrypt(item.id, item);
    const asAccount = await reencryptEnvelope(guest.keyring.cipher, account, item.id, asGuest);
    expect(await account.decrypt(item.id, asAccount)).toEqual(item);
    expect((await refusal(guest.keyring.cipher.decrypt(item.id, asAccount))).code).toBe('DECRYPT_FAILED');
    const renamed = await reencryptEnvelope(guest.keyring.cipher, account, item.id, asGuest, 'item-new');
    expect(await account.decrypt('item-new', renamed)).toEqual(item);
    // A damaged guest item is refused, not half-moved.
    expect((await refusal(reencryptEnvelope(guest.keyring.cipher, account, item.id, flipped(asGuest, 20)))).code).toBe('DECRYPT_FAILED');
  });
});
