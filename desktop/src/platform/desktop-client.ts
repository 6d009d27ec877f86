/**
 * The renderer's one ToteClient (the renderer owns the cart database, on Chromium's IndexedDB) and its
 * account session, with the session and device id kept in the renderer's localStorage.
 */
import {
  accountApi, createAccountSession, createToteClient, eventConnectivity, fromBase64url, toBase64url,
  type AccountSession, type KeyStorePort, type SessionStore, type StoredSession, type ToteClient,
} from '@tote/core';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import type { DesktopBridge, DesktopKeyStore } from './bridge.ts';

const SESSION_KEY = 'tote.account-session';
const LAST_SERVER_KEY = 'tote.last-server';
const DEVICE_KEY = 'tote.device-id';

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
    id = crypto.randomUUID();
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

export interface DesktopApp {
  readonly client: ToteClient;
  readonly account: AccountSession;
  /** This computer's device id: the notices name it "this computer". */
  readonly deviceId: string;
}

export async function openDesktopClient(bridge: DesktopBridge): Promise<DesktopApp> {
  const fetchPort = (input: RequestInfo | URL, init?: RequestInit) => window.fetch(input, init);
  const device = { id: deviceId(), name: bridge.deviceName };
  const client = await createToteClient({
    storage: getRxStorageDexie(),
    name: 'tote-desktop',
    device,
    fetch: fetchPort,
    connectivity: eventConnectivity(window),
  });
  const account = createAccountSession({
    client, api: accountApi(fetchPort, device), store: sessionStore, webSocket: (url) => new WebSocket(url),
    // Without the main process's store (a test page): memory only, so the cart is locked after a reload.
    ...(bridge.keyStore ? { keyStore: bridgeKeyStore(bridge.keyStore) } : {}),
  });
  await account.start().catch(() => undefined);
  // The shopper using the window keeps the session alive (sliding expiry); background sync does not.
  for (const type of ['pointerdown', 'keydown'] as const) window.addEventListener(type, () => account.activity(), { passive: true });
  return { client, account, deviceId: device.id };
}
