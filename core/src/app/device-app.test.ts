/** The device app both shells run, over Dexie on fake-indexeddb and in-memory settings and key stores. */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { firstValueFrom, filter } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { newAccountKeys } from '../account/account-keys.ts';
import type { StoredSession } from '../account/account-api.ts';
import type { SessionStore } from '../account/account-session.ts';
import { cartCommands } from '../cart/cart-actions.ts';
import { selectItems } from '../cart/cart-selectors.ts';
import type { Argon2idParams } from '../crypto/kdf.ts';
import { deleteIndexedDbOf } from '../persistence/seal-at-rest.ts';
import { memoryKeyStore, type KeyStorePort } from '../ports.ts';
import { product } from '../test/fixtures.ts';
import type { AnalyticsStoragePort } from '../analytics/analytics-reporter.ts';
import { createDeviceApp, type DeviceApp, type DeviceView } from './device-app.ts';
import { createDatabaseLock, type DeviceKeyCustody, type LockStorage } from './key-custody.ts';

const FAST_KDF: Argon2idParams = { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 };
const TITLE = 'Walnut bread board 4417';

/** One device: its disk (IndexedDB, settings, the key record) survives a restart; its memory does not. */
function device() {
  const indexedDB = new IDBFactory();
  const disk = new Map<string, unknown>();
  let memory = new Map<string, unknown>();
  const accountKeys: KeyStorePort = {
    load: async (id) => (memory.get(`account:${id}`) as Uint8Array | undefined) ?? null,
    save: async (id, raw) => { memory.set(`account:${id}`, new Uint8Array(raw)); },
    clear: async (id) => { memory.delete(`account:${id}`); },
  };
  const lockStorage: LockStorage = {
    record: { get: async () => disk.get('record') ?? null, set: async (value) => { disk.set('record', value); } },
    openKey: { get: async () => (memory.get('key') as string | undefined) ?? null, set: async (value) => { memory.set('key', value); } },
    accountKeys,
  };
  const sessionStore: SessionStore = {
    load: async () => (disk.get('session') as StoredSession | undefined) ?? null,
    save: async (session) => { disk.set('session', session); },
  };
  const analytics: AnalyticsStoragePort = {
    load: async () => disk.get('analytics') ?? null,
    save: async (state) => { disk.set('analytics', structuredClone(state)); },
  };
  const apps: DeviceApp[] = [];
  const open = (custody: DeviceKeyCustody = { kind: 'password', lock: createDatabaseLock(lockStorage) }, mark?: (name: string) => void) => {
    const app = createDeviceApp({
      ...(mark ? { mark } : {}),
      storage: getRxStorageDexie({ indexedDB, IDBKeyRange }),
      databases: { plain: 'cart-plain', sealed: 'cart-sealed' },
      deleteDatabaseFiles: (name) => deleteIndexedDbOf(indexedDB, name),
      settings: {
        deviceId: async () => 'laptop',
        sealedAtRest: async () => disk.get('sealed') === true,
        setSealedAtRest: async (value) => { disk.set('sealed', value); },
      },
      deviceName: 'Laptop',
      thisDevice: 'this browser',
      custody,
      accountKeys,
      sessionStore,
      fetch: () => Promise.reject(new Error('offline')),
      analytics,
    });
    apps.push(app);
    return app;
  };
  /** Closes the open cart, then forgets what was in memory (a browser restart). */
  const restart = async () => {
    for (const app of apps.splice(0)) {
      if ((await app.locked()) === null) await (await app.open()).client.close();
    }
    memory = new Map();
  };
  return { open, restart, lockStorage, disk };
}

const view = (app: DeviceApp, until: (view: DeviceView) => boolean) => firstValueFrom(app.view$.pipe(filter(until)));
const titles = (shown: DeviceView) => selectItems(shown.state).map((item) => item.title);

