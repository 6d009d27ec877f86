/** The background's request handler over a real core client (RxDB on storage-memory). */
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cartCommands, createToteClient, SYNC_OFF, selectItems, type ToteClient } from '@tote/core';
import type { Message, SyncSettings } from '../messaging/protocol.ts';
import { createMessageHandler } from './message-handler.ts';
import type { SettingsStore, TabProducts } from './settings.ts';
import type { CapturedProduct } from '../capture/index.ts';

let client: ToteClient;
let stored: SyncSettings | null;
let badges: number[];
let notices: string[];
let found: Map<number, CapturedProduct>;
const tabProducts: TabProducts = {
  get: async (tabId) => found.get(tabId) ?? null,
  set: async (tabId, product) => { found.set(tabId, product); },
};
let handle: ReturnType<typeof createMessageHandler>;

const settingsStore: SettingsStore = {
  get: async () => stored,
  set: async (settings) => { stored = settings; },
};

beforeEach(async () => {
  stored = null;
  badges = [];
  notices = [];
  found = new Map();
  client = await createToteClient({
    storage: getRxStorageMemory(), name: `ext-${Math.random().toString(36).slice(2)}`,
    device: { id: 'ext', name: 'Chrome extension' }, fetch: () => Promise.reject(new TypeError('offline')),
  });
  handle = createMessageHandler({
    client: async () => client, settings: settingsStore, tabProducts,
    notify: (title, message) => notices.push(`${title}: ${message}`),
    snapshot: async () => ({ state: client.store.getState(), syncStatus: SYNC_OFF }),
    markProductFound: (tabId) => badges.push(tabId),
  });
});

afterEach(async () => {
  await client.close();
});

const kettle = { url: 'https://shop.example/kettle', title: 'Kettle', priceMinor: 2000, currency: 'EUR', imageUrl: null, variant: null };

describe('background message handler', () => {
  it('dispatches a cart command and reports success', async () => {
    expect(await handle({ type: 'cart/dispatch', command: cartCommands.add(kettle) })).toEqual({ ok: true });
    expect(selectItems(client.store.getState()).map((item) => item.title)).toEqual(['Kettle']);
    const snapshot = await handle({ type: 'cart/get' } as Message<'cart/get'>);
    expect(Object.keys(snapshot.state.items)).toHaveLength(1);
  });

  it('answers a bad command with its code and the shopper-readable message, and stores nothing', async () => {
    const result = await handle({ type: 'cart/dispatch', command: cartCommands.add({ ...kettle, url: 'javascript:alert(1)' }) });
    expect(result).toEqual({ ok: false, code: 'INVALID_INPUT', message: 'The product link must start with http or https.' });
    const unknown = await handle({ type: 'cart/dispatch', command: { type: 'item/explode' } as never });
    expect(unknown).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(selectItems(client.store.getState())).toEqual([]);
  });

  it('refuses settings it cannot use, keeping the previous ones', async () => {
    const good = { serverUrl: 'http://127.0.0.1:5984', username: 'shopper', password: 'pw' };
    expect(await handle({ type: 'settings/save', settings: good })).toEqual({ ok: true });
    expect(client.sync).not.toBeNull();
    const bad = await handle({ type: 'settings/save', settings: { ...good, serverUrl: 'ftp://nope' } });
    expect(bad).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: 'The server address must start with https:// or http://.' });
    expect(await handle({ type: 'settings/get' } as Message<'settings/get'>)).toEqual({ settings: good });
  });

  it('answers a request type it does not know with INVALID_INPUT', async () => {
    expect(await handle({ type: 'cart/explode' } as never)).toEqual({ ok: false, code: 'INVALID_INPUT', message: 'Unknown request.' });
  });

  it('turns sync off when the settings are cleared', async () => {
    await handle({ type: 'settings/save', settings: { serverUrl: 'http://127.0.0.1:5984', username: 'shopper', password: 'pw' } });
    expect(await handle({ type: 'settings/save', settings: null })).toEqual({ ok: true });
    expect(client.sync).toBeNull();
    expect(stored).toBeNull();
  });

  it('marks the tab whose page has a product', async () => {
    const product = { ...kettle, shop: 'shop.example', source: 'json-ld' as const, brand: null, sku: null, gtin: null, availability: null, origins: {}, otherPrices: [] };
    expect(await handle({ type: 'capture/found', product }, { tab: { id: 7 } })).toEqual({ ok: true });
    expect(badges).toEqual([7]);
  });

  it('adds the product recognised on a tab, with the shopper\'s corrections', async () => {
    const product = { ...kettle, shop: 'shop.example', source: 'json-ld' as const, brand: null, sku: null, gtin: null, availability: null, origins: {}, otherPrices: [] };
    expect(await handle({ type: 'capture/addFromTab', tabId: 3 })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    await handle({ type: 'capture/found', product }, { tab: { id: 3 } });
    expect(await handle({ type: 'capture/forTab', tabId: 3 })).toEqual({ product });
    expect(await handle({ type: 'capture/addFromTab', tabId: 3, corrections: { title: 'Kettle 1.7 l', priceMinor: 1800 } })).toEqual({ ok: true });
    expect(selectItems(client.store.getState())).toMatchObject([{ title: 'Kettle 1.7 l', priceMinor: 1800, addedPriceMinor: 1800 }]);
  });

  it('watches prices: visiting an item\'s page cheaper than when it was added records it and announces the drop', async () => {
    const product = { ...kettle, shop: 'shop.example', source: 'json-ld' as const, brand: null, sku: null, gtin: null, availability: null, origins: {}, otherPrices: [] };
    await handle({ type: 'cart/dispatch', command: cartCommands.add(kettle) });
    await handle({ type: 'capture/found', product: { ...product, priceMinor: 2000 } }, { tab: { id: 1 } });
    expect(notices).toEqual([]);
    await handle({ type: 'capture/found', product: { ...product, priceMinor: 1500 } }, { tab: { id: 1 } });
    expect(selectItems(client.store.getState())[0]).toMatchObject({ priceMinor: 1500, addedPriceMinor: 2000 });
    expect(notices).toEqual(['Price drop in your Tote: Kettle is now €15.00 (was €20.00 when you added it).']);
  });
});
