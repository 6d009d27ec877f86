/**
 * The background service worker's one ToteClient: opened on first need, re-opened after Chrome stops
 * and restarts the worker (MV3 stops idle workers after ~30 s), with sync resumed from the stored
 * settings. It is the only owner of the cart database in the extension.
 */
import { createToteClient, eventConnectivity, SYNC_OFF, type OnlineEventSource, type ToteClient } from '@tote/core';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { combineLatest, firstValueFrom } from 'rxjs';
import { browser, type Browser } from 'wxt/browser';
import type { CartSnapshot } from '../messaging/protocol.ts';
import { applySettings } from './message-handler.ts';
import { deviceIdItem, extensionSettingsStore } from './settings.ts';

function deviceName(): string {
  const agent = globalThis.navigator.userAgent;
  const browserName = /Firefox\//.test(agent) ? 'Firefox' : /Edg\//.test(agent) ? 'Edge' : 'Chrome';
  return `${browserName} extension`;
}

let opening: Promise<ToteClient> | null = null;

export function toteClient(): Promise<ToteClient> {
  opening ??= (async () => {
    const client = await createToteClient({
      storage: getRxStorageDexie(),
      name: 'tote-extension',
      device: { id: await deviceIdItem.getValue(), name: deviceName() },
      fetch: (input, init) => globalThis.fetch(input, init),
      connectivity: eventConnectivity(globalThis as unknown as OnlineEventSource),
    });
    await applySettings(client, await extensionSettingsStore.get()).catch(() => undefined);
    return client;
  })();
  // A failed open (IndexedDB refused, say) is not remembered: the next message or alarm tries again.
  opening.catch(() => { opening = null; });
  return opening;
}

export async function snapshot(): Promise<CartSnapshot> {
  const client = await toteClient();
  return { state: client.store.getState(), syncStatus: await firstValueFrom(client.syncStatus$).catch(() => SYNC_OFF) };
}

/** Streams the cart and sync state to a connected popup until it closes. */
export async function servePopup(port: Browser.runtime.Port): Promise<void> {
  const client = await toteClient();
  const subscription = combineLatest([client.store.state$, client.syncStatus$]).subscribe(([state, syncStatus]) => {
    port.postMessage({ state, syncStatus } satisfies CartSnapshot);
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
