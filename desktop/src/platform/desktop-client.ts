/**
 * The renderer's one ToteClient (the renderer owns the cart database, on Chromium's IndexedDB), with
 * the desktop's settings and device id kept in the renderer's localStorage.
 */
import { createToteClient, eventConnectivity, syncTargetFrom, type ToteClient } from '@tote/core';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import type { DesktopBridge } from './bridge.ts';

export interface SyncSettings {
  serverUrl: string;
  username: string;
  password: string;
}

const SETTINGS_KEY = 'tote.sync-settings';
const DEVICE_KEY = 'tote.device-id';

export function loadSettings(): SyncSettings | null {
  try {
    const value = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? 'null') as SyncSettings | null;
    return value && typeof value.serverUrl === 'string' ? value : null;
  } catch {
    return null;
  }
}

function deviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

export async function openDesktopClient(bridge: DesktopBridge): Promise<ToteClient> {
  const client = await createToteClient({
    storage: getRxStorageDexie(),
    name: 'tote-desktop',
    device: { id: deviceId(), name: bridge.deviceName },
    fetch: (input, init) => window.fetch(input, init),
    connectivity: eventConnectivity(window),
  });
  const settings = loadSettings();
  if (settings) await client.configureSync(syncTargetFrom(settings)).catch(() => undefined);
  return client;
}

/** Validates, applies and stores new settings; throws ToteError('INVALID_INPUT') with a message. */
export async function saveSettings(client: ToteClient, settings: SyncSettings): Promise<void> {
  const target = syncTargetFrom(settings);
  await client.configureSync(target);
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
}
