/**
 * Item documents as the server keeps them when the shopper's keys are unlocked (docs/encryption.md):
 *
 *   { id, enc, fp }   plus CouchDB's _id, _rev and _deleted
 *
 * `enc` is the whole item (every field, its field clocks included) sealed by the document cipher and
 * bound to the id; `fp` is the keyed fingerprint of that plaintext, so two versions can be compared
 * without decrypting (the conflict handler's `isEqual` must be synchronous). Nothing else is in clear:
 * not the title, URL, shop, price, quantity, note, list, times or the devices' names.
 *
 * Sealing is idempotent (a sealed document passes unchanged), so a version that is already on the
 * server is never encrypted twice. Opening checks that what was sealed is an item of this id.
 */
import type { Keyring } from '../crypto/keyring.ts';
import { ToteError } from '../errors.ts';
import type { ClockedItem } from '../merge/item-clocks.ts';
import type { HistoryDoc } from '../persistence/history-schema.ts';

export interface SealedItem {
  readonly id: string;
  readonly enc: string;
  readonly fp: string;
  readonly _deleted?: boolean;
}

type WithDeleted<T> = T & { _deleted?: boolean };

/**
 * The plain version each sealed document of this process was made from. The replication seals the
 * version it last saw on the server (its `assumedMasterState`) before comparing it with the server's
 * current one; when the server still holds that version in plain (written before encryption was on),
 * the two can only be compared through this link. Memory only: never serialised, gone with the object.
 */
const sealedFrom = new WeakMap<SealedItem, object>();

/** The plain version a sealed document was made from on this device, when it was sealed here and is still in memory. */
export function plainOrigin<T extends object = WithDeleted<ClockedItem>>(doc: SealedItem): T | undefined {
  return sealedFrom.get(doc) as T | undefined;
}

export function isSealed(doc: unknown): doc is SealedItem {
  return typeof doc === 'object' && doc !== null && typeof (doc as SealedItem).enc === 'string' && typeof (doc as SealedItem).fp === 'string';
}

/**
 * Field clocks packed for travel: the stamps of an item's nine fields are mostly one or two (a new item
 * has one stamp on every field), so each stamp is written once with the fields that carry it,
 * `fcp: [[stamp, field, ...], ...]` sorted by stamp, instead of nine times. About 400 bytes less per
 * sealed item. Unpacked on opening; documents sealed with plain `fieldClocks` still open as they are.
 */
function packClocks(clocks: Readonly<Record<string, string>>): string[][] {
  const byStamp = new Map<string, string[]>();
  for (const field of Object.keys(clocks).sort()) {
    const stamp = clocks[field]!;
    const fields = byStamp.get(stamp);
    if (fields) fields.push(field);
    else byStamp.set(stamp, [field]);
  }
  return [...byStamp.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([stamp, fields]) => [stamp, ...fields]);
}

function unpackClocks(packed: unknown): Record<string, string> | null {
  if (!Array.isArray(packed)) return null;
  const clocks: Record<string, string> = {};
  for (const group of packed) {
    if (!Array.isArray(group) || group.length < 2 || !group.every((part) => typeof part === 'string')) return null;
    const [stamp, ...fields] = group as string[];
    for (const field of fields) clocks[field] = stamp!;
  }
  return clocks;
}

/** The document's own data, keys sorted (the fingerprint depends on the exact text), without storage metadata. */
function content(doc: WithDeleted<ClockedItem>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(doc).sort()) {
    if (key.startsWith('_')) continue; // _rev, _meta, _attachments, _deleted: the storage's, not the item's
    const value = (doc as unknown as Record<string, unknown>)[key];
    if (key === 'fieldClocks' && typeof value === 'object' && value !== null) out.fcp = packClocks(value as Record<string, string>);
    else out[key] = value;
  }
  return out;
}

/** The document `content` made, back (packed field clocks unpacked); null when the packing is damaged. */
function fromContent(value: Record<string, unknown>): Record<string, unknown> | null {
  if (!('fcp' in value)) return value;
  const { fcp, ...rest } = value;
  const fieldClocks = unpackClocks(fcp);
  return fieldClocks ? { ...rest, fieldClocks } : null;
}

export interface ItemSeal {
  seal(doc: WithDeleted<ClockedItem> | SealedItem): Promise<SealedItem>;
  /** The item in a sealed document; throws ToteError('DECRYPT_FAILED') when it cannot be read. */
  open(doc: SealedItem): Promise<WithDeleted<ClockedItem>>;
}

export interface DocumentSeal<T extends { id: string }> {
  seal(doc: WithDeleted<T> | SealedItem): Promise<SealedItem>;
  /** The document in a sealed one; throws ToteError('DECRYPT_FAILED') when it cannot be read. */
  open(doc: SealedItem): Promise<WithDeleted<T>>;
}

/** Seals any document with an `id` the same way (items, history); `unreadable` is the shopper's sentence. */
function documentSeal<T extends { id: string }>(keyring: Keyring, unreadable: string): DocumentSeal<T> {
  return {
    async seal(doc) {
      if (isSealed(doc)) return doc;
      const value = content(doc as unknown as WithDeleted<ClockedItem>);
      const [enc, fp] = await Promise.all([keyring.cipher.encrypt(doc.id, value), keyring.fingerprint(doc.id, value)]);
      const sealed: SealedItem = { id: doc.id, enc, fp, _deleted: Boolean(doc._deleted) };
      sealedFrom.set(sealed, doc);
      return sealed;
    },
    async open(doc) {
      const opened = await keyring.cipher.decrypt(doc.id, doc.enc);
      const value = typeof opened === 'object' && opened !== null ? fromContent(opened as Record<string, unknown>) : null;
      if (value === null || value.id !== doc.id) {
        throw new ToteError('DECRYPT_FAILED', unreadable, { documentId: doc.id, reason: 'content' });
      }
      return { ...(value as T), _deleted: Boolean(doc._deleted) };
    },
  };
}

export function itemSeal(keyring: Keyring): ItemSeal {
  return documentSeal<ClockedItem>(keyring, 'An item in your cart could not be read: it was changed or damaged on the way. Your other items are fine.');
}

/** History documents (persistence/history-schema.ts) travel sealed like items: `{ id, enc, fp }`. */
export function historySeal(keyring: Keyring): DocumentSeal<HistoryDoc> {
  return documentSeal<HistoryDoc>(keyring, 'A part of your cart\'s history could not be read: it was changed or damaged on the way. The cart itself is fine.');
}
