/**
 * Encryption cost per document (docs/encryption.md): Tote's document cipher (AES-256-GCM through Web
 * Crypto, one key imported once) against the approach of RxDB's encryption-crypto-js plugin (crypto-js
 * `AES.encrypt(JSON.stringify(field), password)` per encrypted field, which derives a key and IV from the
 * password on every call). Same documents, same run, each approach warmed up first; each figure is the
 * median of three rounds over all documents, one encrypt and one decrypt per document, one after the other.
 *
 * - `ours_us_per_doc`: one envelope per item holding everything but the clear metadata (id, updatedAt, deleted).
 * - `ours_batched_us_per_doc`: the same, 100 documents at a time in parallel, as a bulk write would.
 * - `cryptojs_us_per_doc`: the plugin's way, on the item's nine private fields (url, shop, title,
 *   imageUrl, variant, note, priceMinor, addedPriceMinor, priceHistory).
 * - `cryptojs_whole_doc_us_per_doc`: crypto-js at its cheapest, the same content as one string.
 * - `envelope_bytes_per_doc`, `stored_bytes_per_doc`: the envelope, and the document around it with its
 *   clear metadata and a CouchDB revision; `cryptojs_ciphertext_bytes_per_doc`: the nine field ciphertexts.
 * - `kdf_ms`: unlocking the data key with a password at the default Argon2id parameters (median of 3).
 *
 * `npm run bench:crypto` runs it alone; `npm run bench` includes it.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { decryptString, encryptString } from 'rxdb/plugins/encryption-crypto-js';
import { createKeyring, DEFAULT_PASSWORD_KDF, unwrapDataKey, wrapDataKey, type CartItem, type CryptoPort, type DocumentCipher } from '@tote/core';
import { percentile, round } from './stats.ts';

const webCrypto: CryptoPort = globalThis.crypto;
const PRIVATE_FIELDS = ['url', 'shop', 'title', 'imageUrl', 'variant', 'note', 'priceMinor', 'addedPriceMinor', 'priceHistory'] as const;
const IN_CLEAR = new Set(['id', 'updatedAt', 'deleted']);
const PASSWORD = 'correct horse battery staple';

/** A typical item: title about 60 characters, product URL about 80, a note, one price change. */
function itemDocument(i: number): CartItem {
  const at = 1_793_000_000_000 + i * 60_000;
  return {
    id: `0b7c4f1e-6a2d-4c57-9e1b-${String(i).padStart(12, '0')}`,
    listId: i % 5 === 0 ? 'saved' : 'cart',
    url: `https://www.outdoor-shop.example/products/trail-runner-gtx-womens-${i}?variant=blue-38`,
    shop: 'outdoor-shop.example',
    title: `Trail Runner GTX waterproof running shoes for women, no. ${i}`,
    priceMinor: 9_995 + (i % 50) * 100,
    currency: 'EUR',
    imageUrl: `https://cdn.outdoor-shop.example/img/trail-runner-gtx-${i}-600.jpg`,
    variant: 'Blue / 38',
    quantity: 1 + (i % 3),
    note: 'For the half marathon in May',
    addedAt: at,
    addedBy: 'device-4f2a9c',
    updatedAt: at + 450_000,
    updatedBy: 'device-4f2a9c',
    addedPriceMinor: 10_995 + (i % 50) * 100,
    priceHistory: [{ at: at + 400_000, priceMinor: 9_995 + (i % 50) * 100 }],
    deleted: false,
  };
}

const sealedContent = (item: CartItem) => Object.fromEntries(Object.entries(item).filter(([field]) => !IN_CLEAR.has(field)));

async function oursSequential(cipher: DocumentCipher, items: readonly CartItem[]): Promise<number> {
  const started = performance.now();
  for (const item of items) await cipher.decrypt(item.id, await cipher.encrypt(item.id, sealedContent(item)));
  return ((performance.now() - started) * 1000) / items.length;
}

