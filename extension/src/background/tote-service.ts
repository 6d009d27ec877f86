/**
 * The background service worker's one ToteClient: opened on first need, re-opened after Chrome stops
 * and restarts the worker (MV3 stops idle workers after ~30 s), with sync resumed from the stored
 * settings. It is the only owner of the cart database in the extension.
 *
 * The database is sealed at rest (docs/encryption.md, "At rest on the device"): it opens only with the
 * database key, which `database-lock.ts` keeps in memory. After the browser restarts, a cart protected by
 * an account stays locked (no database, no cart in the popup, captures refused with a message) until the
 * account's password or recovery key unlocks it.
 */
import {
  accountApi, createAccountSession, createToteClient, deleteIndexedDbOf, encryptedStorage, eventConnectivity, initialCartState, noticeViews, sealExistingDatabase,
  SIGNED_OUT, SYNC_OFF, ToteError,
  type AccountSession, type AccountState, type CartState, type ConflictLogState, type DatabaseKeyOwner, type OnlineEventSource, type OpenDatabaseKey,
  type SessionStore, type SyncStatus, type ToteClient, type UnreadableNotice,
} from '@tote/core';
import { removeRxDatabase } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { combineLatest, firstValueFrom } from 'rxjs';
import { browser, type Browser } from 'wxt/browser';
import type { CartSnapshot } from '../messaging/protocol.ts';
import { createDatabaseLock, lockedAccount, type DeviceLock } from './database-lock.ts';
import {
  cartKeysItem, databaseKeyItem, deviceIdItem, extensionKeyStore, extensionSessionStore, openDatabaseKeyItem, sealedAtRestItem, sessionItem,
} from './settings.ts';

/** How the notices call this device. */
const THIS_DEVICE = 'this browser';
/** The database before encryption at rest, and the sealed one. */
const PLAIN_DB = 'tote-extension';
const SEALED_DB = 'tote-extension-sealed';

function deviceName(): string {
  const agent = globalThis.navigator.userAgent;
  const browserName = /Firefox\//.test(agent) ? 'Firefox' : /Edg\//.test(agent) ? 'Edge' : 'Chrome';
  return `${browserName} extension`;
}

interface ToteApp {
  readonly client: ToteClient;
  readonly account: AccountSession;
  readonly deviceId: string;
}

type Opened = { readonly app: ToteApp; readonly locked?: undefined } | { readonly app?: undefined; readonly locked: DatabaseKeyOwner };

const databaseLock = createDatabaseLock({
  record: { get: () => databaseKeyItem.getValue(), set: (value) => databaseKeyItem.setValue(value) },
  openKey: { get: () => openDatabaseKeyItem.getValue(), set: (value) => openDatabaseKeyItem.setValue(value) },
  accountKeys: extensionKeyStore,
});

let opening: Promise<Opened> | null = null;
/** Popups showing the locked cart: told to connect again once it is unlocked or removed. */
const lockedPorts = new Set<Browser.runtime.Port>();

async function openApp(key: OpenDatabaseKey): Promise<ToteApp> {
  const fetchPort = (input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init);
  const device = { id: await deviceIdItem.getValue(), name: deviceName() };
  if (!(await sealedAtRestItem.getValue())) {
    // A cart kept in clear before: moved into the sealed database, then its IndexedDB files deleted.
    await sealExistingDatabase({ storage: getRxStorageDexie(), name: PLAIN_DB }, { storage: encryptedStorage(getRxStorageDexie(), key.keyring), name: SEALED_DB });
    await sealedAtRestItem.setValue(true);
    await deleteIndexedDbOf(indexedDB, PLAIN_DB);
  }
  const client = await createToteClient({
    storage: getRxStorageDexie(),
    name: SEALED_DB,
    atRest: key.keyring,
    device,
    fetch: fetchPort,
    connectivity: eventConnectivity(globalThis as unknown as OnlineEventSource),
  });
  let account: AccountSession | null = null;
  // Every saved session (a sign-in, an unlock, a password change) protects the database key with the
  // account's data key and its current key record.
  const store: SessionStore = {
    load: () => extensionSessionStore.load(),
    async save(session) {
      await extensionSessionStore.save(session);
      if (account) await databaseLock.protect(key, session, account.keyring()).catch(() => undefined);
    },
  };
  account = createAccountSession({
    client, api: accountApi(fetchPort, device), store, keyStore: extensionKeyStore,
    // An open WebSocket also keeps Chrome from stopping the worker while the shopper is signed in.
    webSocket: (url) => new globalThis.WebSocket(url),
  });
  await account.start().catch(() => undefined);
  return { client, account, deviceId: device.id };
}

