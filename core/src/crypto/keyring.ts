/**
 * The shopper's keys (docs/encryption.md, "Keys").
 *
 * One random 256-bit data key per shopper encrypts every document. It is never stored as it is: it is
 * wrapped (AES-256-GCM) with a key-encryption key from the password, and once more with one from the
 * recovery key. Each wrapping is a small JSON record meant for the server; the server holds the records
 * but none of the secrets that open them. Changing the password re-wraps the same data key, so no
 * document is re-encrypted.
 *
 * Once unlocked the data key lives only as CryptoKeys: a non-extractable one that encrypts documents,
 * and an extractable twin kept private to this module, used only to wrap the key again (new password,
 * new recovery key). Raw key bytes are in JavaScript memory only while a new key is made.
 *
 * A guest device has no password: its data key is random and kept on the device (`createGuestKey`);
 * when the guest signs in, its documents are re-encrypted to the account's key (`reencryptEnvelope`).
 */
import { ToteError } from '../errors.ts';
import type { CryptoPort } from '../ports.ts';
import { fromBase64url, toBase64url } from './base64url.ts';
import { createDocumentCipher, type DocumentCipher } from './document-cipher.ts';
import { DEFAULT_PASSWORD_KDF, isValidArgon2idParams, passwordKek, RECOVERY_KDF, recoveryKek, SALT_BYTES,
  type Argon2idParams, type KdfParams } from './kdf.ts';
import { parseRecoveryKey } from './recovery-key.ts';

export const KEY_RECORD_VERSION = 1;
const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const WRAPPED_BYTES = DATA_KEY_BYTES + 16;
const AES_GCM = { name: 'AES-GCM' } as const;

/** The shopper's data key, unlocked on this device. */
export interface Keyring {
  /** Encrypts and decrypts documents with the data key. */
  readonly cipher: DocumentCipher;
  /**
   * A short keyed fingerprint of one version of a document (HMAC-SHA-256 with a key derived from the
   * data key by HKDF, first 16 bytes, base64url): equal for equal plaintexts, meaningless without the
   * key. Sync keeps it in clear beside the envelope so versions can be compared without decrypting.
   */
  fingerprint(documentId: string, value: unknown): Promise<string>;
}

/** The data key wrapped for one secret: safe to store on the server. About 250 bytes as JSON. */
export interface WrappedKeyRecord {
  readonly version: typeof KEY_RECORD_VERSION;
  /** What opens it: the shopper's password or their recovery key. */
  readonly kind: 'password' | 'recovery';
  /** How the key-encryption key is derived from the secret: argon2id for a password, hkdf-sha256 for a recovery key. */
  readonly kdf: KdfParams;
  /** base64url, 16 random bytes, new for every wrapping. */
  readonly salt: string;
  /** base64url, 12 random bytes. */
  readonly iv: string;
  /** base64url: the 32-byte data key sealed with AES-256-GCM (48 bytes with the tag). */
  readonly wrappedKey: string;
}

interface Unlocked {
  readonly crypto: CryptoPort;
  /** Extractable twin of the data key: only ever the object of `wrapKey`. */
  readonly wrappable: CryptoKey;
}

const unlocked = new WeakMap<Keyring, Unlocked>();
const encoder = new TextEncoder();

const FINGERPRINT_INFO = encoder.encode('tote document fingerprint v1');
const FINGERPRINT_BYTES = 16;

/** The fingerprint key, derived from the data key (given as an HKDF base key). */
function fingerprintKey(crypto: CryptoPort, base: CryptoKey): Promise<CryptoKey> {
  return crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: FINGERPRINT_INFO }, base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']);
}

function keyringOf(crypto: CryptoPort, documentKey: CryptoKey, wrappable: CryptoKey, macKey: CryptoKey): Keyring {
  const keyring: Keyring = Object.freeze({
    cipher: createDocumentCipher(crypto, documentKey),
    async fingerprint(documentId: string, value: unknown) {
      const mac = await crypto.subtle.sign('HMAC', macKey, encoder.encode(`${documentId}\n${JSON.stringify(value)}`));
      return toBase64url(new Uint8Array(mac, 0, FINGERPRINT_BYTES));
    },
  });
  unlocked.set(keyring, { crypto, wrappable });
  return keyring;
}

async function keyringFromRaw(crypto: CryptoPort, raw: Uint8Array<ArrayBuffer>): Promise<Keyring> {
  try {
    const [documentKey, wrappable, base] = await Promise.all([
      crypto.subtle.importKey('raw', raw, AES_GCM, false, ['encrypt', 'decrypt']),
      // Web Crypto refuses a secret key without usages; this one is never used to encrypt anything.
      crypto.subtle.importKey('raw', raw, AES_GCM, true, ['encrypt']),
      crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey']),
    ]);
    return keyringOf(crypto, documentKey, wrappable, await fingerprintKey(crypto, base));
  } finally {
    raw.fill(0);
  }
}

/** A new shopper's keyring: a fresh random 256-bit data key. Wrap it before relying on it. */
export function createKeyring(crypto: CryptoPort): Promise<Keyring> {
  return keyringFromRaw(crypto, crypto.getRandomValues(new Uint8Array(DATA_KEY_BYTES)));
}

