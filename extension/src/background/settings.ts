/** What the background keeps in the extension's storage (every stored key is listed here). */
import { storage } from 'wxt/utils/storage';
import type { SyncSettings } from '../messaging/protocol.ts';

export const syncSettingsItem = storage.defineItem<SyncSettings | null>('local:sync-settings', { fallback: null });

export const deviceIdItem = storage.defineItem<string>('local:device-id', {
  init: () => globalThis.crypto.randomUUID(),
});

/** The small part of storage the message handler needs, so tests can pass an in-memory one. */
export interface SettingsStore {
  get(): Promise<SyncSettings | null>;
  set(settings: SyncSettings | null): Promise<void>;
}

export const extensionSettingsStore: SettingsStore = {
  get: () => syncSettingsItem.getValue(),
  set: (settings) => syncSettingsItem.setValue(settings),
};
