import { describe, expect, it } from 'vitest';
import { FAST_KDF, typicalItem, webCrypto } from '../crypto/test/fixtures.ts';
import { newAccountKeys, rewrapAccountKeys } from '../account/account-keys.ts';
import { newDatabaseKey, openDatabaseKeyWith, openRawDatabaseKey, parseDatabaseKeyRecord, protectDatabaseKey, unlockDatabaseKey } from './database-key.ts';

const item = typicalItem();
const owner = { serverUrl: 'https://sync.example', name: 'ada@example.org' };
/** As the extension's storage keeps it. */
const stored = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('database key', () => {
  it('made unprotected, it opens from its record; protected by an account, only that account\'s password or recovery key opens it', async () => {
    const { key, record } = await newDatabaseKey(webCrypto);
    const row = await key.keyring.cipher.encrypt(item.id, item);
    const plain = parseDatabaseKeyRecord(stored(record))!;
    expect(await (await unlockDatabaseKey(webCrypto, plain, { password: 'anything' })).key.keyring.cipher.decrypt(item.id, row)).toEqual(item);

    const account = await newAccountKeys(webCrypto, 'the right password', FAST_KDF);
    const protectedRecord = parseDatabaseKeyRecord(stored(await protectDatabaseKey(key, owner, account.keyring, stored(account.record))))!;
    const text = JSON.stringify(protectedRecord);
    expect(text).not.toContain(key.raw);
    expect(text).not.toContain('the right password');
    expect(protectedRecord).toMatchObject({ protection: 'account', owner });

    const byPassword = await unlockDatabaseKey(webCrypto, protectedRecord, { password: 'the right password' });
    expect(byPassword.key.raw).toBe(key.raw);
    expect(await byPassword.key.keyring.cipher.decrypt(item.id, row)).toEqual(item);
    // The account's data key comes with it, for the session to keep.
    expect(await byPassword.account!.cipher.decrypt(item.id, await account.keyring.cipher.encrypt(item.id, item))).toEqual(item);
    expect((await unlockDatabaseKey(webCrypto, protectedRecord, { recoveryKey: account.recoveryKey })).key.raw).toBe(key.raw);
    expect((await openDatabaseKeyWith(webCrypto, protectedRecord, account.keyring)).raw).toBe(key.raw);
  });

  it('a wrong password, another account or an empty password open nothing and say what happened', async () => {
    const { key } = await newDatabaseKey(webCrypto);
    const account = await newAccountKeys(webCrypto, 'the right password', FAST_KDF);
    const record = await protectDatabaseKey(key, owner, account.keyring, account.record);
    await expect(unlockDatabaseKey(webCrypto, record, { password: 'the wrong password' }))
      .rejects.toMatchObject({ code: 'WRONG_PASSWORD', message: expect.stringContaining('not the password of ada@example.org') });
    await expect(unlockDatabaseKey(webCrypto, record, { password: '' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const other = await newAccountKeys(webCrypto, 'another password', FAST_KDF);
    await expect(openDatabaseKeyWith(webCrypto, record, other.keyring)).rejects.toMatchObject({ code: 'WRONG_PASSWORD', message: expect.stringContaining('belongs to ada@example.org') });
  });

  it('after a password change the new record opens with the new password, and the database key is the same', async () => {
    const { key } = await newDatabaseKey(webCrypto);
    const account = await newAccountKeys(webCrypto, 'old password one', FAST_KDF);
    const changed = await rewrapAccountKeys(account.keyring, account.record, 'new password two', FAST_KDF);
    const record = await protectDatabaseKey(key, owner, account.keyring, changed);
    expect((await unlockDatabaseKey(webCrypto, record, { password: 'new password two' })).key.raw).toBe(key.raw);
    await expect(unlockDatabaseKey(webCrypto, record, { password: 'old password one' })).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
  });

  it('refuses to protect with a key record that could never be unlocked, and reports damaged records', async () => {
    const { key } = await newDatabaseKey(webCrypto);
    const account = await newAccountKeys(webCrypto, 'the right password', FAST_KDF);
    await expect(protectDatabaseKey(key, owner, account.keyring, { version: 1 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(parseDatabaseKeyRecord(null)).toBeNull();
    const record = await protectDatabaseKey(key, owner, account.keyring, account.record);
    for (const damaged of ['text', [], {}, { ...record, version: 2 }, { ...record, owner: null }, { version: 1, protection: 'none' }]) {
      expect(() => parseDatabaseKeyRecord(damaged), JSON.stringify(damaged)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
    await expect(openRawDatabaseKey(webCrypto, 'c2hvcnQ')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const tampered = { ...record, sealedKey: record.protection === 'account' ? `${record.sealedKey.slice(0, -4)}AAAA` : '' };
    await expect(unlockDatabaseKey(webCrypto, tampered, { password: 'the right password' })).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
  });
});