async function oursBatched(cipher: DocumentCipher, items: readonly CartItem[], batch = 100): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < items.length; i += batch) {
    const slice = items.slice(i, i + batch);
    const envelopes = await Promise.all(slice.map((item) => cipher.encrypt(item.id, sealedContent(item))));
    await Promise.all(slice.map((item, j) => cipher.decrypt(item.id, envelopes[j]!)));
  }
  return ((performance.now() - started) * 1000) / items.length;
}

/** RxDB's encryption-crypto-js, field by field, as its storage wrapper does it (modifyToStorage / modifyFromStorage). */
function cryptoJsPerField(items: readonly CartItem[]): number {
  const started = performance.now();
  for (const item of items) {
    const stored: Record<string, unknown> = { ...item };
    for (const field of PRIVATE_FIELDS) stored[field] = encryptString(JSON.stringify(item[field]), PASSWORD);
    for (const field of PRIVATE_FIELDS) stored[field] = JSON.parse(decryptString(stored[field] as string, PASSWORD));
  }
  return ((performance.now() - started) * 1000) / items.length;
}

function cryptoJsWholeDocument(items: readonly CartItem[]): number {
  const started = performance.now();
  for (const item of items) JSON.parse(decryptString(encryptString(JSON.stringify(sealedContent(item)), PASSWORD), PASSWORD));
  return ((performance.now() - started) * 1000) / items.length;
}

const median = (samples: readonly number[]) => percentile(samples, 50);

export async function benchCrypto(documents = 1000, rounds = 3) {
  const items = Array.from({ length: documents }, (_, i) => itemDocument(i));
  const warmUp = items.slice(0, 200);
  const { cipher } = await createKeyring(webCrypto);
  await oursSequential(cipher, warmUp);
  await oursBatched(cipher, warmUp);
  cryptoJsPerField(warmUp);
  cryptoJsWholeDocument(warmUp);

  const ours: number[] = [];
  const batched: number[] = [];
  const perField: number[] = [];
  const whole: number[] = [];
  for (let round_ = 0; round_ < rounds; round_ += 1) {
    ours.push(await oursSequential(cipher, items));
    batched.push(await oursBatched(cipher, items));
    perField.push(cryptoJsPerField(items));
    whole.push(cryptoJsWholeDocument(items));
  }

  let envelopeBytes = 0;
  let storedBytes = 0;
  let cryptoJsBytes = 0;
  for (const item of items) {
    const envelope = await cipher.encrypt(item.id, sealedContent(item));
    envelopeBytes += envelope.length;
    storedBytes += new TextEncoder().encode(JSON.stringify({ _id: item.id, _rev: '3-9f86d081884c7d659a2feaa0c55ad015',
      updatedAt: item.updatedAt, deleted: item.deleted, data: envelope })).length;
    for (const field of PRIVATE_FIELDS) cryptoJsBytes += encryptString(JSON.stringify(item[field]), PASSWORD).length;
  }

  const keyring = await createKeyring(webCrypto);
  const record = await wrapDataKey(keyring, PASSWORD, DEFAULT_PASSWORD_KDF);
  const kdf: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const started = performance.now();
    await unwrapDataKey(webCrypto, record, PASSWORD);
    kdf.push(performance.now() - started);
  }

  const oursUs = median(ours);
  const cryptoJsUs = median(perField);
  return {
    documents,
    ours_us_per_doc: round(oursUs, 1),
    ours_batched_us_per_doc: round(median(batched), 1),
    cryptojs_us_per_doc: round(cryptoJsUs, 1),
    cryptojs_whole_doc_us_per_doc: round(median(whole), 1),
    speedup: round(cryptoJsUs / oursUs, 1),
    envelope_bytes_per_doc: round(envelopeBytes / documents, 0),
    stored_bytes_per_doc: round(storedBytes / documents, 0),
    cryptojs_ciphertext_bytes_per_doc: round(cryptoJsBytes / documents, 0),
    kdf_ms: round(median(kdf), 0),
    kdf: DEFAULT_PASSWORD_KDF,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchCrypto().then((result) => {
    console.log(JSON.stringify({ crypto: result }, null, 2));
    process.exit(0);
  }, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
