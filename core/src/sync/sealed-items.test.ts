import { describe, expect, it } from 'vitest';
import type { CartItem } from '../cart/cart-types.ts';
import { createKeyring } from '../crypto/keyring.ts';
import { fromBase64url, toBase64url } from '../crypto/base64url.ts';
import { typicalItem, webCrypto } from '../crypto/test/fixtures.ts';
import { createItemConflictHandler } from '../persistence/item-conflicts.ts';
import { checkEnvelope, historySeal, isSealed, itemSeal } from './sealed-items.ts';

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

  it('seals an item that knows its availability in layout 3, and one that does not exactly as before (layout 2)', async () => {
    const keyring = await createKeyring(webCrypto);
    const seal = itemSeal(keyring);
    const stamp = '0mwww9sm50000:laptop';
    for (const availability of ['in_stock', 'out_of_stock'] as const) {
      const item = { ...typicalItem(), availability, fieldClocks: { availability: stamp, quantity: stamp } };
      const sealed = await seal.seal(item);
      const inside = await keyring.cipher.decrypt(item.id, sealed.enc) as unknown[];
      expect(inside[0]).toBe('i3');
      expect(await seal.open(sealed)).toEqual({ ...item, _deleted: false });
    }
    const plain = { ...typicalItem(), fieldClocks: { quantity: stamp } };
    const sealed = await seal.seal(plain);
    expect(((await keyring.cipher.decrypt(plain.id, sealed.enc)) as unknown[])[0]).toBe('i2');
    expect(await seal.open(sealed)).toEqual({ ...plain, _deleted: false });
    // A value a command never writes is refused, whichever layout carries it.
    const odd = await keyring.cipher.encrypt(plain.id, { ...plain, availability: 'maybe' });
    await expect(seal.open({ id: plain.id, enc: odd, fp: sealed.fp })).rejects.toMatchObject({ code: 'DECRYPT_FAILED', details: { field: 'availability' } });
    const packed = await keyring.cipher.decrypt(plain.id, (await seal.seal({ ...plain, availability: 'in_stock' })).enc) as unknown[];
    const damaged = await keyring.cipher.encrypt(plain.id, packed.map((part, index) => (index === 18 ? 2 : part)));
    await expect(seal.open({ id: plain.id, enc: damaged, fp: sealed.fp })).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
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

  describe('compact layout', () => {
    const device = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const other = '0b5f1c7e-1b2d-4f3a-9c8e-2d4b6a8f0e1c';
    const third = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
    /** An item that uses every rule of the layout: nulls, a price history, three devices' stamps, removed. */
    const edited = () => ({
      ...typicalItem({ addedBy: device, updatedBy: other, priceMinor: null, imageUrl: null, variant: null, addedPriceMinor: null, deleted: true,
        quantity: 3, note: 'ä "quoted" \\ note', priceHistory: [{ at: 1_793_000_100_000, priceMinor: 12995 }, { at: 1_793_000_200_000, priceMinor: 11995 }] }),
      fieldClocks: { quantity: `0mwww9zz10002:${other}`, note: `0mwww9zz10002:${other}`, deleted: `0mwww9sm60000:${device}`, title: `0mwww9sm70001:${third}`, variant: '0mwww9sm80000:a:b' },
    });
    /** What the previous version of the seal put in `enc` (layout 1): the keyed object, keys sorted, field clocks packed. */
    const layoutOne = (item: CartItem & { fieldClocks: Readonly<Record<string, string>> }) => {
      const groups = new Map<string, string[]>();
      for (const [field, stamp] of Object.entries(item.fieldClocks).sort(([a], [b]) => (a < b ? -1 : 1))) groups.set(stamp, [...(groups.get(stamp) ?? []), field]);
      const rest: Partial<typeof item> = { ...item };
      delete rest.fieldClocks;
      const fcp = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([stamp, fields]) => [stamp, ...fields]);
      return Object.fromEntries(Object.entries({ ...rest, fcp }).sort(([a], [b]) => (a < b ? -1 : 1)));
    };

    it('seals a positional array without the id and opens it back to every field', async () => {
      const keyring = await createKeyring(webCrypto);
      const seal = itemSeal(keyring);
      for (const item of [
        edited(),
        { ...edited(), updatedBy: device, updatedAt: 1_793_000_000_000 }, // updatedBy is addedBy; not updated since
        { ...typicalItem(), fieldClocks: {} }, // a new item: field clocks, none differing
        typicalItem(), // written before field clocks: none at all, which is not the same as empty
      ]) {
        const sealed = await seal.seal({ ...item, _deleted: false });
        const inside = await keyring.cipher.decrypt(item.id, sealed.enc);
        expect(Array.isArray(inside) && inside[0]).toBe('i2');
        expect(JSON.stringify(inside)).not.toContain(item.id);
        expect(await seal.open(sealed)).toStrictEqual({ ...item, _deleted: false });
      }
      const removed = await seal.seal({ ...edited(), _deleted: true });
      expect(await seal.open(removed)).toStrictEqual({ ...edited(), _deleted: true });
    });

    it('writes each device id once: the stamps of addedBy and updatedBy without it', async () => {
      const keyring = await createKeyring(webCrypto);
      const inside = await keyring.cipher.decrypt(edited().id, (await itemSeal(keyring).seal(edited())).enc);
      const text = JSON.stringify(inside);
      expect(text.split(device)).toHaveLength(2);
      expect(text.split(other)).toHaveLength(2);
      expect(text).toContain(third); // a third device's stamp is written in full
    });

    it('keeps the fingerprint of the keyed layout, so versions sealed either way compare equal', async () => {
      const keyring = await createKeyring(webCrypto);
      const item = edited();
      const sealed = await itemSeal(keyring).seal(item);
      expect(sealed.fp).toBe(await keyring.fingerprint(item.id, layoutOne(item)));
    });

    it('still opens an item sealed in the keyed layout, and seals in it what the compact one cannot hold exactly', async () => {
      const keyring = await createKeyring(webCrypto);
      const seal = itemSeal(keyring);
      const item = edited();
      const old = await keyring.cipher.encrypt(item.id, layoutOne(item));
      const { fp } = await seal.seal(item);
      expect(await seal.open({ id: item.id, enc: old, fp })).toStrictEqual({ ...item, _deleted: false });
      for (const odd of [
        { ...item, updatedAt: item.addedAt - 1 },
        { ...item, fieldClocks: { quantity: 'no-device' } },
        { ...item, fieldClocks: { quantity: '0mwww9sm50000:' } },
      ]) {
        const sealed = await seal.seal(odd as never);
        expect(Array.isArray(await keyring.cipher.decrypt(item.id, sealed.enc))).toBe(false);
        expect(await seal.open(sealed)).toStrictEqual(JSON.parse(JSON.stringify({ ...odd, _deleted: false })));
      }
      // Sealed in the keyed layout too, but values no command makes: refused when opened (cart-validation.ts).
      for (const odd of [
        { ...item, extra: 'a field of a later version' },
        { ...item, fieldClocks: null },
        { ...item, addedAt: 1.5 },
        { ...item, priceHistory: [{ at: 1, priceMinor: 2, by: 'x' }] },
      ]) {
        const sealed = await seal.seal(odd as never);
        expect(Array.isArray(await keyring.cipher.decrypt(item.id, sealed.enc))).toBe(false);
        await expect(seal.open(sealed)).rejects.toMatchObject({ code: 'DECRYPT_FAILED', details: { reason: 'values' } });
      }
    });

    it('is well under two thirds of the keyed layout', async () => {
      const keyring = await createKeyring(webCrypto);
      const item = { ...typicalItem({ addedBy: device, updatedBy: device, updatedAt: typicalItem().addedAt }), fieldClocks: {} };
      const sealed = await itemSeal(keyring).seal(item);
      const old = await keyring.cipher.encrypt(item.id, layoutOne(item));
      // 445 bytes against 733 for this item (its plaintext 400 against 698); 541 against 925 for the edited one.
      expect(fromBase64url(sealed.enc)!.length).toBeLessThan(fromBase64url(old)!.length * 0.65);
      const changed = edited();
      const changedOld = await keyring.cipher.encrypt(changed.id, layoutOne(changed));
      expect(fromBase64url((await itemSeal(keyring).seal(changed)).enc)!.length).toBeLessThan(fromBase64url(changedOld)!.length * 0.6);
    });

    it('refuses a changed envelope, one moved to another id, and a history document\'s, with DECRYPT_FAILED', async () => {
      const keyring = await createKeyring(webCrypto);
      const seal = itemSeal(keyring);
      const sealed = await seal.seal(edited());
      const bytes = fromBase64url(sealed.enc)!;
      bytes[20] = bytes[20]! ^ 1;
      await expect(seal.open({ ...sealed, enc: toBase64url(bytes) })).rejects.toMatchObject({ code: 'DECRYPT_FAILED', details: { reason: 'authentication' } });
      await expect(seal.open({ ...sealed, id: 'another-item' })).rejects.toMatchObject({ code: 'DECRYPT_FAILED', details: { reason: 'authentication' } });
      // A history document of the same id, or a damaged compact array, is not taken for an item.
      const history = await historySeal(keyring).seal({ id: sealed.id, e: [], d: 'laptop' });
      await expect(seal.open({ ...sealed, enc: history.enc })).rejects.toMatchObject({ code: 'DECRYPT_FAILED', details: { reason: 'content' } });
      const inside = await keyring.cipher.decrypt(sealed.id, sealed.enc) as unknown[];
      for (const damaged of [inside.slice(0, -2), [...inside, 1, 2], inside.map((part, i) => (i === 16 ? [1] : part)), inside.map((part, i) => (i === 18 ? [['0mwww9sm50000', 99]] : part))]) {
        const enc = await keyring.cipher.encrypt(sealed.id, damaged);
        await expect(seal.open({ ...sealed, enc })).rejects.toMatchObject({ code: 'DECRYPT_FAILED', details: { reason: 'content' } });
      }
    });

    it('seals history documents compactly too, and still opens them in the keyed layout', async () => {
      const keyring = await createKeyring(webCrypto);
      const seal = historySeal(keyring);
      const e = [{ i: 'item-1', s: '0mwww9sm50000:laptop', q: 2 }];
      for (const doc of [{ id: '0mwww9sm50000:laptop', e, d: 'Chrome on laptop', r: 1_793_000_000_000 }, { id: 'h1', e, d: 'laptop' }, { id: 'h2', e, r: 5 }, { id: 'h3', e }]) {
        const sealed = await seal.seal(doc);
        const inside = await keyring.cipher.decrypt(doc.id, sealed.enc);
        expect(Array.isArray(inside) && inside[0]).toBe('h2');
        expect(sealed.fp).toBe(await keyring.fingerprint(doc.id, Object.fromEntries(Object.entries(doc).sort(([a], [b]) => (a < b ? -1 : 1)))));
        expect(await seal.open(sealed)).toStrictEqual({ ...doc, _deleted: false });
        expect(await seal.open({ ...sealed, enc: await keyring.cipher.encrypt(doc.id, doc) })).toStrictEqual({ ...doc, _deleted: false });
      }
      const item = await itemSeal(keyring).seal(typicalItem({ id: 'h1' }));
      await expect(seal.open({ id: 'h1', enc: item.enc, fp: item.fp })).rejects.toMatchObject({ code: 'DECRYPT_FAILED', details: { reason: 'content' } });
    });
  });

  describe('what the server hands over', () => {
    it('is taken only as exactly an envelope: no plain fields, nothing beside id, enc, fp and _deleted', async () => {
      const keyring = await createKeyring(webCrypto);
      const sealed = await itemSeal(keyring).seal(typicalItem());
      expect(checkEnvelope(sealed, 'unreadable')).toBe(sealed);
      expect(checkEnvelope({ id: sealed.id, enc: sealed.enc, fp: sealed.fp }, 'unreadable')).toMatchObject({ id: sealed.id });
      const { id, ...plain } = typicalItem();
      for (const [doc, reason, field] of [
        [{ id, ...plain }, 'unsealed', 'enc'], // a plain item, as an old app or the server's admin writes it
        [{ id, _deleted: true }, 'unsealed', 'enc'], // a deletion by CouchDB
        [{ ...sealed, title: 'Added in clear' }, 'format', 'title'],
        [{ ...sealed, _id: 'another-id' }, 'format', '_id'], // a body with its own id keeps CouchDB's _id beside it
        [{ ...sealed, enc: 42 }, 'format', 'enc'],
        [{ ...sealed, enc: `${sealed.enc}=` }, 'format', 'enc'],
        [{ ...sealed, fp: sealed.fp.slice(1) }, 'format', 'fp'],
        [{ id: sealed.id, enc: sealed.enc }, 'format', 'fp'],
        [{ ...sealed, _deleted: 'yes' }, 'format', '_deleted'],
        [{ ...sealed, id: '' }, 'format', 'id'],
      ] as const) {
        let refused: unknown = null;
        try {
          checkEnvelope(doc, 'unreadable');
        } catch (error) {
          refused = error;
        }
        expect(refused).toMatchObject({ code: 'DECRYPT_FAILED', message: 'unreadable', details: { reason, field } });
      }
    });

    it('opens an envelope only to values a command could have made, items and history alike', async () => {
      const keyring = await createKeyring(webCrypto);
      const seal = itemSeal(keyring);
      const planted = [typicalItem({ quantity: -5 }), typicalItem({ url: 'javascript:alert(document.cookie)' }), typicalItem({ title: '' })];
      for (const item of planted) {
        // Sealed with the right key (the seal itself checks nothing), bound to its id: still refused when opened.
        await expect(seal.open(await seal.seal(item))).rejects.toMatchObject({ code: 'DECRYPT_FAILED', details: { documentId: item.id, reason: 'values' } });
      }
      await expect(seal.open(await seal.seal(typicalItem({ quantity: 5 })))).resolves.toMatchObject({ quantity: 5 });
      await expect(seal.open(typicalItem() as never)).rejects.toMatchObject({ code: 'DECRYPT_FAILED', details: { reason: 'unsealed' } });
      const history = historySeal(keyring);
      const badHistory = await history.seal({ id: '0mwww9sm50000:laptop', e: ['not a record'] as never, d: 'laptop' });
      await expect(history.open(badHistory)).rejects.toMatchObject({ code: 'DECRYPT_FAILED', details: { reason: 'values', field: 'e' } });
    });

    it('lets the conflict handler merge nothing from a plain server version: the version here wins, reported', async () => {
      const seal = itemSeal(await createKeyring(webCrypto));
      const unreadable: unknown[] = [];
      const handler = createItemConflictHandler({ seal: () => seal, onUnreadable: (error) => unreadable.push(error.details) });
      const base = typicalItem();
      const planted = { ...base, quantity: 50, note: 'planted', updatedAt: base.updatedAt + 1_000_000, _deleted: false };
      const local = await seal.seal({ ...base, note: 'mine', _deleted: false });
      const resolved = await handler.resolve({ assumedMasterState: (await seal.seal(base)) as never, realMasterState: planted as never, newDocumentState: local as never }, 'test');
      expect(resolved).toMatchObject({ note: 'mine', quantity: 1 });
      expect(unreadable).toEqual([expect.objectContaining({ documentId: base.id, reason: 'unsealed' })]);
    });
  });
});

