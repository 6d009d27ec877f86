/**
 * Runs inside real Chromium (bundled by page-device.ts): one device of the shopper as the desktop app
 * opens it (desktop/src/platform/desktop-client.ts), the real Tote core on storage-dexie over the
 * page's IndexedDB, sealed at rest with this computer's key, and the real account session syncing
 * with the sync server. The key store is the test's (the `toteKey*` functions it exposes), as the
 * desktop's is the main process's: it outlives the browser, as the operating system's key store does.
 *
 * The driver calls `globalThis.toteDevice`; `toteWriteStarted` and `toteWriteStored` (exposed by the
 * driver when it wants them) tell it when a bulk write begins and when the core said it was stored.
 */
import {
  accountApi, cartCommands, createAccountSession, createKeyring, createToteClient, exportKeyring, fromBase64url, importKeyring, toBase64url,
  type AccountSession, type CartCommand, type KeyStorePort, type ToteClient,
} from '@tote/core';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import type { PageDevice, PageItems } from './page-device.ts';

const DATABASE_KEY = 'this-computer:database';
const SESSION_KEY = 'tote.account-session';
type Bindings = {
  toteKeyLoad(name: string): Promise<string | null>;
  toteKeySave(name: string, key: string): Promise<void>;
  toteKeyClear(name: string): Promise<void>;
  toteWriteStarted?(): Promise<void>;
  toteWriteStored?(): Promise<void>;
};
const bindings = globalThis as unknown as Bindings;

const keyStore: KeyStorePort = {
  async load(name) {
    const key = await bindings.toteKeyLoad(name);
    return key === null ? null : fromBase64url(key);
  },
  save: (name, key) => bindings.toteKeySave(name, toBase64url(key)),
  clear: (name) => bindings.toteKeyClear(name),
};

let client: ToteClient | null = null;
let account: AccountSession | null = null;
const opened = () => {
  if (!client || !account) throw new Error('the device is not open');
  return { client, account };
};

/** The outcome of a dispatch as plain data (a ToteError's code), so nothing throws across the page boundary. */
async function run(command: CartCommand): Promise<{ ok: true; written: number } | { ok: false; code: string; message: string }> {
  try {
    const { written } = await opened().client.store.dispatch(command);
    return { ok: true, written: written.length };
  } catch (error) {
    const { code = 'UNKNOWN', message = String(error) } = error as { code?: string; message?: string };
    return { ok: false, code, message };
  }
}

const device: PageDevice = {
  async open(name, deviceId, passwordKdf) {
    const kept = await keyStore.load(DATABASE_KEY);
    const atRest = kept ? await importKeyring(crypto, kept) : await createKeyring(crypto);
    if (!kept) await keyStore.save(DATABASE_KEY, await exportKeyring(atRest));
    const fetchPort = (input: RequestInfo | URL, init?: RequestInit) => window.fetch(input, init);
    const me = { id: deviceId, name: 'Test browser' };
    client = await createToteClient({ storage: getRxStorageDexie(), name, atRest, device: me, fetch: fetchPort, retryMs: 300 });
    account = createAccountSession({
      client, api: accountApi(fetchPort, me), keyStore, passwordKdf,
      store: {
        load: async () => JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null'),
        save: async (session) => (session ? localStorage.setItem(SESSION_KEY, JSON.stringify(session)) : localStorage.removeItem(SESSION_KEY)),
      },
    });
    await account.start();
  },
  signIn: (serverUrl, name, password) => opened().account.signIn(serverUrl, name, password),
  async fill(count, prefix) {
    for (let i = 0; i < count; i += 1) {
      const result = await run(cartCommands.add({
        url: `https://shop-${i % 20}.example/p/${prefix}-${i}`, title: `${prefix} item ${i}`, priceMinor: 100 + i, currency: 'EUR', imageUrl: null, variant: null,
      }));
      if (!result.ok) throw new Error(`adding item ${i}: ${result.message}`);
    }
  },
  async bulk(kind) {
    const { store } = opened().client;
    const removed = Object.values(store.getState().items).filter((item) => item.deleted).map((item) => item.id);
    const command = kind === 'clear' ? cartCommands.clearList('cart') : cartCommands.bringBack(removed);
    await bindings.toteWriteStarted?.();
    const result = await run(command);
    if (result.ok) await bindings.toteWriteStored?.();
    await store.settled();
    return result;
  },
  async restore(to) {
    const { store } = opened().client;
    await bindings.toteWriteStarted?.();
    try {
      const { changed, removed, broughtBack } = await store.restore(to);
      await bindings.toteWriteStored?.();
      await store.settled();
      return { ok: true, written: changed + removed + broughtBack };
    } catch (error) {
      const { code = 'UNKNOWN', message = String(error) } = error as { code?: string; message?: string };
      return { ok: false, code, message };
    }
  },
  dispatch: run,
  items(): PageItems {
    const items = Object.values(opened().client.store.getState().items);
    return {
      live: items.filter((item) => !item.deleted).map((item) => ({ id: item.id, title: item.title, quantity: item.quantity, note: item.note })),
      removed: items.filter((item) => item.deleted).map((item) => item.id),
    };
  },
  conflictNotices: () => opened().client.conflicts.getState().notices.map(({ conflict: { kind, field, winner, loser } }) => `${kind} ${field}: ${JSON.stringify(winner)} over ${JSON.stringify(loser)}`),
  notices: () => opened().client.unreadableNotices.getNotices().map(({ id, title, message }) => ({ id, title, message })),
  syncPhase: () => opened().client.sync?.getStatus().phase ?? 'off',
  awaitInSync: async () => opened().client.sync?.awaitInSync(),
  async close() {
    await account?.close();
    await client?.close();
    account = null;
    client = null;
  },
};

(globalThis as unknown as { toteDevice: PageDevice }).toteDevice = device;
