/**
 * The renderer's one ToteClient (the renderer owns the cart database, on Chromium's IndexedDB) and its
 * account session, with the session and device id kept in the renderer's localStorage.
 */
import {
  accountApi, createAccountSession, createKeyring, createToteClient, deleteIndexedDbOf, encryptedStorage, eventConnectivity, exportKeyring, fromBase64url,
  importKeyring, randomId, sealExistingDatabase, toBase64url,
  type AccountSession, type Keyring, type KeyStorePort, type SessionStore, type StoredSession, type ToteClient,
} from '@tote/core';
import { removeRxDatabase } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import type { DesktopBridge, DesktopKeyStore } from './bridge.ts';

const SESSION_KEY = 'tote.account-session';
const LAST_SERVER_KEY = 'tote.last-server';
const DEVICE_KEY = 'tote.device-id';
/** Set once the cart kept in clear (before encryption at rest) was moved into the sealed database. */
const SEALED_AT_REST_KEY = 'tote.sealed-at-rest';
/** The database before encryption at rest, and the sealed one. */
const PLAIN_DB = 'tote-desktop';
const SEALED_DB = 'tote-desktop-sealed';
/** The key store's entry for this computer's database key (account entries are server and user names). */
const STORAGE_KEY_ENTRY = 'this-computer:database';

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
 * This computer's key for its own database (docs/encryption.md, "At rest on the device"): made once,
 * kept by the OS key store. Null when there is no store that keeps it (a test page, or Linux without a
 * keyring): the cart on this computer is then kept in clear, and the app says so.
 */
async function databaseKey(keyStore: KeyStorePort | undefined): Promise<{ keyring: Keyring; made: boolean } | null> {
  if (!keyStore) return null;
  const kept = await keyStore.load(STORAGE_KEY_ENTRY).catch(() => null);
  if (kept) return { keyring: await importKeyring(crypto, kept), made: false };
  const keyring = await createKeyring(crypto);
  await keyStore.save(STORAGE_KEY_ENTRY, await exportKeyring(keyring)).catch(() => undefined);
  // Read back: a store that cannot keep keys accepts them and forgets them.
  return (await keyStore.load(STORAGE_KEY_ENTRY).catch(() => null)) ? { keyring, made: true } : null;
}

export interface DesktopApp {
  readonly client: ToteClient;
  readonly account: AccountSession;
  /** This computer's device id: the notices name it "this computer". */
  readonly deviceId: string;
  /** Whether the cart on this computer is encrypted at rest (with a key kept by the OS key store). */
  readonly sealedAtRest: boolean;
  /** Set when the cart saved on this computer could not be opened at start: what happened, for the shopper. */
  readonly startProblem: string | null;
}

export async function openDesktopClient(bridge: DesktopBridge, onStep: (message: string) => void = () => undefined): Promise<DesktopApp> {
  const fetchPort = (input: RequestInfo | URL, init?: RequestInit) => window.fetch(input, init);
  const device = { id: deviceId(), name: bridge.deviceName };
  const keyStore = bridge.keyStore ? bridgeKeyStore(bridge.keyStore) : undefined;
  const key = await databaseKey(keyStore);
  const atRest = key?.keyring ?? null;
  let startProblem: string | null = null;
  if (key?.made && localStorage.getItem(SEALED_AT_REST_KEY) === 'yes') {
    // The OS key store lost the key (reset, or another user): what it sealed cannot be read by anyone.
    await removeRxDatabase(SEALED_DB, getRxStorageDexie());
    startProblem = 'The system\'s key store no longer had Tote\'s key, so the cart saved on this computer could not be opened. '
      + 'Sign in and it comes back from your other devices through the sync server.';
  }
  if (atRest && localStorage.getItem(SEALED_AT_REST_KEY) !== 'yes') {
    onStep('Encrypting your cart on this computer…');
    await sealExistingDatabase({ storage: getRxStorageDexie(), name: PLAIN_DB }, { storage: encryptedStorage(getRxStorageDexie(), atRest), name: SEALED_DB });
    localStorage.setItem(SEALED_AT_REST_KEY, 'yes');
    await deleteIndexedDbOf(indexedDB, PLAIN_DB);
  }
  const client = await createToteClient({
    storage: getRxStorageDexie(),
    name: atRest ? SEALED_DB : PLAIN_DB,
    ...(atRest ? { atRest } : {}),
    device,
    fetch: fetchPort,
    connectivity: eventConnectivity(window),
  });
  const account = createAccountSession({
    client, api: accountApi(fetchPort, device), store: sessionStore, webSocket: (url) => new WebSocket(url),
    // Without the main process's store (a test page): memory only, so the cart is locked after a reload.
    ...(keyStore ? { keyStore } : {}),
  });
  await account.start().catch(() => undefined);
  // The shopper using the window keeps the session alive (sliding expiry); background sync does not.
  for (const type of ['pointerdown', 'keydown'] as const) window.addEventListener(type, () => account.activity(), { passive: true });
  return { client, account, deviceId: device.id, sealedAtRest: atRest !== null, startProblem };
}