/**
 * The raw 32 bytes of an unlocked data key, for the device's own key store only (`KeyStorePort`,
 * docs/encryption.md "Where the key lives on each device"): never for the server, never logged.
 */
export async function exportKeyring(keyring: Keyring): Promise<Uint8Array<ArrayBuffer>> {
  const own = unlocked.get(keyring);
  if (!own) throw new ToteError('INVALID_INPUT', 'This keyring was not made by Tote.', { field: 'keyring' });
  return new Uint8Array(await own.crypto.subtle.exportKey('raw', own.wrappable));
}

/** A keyring from the raw bytes `exportKeyring` gave (the caller's bytes are left as they are). */
export function importKeyring(crypto: CryptoPort, raw: Uint8Array): Promise<Keyring> {
  if (!(raw instanceof Uint8Array) || raw.length !== DATA_KEY_BYTES) {
    throw new ToteError('INVALID_INPUT', 'The key saved on this device is damaged. Enter your password to unlock your cart.', { field: 'keyring' });
  }
  return keyringFromRaw(crypto, new Uint8Array(raw));
}

/** The record's fields that the wrapping authenticates: changing any of them makes unwrapping fail. */
function associatedData(record: Pick<WrappedKeyRecord, 'version' | 'kind' | 'kdf' | 'salt'>): Uint8Array<ArrayBuffer> {
  const kdf = record.kdf.name === 'argon2id' ? [record.kdf.name, record.kdf.memoryKiB, record.kdf.iterations, record.kdf.parallelism] : [record.kdf.name];
  return encoder.encode(JSON.stringify(['tote/data-key', record.version, record.kind, kdf, record.salt]));
}

async function wrap(keyring: Keyring, kind: WrappedKeyRecord['kind'], kdf: KdfParams,
  kekFor: (crypto: CryptoPort, salt: Uint8Array<ArrayBuffer>) => Promise<CryptoKey>): Promise<WrappedKeyRecord> {
  const own = unlocked.get(keyring);
  if (!own) throw new ToteError('INVALID_INPUT', 'This keyring was not made by Tote.', { field: 'keyring' });
  const { crypto } = own;
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const header = { version: KEY_RECORD_VERSION, kind, kdf, salt: toBase64url(salt) } as const;
  const kek = await kekFor(crypto, salt);
  const wrapped = await crypto.subtle.wrapKey('raw', own.wrappable, kek, { name: 'AES-GCM', iv, additionalData: associatedData(header) });
  return { ...header, iv: toBase64url(iv), wrappedKey: toBase64url(new Uint8Array(wrapped)) };
}

async function unwrap(crypto: CryptoPort, record: WrappedKeyRecord, kek: CryptoKey, refusal: () => ToteError): Promise<Keyring> {
  const wrapped = fromBase64url(record.wrappedKey)!;
  const params = { name: 'AES-GCM', iv: fromBase64url(record.iv)!, additionalData: associatedData(record) };
  try {
    const [documentKey, wrappable, base] = await Promise.all([
      crypto.subtle.unwrapKey('raw', wrapped, kek, params, AES_GCM, false, ['encrypt', 'decrypt']),
      crypto.subtle.unwrapKey('raw', wrapped, kek, params, AES_GCM, true, ['encrypt']),
      crypto.subtle.unwrapKey('raw', wrapped, kek, params, 'HKDF', false, ['deriveKey']),
    ]);
    return keyringOf(crypto, documentKey, wrappable, await fingerprintKey(crypto, base));
  } catch {
    // Authentication failed: the secret is not the one this record was made with (or the record was altered).
    throw refusal();
  }
}

