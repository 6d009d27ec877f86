/**
 * The account's key record: what the sync server keeps for a shopper so that every device they sign
 * in on can unlock the same data key (docs/encryption.md, "Wrapped-key records"). One JSON object, stored
 * by the gateway beside the account (`/_tote/keyring`) and opaque to it:
 *
 *   { "version": 1, "password": <WrappedKeyRecord>, "recovery": <WrappedKeyRecord> | null }
 *
 * `password` opens with the shopper's password and is replaced at every password change (in the same
 * server write as the new password); `recovery` opens with the recovery key shown once at sign-up and is
 * kept as it is. Neither holds a secret: without the password or the recovery key the record is useless.
 *
 * With the record goes the recovery proof (`recoveryProof`): derived from the recovery key, it lets a
 * shopper who forgot the password show the server they hold the recovery key without sending it. The
 * server keeps only a hash of the proof.
 */
import { ToteError } from '../errors.ts';
import type { CryptoPort } from '../ports.ts';
import { DEFAULT_PASSWORD_KDF, type Argon2idParams } from '../crypto/kdf.ts';
import { createKeyring, parseWrappedKeyRecord, unwrapDataKey, unwrapWithRecoveryKey, wrapDataKey, wrapWithRecoveryKey,
  type Keyring, type WrappedKeyRecord } from '../crypto/keyring.ts';
import { newRecoveryKey, parseRecoveryKey } from '../crypto/recovery-key.ts';
import { toBase64url } from '../crypto/base64url.ts';

export const ACCOUNT_KEYS_VERSION = 1;

export interface AccountKeyRecord {
  readonly version: typeof ACCOUNT_KEYS_VERSION;
  /** The data key wrapped with the password (Argon2id). */
  readonly password: WrappedKeyRecord;
  /** The data key wrapped with the recovery key; null only if none was made. */
  readonly recovery: WrappedKeyRecord | null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a record read from the server. Refuses with `ToteError('INVALID_INPUT')`, `details.field`
 * 'keyRecord', when it is malformed or written by a newer version of Tote.
 */
export function parseAccountKeyRecord(value: unknown): AccountKeyRecord {
  if (isObject(value) && typeof value.version === 'number' && value.version > ACCOUNT_KEYS_VERSION) {
    throw new ToteError('INVALID_INPUT', 'Your cart\'s keys were saved by a newer version of Tote. Update Tote to unlock your cart.', { field: 'keyRecord', reason: 'version' });
  }
  if (!isObject(value) || value.version !== ACCOUNT_KEYS_VERSION) {
    throw new ToteError('INVALID_INPUT', 'The saved keys for your cart are damaged, so it cannot be unlocked here. Try your recovery key.', { field: 'keyRecord', reason: 'shape' });
  }
  const password = parseWrappedKeyRecord(value.password);
  const recovery = value.recovery === null || value.recovery === undefined ? null : parseWrappedKeyRecord(value.recovery);
  if (password.kind !== 'password' || (recovery && recovery.kind !== 'recovery')) {
    throw new ToteError('INVALID_INPUT', 'The saved keys for your cart are damaged, so it cannot be unlocked here. Try your recovery key.', { field: 'keyRecord', reason: 'kind' });
  }
  return { version: ACCOUNT_KEYS_VERSION, password, recovery };
}

/**
 * The record for `keyring` (an account's data key): wrapped with `password` and with a new recovery key,
 * returned to be shown to the shopper once. The recovery key is stored nowhere.
 */
export async function wrapAccountKeys(crypto: CryptoPort, keyring: Keyring, password: string, kdf: Argon2idParams = DEFAULT_PASSWORD_KDF):
  Promise<{ record: AccountKeyRecord; recoveryKey: string }> {
  const recoveryKey = newRecoveryKey(crypto);
  const [byPassword, byRecovery] = await Promise.all([wrapDataKey(keyring, password, kdf), wrapWithRecoveryKey(keyring, recoveryKey)]);
  return { recoveryKey, record: { version: ACCOUNT_KEYS_VERSION, password: byPassword, recovery: byRecovery } };
}

/** A new data key for an account, wrapped as `wrapAccountKeys` does. */
export async function newAccountKeys(crypto: CryptoPort, password: string, kdf: Argon2idParams = DEFAULT_PASSWORD_KDF):
  Promise<{ keyring: Keyring; record: AccountKeyRecord; recoveryKey: string }> {
  const keyring = await createKeyring(crypto);
  return { keyring, ...(await wrapAccountKeys(crypto, keyring, password, kdf)) };
}

/** Unlocks the data key with the password. A wrong one raises `ToteError('WRONG_PASSWORD')`. */
export function unlockWithPassword(crypto: CryptoPort, record: AccountKeyRecord, password: string): Promise<Keyring> {
  return unwrapDataKey(crypto, record.password, password);
}

/**
 * Unlocks the data key with the recovery key as the shopper typed it: a typo raises
 * `ToteError('INVALID_INPUT')`, another cart's key `ToteError('WRONG_RECOVERY_KEY')`.
 */
export function unlockWithRecoveryKey(crypto: CryptoPort, record: AccountKeyRecord, recoveryKey: string): Promise<Keyring> {
  if (!record.recovery) {
    return Promise.reject(new ToteError('WRONG_RECOVERY_KEY', 'No recovery key was saved for this cart.'));
  }
  return unwrapWithRecoveryKey(crypto, record.recovery, recoveryKey);
}

/** The record for a new password: the same data key wrapped again; the recovery wrapping is kept. */
export async function rewrapAccountKeys(keyring: Keyring, record: AccountKeyRecord, newPassword: string,
  kdf: Argon2idParams = DEFAULT_PASSWORD_KDF): Promise<AccountKeyRecord> {
  return { ...record, password: await wrapDataKey(keyring, newPassword, kdf) };
}

const PROOF_LABEL = 'tote recovery proof v1';
const PROOF_BYTES = 32;

/**
 * What the device sends the server to show it holds the recovery key, never the key itself:
 * HKDF-SHA-256 of the key's 32 bytes (empty salt, info "tote recovery proof v1"), 32 bytes as base64url.
 * Another label than the key that wraps the data key, so the proof opens nothing. A typo in the
 * recovery key raises `ToteError('INVALID_INPUT')` saying what to check.
 */
export async function recoveryProof(crypto: CryptoPort, recoveryKey: string): Promise<string> {
  const key = parseRecoveryKey(recoveryKey);
  try {
    const material = await crypto.subtle.importKey('raw', key, 'HKDF', false, ['deriveBits']);
    const bits = await crypto.subtle.deriveBits(
      { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode(PROOF_LABEL) }, material, PROOF_BYTES * 8);
    return toBase64url(new Uint8Array(bits));
  } finally {
    key.fill(0);
  }
}
