/**
 * The renderer's ports for the device app: the renderer owns the cart database, on Chromium's IndexedDB,
 * with the session and device id kept in the renderer's localStorage.
 */
import {
  createDeviceApp, deleteIndexedDbOf, eventConnectivity, fromBase64url, randomId, toBase64url,
  type DeviceApp, type KeyStorePort, type SessionStore, type StoredSession,
} from '@tote/core';
import { dexieBulkReads } from '@tote/core/dexie-bulk-reads';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import type { DesktopBridge, DesktopKeyStore } from './bridge.ts';

const SESSION_KEY = 'tote.account-session';
const LAST_SERVER_KEY = 'tote.last-server';
const DEVICE_KEY = 'tote.device-id';
/** The shopper's analytics choice and the days to send (docs/analytics.md). */
const ANALYTICS_KEY = 'tote.analytics';
/** Set once the cart kept in clear (before encryption at rest) was moved into the sealed database. */
const SEALED_AT_REST_KEY = 'tote.sealed-at-rest';

const sessionStore: SessionStore = {
  async load() {
    try {
      const value = JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null') as StoredSession | null;
      return value && typeof value.token === 'string' && typeof value.serverUrl === 'string' ? value : null;
    } catch {
      return null;
    }
  },
  async save(session) {
    if (session) {
      localStorage.setItem(SESSION_KEY, JSON.stringify(session));
      localStorage.setItem(LAST_SERVER_KEY, session.serverUrl);
    } else {
      localStorage.removeItem(SESSION_KEY);
    }
  },
};

/** The main process's OS-encrypted key store as the core's port (docs/encryption.md, "Where the key lives on each device"). */
export function bridgeKeyStore(bridged: DesktopKeyStore): KeyStorePort {
  return {
    async load(accountKey) {
      const key = await bridged.load(accountKey);
      return typeof key === 'string' ? fromBase64url(key) : null;
    },
    save: (accountKey, rawKey) => bridged.save(accountKey, toBase64url(rawKey)),
    clear: (accountKey) => bridged.clear(accountKey),
  };
}

/** The sync server used last, to fill in the sign-in form. */
export function lastServerUrl(): string {
  return localStorage.getItem(LAST_SERVER_KEY) ?? '';
}

function deviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = randomId();
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

/**
 * The desktop's device app (core/src/app/device-app.ts) over the renderer's ports: Chromium's IndexedDB,
 * localStorage for the session and device id, and the `key-store` custody with the main process's
 * OS-encrypted key store. Without that store (a test page, or Linux without a keyring) the cart on this
 * computer is kept in clear, and the app says so.
 */
export function createDesktopApp(bridge: DesktopBridge, onStep: (message: string) => void = () => undefined): DeviceApp {
  const keyStore = bridge.keyStore ? bridgeKeyStore(bridge.keyStore) : undefined;
  return createDeviceApp({
    storage: dexieBulkReads(getRxStorageDexie()),
    databases: { plain: 'tote-desktop', sealed: 'tote-desktop-sealed' },
    stopwatch: { now: () => performance.now() },
    // The steps of opening, for DevTools' Performance panel and bench/cart10k.ts (with App.svelte's marks).
    mark: (name) => void performance.mark(name),
    deleteDatabaseFiles: (name) => deleteIndexedDbOf(indexedDB, name),
    settings: {
      deviceId: async () => deviceId(),
      sealedAtRest: async () => localStorage.getItem(SEALED_AT_REST_KEY) === 'yes',
      setSealedAtRest: async (value) => (value ? localStorage.setItem(SEALED_AT_REST_KEY, 'yes') : localStorage.removeItem(SEALED_AT_REST_KEY)),
    },
    deviceName: bridge.deviceName,
    thisDevice: 'this computer',
    custody: { kind: 'key-store', keyStore },
    // Without the main process's store (a test page): memory only, so the cart is locked after a reload.
    ...(keyStore ? { accountKeys: keyStore } : {}),
    sessionStore,
    fetch: (input, init) => window.fetch(input, init),
    connectivity: eventConnectivity(window),
    webSocket: (url) => new WebSocket(url),
    onStep,
    analytics: {
      load: async () => {
        try {
          return JSON.parse(localStorage.getItem(ANALYTICS_KEY) ?? 'null') as unknown;
        } catch {
          return null; // unreadable: off, as if never chosen
        }
      },
      save: async (state) => localStorage.setItem(ANALYTICS_KEY, JSON.stringify(state)),
    },
  });
}
