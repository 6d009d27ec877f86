/**
 * The background service worker's one ToteClient: opened on first need, re-opened after Chrome stops
 * and restarts the worker (MV3 stops idle workers after ~30 s), with sync resumed from the stored
 * settings. It is the only owner of the cart database in the extension.
 */
import {
  accountApi, createAccountSession, createToteClient, eventConnectivity, noticeViews, SIGNED_OUT, SYNC_OFF,
  type AccountSession, type OnlineEventSource, type ToteClient,
} from '@tote/core';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { combineLatest, firstValueFrom } from 'rxjs';
import { browser, type Browser } from 'wxt/browser';
import type { CartSnapshot } from '../messaging/protocol.ts';
import { deviceIdItem, extensionKeyStore, extensionSessionStore } from './settings.ts';

/** How the notices call this device. */
const THIS_DEVICE = 'this browser';

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

let opening: Promise<ToteApp> | null = null;

function toteApp(): Promise<ToteApp> {
  opening ??= (async () => {
    const fetchPort = (input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init);
    const device = { id: await deviceIdItem.getValue(), name: deviceName() };
    const client = await createToteClient({
      storage: getRxStorageDexie(),
      name: 'tote-extension',
      device,
      fetch: fetchPort,
      connectivity: eventConnectivity(globalThis as unknown as OnlineEventSource),
    });
    const account = createAccountSession({
      client, api: accountApi(fetchPort, device), store: extensionSessionStore, keyStore: extensionKeyStore,
      // An open WebSocket also keeps Chrome from stopping the worker while the shopper is signed in.
      webSocket: (url) => new globalThis.WebSocket(url),
    });
    await account.start().catch(() => undefined);
    return { client, account, deviceId: device.id };
  })();
  // A failed open (IndexedDB refused, say) is not remembered: the next message or alarm tries again.
  opening.catch(() => { opening = null; });
  return opening;
}

export async function toteClient(): Promise<ToteClient> {
  return (await toteApp()).client;
}

export async function toteAccount(): Promise<AccountSession> {
  return (await toteApp()).account;
}

export async function snapshot(): Promise<CartSnapshot> {
  const { client, account, deviceId } = await toteApp();
  return {
    state: client.store.getState(), syncStatus: await firstValueFrom(client.syncStatus$).catch(() => SYNC_OFF), account: account.getState() ?? SIGNED_OUT,
    notices: noticeViews(client.conflicts.getState(), deviceId, THIS_DEVICE), unreadable: client.unreadableNotices.getNotices(),
  };
}

/**
 * Streams the cart, sync, account state and conflict notices to a connected popup until it closes.
 * Opening the popup counts as activity.
 */
export async function servePopup(port: Browser.runtime.Port): Promise<void> {
  const { client, account, deviceId } = await toteApp();
  account.activity();
  const streams = [client.store.state$, client.syncStatus$, account.state$, client.conflicts.state$, client.unreadableNotices.notices$] as const;
  const subscription = combineLatest(streams).subscribe(([state, syncStatus, accountState, log, unreadable]) => {
    port.postMessage({ state, syncStatus, account: accountState, notices: noticeViews(log, deviceId, THIS_DEVICE), unreadable } satisfies CartSnapshot);
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
