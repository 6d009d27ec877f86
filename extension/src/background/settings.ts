/** What the background keeps in the extension's storage (every stored key is listed here). */
import { storage } from 'wxt/utils/storage';
import type { CapturedProduct } from '../capture/index.ts';
import { fromBase64url, randomId, type AnalyticsStoragePort, toBase64url, type KeyStorePort, type SessionStore, type StoredSession } from '@tote/core';

/** The signed-in session (its token is a secret of this browser profile, like a site's session cookie). */
export const sessionItem = storage.defineItem<StoredSession | null>('local:account-session', { fallback: null });

/** The sync server used last, to fill in the sign-in form. */
export const lastServerItem = storage.defineItem<string | null>('local:last-server', { fallback: null });

export const deviceIdItem = storage.defineItem<string>('local:device-id', {
  init: randomId,
});

/**
 * The unlocked cart keys, per account (docs/encryption.md, "Where the key lives on each device"), in
 * `storage.session`: held in memory by the browser, kept across service-worker restarts, gone when the
 * browser closes, never written to disk. Its access level stays Chrome's default, TRUSTED_CONTEXTS, so
 * content scripts (which run in shop pages) cannot read it.
 */
export const cartKeysItem = storage.defineItem<Record<string, string>>('session:cart-keys', { fallback: {} });

export const extensionKeyStore: KeyStorePort = {
  async load(accountKey) {
    const kept = (await cartKeysItem.getValue())[accountKey];
    return kept ? fromBase64url(kept) : null;
  },
  async save(accountKey, rawKey) {
    await cartKeysItem.setValue({ ...(await cartKeysItem.getValue()), [accountKey]: toBase64url(rawKey) });
  },
  async clear(accountKey) {
    const { [accountKey]: _cleared, ...rest } = await cartKeysItem.getValue();
    await cartKeysItem.setValue(rest);
  },
};

/**
 * The cart database's key (core/src/app/key-custody.ts, docs/encryption.md "At rest on the device"): its
 * record on disk, sealed by the account that last unlocked here (or, before any did, kept as it is)...
 */
export const databaseKeyItem = storage.defineItem<unknown>('local:database-key', { fallback: null });
/** ...and the key itself while unlocked, in memory only (like the cart keys above). */
export const openDatabaseKeyItem = storage.defineItem<string | null>('session:database-key', { fallback: null });
/** Set once a cart kept in clear before encryption at rest was moved into the sealed database. */
export const sealedAtRestItem = storage.defineItem<boolean>('local:sealed-at-rest', { fallback: false });

/** Products recognised per tab, for the popup, the context menu and the shortcut (kept while the browser runs). */
export const tabProductsItem = storage.defineItem<Record<string, CapturedProduct>>('session:tab-products', { fallback: {} });

export interface TabProducts {
  get(tabId: number): Promise<CapturedProduct | null>;
  set(tabId: number, product: CapturedProduct): Promise<void>;
}

export const extensionTabProducts: TabProducts = {
  get: async (tabId) => (await tabProductsItem.getValue())[String(tabId)] ?? null,
  async set(tabId, product) {
    const all = await tabProductsItem.getValue();
    await tabProductsItem.setValue({ ...all, [String(tabId)]: product });
  },
};

/**
 * The shopper's analytics choice and the days acknowledged by the server (docs/analytics.md, rule 8),
 * kept by the core's reporter as it wrote it; `storage.local`, which content scripts cannot read.
 */
export const analyticsItem = storage.defineItem<unknown>('local:analytics', { fallback: null });

export const extensionAnalyticsStorage: AnalyticsStoragePort = {
  load: () => analyticsItem.getValue(),
  save: (state) => analyticsItem.setValue(state),
};

export const extensionSessionStore: SessionStore = {
  load: () => sessionItem.getValue(),
  async save(session) {
    await sessionItem.setValue(session);
    if (session) await lastServerItem.setValue(session.serverUrl);
  },
};

/** The small part of storage the message handler needs, so tests can pass an in-memory one. */
export interface LastServer {
  get(): Promise<string | null>;
}

export const extensionLastServer: LastServer = { get: () => lastServerItem.getValue() };
