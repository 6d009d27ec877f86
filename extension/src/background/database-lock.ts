/**
 * The extension's database key (docs/encryption.md, "At rest on the device"): the cart database opens
 * only with it, and it is held only in `storage.session` (memory, gone when the browser closes). What
 * stays on disk is its record (core/src/persistence/database-key.ts): sealed with the data key of the
 * account that last unlocked here, so after the browser restarts the cart stays locked until that
 * account's password (or recovery key) opens it, on this device alone. Before any account has signed in
 * here (signed out, or a guest) there is no password to protect it with: the record keeps the key as it
 * is, and the popup says so.
 *
 * Platform-free apart from the storage passed in, so it is unit-tested with in-memory storage.
 */
import {
  SIGNED_OUT, newDatabaseKey, openDatabaseKeyWith, openRawDatabaseKey, parseDatabaseKeyRecord, protectDatabaseKey, unlockDatabaseKey, exportKeyring, importKeyring,
  type AccountState, type CryptoPort, type DatabaseKeyOwner, type DatabaseKeyRecord, type Keyring, type KeyStorePort, type OpenDatabaseKey, type StoredSession,
} from '@tote/core';

export interface StoredValue<T> {
  get(): Promise<T>;
  set(value: T): Promise<void>;
}

export interface LockStorage {
  /** The record, on disk (`storage.local`). */
  readonly record: StoredValue<unknown>;
  /** The raw key while unlocked (`storage.session`). */
  readonly openKey: StoredValue<string | null>;
  /** Where the account session keeps unlocked account keys (`storage.session`), by `<serverUrl>#<name>`. */
  readonly accountKeys: KeyStorePort;
}

/** Either the key, or who can unlock it. */
export type DatabaseKeyState = { readonly key: OpenDatabaseKey } | { readonly locked: DatabaseKeyOwner };

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

const accountKeyId = (owner: DatabaseKeyOwner) => `${owner.serverUrl}#${owner.name}`;

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
      await storage.accountKeys.save(accountKeyId(owner), raw).catch(() => undefined);
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
      if (!stored) return { key: await fresh() };
      if (stored.protection === 'none') return { key: await keep(await openRawDatabaseKey(crypto, stored.key), null, null) };
      // The owner's data key may still be in memory (the browser kept running).
      const accountRaw = await storage.accountKeys.load(accountKeyId(stored.owner)).catch(() => null);
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
      if (stored?.protection === 'account' && accountKeyId(stored.owner) === accountKeyId(owner)
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

/** The account as the popup shows it while the cart is locked: the owner's name, to unlock with their password. */
export function lockedAccount(owner: DatabaseKeyOwner): AccountState {
  return Object.freeze({ ...SIGNED_OUT, name: owner.name, serverUrl: owner.serverUrl, locked: true });
}

/** What the message handler needs of the lock (tote-service.ts), so tests can pass their own. */
export interface DeviceLock {
  /** Who can unlock the cart while it is locked; null while it is open. */
  locked(): Promise<DatabaseKeyOwner | null>;
  /**
   * Unlocks and opens the cart; a wrong secret raises the core's typed error and opens nothing. `then`
   * runs on the opened cart before the popups are shown it (a recovery sets the new password there).
   */
  unlock(secret: { password: string } | { recoveryKey: string }, then?: () => Promise<void>): Promise<void>;
  /** Removes the locked cart from this browser (its key is lost): a new, empty one opens. */
  forget(): Promise<void>;
}
