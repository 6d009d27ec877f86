/**
 * Key custody on a device (docs/encryption.md, "At rest on the device", "Where the key lives on each
 * device"): the one module that knows where a device keeps its keys and under which key-store entries.
 *
 * - `accountKeyEntry`: the entry of an account's unlocked data key in a `KeyStorePort` (the account
 *   session keeps it there so an app restart does not lock the cart).
 * - The database key, by one of two custodies (`DeviceKeyCustody`):
 *   - `password` (the extension): the key is held only in memory; what stays on disk is its record,
 *     sealed with the data key of the account that last unlocked here, so after the browser restarts the
 *     cart stays locked until that account's password (or recovery key) opens it, on this device alone.
 *     Before any account has signed in here (signed out, or a guest) there is no password to protect it
 *     with: the record keeps the key as it is, and the app says so.
 *   - `key-store` (the desktop): the key is made once and kept by the OS key store under
 *     `DEVICE_DATABASE_ENTRY`; without a store that keeps keys the cart is kept in clear, and the app says so.
 *
 * Platform-free apart from the storage passed in, so it is unit-tested with in-memory storage.
 */
import type { StoredSession } from '../account/account-api.ts';
import { createKeyring, exportKeyring, importKeyring, type Keyring } from '../crypto/keyring.ts';
import { toBase64url } from '../crypto/base64url.ts';
import {
  newDatabaseKey, openDatabaseKeyWith, openRawDatabaseKey, parseDatabaseKeyRecord, protectDatabaseKey, unlockDatabaseKey,
  type DatabaseKeyOwner, type DatabaseKeyRecord, type OpenDatabaseKey,
} from '../persistence/database-key.ts';
import type { CryptoPort, KeyStorePort } from '../ports.ts';

/** The key-store entry of an account's unlocked data key: its server and name. */
export function accountKeyEntry(owner: { readonly serverUrl: string; readonly name: string }): string {
  return `${owner.serverUrl}#${owner.name}`;
}

/** The key-store entry of a device's own database key (`key-store` custody). */
export const DEVICE_DATABASE_ENTRY = 'this-computer:database';

export interface StoredValue<T> {
  get(): Promise<T>;
  set(value: T): Promise<void>;
}

export interface LockStorage {
  /** The record, on disk (`storage.local`). */
  readonly record: StoredValue<unknown>;
  /** The raw key while unlocked (`storage.session`). */
  readonly openKey: StoredValue<string | null>;
  /** Where the account session keeps unlocked account keys (`storage.session`), by `accountKeyEntry`. */
  readonly accountKeys: KeyStorePort;
}

/** Either the key (`made`: new, since there was no record: whatever an earlier key sealed is lost), or who can unlock it. */
export type DatabaseKeyState = { readonly key: OpenDatabaseKey; readonly made?: boolean } | { readonly locked: DatabaseKeyOwner };

/** Whether the key on disk is protected by an account's password. */
export type AtRestProtection = 'password' | 'no-password';

export interface DatabaseLock {
  /** The key, when it can be had without the shopper (kept in memory, or not protected); else who can unlock it. */
  open(): Promise<DatabaseKeyState>;
  /** Unlocks with the owner's password or recovery key, on the device alone. Nothing is kept when it fails. */
  unlock(secret: { password: string } | { recoveryKey: string }): Promise<OpenDatabaseKey>;
  /**
   * Seals the key under the signed-in account (`session`, whose data key is `account`), replacing what
   * protected it before, or refreshes the kept key record after a password change. Nothing for a guest.
   */
  protect(key: OpenDatabaseKey, session: StoredSession | null, account: Keyring | null): Promise<void>;
  /** As last read or written. */
  protection(): AtRestProtection;
  /** Forgets the key and its record: what it sealed can no longer be read by anyone. */
  forget(): Promise<void>;
}

/** Who is named while the record is damaged (unlocking then explains and offers removal). */
const DAMAGED_OWNER: DatabaseKeyOwner = Object.freeze({ serverUrl: '', name: 'your account' });

