import { describe, expect, it } from 'vitest';
import { isToteError, type ToteError } from '../errors.ts';
import { DEFAULT_PASSWORD_KDF } from './kdf.ts';
import { createGuestKey, createKeyring, exportKeyring, importKeyring, openGuestKey, parseWrappedKeyRecord, rewrapDataKey, unwrapDataKey, unwrapWithRecoveryKey,
  wrapDataKey, wrapWithRecoveryKey, type WrappedKeyRecord } from './keyring.ts';
import { newRecoveryKey } from './recovery-key.ts';
import { FAST_KDF, typicalItem, webCrypto } from './test/fixtures.ts';

async function refusal(promise: Promise<unknown>): Promise<ToteError> {
  try {
    await promise;
  } catch (error) {
    if (isToteError(error)) return error;
    throw error;
  }
  throw new Error('expected a ToteError');
}

const item = typicalItem();

describe('keyring', () => {
  it('wraps the data key with a password into a small record that unlocks it again, on any device', async () => {
    const keyring = await createKeyring(webCrypto);
    const envelope = await keyring.cipher.encrypt(item.id, item);
    const record = await wrapDataKey(keyring, 'correct horse battery staple', FAST_KDF);
    expect(record).toMatchObject({ version: 1, kind: 'password', kdf: FAST_KDF });
    expect(JSON.stringify(record).length).toBeLessThan(300);
    // What the server stores and hands back is JSON.
    const fromServer = JSON.parse(JSON.stringify(record)) as WrappedKeyRecord;
    const other = await unwrapDataKey(webCrypto, fromServer, 'correct horse battery staple');
    expect(await other.cipher.decrypt(item.id, envelope)).toEqual(item);
  });

  it('refuses a wrong password with WRONG_PASSWORD and a clear message, unlocking nothing', async () => {
    const record = await wrapDataKey(await createKeyring(webCrypto), 'correct horse battery staple', FAST_KDF);
    for (const wrong of ['correct horse battery stapl', 'Correct horse battery staple', 'correct horse battery staple ']) {
      const error = await refusal(unwrapDataKey(webCrypto, record, wrong));
      expect(error.code).toBe('WRONG_PASSWORD');
      expect(error.message).toBe('That password does not unlock your cart. Check it and try again, or use your recovery key.');
    }
    expect((await refusal(unwrapDataKey(webCrypto, record, ''))).code).toBe('INVALID_INPUT');
  });

  it('treats a password typed with composed or decomposed accents as the same password', async () => {
    const record = await wrapDataKey(await createKeyring(webCrypto), 'crème brûlée', FAST_KDF);
    await expect(unwrapDataKey(webCrypto, record, 'cre\u0300me bru\u0302le\u0301e')).resolves.toBeDefined();
  });

  it('rewraps on a password change: the same data key, old documents readable, the old password refused', async () => {
    const keyring = await createKeyring(webCrypto);
    const envelope = await keyring.cipher.encrypt(item.id, item);
    const before = await wrapDataKey(keyring, 'old password 1', FAST_KDF);
    const after = await rewrapDataKey(webCrypto, before, 'old password 1', 'new password 2', FAST_KDF);
    expect(after.salt).not.toBe(before.salt);
    const unlocked = await unwrapDataKey(webCrypto, after, 'new password 2');
    expect(await unlocked.cipher.decrypt(item.id, envelope)).toEqual(item);
    expect((await refusal(unwrapDataKey(webCrypto, after, 'old password 1'))).code).toBe('WRONG_PASSWORD');
    expect((await refusal(rewrapDataKey(webCrypto, before, 'not the password', 'new password 2', FAST_KDF))).code).toBe('WRONG_PASSWORD');
  });

  it('authenticates the whole record: changed parameters or salt do not unlock, even with the right password', async () => {
    const record = await wrapDataKey(await createKeyring(webCrypto), 'correct horse battery staple', FAST_KDF);
    const changed: WrappedKeyRecord[] = [
      { ...record, kdf: { ...FAST_KDF, iterations: 2 } },
      { ...record, salt: (await wrapDataKey(await createKeyring(webCrypto), 'x', FAST_KDF)).salt },
    ];
    for (const altered of changed) expect((await refusal(unwrapDataKey(webCrypto, altered, 'correct horse battery staple'))).code).toBe('WRONG_PASSWORD');
  });

  it('refuses a malformed record, or parameters no device should run, before deriving anything', async () => {
    const record = await wrapDataKey(await createKeyring(webCrypto), 'pw', FAST_KDF);
    const bad: [unknown, string][] = [
      [null, 'shape'],
      [{ ...record, version: 2 }, 'version'],
      [{ ...record, kind: 'pin' }, 'kind'],
      [{ ...record, kdf: { ...FAST_KDF, memoryKiB: 8 * 1024 * 1024 } }, 'kdf'],
      [{ ...record, kdf: { ...FAST_KDF, iterations: 0 } }, 'kdf'],
      [{ ...record, kdf: { name: 'hkdf-sha256' } }, 'kdf'],
      [{ ...record, wrappedKey: record.wrappedKey.slice(2) }, 'bytes'],
      [{ ...record, salt: 'not base64url!' }, 'bytes'],
    ];
    for (const [value, reason] of bad) {
      const error = await refusal(Promise.resolve().then(() => parseWrappedKeyRecord(value)));
      expect(error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'keyRecord', reason } });
    }
    expect((await refusal(unwrapDataKey(webCrypto, { ...record, version: 2 } as unknown as WrappedKeyRecord, 'pw'))).message).toMatch(/newer version of Tote/);
  });

  it('uses Argon2id with m = 64 MiB, t = 3, p = 1 by default, and records them', async () => {
    expect(DEFAULT_PASSWORD_KDF).toEqual({ name: 'argon2id', memoryKiB: 65536, iterations: 3, parallelism: 1 });
    const keyring = await createKeyring(webCrypto);
    const envelope = await keyring.cipher.encrypt(item.id, item);
    const record = await wrapDataKey(keyring, 'correct horse battery staple');
    expect(record.kdf).toEqual(DEFAULT_PASSWORD_KDF);
    const started = performance.now();
    const unlocked = await unwrapDataKey(webCrypto, record, 'correct horse battery staple');
    // Memory-hard means it takes a noticeable moment; the bench records the exact figure (kdf_ms).
    expect(performance.now() - started).toBeGreaterThan(50);
    expect(await unlocked.cipher.decrypt(item.id, envelope)).toEqual(item);
  }, 30_000);

  it('wraps the data key with a recovery key too, which unlocks the cart when the password is lost', async () => {
    const keyring = await createKeyring(webCrypto);
    const envelope = await keyring.cipher.encrypt(item.id, item);
    const recoveryKey = newRecoveryKey(webCrypto);
    const record = await wrapWithRecoveryKey(keyring, recoveryKey);
    expect(record).toMatchObject({ version: 1, kind: 'recovery', kdf: { name: 'hkdf-sha256' } });
    const typedByHand = recoveryKey.toLowerCase().replaceAll('-', ' ');
    const unlocked = await unwrapWithRecoveryKey(webCrypto, record, typedByHand);
    expect(await unlocked.cipher.decrypt(item.id, envelope)).toEqual(item);
    // With the recovered keyring the shopper sets a new password; the data key is the same.
    const passwordRecord = await wrapDataKey(unlocked, 'a new password', FAST_KDF);
    expect(await (await unwrapDataKey(webCrypto, passwordRecord, 'a new password')).cipher.decrypt(item.id, envelope)).toEqual(item);
  });

  it('tells a typo in the recovery key from a recovery key that belongs to another cart', async () => {
    const recoveryKey = newRecoveryKey(webCrypto);
    const record = await wrapWithRecoveryKey(await createKeyring(webCrypto), recoveryKey);
    const last = recoveryKey.at(-1) === '7' ? '8' : '7';
    const typo = await refusal(unwrapWithRecoveryKey(webCrypto, record, `${recoveryKey.slice(0, -1)}${last}`));
    expect(typo).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'recoveryKey', reason: 'checksum' } });
    const other = await refusal(unwrapWithRecoveryKey(webCrypto, record, newRecoveryKey(webCrypto)));
    expect(other.code).toBe('WRONG_RECOVERY_KEY');
    expect(other.message).toBe('That recovery key does not unlock this cart. Check that it is the one saved for this account.');
  });

  it('does not let a recovery record stand in for a password record, or the reverse', async () => {
    const keyring = await createKeyring(webCrypto);
    const recoveryKey = newRecoveryKey(webCrypto);
    const recovery = await wrapWithRecoveryKey(keyring, recoveryKey);
    const password = await wrapDataKey(keyring, 'pw', FAST_KDF);
    expect((await refusal(unwrapDataKey(webCrypto, recovery, 'pw'))).code).toBe('INVALID_INPUT');
    expect((await refusal(unwrapWithRecoveryKey(webCrypto, password, recoveryKey))).code).toBe('INVALID_INPUT');
  });

  it('keeps a guest device\'s random key in a stored secret that opens it again; a damaged secret is refused', async () => {
    const guest = await createGuestKey(webCrypto);
    expect(guest.deviceSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const envelope = await guest.keyring.cipher.encrypt(item.id, item);
    const reopened = await openGuestKey(webCrypto, guest.deviceSecret);
    expect(await reopened.cipher.decrypt(item.id, envelope)).toEqual(item);
    expect((await refusal(openGuestKey(webCrypto, guest.deviceSecret.slice(1)))).code).toBe('INVALID_INPUT');
  });

  it('refuses to wrap a keyring it did not make', async () => {
    const { cipher, fingerprint } = await createKeyring(webCrypto);
    expect((await refusal(wrapDataKey({ cipher, fingerprint }, 'pw', FAST_KDF))).details?.field).toBe('keyring');
  });

  it('fingerprints a version of a document: equal for equal content, keyed, bound to the id', async () => {
    const keyring = await createKeyring(webCrypto);
    const other = await createKeyring(webCrypto);
    const value = { title: 'Walnut desk', quantity: 1 };
    const print = await keyring.fingerprint('item-1', value);
    expect(print).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await keyring.fingerprint('item-1', { ...value })).toBe(print);
    expect(await keyring.fingerprint('item-1', { ...value, quantity: 2 })).not.toBe(print);
    expect(await keyring.fingerprint('item-2', value)).not.toBe(print);
    expect(await other.fingerprint('item-1', value)).not.toBe(print);
    // The same key after wrapping and unwrapping gives the same fingerprints (every device of the shopper agrees).
    const record = await wrapDataKey(keyring, 'pw', FAST_KDF);
    expect(await (await unwrapDataKey(webCrypto, record, 'pw')).fingerprint('item-1', value)).toBe(print);
  });

  it('exports the raw 32-byte data key for the device\'s key store and imports it back to the same key', async () => {
    const keyring = await createKeyring(webCrypto);
    const raw = await exportKeyring(keyring);
    expect(raw.length).toBe(32);
    const copy = new Uint8Array(raw);
    const again = await importKeyring(webCrypto, raw);
    expect(raw).toEqual(copy); // the caller's bytes are left alone
    const envelope = await keyring.cipher.encrypt('item-1', typicalItem());
    expect(await again.cipher.decrypt('item-1', envelope)).toEqual(typicalItem());
    expect(await again.fingerprint('item-1', { a: 1 })).toBe(await keyring.fingerprint('item-1', { a: 1 }));
    expect(() => importKeyring(webCrypto, new Uint8Array(31))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    await expect(exportKeyring({ cipher: keyring.cipher, fingerprint: keyring.fingerprint })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
