import { describe, expect, it } from 'vitest';
import { newRecoveryKey, parseRecoveryKey } from '../crypto/recovery-key.ts';
import { toBase64url } from '../crypto/base64url.ts';
import { FAST_KDF, typicalItem, webCrypto } from '../crypto/test/fixtures.ts';
import { newAccountKeys, parseAccountKeyRecord, recoveryProof, rewrapAccountKeys, unlockWithPassword, unlockWithRecoveryKey, wrapAccountKeys } from './account-keys.ts';
import { createKeyring } from '../crypto/keyring.ts';

const item = typicalItem();
const viaServer = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('account key record', () => {
  it('holds the data key wrapped with the password and with a recovery key, both opening the same key', async () => {
    const made = await newAccountKeys(webCrypto, 'first password', FAST_KDF);
    expect(made.record).toMatchObject({ version: 1, password: { kind: 'password' }, recovery: { kind: 'recovery' } });
    const text = JSON.stringify(made.record);
    expect(text.length).toBeLessThan(1024);
    expect(text).not.toContain('first password');
    expect(text).not.toContain(made.recoveryKey);
    const envelope = await made.keyring.cipher.encrypt(item.id, item);
    const record = parseAccountKeyRecord(viaServer(made.record));
    expect(await (await unlockWithPassword(webCrypto, record, 'first password')).cipher.decrypt(item.id, envelope)).toEqual(item);
    expect(await (await unlockWithRecoveryKey(webCrypto, record, made.recoveryKey.toLowerCase())).cipher.decrypt(item.id, envelope)).toEqual(item);
    await expect(unlockWithPassword(webCrypto, record, 'second password')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    await expect(unlockWithRecoveryKey(webCrypto, record, newRecoveryKey(webCrypto))).rejects.toMatchObject({ code: 'WRONG_RECOVERY_KEY' });
  });

  it('re-wraps for a new password, keeping the data key and the recovery wrapping', async () => {
    const made = await newAccountKeys(webCrypto, 'first password', FAST_KDF);
    const envelope = await made.keyring.cipher.encrypt(item.id, item);
    const next = parseAccountKeyRecord(viaServer(await rewrapAccountKeys(made.keyring, made.record, 'second password', FAST_KDF)));
    expect(next.recovery).toEqual(made.record.recovery);
    expect(await (await unlockWithPassword(webCrypto, next, 'second password')).cipher.decrypt(item.id, envelope)).toEqual(item);
    await expect(unlockWithPassword(webCrypto, next, 'first password')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
  });

  it('wraps an existing key for an account that had no record', async () => {
    const keyring = await createKeyring(webCrypto);
    const envelope = await keyring.cipher.encrypt(item.id, item);
    const { record, recoveryKey } = await wrapAccountKeys(webCrypto, keyring, 'a password', FAST_KDF);
    expect(await (await unlockWithRecoveryKey(webCrypto, record, recoveryKey)).cipher.decrypt(item.id, envelope)).toEqual(item);
  });

  it('refuses a damaged record or one from a newer version, saying what to do', async () => {
    const { record } = await newAccountKeys(webCrypto, 'first password', FAST_KDF);
    for (const damaged of [null, 'text', [], {}, { ...record, version: 0 }, { ...record, password: record.recovery }, { ...record, recovery: record.password },
      { ...record, password: { ...record.password, wrappedKey: 'short' } }]) {
      expect(() => parseAccountKeyRecord(viaServer(damaged)), JSON.stringify(damaged)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', details: expect.objectContaining({ field: 'keyRecord' }) }));
    }
    expect(() => parseAccountKeyRecord({ ...record, version: 2 })).toThrow(/newer version of Tote/);
    expect(parseAccountKeyRecord({ version: 1, password: record.password }).recovery).toBeNull();
  });

  it('derives a recovery proof from the recovery key: fixed per key, 32 bytes, not the key, and a typo says what to check', async () => {
    const { recoveryKey } = await newAccountKeys(webCrypto, 'a password', FAST_KDF);
    const proof = await recoveryProof(webCrypto, recoveryKey);
    expect(proof).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Case, spaces and dashes do not matter, as for unlocking.
    expect(await recoveryProof(webCrypto, recoveryKey.toLowerCase().replaceAll('-', ' '))).toBe(proof);
    expect(await recoveryProof(webCrypto, newRecoveryKey(webCrypto))).not.toBe(proof);
    // HKDF-SHA-256(key, salt: empty, info: "tote recovery proof v1"), computed here another way (RFC 5869 by HMAC).
    const hmac = async (key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>) => new Uint8Array(await webCrypto.subtle.sign('HMAC',
      await webCrypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']), data));
    const prk = await hmac(new Uint8Array(32), parseRecoveryKey(recoveryKey));
    const info = new TextEncoder().encode('tote recovery proof v1');
    const okm = await hmac(prk, Uint8Array.from([...info, 1]));
    expect(proof).toBe(toBase64url(okm));
    const typo = recoveryKey.slice(0, 5) + (recoveryKey[5] === '7' ? '8' : '7') + recoveryKey.slice(6);
    await expect(recoveryProof(webCrypto, typo)).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'recoveryKey', reason: 'checksum' } });
  });
});