function damaged(reason: string): ToteError {
  return reason === 'version'
    ? new ToteError('INVALID_INPUT', 'Your cart\'s keys were saved by a newer version of Tote. Update Tote to unlock your cart.', { field: 'keyRecord', reason })
    : new ToteError('INVALID_INPUT', 'The saved keys for your cart are damaged, so it cannot be unlocked here. Try your recovery key.', { field: 'keyRecord', reason });
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const hasBytes = (text: unknown, length: number) => typeof text === 'string' && fromBase64url(text)?.length === length;

/**
 * Checks a record read from the server (or anywhere else) and returns it typed. Refuses with
 * `ToteError('INVALID_INPUT')`, `details.field` 'keyRecord', when it is malformed or from a newer version.
 */
export function parseWrappedKeyRecord(value: unknown): WrappedKeyRecord {
  if (!isRecord(value)) throw damaged('shape');
  if (typeof value.version === 'number' && value.version > KEY_RECORD_VERSION) throw damaged('version');
  if (value.version !== KEY_RECORD_VERSION) throw damaged('shape');
  const { kind, kdf } = value;
  if (kind !== 'password' && kind !== 'recovery') throw damaged('kind');
  if (!isRecord(kdf)) throw damaged('kdf');
  let params: KdfParams;
  if (kind === 'password' && kdf.name === 'argon2id') {
    params = { name: 'argon2id', memoryKiB: kdf.memoryKiB as number, iterations: kdf.iterations as number, parallelism: kdf.parallelism as number };
    if (!isValidArgon2idParams(params)) throw damaged('kdf');
  } else if (kind === 'recovery' && kdf.name === 'hkdf-sha256') {
    params = RECOVERY_KDF;
  } else {
    throw damaged('kdf');
  }
  if (!hasBytes(value.salt, SALT_BYTES) || !hasBytes(value.iv, IV_BYTES) || !hasBytes(value.wrappedKey, WRAPPED_BYTES)) throw damaged('bytes');
  return { version: KEY_RECORD_VERSION, kind, kdf: params, salt: value.salt as string, iv: value.iv as string, wrappedKey: value.wrappedKey as string };
}

function requirePassword(password: string, field = 'password'): void {
  if (typeof password !== 'string' || password === '') throw new ToteError('INVALID_INPUT', 'Enter your password.', { field });
}

/**
 * Wraps the data key with `password` (Argon2id with `kdf`, default DEFAULT_PASSWORD_KDF). The record is
 * new each time (fresh salt and IV); the data key stays the same.
 */
export async function wrapDataKey(keyring: Keyring, password: string, kdf: Argon2idParams = DEFAULT_PASSWORD_KDF): Promise<WrappedKeyRecord> {
  requirePassword(password);
  return wrap(keyring, 'password', kdf, (crypto, salt) => passwordKek(crypto, password, salt, kdf));
}

/**
 * Unlocks the data key with the shopper's password. A wrong password raises
 * `ToteError('WRONG_PASSWORD')` and unlocks nothing.
 */
export async function unwrapDataKey(crypto: CryptoPort, record: WrappedKeyRecord, password: string): Promise<Keyring> {
  requirePassword(password);
  const checked = parseWrappedKeyRecord(record);
  if (checked.kind !== 'password' || checked.kdf.name !== 'argon2id') throw damaged('kind');
  const kek = await passwordKek(crypto, password, fromBase64url(checked.salt)!, checked.kdf);
  return unwrap(crypto, checked, kek, () => new ToteError('WRONG_PASSWORD',
    'That password does not unlock your cart. Check it and try again, or use your recovery key.'));
}

/**
 * A password change: the same data key, wrapped with `newPassword` (and the current parameters). Every
 * document stays readable; only the returned record replaces the old one.
 */
export async function rewrapDataKey(crypto: CryptoPort, record: WrappedKeyRecord, currentPassword: string, newPassword: string,
  kdf: Argon2idParams = DEFAULT_PASSWORD_KDF): Promise<WrappedKeyRecord> {
  requirePassword(newPassword, 'newPassword');
  const keyring = await unwrapDataKey(crypto, record, currentPassword);
  return wrapDataKey(keyring, newPassword, kdf);
}

/** Wraps the data key with a recovery key (as shown to the shopper: see recovery-key.ts). */
export async function wrapWithRecoveryKey(keyring: Keyring, recoveryKey: string): Promise<WrappedKeyRecord> {
  const key = parseRecoveryKey(recoveryKey);
  try {
    return await wrap(keyring, 'recovery', RECOVERY_KDF, (crypto, salt) => recoveryKek(crypto, key, salt));
  } finally {
    key.fill(0);
  }
}

/**
 * Unlocks the data key with a recovery key as the shopper typed it. A typo raises
 * `ToteError('INVALID_INPUT')` saying what to check; a well-formed key that is not this cart's raises
 * `ToteError('WRONG_RECOVERY_KEY')`.
 */
export async function unwrapWithRecoveryKey(crypto: CryptoPort, record: WrappedKeyRecord, recoveryKey: string): Promise<Keyring> {
  const key = parseRecoveryKey(recoveryKey);
  try {
    const checked = parseWrappedKeyRecord(record);
    if (checked.kind !== 'recovery') throw damaged('kind');
    const kek = await recoveryKek(crypto, key, fromBase64url(checked.salt)!);
    return await unwrap(crypto, checked, kek, () => new ToteError('WRONG_RECOVERY_KEY',
      'That recovery key does not unlock this cart. Check that it is the one saved for this account.'));
  } finally {
    key.fill(0);
  }
}

/**
 * A guest device's key: random, never wrapped, kept by the device. `deviceSecret` (base64url, 43
 * characters) is for the device's own key store only and must never be sent to the server.
 */
export async function createGuestKey(crypto: CryptoPort): Promise<{ keyring: Keyring; deviceSecret: string }> {
  const raw = crypto.getRandomValues(new Uint8Array(DATA_KEY_BYTES));
  const deviceSecret = toBase64url(raw);
  return { keyring: await keyringFromRaw(crypto, raw), deviceSecret };
}

/** Opens a guest device's key from its stored secret. */
export async function openGuestKey(crypto: CryptoPort, deviceSecret: string): Promise<Keyring> {
  const raw = fromBase64url(deviceSecret);
  if (raw === null || raw.length !== DATA_KEY_BYTES) {
    throw new ToteError('INVALID_INPUT', 'This device\'s guest key is damaged, so its guest cart cannot be read.', { field: 'deviceSecret' });
  }
  return keyringFromRaw(crypto, raw);
}
