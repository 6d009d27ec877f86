/** The extension's database key over in-memory storage, with the platform's Web Crypto and fast Argon2id parameters. */
import { describe, expect, it } from 'vitest';
import { newAccountKeys } from '../account/account-keys.ts';
import type { StoredSession } from '../account/account-api.ts';
import type { Argon2idParams } from '../crypto/kdf.ts';
import type { OpenDatabaseKey } from '../persistence/database-key.ts';
import { memoryKeyStore, type KeyStorePort } from '../ports.ts';
import { createDatabaseLock, DEVICE_DATABASE_ENTRY, keyStoreDatabaseKey, type DatabaseLock, type LockStorage } from './key-custody.ts';

const FAST_KDF: Argon2idParams = { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 };
const crypto = globalThis.crypto;
const row = { id: 'item-1', title: 'Blue kettle 7731' };

/** `disk` survives a browser restart; `memory` (storage.session) does not. */
function browserStorage() {
  const disk = new Map<string, unknown>();
  const memory = new Map<string, unknown>();
  const accountKeys: KeyStorePort = {
    load: async (id) => (memory.get(`account:${id}`) as Uint8Array | undefined) ?? null,
    save: async (id, raw) => { memory.set(`account:${id}`, new Uint8Array(raw)); },
    clear: async (id) => { memory.delete(`account:${id}`); },
  };
  const storage: LockStorage = {
    record: { get: async () => disk.get('record') ?? null, set: async (value) => { disk.set('record', value === null ? null : JSON.parse(JSON.stringify(value))); } },
    openKey: { get: async () => (memory.get('key') as string | undefined) ?? null, set: async (value) => { memory.set('key', value); } },
    accountKeys,
  };
  return { disk, memory, storage, restart: () => memory.clear() };
}

async function signedIn(password: string): Promise<{ session: StoredSession; keys: Awaited<ReturnType<typeof newAccountKeys>> }> {
  const keys = await newAccountKeys(crypto, password, FAST_KDF);
  const session = { serverUrl: 'https://sync.example', name: 'ada', token: 't', guest: false, keyRecord: keys.record } as unknown as StoredSession;
  return { session, keys };
}

/** The key `open()` gives without the shopper (the test fails if it says locked instead). */
async function openKey(lock: DatabaseLock): Promise<OpenDatabaseKey> {
  const state = await lock.open();
  if (!('key' in state)) throw new Error(`locked to ${state.locked.name}`);
  return state.key;
}

describe('the extension\'s database key', () => {
  it('before any sign-in it opens by itself, and says it has no password', async () => {
    const browser = browserStorage();
    const lock = createDatabaseLock(browser.storage, crypto);
    const first = await openKey(lock);
    const sealed = await first.keyring.cipher.encrypt(row.id, row);
    expect(lock.protection()).toBe('no-password');
    browser.restart();
    const again = await openKey(createDatabaseLock(browser.storage, crypto));
    expect(await again.keyring.cipher.decrypt(row.id, sealed)).toEqual(row);
  });

  it('once an account signed in, a browser restart locks it; only that password opens it, and the key on disk is not in clear', async () => {
    const browser = browserStorage();
    const lock = createDatabaseLock(browser.storage, crypto);
    const opened = await openKey(lock);
    const sealed = await opened.keyring.cipher.encrypt(row.id, row);
    const { session, keys } = await signedIn('correct horse battery');
    await lock.protect(opened, session, keys.keyring);
    expect(lock.protection()).toBe('password');
    expect(JSON.stringify([...browser.disk.values()])).not.toContain(opened.raw);
    // Still open while the browser runs (a worker restart reads the key from memory).
    expect('key' in (await createDatabaseLock(browser.storage, crypto).open())).toBe(true);

    browser.restart();
    const restarted = createDatabaseLock(browser.storage, crypto);
    expect(await restarted.open()).toEqual({ locked: { serverUrl: 'https://sync.example', name: 'ada' } });
    await expect(restarted.unlock({ password: 'wrong horse battery' })).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    expect(browser.memory.size).toBe(0);
    expect(await restarted.open()).toMatchObject({ locked: { name: 'ada' } });

    const unlocked = await restarted.unlock({ password: 'correct horse battery' });
    expect(await unlocked.keyring.cipher.decrypt(row.id, sealed)).toEqual(row);
    // Kept in memory: the database key and the account's key (the account session starts unlocked).
    expect([...browser.memory.keys()].sort()).toEqual(['account:https://sync.example#ada', 'key']);
    expect('key' in (await createDatabaseLock(browser.storage, crypto).open())).toBe(true);

    browser.restart();
    const byRecovery = await createDatabaseLock(browser.storage, crypto).unlock({ recoveryKey: keys.recoveryKey });
    expect(byRecovery.raw).toBe(opened.raw);
  });

  it('a guest session leaves it as it was; forgetting it makes a new key that opens nothing old', async () => {
    const browser = browserStorage();
    const lock = createDatabaseLock(browser.storage, crypto);
    const opened = await openKey(lock);
    const { keys } = await signedIn('a password here');
    await lock.protect(opened, { serverUrl: 'https://sync.example', name: 'guest-1', token: 't', guest: true } as unknown as StoredSession, keys.keyring);
    expect(lock.protection()).toBe('no-password');
    await lock.forget();
    const next = await openKey(lock);
    expect(next.raw).not.toBe(opened.raw);
  });

  it('a damaged record leaves it locked, unlocking says what happened, and removing it starts a new cart', async () => {
    const browser = browserStorage();
    browser.disk.set('record', { version: 1, protection: 'account', owner: null });
    const lock = createDatabaseLock(browser.storage, crypto);
    expect(await lock.open()).toEqual({ locked: { serverUrl: '', name: 'your account' } });
    await expect(lock.unlock({ password: 'anything at all' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('Remove it from this device') });
    await lock.forget();
    expect('key' in (await lock.open())).toBe(true);
  });
});

/** A key store that accepts keys and forgets them (Linux without a keyring). */
const forgetfulStore = (): KeyStorePort => ({ load: async () => null, save: async () => undefined, clear: async () => undefined });

describe('a database key kept by the system\'s key store', () => {
  it('is made once and read back the same on the next start', async () => {
    const store = memoryKeyStore();
    const first = await keyStoreDatabaseKey(store, crypto);
    expect(first?.made).toBe(true);
    const again = await keyStoreDatabaseKey(store, crypto);
    expect(again?.made).toBe(false);
    expect(again?.key.raw).toBe(first?.key.raw);
    expect(await store.load(DEVICE_DATABASE_ENTRY)).not.toBeNull();
  });

  it('is none without a store, or with one that does not keep keys: the cart is then kept in clear', async () => {
    expect(await keyStoreDatabaseKey(undefined, crypto)).toBeNull();
    expect(await keyStoreDatabaseKey(forgetfulStore(), crypto)).toBeNull();
  });
});