export function createDatabaseLock(storage: LockStorage, crypto: CryptoPort = globalThis.crypto): DatabaseLock {
  let known: DatabaseKeyRecord | null = null;
  const record = async (): Promise<DatabaseKeyRecord | null> => (known = parseDatabaseKeyRecord(await storage.record.get()));
  const write = async (next: DatabaseKeyRecord | null) => {
    await storage.record.set(next);
    known = next;
  };
  // One change at a time: a sign-in and a password change both re-protect.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const keep = async (key: OpenDatabaseKey, account: Keyring | null, owner: DatabaseKeyOwner | null) => {
    await storage.openKey.set(key.raw);
    if (account && owner) {
      const raw = await exportKeyring(account);
      await storage.accountKeys.save(accountKeyEntry(owner), raw).catch(() => undefined);
      raw.fill(0);
    }
    return key;
  };

  /** The first key of this device: not protected until an account signs in. */
  const fresh = async () => {
    const made = await newDatabaseKey(crypto);
    await write(made.record);
    return keep(made.key, null, null);
  };

  return {
    open: () => serial(async () => {
      const kept = await storage.openKey.get();
      if (kept) {
        try {
          return { key: await openRawDatabaseKey(crypto, kept) };
        } catch {
          await storage.openKey.set(null);
        }
      }
      let stored: DatabaseKeyRecord | null;
      try {
        stored = await record();
      } catch {
        // A damaged record opens nothing: locked, and unlocking says so; the shopper can remove the cart.
        return { locked: DAMAGED_OWNER };
      }
      if (!stored) return { key: await fresh(), made: true };
      if (stored.protection === 'none') return { key: await keep(await openRawDatabaseKey(crypto, stored.key), null, null) };
      // The owner's data key may still be in memory (the browser kept running).
      const accountRaw = await storage.accountKeys.load(accountKeyEntry(stored.owner)).catch(() => null);
      if (accountRaw) {
        try {
          return { key: await keep(await openDatabaseKeyWith(crypto, stored, await importKeyring(crypto, accountRaw)), null, null) };
        } catch {
          // not this key: the shopper unlocks with the password
        }
      }
      return { locked: stored.owner };
    }),
    unlock: (secret) => serial(async () => {
      const stored = await record();
      if (!stored) return fresh();
      const { key, account } = await unlockDatabaseKey(crypto, stored, secret);
      return keep(key, account, stored.protection === 'account' ? stored.owner : null);
    }),
    protect: (key, session, account) => serial(async () => {
      if (!session || session.guest || !account || session.keyRecord === undefined || session.keyRecord === null) return;
      const owner = { serverUrl: session.serverUrl, name: session.name };
      const stored = await record().catch(() => null);
      if (stored?.protection === 'account' && accountKeyEntry(stored.owner) === accountKeyEntry(owner)
        && JSON.stringify(stored.keyRecord) === JSON.stringify(session.keyRecord)) return;
      await write(await protectDatabaseKey(key, owner, account, session.keyRecord));
    }),
    protection: () => (known?.protection === 'account' ? 'password' : 'no-password'),
    forget: () => serial(async () => {
      await storage.openKey.set(null);
      await write(null);
    }),
  };
}

/**
 * The database key kept by a key store (the desktop's OS key store): made once, read back to be sure the
 * store keeps it. Null when there is no store, or it does not keep keys (a test page, Linux without a
 * keyring): the cart on this device is then kept in clear. `made` says the key is new: whatever an
 * earlier key sealed is lost.
 */
export async function keyStoreDatabaseKey(keyStore: KeyStorePort | undefined, crypto: CryptoPort = globalThis.crypto):
  Promise<{ readonly key: OpenDatabaseKey; readonly made: boolean } | null> {
  if (!keyStore) return null;
  const kept = await keyStore.load(DEVICE_DATABASE_ENTRY).catch(() => null);
  if (kept) return { key: await openKeyring(await importKeyring(crypto, kept), kept), made: false };
  const keyring = await createKeyring(crypto);
  const raw = await exportKeyring(keyring);
  await keyStore.save(DEVICE_DATABASE_ENTRY, raw).catch(() => undefined);
  // Read back: a store that cannot keep keys accepts them and forgets them.
  return (await keyStore.load(DEVICE_DATABASE_ENTRY).catch(() => null)) ? { key: await openKeyring(keyring, raw), made: true } : null;
}

async function openKeyring(keyring: Keyring, raw: Uint8Array): Promise<OpenDatabaseKey> {
  return { keyring, raw: toBase64url(raw) };
}

/** Who keeps a device's database key: the shell picks one, the device app (device-app.ts) uses it. */
export type DeviceKeyCustody =
  | { readonly kind: 'password'; readonly lock: DatabaseLock }
  | { readonly kind: 'key-store'; readonly keyStore: KeyStorePort | undefined };
