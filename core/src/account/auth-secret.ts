/**
 * What a device sends the sync server to sign in, instead of the password (docs/encryption.md, "Signing
 * in"). The password also wraps the cart's data key, so a server that received it could open the
 * shopper's key record; it receives this auth secret instead:
 *
 *   Argon2id(password NFC, salt = SHA-256("tote-auth-v1|" + canonical name), DEFAULT_PASSWORD_KDF) → 32 bytes, base64url
 *
 * The salt is fixed per account (every device derives the same secret from the name alone) and is never
 * the key record's random salt, so the secret opens nothing: from it an operator can only guess
 * passwords, each guess costing an Argon2id derivation, as with a stolen key record.
 *
 * The parameters are the ones that wrap the data key (64 MiB, t = 3, p = 1), fixed here for good: every
 * device must derive the same secret, so raising them means a new scheme (`tote-auth-v2`), not a setting.
 */
import { argon2id } from 'hash-wasm';
import { ToteError } from '../errors.ts';
import type { CryptoPort } from '../ports.ts';
import { toBase64url } from '../crypto/base64url.ts';

/** The scheme a device asks the server to store for an account whose secret it derived ('derived-v1'). */
export const AUTH_SCHEME = 'derived-v1';

/**
 * Argon2id settings of 'derived-v1': DEFAULT_PASSWORD_KDF's values (m = 64 MiB, t = 3, p = 1), written
 * out because key records store their own and may move on; this scheme may not.
 */
export const AUTH_KDF = Object.freeze({ memoryKiB: 64 * 1024, iterations: 3, parallelism: 1 });

const encoder = new TextEncoder();

/** The server's name rule (sync-server accounts.ts `canonicalName`): "Alice" and "alice" are one account. */
export function canonicalName(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}

/**
 * The rules for a new password, checked on the device because the server no longer sees the password
 * (the server's former messages, word for word). `field` names the form field for the shell.
 */
export function checkNewPassword(password: unknown, field = 'password'): string {
  if (typeof password !== 'string' || password.length < 8) {
    throw new ToteError('INVALID_INPUT', 'The password must be at least 8 characters long.', { field });
  }
  if (password.length > 1024) throw new ToteError('INVALID_INPUT', 'The password must be at most 1024 characters long.', { field });
  return password;
}

/** The auth secret of `password` for the account `name` (any case, any Unicode form), base64url (43 characters). */
export async function authSecret(crypto: CryptoPort, name: string, password: string): Promise<string> {
  const salt = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(`tote-auth-v1|${canonicalName(name)}`)));
  const secret = await argon2id({
    password: encoder.encode(password.normalize('NFC')),
    salt,
    memorySize: AUTH_KDF.memoryKiB,
    iterations: AUTH_KDF.iterations,
    parallelism: AUTH_KDF.parallelism,
    hashLength: 32,
    outputType: 'binary',
  });
  try {
    return toBase64url(secret);
  } finally {
    secret.fill(0);
  }
}