function opened(): Promise<Opened> {
  opening ??= (async (): Promise<Opened> => {
    const state = await databaseLock.open();
    if ('locked' in state) return { locked: state.locked };
    return { app: await openApp(state.key) };
  })();
  // A failed open (IndexedDB refused, say) is not remembered: the next message or alarm tries again.
  opening.catch(() => { opening = null; });
  return opening;
}

function lockedError(owner: DatabaseKeyOwner): ToteError {
  return new ToteError('LOCKED', `Your cart is encrypted on this browser and locked since it was closed. Open Tote and enter the password of ${owner.name} to unlock it.`);
}

async function toteApp(): Promise<ToteApp> {
  const { app, locked } = await opened();
  if (!app) throw lockedError(locked);
  return app;
}

/** Opens the cart if it can be opened without the shopper (on start and on every alarm). */
export async function wake(): Promise<void> {
  await opened().catch(() => undefined);
}

export async function toteClient(): Promise<ToteClient> {
  return (await toteApp()).client;
}

export async function toteAccount(): Promise<AccountSession> {
  return (await toteApp()).account;
}

/** Connected popups of the locked cart connect again, and get the cart (or the empty one). */
function reconnectLockedPopups(): void {
  for (const port of lockedPorts) port.disconnect();
  lockedPorts.clear();
}

export const deviceLock: DeviceLock = {
  async locked() {
    return (await opened().catch(() => ({ locked: undefined }))).locked ?? null;
  },
  async unlock(secret, then) {
    if (!(await opened()).locked) return;
    await databaseLock.unlock(secret);
    opening = null;
    try {
      await opened();
      await then?.();
    } finally {
      reconnectLockedPopups();
    }
  },
  async forget() {
    if (!(await opened()).locked) return;
    // Without its key nobody can read it: removed, with the session that belonged to it.
    await removeRxDatabase(SEALED_DB, getRxStorageDexie()).catch(() => undefined);
    await deleteIndexedDbOf(indexedDB, SEALED_DB);
    await databaseLock.forget();
    await sessionItem.setValue(null);
    await cartKeysItem.setValue({});
    opening = null;
    await opened();
    reconnectLockedPopups();
  },
};

function lockedSnapshot(owner: DatabaseKeyOwner): CartSnapshot {
  return { state: initialCartState, syncStatus: SYNC_OFF, account: lockedAccount(owner), notices: [], unreadable: [], deviceLocked: owner, atRest: 'password' };
}

/** What the popup shows of an open cart. */
function openSnapshot(deviceId: string, parts: {
  state: CartState; syncStatus: SyncStatus; account: AccountState; log: ConflictLogState; unreadable: readonly UnreadableNotice[];
}): CartSnapshot {
  return {
    state: parts.state, syncStatus: parts.syncStatus, account: parts.account, notices: noticeViews(parts.log, deviceId, THIS_DEVICE),
    unreadable: parts.unreadable, deviceLocked: null, atRest: databaseLock.protection(),
  };
}

export async function snapshot(): Promise<CartSnapshot> {
  const { app, locked } = await opened();
  if (!app) return lockedSnapshot(locked);
  const { client, account, deviceId } = app;
  return openSnapshot(deviceId, {
    state: client.store.getState(), syncStatus: await firstValueFrom(client.syncStatus$).catch(() => SYNC_OFF), account: account.getState() ?? SIGNED_OUT,
    log: client.conflicts.getState(), unreadable: client.unreadableNotices.getNotices(),
  });
}

/**
 * Streams the cart, sync, account state and conflict notices to a connected popup until it closes.
 * Opening the popup counts as activity.
 */
export async function servePopup(port: Browser.runtime.Port): Promise<void> {
  const { app, locked } = await opened();
  if (!app) {
    lockedPorts.add(port);
    port.onDisconnect.addListener(() => lockedPorts.delete(port));
    port.postMessage(lockedSnapshot(locked));
    return;
  }
  const { client, account, deviceId } = app;
  account.activity();
  const streams = [client.store.state$, client.syncStatus$, account.state$, client.conflicts.state$, client.unreadableNotices.notices$] as const;
  const subscription = combineLatest(streams).subscribe(([state, syncStatus, accountState, log, unreadable]) => {
    port.postMessage(openSnapshot(deviceId, { state, syncStatus, account: accountState, log, unreadable }));
  });
  port.onDisconnect.addListener(() => subscription.unsubscribe());
}

export function notify(title: string, message: string): void {
  void browser.notifications.create({ type: 'basic', iconUrl: browser.runtime.getURL('/icon/128.png'), title, message }).catch(() => undefined);
}

export function markProductFound(tabId: number): void {
  void browser.action.setBadgeText({ tabId, text: '+' });
  void browser.action.setBadgeBackgroundColor({ tabId, color: '#2f7d5b' });
}
