import { describe, expect, it } from 'vitest';
import { createKeyring } from '../crypto/keyring.ts';
import { typicalItem, webCrypto } from '../crypto/test/fixtures.ts';
import { createItemConflictHandler } from '../persistence/item-conflicts.ts';
import { isSealed, itemSeal } from './sealed-items.ts';

describe('sealed items', () => {
  it('keeps only the id, the envelope and the fingerprint, and opens back to the same item', async () => {
    const seal = itemSeal(await createKeyring(webCrypto));
    const item = { ...typicalItem(), fieldClocks: { quantity: '0mwww9sm50000:laptop' }, _deleted: false, _rev: '1-abc', _meta: { lwt: 1 } };
    const sealed = await seal.seal(item);
    expect(Object.keys(sealed).sort()).toEqual(['_deleted', 'enc', 'fp', 'id']);
    expect(JSON.stringify(sealed)).not.toContain(item.title);
    expect(await seal.seal(sealed)).toBe(sealed); // already sealed: passes unchanged
    expect(await seal.open(sealed)).toEqual({ ...typicalItem(), fieldClocks: item.fieldClocks, _deleted: false });
    // Same content, same fingerprint; another envelope every time.
    const again = await seal.seal({ ...item });
    expect(again.fp).toBe(sealed.fp);
    expect(again.enc).not.toBe(sealed.enc);
  });

  it('packs the field clocks (each stamp once) and still opens items sealed with plain field clocks', async () => {
    const keyring = await createKeyring(webCrypto);
    const seal = itemSeal(keyring);
    const stamp = '0mwww9sm50000:7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const later = '0mwww9zz10000:0b5f1c7e-1b2d-4f3a-9c8e-2d4b6a8f0e1c';
    const fields = ['listId', 'title', 'priceMinor', 'currency', 'imageUrl', 'variant', 'quantity', 'note', 'deleted'];
    const fieldClocks = Object.fromEntries(fields.map((field) => [field, field === 'quantity' ? later : stamp]));
    const item = { ...typicalItem(), fieldClocks };
    const sealed = await seal.seal(item);
    expect(await seal.open(sealed)).toEqual({ ...item, _deleted: false });
    // Packed: the stamp travels once, not nine times; the envelope is that much smaller.
    const plainEnvelope = await keyring.cipher.encrypt(item.id, { ...item });
    expect(sealed.enc.length).toBeLessThan(plainEnvelope.length - 300);
    // A document sealed before packing (plain field clocks inside) opens as it is.
    expect(await seal.open({ id: item.id, enc: plainEnvelope, fp: sealed.fp })).toEqual({ ...item, _deleted: false });
    // A damaged packing is refused, not half-read.
    const damaged = await keyring.cipher.encrypt(item.id, { ...typicalItem(), fcp: [['only-a-stamp']] });
    await expect(seal.open({ id: item.id, enc: damaged, fp: sealed.fp })).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
  });

  it('refuses an envelope moved to another item, or sealed with another key', async () => {
    const seal = itemSeal(await createKeyring(webCrypto));
    const other = itemSeal(await createKeyring(webCrypto));
    const sealed = await seal.seal(typicalItem());
    await expect(seal.open({ ...sealed, id: 'another-item' })).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
    await expect(other.open(sealed)).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
  });

  it('lets the conflict handler compare sealed versions by fingerprint and merge after opening them', async () => {
    const seal = itemSeal(await createKeyring(webCrypto));
    const unreadable: string[] = [];
    const handler = createItemConflictHandler({ seal: () => seal, onUnreadable: (error) => unreadable.push(error.code) });
    const base = typicalItem();
    const [a, b] = [await seal.seal(base), await seal.seal({ ...base })];
    expect(handler.isEqual(a as never, b as never, 'test')).toBe(true);
    const changed = await seal.seal({ ...base, quantity: 2 });
    expect(handler.isEqual(a as never, changed as never, 'test')).toBe(false);
    // Sealed and plain: equal when the sealed one was made here from that plain version (the server still
    // holding a copy from before encryption); a sealed copy from elsewhere cannot be compared: resolve decides.
    expect(handler.isEqual(base as never, a as never, 'test')).toBe(true);
    expect(handler.isEqual(changed as never, base as never, 'test')).toBe(false);
    expect(handler.isEqual({ ...a } as never, base as never, 'test')).toBe(false);
    expect(JSON.stringify(a)).not.toContain(base.title); // the link is in memory only

    // Server version damaged: this device's good copy wins and the damage is reported.
    const damaged = { ...changed, enc: `${changed.enc.slice(0, 30)}${changed.enc[30] === 'A' ? 'B' : 'A'}${changed.enc.slice(31)}` };
    const local = { ...base, note: 'kept', _deleted: false };
    const resolved = await handler.resolve({ assumedMasterState: a as never, realMasterState: damaged as never, newDocumentState: (await seal.seal(local)) as never }, 'test');
    expect(isSealed(resolved)).toBe(false);
    expect(resolved).toMatchObject({ note: 'kept', quantity: 1 });
    expect(unreadable).toEqual(['DECRYPT_FAILED']);
  });
});
