/**
 * The desktop's key store (docs/encryption.md, "Where the key lives on each device"), in the main
 * process: the renderer's unlocked cart key per account, encrypted with Electron's `safeStorage` (the
 * OS's keychain: Keychain on macOS, DPAPI on Windows, the Secret Service / KWallet on Linux) and kept in
 * one file under `userData`. The renderer reaches it only through three IPC calls (preload.ts), and
 * only from Tote's own page.
 *
 * On Linux without a keyring Electron falls back to a hard-coded password (`basic_text`), which
 * protects nothing: then nothing is kept and the cart is locked after each start, like a missing store.
 * https://www.electronjs.org/docs/latest/api/safe-storage
 *
 * Tested in Node with a stand-in for `safeStorage` (key-store.test.ts): the Electron runtime cannot run
 * on the machines that build Tote, so the real `safeStorage` is not exercised by the tests.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The part of Electron's `safeStorage` this store uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron; absent elsewhere. */
  getSelectedStorageBackend?(): string;
}

/** What the renderer sees: the key as base64url text, null when none is kept. */
export interface DesktopKeyStoreApi {
  load(accountKey: string): Promise<string | null>;
  save(accountKey: string, key: string): Promise<void>;
  clear(accountKey: string): Promise<void>;
}

const KEY_TEXT = /^[A-Za-z0-9_-]{43}$/; // 32 bytes in base64url, no padding
const MAX_ACCOUNT_KEY = 600;

function usable(safeStorage: SafeStorageLike, platform: string): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  return !(platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text');
}

export function safeStorageKeyStore(file: string, safeStorage: SafeStorageLike, platform: string = process.platform): DesktopKeyStoreApi {
  let writes: Promise<unknown> = Promise.resolve();
  const read = async (): Promise<Record<string, string>> => {
    try {
      const value = JSON.parse(await readFile(file, 'utf8')) as unknown;
      return value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, string> : {};
    } catch {
      return {}; // missing or damaged: nothing kept
    }
  };
  /** Writes one after another, through a temporary file, so a crash never leaves half a file. */
  const change = (edit: (kept: Record<string, string>) => Record<string, string>) => {
    const run = writes.then(async () => {
      const next = edit(await read());
      await mkdir(path.dirname(file), { recursive: true });
      const temporary = `${file}.tmp`;
      await writeFile(temporary, JSON.stringify(next), { mode: 0o600 });
      await rename(temporary, file);
    });
    writes = run.catch(() => undefined);
    return run;
  };
  const checkName = (accountKey: unknown): string => {
    if (typeof accountKey !== 'string' || accountKey === '' || accountKey.length > MAX_ACCOUNT_KEY) throw new Error('Not an account.');
    return accountKey;
  };
  return {
    async load(accountKey) {
      const name = checkName(accountKey);
      if (!usable(safeStorage, platform)) return null;
      const sealed = (await read())[name];
      if (typeof sealed !== 'string') return null;
      try {
        const key = safeStorage.decryptString(Buffer.from(sealed, 'base64'));
        return KEY_TEXT.test(key) ? key : null;
      } catch {
        return null; // sealed by another user or machine: the shopper unlocks with the password
      }
    },
    async save(accountKey, key) {
      const name = checkName(accountKey);
      if (typeof key !== 'string' || !KEY_TEXT.test(key)) throw new Error('Not a key.');
      if (!usable(safeStorage, platform)) return;
      const sealed = safeStorage.encryptString(key).toString('base64');
      await change((kept) => ({ ...kept, [name]: sealed }));
    },
    async clear(accountKey) {
      const name = checkName(accountKey);
      await change(({ [name]: _cleared, ...rest }) => rest);
    },
  };
}
