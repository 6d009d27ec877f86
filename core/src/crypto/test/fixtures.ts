/** Shared helpers for the crypto tests: Node's real Web Crypto, cheap KDF settings, a typical item. */
import type { CartItem } from '../../cart/cart-types.ts';
import type { CryptoPort } from '../../ports.ts';
import type { Argon2idParams } from '../kdf.ts';

/** Node 20's Web Crypto: the same API the extension and the desktop renderer pass in. */
export const webCrypto: CryptoPort = globalThis.crypto;

/** Argon2id at its cheapest, so tests that are not about the KDF's cost run in milliseconds. */
export const FAST_KDF: Argon2idParams = Object.freeze({ name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 });

/** An item as a shopper's cart holds it: title of 60 characters, product URL of 80, a note, a price history. */
export function typicalItem(overrides: Partial<CartItem> = {}): CartItem {
  return {
    id: '0b7c4f1e-6a2d-4c57-9e1b-3f8a2d5c7e90',
    listId: 'cart',
    url: 'https://www.outdoor-shop.example/products/trail-runner-gtx-womens-blue-38?ref=home',
    shop: 'outdoor-shop.example',
    title: 'Trail Runner GTX waterproof running shoes for women, blue 38',
    priceMinor: 12995,
    currency: 'EUR',
    imageUrl: 'https://cdn.outdoor-shop.example/img/trail-runner-gtx-blue-600.jpg',
    variant: 'Blue / 38',
    quantity: 1,
    note: 'For the half marathon in May',
    addedAt: 1_793_000_000_000,
    addedBy: 'device-4f2a9c',
    updatedAt: 1_793_000_450_000,
    updatedBy: 'device-4f2a9c',
    addedPriceMinor: 13995,
    priceHistory: [{ at: 1_793_000_400_000, priceMinor: 12995 }],
    deleted: false,
    ...overrides,
  };
}

/**
 * What a synced item keeps inside its envelope: everything but the metadata the server needs in clear
 * (id, revision, updatedAt, deleted; docs/encryption.md).
 */
export function sealedContent(item: CartItem): Partial<CartItem> {
  const inClear = new Set(['id', 'updatedAt', 'deleted']);
  return Object.fromEntries(Object.entries(item).filter(([field]) => !inClear.has(field)));
}

/** The stored document around an envelope: the clear metadata beside it, as CouchDB would hold it. */
export function storedDocument(item: CartItem, envelope: string): string {
  return JSON.stringify({ _id: item.id, _rev: '3-9f86d081884c7d659a2feaa0c55ad015', updatedAt: item.updatedAt, deleted: item.deleted, data: envelope });
}
