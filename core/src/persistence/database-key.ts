/**
 * A device's key for its own database when the device has no key store of the operating system (the
 * browser extension): docs/encryption.md, "At rest on the device".
 *
 * The database key is random (a Keyring, 32 bytes) and seals every document the device keeps
 * (`createToteClient({ atRest })`). What the device stores about it is one small record:
 *
 * - `protection: 'account'`: the database key sealed with the data key of the account that last
 *   unlocked on this device, beside a copy of that account's key record (docs/encryption.md,
 *   "Wrapped-key records"). Only the account's password (or its recovery key) opens the record, so only
 *   they open the database: offline too, and after the shopper signed out.
 * - `protection: 'none'`: the raw key, for a device no account has signed in on yet (no password, or a
 *   guest). It keeps the rows unreadable to tools that scan IndexedDB, not to someone holding the profile:
 *   the shell says so, and the first sign-in turns it into `account`, with the same key, so nothing is
 *   sealed again.
 *
 * While the database is open the raw key is held only in memory (the extension: `storage.session`).
 */
import { ToteError } from '../errors.ts';
import type { CryptoPort } from '../ports.ts';
import { fromBase64url, toBase64url } from '../crypto/base64url.ts';
import { createKeyring, exportKeyring, importKeyring, type Keyring } from '../crypto/keyring.ts';
import { parseAccountKeyRecord, unlockWithPassword, unlockWithRecoveryKey } from '../account/account-keys.ts';

export const DATABASE_KEY_VERSION = 1;

/** The account a protected database key belongs to: the shell names it to the shopper. */
export interface DatabaseKeyOwner {
  readonly serverUrl: string;
  readonly name: string;
}

export type DatabaseKeyRecord =
  | { readonly version: typeof DATABASE_KEY_VERSION; readonly protection: 'none'; readonly key: string }
  | {
    readonly version: typeof DATABASE_KEY_VERSION;
    readonly protection: 'account';
    readonly owner: DatabaseKeyOwner;
    /** The owner's account key record, as the server keeps it: opened by the password or the recovery key. */
    readonly keyRecord: unknown;
    /** The database key, sealed with the owner's data key (the document cipher, bound to `SEALED_ID`). */
    readonly sealedKey: string;
  };

/** What the account's data key seals: a document of its own, so the envelope opens nowhere else. */
const SEALED_ID = 'tote/database-key';

/** An unlocked database key: the keyring that seals the database, and its raw form for the session store. */
export interface OpenDatabaseKey {
  readonly keyring: Keyring;
  /** base64url of the 32 raw bytes: for memory and `storage.session` only. */
  readonly raw: string;
}

const damaged = () => new ToteError('INVALID_INPUT', 'The key of the cart saved on this device is damaged, so that cart cannot be opened. '
  + 'Remove it from this device; a signed-in cart comes back from the sync server.', { field: 'databaseKey' });

/** Checks a stored record; null when nothing is stored. A damaged one raises `ToteError('INVALID_INPUT')`. */
export function parseDatabaseKeyRecord(value: unknown): DatabaseKeyRecord | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw damaged();
  const record = value as Record<string, unknown>;
  if (record.version !== DATABASE_KEY_VERSION) throw damaged();
  if (record.protection === 'none' && typeof record.key === 'string') {
    return { version: DATABASE_KEY_VERSION, protection: 'none', key: record.key };
  }
  const owner = record.owner as Record<string, unknown> | null;
  if (record.protection === 'account' && typeof record.sealedKey === 'string' && typeof owner === 'object' && owner !== null
    && typeof owner.serverUrl === 'string' && typeof owner.name === 'string') {
    return {
      version: DATABASE_KEY_VERSION, protection: 'account', owner: { serverUrl: owner.serverUrl, name: owner.name },
      keyRecord: record.keyRecord, sealedKey: record.sealedKey,
    };
  }
  throw damaged();
}

