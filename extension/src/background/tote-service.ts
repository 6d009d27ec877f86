/**
 * The background service worker's device app (core/src/app/device-app.ts): opened on first need,
 * re-opened after Chrome stops and restarts the worker (MV3 stops idle workers after ~30 s), with sync
 * resumed from the stored session. It is the only owner of the cart database in the extension; this
 * file holds only the extension's ports.
 *
 * The database is sealed at rest with the `password` custody (core/src/app/key-custody.ts): after the
 * browser restarts, a cart protected by an account stays locked (no cart in the popup, captures refused
 * with a message) until the account's password or recovery key unlocks it.
 */
import { createDatabaseLock, createDeviceApp, deleteIndexedDbOf, eventConnectivity, type AccountSession, type OnlineEventSource, type ToteClient } from '@tote/core';
import { dexieBulkReads } from '@tote/core/dexie-bulk-reads';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { browser, type Browser } from 'wxt/browser';
import type { CartSnapshot } from '../messaging/protocol.ts';
import type { DeviceLock } from './message-handler.ts';
import {
  databaseKeyItem, deviceIdItem, extensionAnalyticsStorage, extensionKeyStore, extensionSessionStore, openDatabaseKeyItem, sealedAtRestItem,
} from './settings.ts';

function deviceName(): string {
  const agent = globalThis.navigator.userAgent;
  const browserName = /Firefox\//.test(agent) ? 'Firefox' : /Edg\//.test(agent) ? 'Edge' : 'Chrome';
  return `${browserName} extension`;
}

const app = createDeviceApp({
  storage: dexieBulkReads(getRxStorageDexie()),
  databases: { plain: 'tote-extension', sealed: 'tote-extension-sealed' },
  deleteDatabaseFiles: (name) => deleteIndexedDbOf(indexedDB, name),
  settings: {
    deviceId: () => deviceIdItem.getValue(),
    sealedAtRest: () => sealedAtRestItem.getValue(),
    setSealedAtRest: (value) => sealedAtRestItem.setValue(value),
  },
  deviceName: deviceName(),
  thisDevice: 'this browser',
  custody: {
    kind: 'password',
    lock: createDatabaseLock({
      record: { get: () => databaseKeyItem.getValue(), set: (value) => databaseKeyItem.setValue(value) },
      openKey: { get: () => openDatabaseKeyItem.getValue(), set: (value) => openDatabaseKeyItem.setValue(value) },
      accountKeys: extensionKeyStore,
    }),
  },
  accountKeys: extensionKeyStore,
  sessionStore: extensionSessionStore,
  fetch: (input, init) => globalThis.fetch(input, init),
  connectivity: eventConnectivity(globalThis as unknown as OnlineEventSource),
  // An open WebSocket also keeps Chrome from stopping the worker while the shopper is signed in.
  webSocket: (url) => new globalThis.WebSocket(url),
  // The shopper's analytics choice and the days to send (docs/analytics.md): sent on opening and on the six-hour alarm.
  analytics: extensionAnalyticsStorage,
});

/** Opens the cart if it can be opened without the shopper (on start and on every alarm). */
export const wake = (): Promise<void> => app.wake();

export async function toteClient(): Promise<ToteClient> {
  return (await app.open()).client;
}

export async function toteAccount(): Promise<AccountSession> {
  return (await app.open()).account;
}

export const deviceLock: DeviceLock = app;

/** The shopper's analytics choice, taken from the popup, and what shop pages showed (docs/analytics.md). */
export const analytics = {
  setAnalyticsConsent: (on: boolean) => app.setAnalyticsConsent(on),
  // A checkout or order confirmation a page reported (docs/analytics.md), kept on this device.
  recordShopSignal: (signal: Parameters<typeof app.recordShopSignal>[0]) => app.recordShopSignal(signal),
  // How long a page took to read (docs/analytics.md, "Monitoring"): into this browser's latency histograms.
  recordCaptureTime: (ms: number) => app.recordCaptureTime(ms),
};

/** Sends the usage counts that are due, with consent; a cart that cannot open without the shopper sends nothing. */
export async function reportAnalytics(): Promise<void> {
  await app.wake();
  await app.reportAnalytics().catch(() => null);
}

export const snapshot = (): Promise<CartSnapshot> => app.view();

/**
 * Streams the device's view to a connected popup until it closes: the cart, sync, account and notices,
 * or the locked cart's unlock form, which turns into the cart once unlocked. Opening the popup counts as activity.
 */
export async function servePopup(port: Browser.runtime.Port): Promise<void> {
  await app.wake();
  void app.open().then((device) => device.account.activity(), () => undefined);
  const subscription = app.view$.subscribe((view) => port.postMessage(view));
  port.onDisconnect.addListener(() => subscription.unsubscribe());
}

export function notify(title: string, message: string): void {
  void browser.notifications.create({ type: 'basic', iconUrl: browser.runtime.getURL('/icon/128.png'), title, message }).catch(() => undefined);
}

export function markProductFound(tabId: number): void {
  void browser.action.setBadgeText({ tabId, text: '+' });
  void browser.action.setBadgeBackgroundColor({ tabId, color: '#2f7d5b' });
}