describe('the device app', () => {
  it('opens a first cart sealed at rest, shows every change in its one view, and finds it again after a restart', async () => {
    const laptop = device();
    const app = laptop.open();
    const { client } = await app.open();
    await client.store.dispatch(cartCommands.add(product({ title: TITLE })));
    const shown = await view(app, (each) => selectItems(each.state).length === 1);
    expect(shown).toMatchObject({ phase: 'open', opening: null, problem: null, deviceLocked: null, atRest: 'no-password' });
    expect(titles(shown)).toEqual([TITLE]);
    expect(laptop.disk.get('sealed')).toBe(true);

    await laptop.restart();
    const again = laptop.open();
    expect(titles(await again.view())).toEqual([TITLE]);
    await laptop.restart();
  });

  it('tells each step of opening as it ends, in order, on every opening', async () => {
    const laptop = device();
    const marks: string[] = [];
    const { client } = await laptop.open(undefined, (name) => marks.push(name)).open();
    await client.store.dispatch(cartCommands.add(product({ title: TITLE })));
    const steps = ['tote:key-ready', 'tote:database-open', 'tote:items-read', 'tote:state-built'];
    expect(marks).toEqual(steps);
    await laptop.restart();
    marks.length = 0;
    expect(titles(await laptop.open(undefined, (name) => marks.push(name)).view())).toEqual([TITLE]);
    expect(marks).toEqual(steps);
    await laptop.restart();
  });

  it('after a restart, a cart an account protects is locked: the view names the owner, and unlocking turns it into the cart', async () => {
    const laptop = device();
    const app = laptop.open();
    await (await app.open()).client.store.dispatch(cartCommands.add(product({ title: TITLE })));
    const keys = await newAccountKeys(globalThis.crypto, 'correct horse battery', FAST_KDF);
    const session = { serverUrl: 'https://sync.example', name: 'ada', token: 't', guest: false, keyRecord: keys.record } as unknown as StoredSession;
    const lock = createDatabaseLock(laptop.lockStorage);
    const state = await lock.open();
    if (!('key' in state)) throw new Error('expected the key while the browser runs');
    await lock.protect(state.key, session, keys.keyring);

    await laptop.restart();
    const restarted = laptop.open();
    const locked = await restarted.view();
    expect(locked).toMatchObject({ phase: 'locked', deviceLocked: { name: 'ada', serverUrl: 'https://sync.example' }, atRest: 'password' });
    expect(locked.account).toMatchObject({ locked: true, name: 'ada' });
    expect(titles(locked)).toEqual([]);
    await expect(restarted.open()).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringContaining('on this browser') });

    const unlocked = view(restarted, (each) => each.phase === 'open');
    await expect(restarted.unlock({ password: 'wrong password' })).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    expect(await restarted.locked()).toEqual({ serverUrl: 'https://sync.example', name: 'ada' });
    await restarted.unlock({ password: 'correct horse battery' });
    expect(titles(await unlocked)).toEqual([TITLE]);
    await laptop.restart();
  });

  it('"Remove this cart" on a locked cart opens a new, empty one, with no alarm about a lost key', async () => {
    const laptop = device();
    const app = laptop.open();
    await (await app.open()).client.store.dispatch(cartCommands.add(product({ title: TITLE })));
    const keys = await newAccountKeys(globalThis.crypto, 'correct horse battery', FAST_KDF);
    const lock = createDatabaseLock(laptop.lockStorage);
    const state = await lock.open();
    if (!('key' in state)) throw new Error('expected the key while the browser runs');
    await lock.protect(state.key, { serverUrl: 'https://sync.example', name: 'ada', token: 't', guest: false, keyRecord: keys.record } as unknown as StoredSession, keys.keyring);
    await laptop.restart();

    const restarted = laptop.open();
    expect((await restarted.view()).phase).toBe('locked');
    await restarted.forget();
    const fresh = await restarted.view();
    expect(fresh).toMatchObject({ phase: 'open', problem: null, atRest: 'no-password' });
    expect(titles(fresh)).toEqual([]);
    await laptop.restart();
  });

  it('with a key store that lost its key, the unreadable cart is removed and the shopper is told it comes back by signing in', async () => {
    const laptop = device();
    const first = laptop.open({ kind: 'key-store', keyStore: memoryKeyStore() });
    await (await first.open()).client.store.dispatch(cartCommands.add(product({ title: TITLE })));
    expect((await first.view()).atRest).toBe('key-store');
    await laptop.restart();

    const after = await laptop.open({ kind: 'key-store', keyStore: memoryKeyStore() }).view();
    expect(after).toMatchObject({ phase: 'open', atRest: 'key-store', problem: expect.stringContaining('comes back from your other devices') });
    expect(titles(after)).toEqual([]);
    await laptop.restart();
  });

  it('without a key store the cart is kept in clear, and says so', async () => {
    const laptop = device();
    const app = laptop.open({ kind: 'key-store', keyStore: undefined });
    await (await app.open()).client.store.dispatch(cartCommands.add(product({ title: TITLE })));
    const shown = await view(app, (each) => selectItems(each.state).length === 1);
    expect(shown).toMatchObject({ phase: 'open', atRest: 'none', problem: null });
    expect(laptop.disk.get('sealed')).toBeUndefined();
    await laptop.restart();
  });

  it('shares no usage figures until the shopper says yes on this device; the choice is kept across restarts and can be taken back', async () => {
    const laptop = device();
    const app = laptop.open();
    await (await app.open()).client.store.dispatch(cartCommands.add(product({ title: TITLE }), { source: 'popup' }));
    expect((await view(app, (each) => each.phase === 'open')).analyticsConsent).toBe(false);
    expect(await app.reportAnalytics()).toEqual({ sent: 0, due: 0 });

    await app.setAnalyticsConsent(true);
    expect((await view(app, (each) => each.analyticsConsent === true)).analyticsConsent).toBe(true);
    // Signed out: today's figures wait on this device.
    expect(await app.reportAnalytics()).toEqual({ sent: 0, due: 1 });
    expect((await app.open()).analytics?.lastError?.code).toBe('SESSION_EXPIRED');

    await laptop.restart();
    const again = laptop.open();
    await again.open().catch(() => undefined);
    expect(await again.reportAnalytics()).toMatchObject({ due: 1 });
    await again.setAnalyticsConsent(false);
    expect((await view(again, (each) => each.analyticsConsent === false)).analyticsConsent).toBe(false);
    expect(await again.reportAnalytics()).toEqual({ sent: 0, due: 0 });
    expect(laptop.disk.get('analytics')).toMatchObject({ consentSince: null, sent: {} });
    await laptop.restart();
  });

  it('keeps the checkouts and orders shop pages report, without consent, across a restart; none while the cart is locked', async () => {
    const laptop = device();
    const app = laptop.open();
    await app.open();
    await app.recordShopSignal({ kind: 'checkout', shop: 'shop.example' });
    await app.recordShopSignal({ kind: 'orderPlaced', shop: 'shop.example' });
    expect((await app.shopSignals()).map((signal) => `${signal.kind} ${signal.shop} ${signal.device}`)).toEqual(['checkout shop.example laptop', 'orderPlaced shop.example laptop']);

    // Locked after a restart: a page's report keeps nothing, and reads nothing.
    const keys = await newAccountKeys(globalThis.crypto, 'correct horse battery', FAST_KDF);
    const session = { serverUrl: 'https://sync.example', name: 'ada', token: 't', guest: false, keyRecord: keys.record } as unknown as StoredSession;
    const lock = createDatabaseLock(laptop.lockStorage);
    const state = await lock.open();
    if (!('key' in state)) throw new Error('expected the key while the browser runs');
    await lock.protect(state.key, session, keys.keyring);
    await laptop.restart();
    const restarted = laptop.open();
    await restarted.recordShopSignal({ kind: 'checkout', shop: 'other.example' });
    expect(await restarted.shopSignals()).toEqual([]);
    await restarted.unlock({ password: 'correct horse battery' });
    expect((await restarted.shopSignals()).map((signal) => signal.shop)).toEqual(['shop.example', 'shop.example']);
    await laptop.restart();
  });

  it('times the cart\'s load, each change until committed and each capture the extension reports, for the Diagnostics panel', async () => {
    const laptop = device();
    const app = laptop.open();
    const { client } = await app.open();
    const { written } = await client.store.dispatch(cartCommands.add(product({ title: TITLE })));
    await client.store.dispatch(cartCommands.setQuantity(written[0]!.id, 2));
    await client.store.dispatch(cartCommands.removeMany([written[0]!.id]));
    await app.recordCaptureTime(12.5);
    const report = await app.latency();
    const count = (operation: string) => report!.operations.find((entry) => entry.operation === operation)!.sinceStart?.count ?? 0;
    expect(['load', 'add', 'edit', 'bulk', 'capture', 'remove', 'sync'].map(count)).toEqual([1, 1, 1, 1, 1, 0, 0]); // offline: nothing reached a server
    expect(report!.operations.find((entry) => entry.operation === 'capture')!.sinceStart!.max).toBeCloseTo(12.5, 0);
    await laptop.restart();
  });
});