/** Opens a raw key kept in memory (or in an unprotected record). */
export async function openRawDatabaseKey(crypto: CryptoPort, raw: string): Promise<OpenDatabaseKey> {
  const bytes = fromBase64url(raw);
  if (bytes === null) throw damaged();
  try {
    return { keyring: await importKeyring(crypto, bytes), raw };
  } catch {
    throw damaged();
  } finally {
    bytes.fill(0);
  }
}

/** A new database key, not yet protected by any account. */
export async function newDatabaseKey(crypto: CryptoPort): Promise<{ key: OpenDatabaseKey; record: DatabaseKeyRecord }> {
  const keyring = await createKeyring(crypto);
  const bytes = await exportKeyring(keyring);
  const raw = toBase64url(bytes);
  bytes.fill(0);
  return { key: { keyring, raw }, record: { version: DATABASE_KEY_VERSION, protection: 'none', key: raw } };
}

/**
 * The record that keeps `key` under an account: sealed with the account's unlocked data key, beside the
 * account's key record (checked here, so a record that could never be unlocked is not stored).
 */
export async function protectDatabaseKey(key: OpenDatabaseKey, owner: DatabaseKeyOwner, account: Keyring, keyRecord: unknown): Promise<DatabaseKeyRecord> {
  parseAccountKeyRecord(keyRecord);
  return {
    version: DATABASE_KEY_VERSION, protection: 'account', owner: { serverUrl: owner.serverUrl, name: owner.name },
    keyRecord, sealedKey: await account.cipher.encrypt(SEALED_ID, { key: key.raw }),
  };
}

/** The database key from a protected record, with the owner's data key already unlocked. */
export async function openDatabaseKeyWith(crypto: CryptoPort, record: DatabaseKeyRecord, account: Keyring): Promise<OpenDatabaseKey> {
  if (record.protection === 'none') return openRawDatabaseKey(crypto, record.key);
  let opened: unknown;
  try {
    opened = await account.cipher.decrypt(SEALED_ID, record.sealedKey);
  } catch {
    throw new ToteError('WRONG_PASSWORD', `The cart saved on this device belongs to ${record.owner.name}; this account's key does not open it.`, { reason: 'owner' });
  }
  const raw = (opened as { key?: unknown } | null)?.key;
  if (typeof raw !== 'string') throw damaged();
  return openRawDatabaseKey(crypto, raw);
}

/**
 * Unlocks a protected record with the owner's password or recovery key, on the device alone (no server).
 * Returns the database key and the owner's data key (for the account session to keep). A wrong password
 * raises `ToteError('WRONG_PASSWORD')`, a wrong recovery key `WRONG_RECOVERY_KEY` or `INVALID_INPUT`;
 * nothing is opened then.
 */
export async function unlockDatabaseKey(crypto: CryptoPort, record: DatabaseKeyRecord, secret: { password: string } | { recoveryKey: string }):
  Promise<{ key: OpenDatabaseKey; account: Keyring | null }> {
  if (record.protection === 'none') return { key: await openRawDatabaseKey(crypto, record.key), account: null };
  const keyRecord = parseAccountKeyRecord(record.keyRecord);
  let account: Keyring;
  if ('password' in secret) {
    if (typeof secret.password !== 'string' || secret.password === '') throw new ToteError('INVALID_INPUT', 'Enter your password.', { field: 'password' });
    try {
      account = await unlockWithPassword(crypto, keyRecord, secret.password);
    } catch (error) {
      if (error instanceof ToteError && error.code === 'WRONG_PASSWORD') {
        throw new ToteError('WRONG_PASSWORD', `That is not the password of ${record.owner.name}. Nothing was opened; try again.`, { reason: 'database-key' });
      }
      throw error;
    }
  } else {
    account = await unlockWithRecoveryKey(crypto, keyRecord, secret.recoveryKey);
  }
  return { key: await openDatabaseKeyWith(crypto, record, account), account };
}
