/** What the background keeps in the extension's storage (every stored key is listed here). */
import { storage } from 'wxt/utils/storage';
import type { CapturedProduct } from '../capture/index.ts';
import type { SyncSettings } from '../messaging/protocol.ts';

export const syncSettingsItem = storage.defineItem<SyncSettings | null>('local:sync-settings', { fallback: null });

export const deviceIdItem = storage.defineItem<string>('local:device-id', {
  init: () => globalThis.crypto.randomUUID(),
});

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

/** The small part of storage the message handler needs, so tests can pass an in-memory one. */
export interface SettingsStore {
  get(): Promise<SyncSettings | null>;
  set(settings: SyncSettings | null): Promise<void>;
}

export const extensionSettingsStore: SettingsStore = {
  get: () => syncSettingsItem.getValue(),
  set: (settings) => syncSettingsItem.setValue(settings),
};
