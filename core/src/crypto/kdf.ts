/**
 * Key-encryption keys: what wraps the shopper's data key (docs/encryption.md, "Keys").
 *
 * From a password: Argon2id (RFC 9106), memory-hard so that guessing passwords against a stolen key
 * record costs every guess 64 MiB and about half a second. hash-wasm computes it (WebAssembly embedded in
 * the package: nothing downloaded, the same code in every target). Its 32-byte output is only ever used
 * through HKDF with a purpose label, so a later purpose (a sign-in secret) can come from the same
 * password without revealing this key.
 * From a recovery key: HKDF-SHA-256 alone; 256 random bits need no stretching.
 *
 * The parameters are stored in each wrapped-key record, so they can be raised later: a record made with
 * the old ones still opens, and the next password change writes the new ones.
 */
import { argon2id } from 'hash-wasm';
import { ToteError } from '../errors.ts';
import type { CryptoPort } from '../ports.ts';

export interface Argon2idParams {
  readonly name: 'argon2id';
  /** Memory in KiB (m). */
  readonly memoryKiB: number;
  /** Passes over the memory (t). */
  readonly iterations: number;
  /** Lanes (p). WebAssembly here runs them one after another, so more lanes only cost time. */
  readonly parallelism: number;
}

export interface HkdfParams {
  readonly name: 'hkdf-sha256';
}

export type KdfParams = Argon2idParams | HkdfParams;

/**
 * m = 64 MiB, t = 3, p = 1: RFC 9106 §4's second recommended option (m = 64 MiB, t = 3) with one lane,
 * above OWASP's minimum (19 MiB, t = 2). Measured on a 2-core machine: 0.4 to 0.6 s per derivation
 * (`npm run bench:crypto`, `kdf_ms`); a derivation runs at sign-in, unlock and password change only.
 */
export const DEFAULT_PASSWORD_KDF: Argon2idParams = Object.freeze({ name: 'argon2id', memoryKiB: 64 * 1024, iterations: 3, parallelism: 1 });

export const RECOVERY_KDF: HkdfParams = Object.freeze({ name: 'hkdf-sha256' });

/**
 * Bounds for parameters read from a stored record. The lower ones are Argon2's own (m ≥ 8·p KiB); the
 * upper ones keep a damaged or hostile record from making a device allocate gigabytes or spin for minutes.
 */
export const ARGON2ID_BOUNDS = Object.freeze({ maxMemoryKiB: 1024 * 1024, maxIterations: 16, maxParallelism: 8 });

export const SALT_BYTES = 16;

const encoder = new TextEncoder();
const KEK = { name: 'AES-GCM', length: 256 } as const;

export function isValidArgon2idParams(params: Argon2idParams): boolean {
  const { memoryKiB, iterations, parallelism } = params;
  return Number.isInteger(memoryKiB) && Number.isInteger(iterations) && Number.isInteger(parallelism)
    && parallelism >= 1 && parallelism <= ARGON2ID_BOUNDS.maxParallelism
    && iterations >= 1 && iterations <= ARGON2ID_BOUNDS.maxIterations
    && memoryKiB >= 8 * parallelism && memoryKiB <= ARGON2ID_BOUNDS.maxMemoryKiB;
}

async function kekFrom(crypto: CryptoPort, secret: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>, purpose: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt, info: encoder.encode(purpose) }, material, KEK, false,
    ['wrapKey', 'unwrapKey']);
}

/** The key-encryption key for `password` (NFC-normalised: the same password typed on any system). */
export async function passwordKek(crypto: CryptoPort, password: string, salt: Uint8Array<ArrayBuffer>, params: Argon2idParams): Promise<CryptoKey> {
  if (!isValidArgon2idParams(params)) throw new ToteError('INVALID_INPUT', 'These key settings are not supported.', { field: 'kdf' });
  const stretched = new Uint8Array(await argon2id({
    password: encoder.encode(password.normalize('NFC')),
    salt,
    memorySize: params.memoryKiB,
    iterations: params.iterations,
    parallelism: params.parallelism,
    hashLength: 32,
    outputType: 'binary',
  }));
  try {
    // Argon2 already used the salt; HKDF only separates purposes.
    return await kekFrom(crypto, stretched, new Uint8Array(0), 'tote/password-kek/v1');
  } finally {
    stretched.fill(0);
  }
}

/** The key-encryption key for a recovery key's 32 bytes. */
export function recoveryKek(crypto: CryptoPort, recoveryKey: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return kekFrom(crypto, recoveryKey, salt, 'tote/recovery-kek/v1');
}
