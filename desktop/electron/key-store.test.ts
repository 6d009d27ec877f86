import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { safeStorageKeyStore, type SafeStorageLike } from './key-store.ts';

/**
 * A stand-in for Electron's safeStorage (the Electron runtime cannot run here): a reversible scrambling
 * bound to one "machine secret", so another machine's blob does not open, as with the OS keychain.
 */
function fakeSafeStorage(secret = 7, options: { available?: boolean; backend?: string } = {}): SafeStorageLike {
  const scramble = (bytes: Buffer) => Buffer.from(bytes.map((byte, index) => byte ^ ((secret + index * 31) & 0xff)));
  return {
    isEncryptionAvailable: () => options.available ?? true,
    encryptString: (text) => Buffer.concat([Buffer.from('v10'), scramble(Buffer.from(text, 'utf8'))]),
    decryptString: (data) => {
      if (data.subarray(0, 3).toString() !== 'v10') throw new Error('not ours');
      const text = scramble(data.subarray(3)).toString('utf8');
      if (!/^[\x20-\x7e]*$/.test(text)) throw new Error('another machine');
      return text;
    },
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
  };
}

const KEY = 'q7Kf3m0VtX9a2LrB8cYdE1gH4iJ5kN6oP0sQwUzVx_A';
const ACCOUNT = 'https://sync.example#kim@example.com';
let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tote-keys-'));
  file = path.join(dir, 'userData', 'cart-keys.json');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the desktop key store (safeStorage, one file under userData)', () => {
  it('keeps the key encrypted on disk, gives it back after a restart, and clears it', async () => {
    await safeStorageKeyStore(file, fakeSafeStorage(), 'linux').save(ACCOUNT, KEY);
    const onDisk = await readFile(file, 'utf8');
    expect(onDisk).not.toContain(KEY);
    expect(onDisk).toContain(ACCOUNT);
    const restarted = safeStorageKeyStore(file, fakeSafeStorage(), 'linux');
    expect(await restarted.load(ACCOUNT)).toBe(KEY);
    expect(await restarted.load('https://sync.example#lee@example.com')).toBeNull();
    await restarted.clear(ACCOUNT);
    expect(await restarted.load(ACCOUNT)).toBeNull();
    expect(await readFile(file, 'utf8')).not.toContain(ACCOUNT);
  });

  it('keeps nothing where the OS offers no real encryption (Linux basic_text, or none at all)', async () => {
    await safeStorageKeyStore(file, fakeSafeStorage(7, { backend: 'basic_text' }), 'linux').save(ACCOUNT, KEY);
    await safeStorageKeyStore(file, fakeSafeStorage(7, { available: false }), 'darwin').save(ACCOUNT, KEY);
    await expect(readFile(file, 'utf8')).rejects.toThrow();
    expect(await safeStorageKeyStore(file, fakeSafeStorage(7, { backend: 'basic_text' }), 'linux').load(ACCOUNT)).toBeNull();
  });

  it('answers "no key" for a file from another machine or a damaged file, and refuses what is not a key', async () => {
    await safeStorageKeyStore(file, fakeSafeStorage(7), 'win32').save(ACCOUNT, KEY);
    expect(await safeStorageKeyStore(file, fakeSafeStorage(99), 'win32').load(ACCOUNT)).toBeNull();
    await writeFile(file, '{not json');
    expect(await safeStorageKeyStore(file, fakeSafeStorage(7), 'win32').load(ACCOUNT)).toBeNull();
    const store = safeStorageKeyStore(file, fakeSafeStorage(7), 'win32');
    await expect(store.save(ACCOUNT, 'not a key')).rejects.toThrow();
    await expect(store.save('', KEY)).rejects.toThrow();
    // Writes one after another: none lost.
    await Promise.all([store.save('a#1', KEY), store.save('a#2', KEY), store.save('a#3', KEY)]);
    expect(await Promise.all(['a#1', 'a#2', 'a#3'].map((name) => store.load(name)))).toEqual([KEY, KEY, KEY]);
  });
});
