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
 * server is never encrypted twice.
 *
 * Opening trusts nothing the server could have made (docs/encryption.md, "Decrypting"): the document
 * must be exactly an envelope (`checkEnvelope`: no clear field besides the id, `enc`, `fp` and
 * `_deleted`, each of its form), the envelope must open for this id, what it holds must be a document
 * of this id in a known layout, and its values must pass the rules of the commands that make them
 * (`validateStoredItem`, `validateHistoryDoc`). Anything else is DECRYPT_FAILED, which sync reports
 * and sets aside.
 *
 * What `enc` holds (the plaintext's layout; the envelope around it is document-cipher.ts's):
 * - layout 1, the keyed object: `{ addedAt, addedBy, ..., fcp, id, ... }`, keys sorted. Still opened;
 *   sealed now only for a document the compact layout cannot hold exactly (a field missing or extra).
 * - layout 2, compact (`compactItem`): a positional array led by its tag, `["i2", listId, url, ...]`,
 *   without the id (the envelope is bound to it), and with the repeated parts written once: about 60%
 *   of layout 1's bytes for a new item, less once field clocks of several devices are added. History
 *   documents have their own tags (`["h2", e, d, r]`, a batch `["h3", b, d, r]`), so an envelope moved between an item and a
 *   history document of the same id does not open as the other (layout 1 could not tell them apart).
 * The fingerprint is of layout 1's text whichever layout is sealed: devices sealing either layout give
 * equal fingerprints for equal versions.
 */
import { validateStoredItem } from '../cart/cart-validation.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { isToteError, ToteError } from '../errors.ts';
import { MERGE_FIELDS, type ClockedItem } from '../merge/item-clocks.ts';
import { validateHistoryDoc, type HistoryDoc } from '../persistence/history-schema.ts';

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
 * The clear fields a sealed document has as the replication hands it over (CouchDB's `_id` renamed to
 * `id` and `_rev` dropped by replication-couchdb; a body that has its own `id` keeps `_id` too, and is
 * refused for it).
 */
const ENVELOPE_KEYS = new Set(['id', 'enc', 'fp', '_deleted']);
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Far above any item's envelope (a full item is under 1 KB; a history document of a 1000-item clear, some 100 KB). */
export const MAX_ENVELOPE_LENGTH = 4_000_000;
/** 16 bytes of HMAC in base64url (keyring.ts). */
const FINGERPRINT_LENGTH = 22;

/**
 * `doc` when it is exactly a sealed document: an id, an envelope and a fingerprint in base64url of
 * their sizes, `_deleted` a boolean if there, nothing else in clear. Otherwise ToteError('DECRYPT_FAILED')
 * with the shopper's sentence `unreadable` and `details.reason` `unsealed` (no envelope: a document in
 * plain) or `format` (an envelope with something wrong around it). The envelope's binding to the id is
 * checked when it is opened.
 */
export function checkEnvelope(doc: unknown, unreadable: string): SealedItem {
  const fields = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  const documentId = typeof fields.id === 'string' ? fields.id : typeof fields._id === 'string' ? fields._id : null;
  const refuse = (reason: 'unsealed' | 'format', field: string): never => {
    throw new ToteError('DECRYPT_FAILED', unreadable, { documentId, reason, field });
  };
  if (fields.enc === undefined) refuse('unsealed', 'enc');
  const extra = Object.keys(fields).find((key) => !ENVELOPE_KEYS.has(key));
  if (extra !== undefined) refuse('format', extra);
  const { id, enc, fp, _deleted: deleted } = fields;
  if (typeof id !== 'string' || id.length === 0) refuse('format', 'id');
  if (typeof enc !== 'string' || enc.length > MAX_ENVELOPE_LENGTH || !BASE64URL.test(enc)) refuse('format', 'enc');
  if (typeof fp !== 'string' || fp.length !== FINGERPRINT_LENGTH || !BASE64URL.test(fp)) refuse('format', 'fp');
  if (deleted !== undefined && typeof deleted !== 'boolean') refuse('format', '_deleted');
  return doc as SealedItem;
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

/**
 * A compact layout of `content`'s output: `pack` gives the positional array (its tag first) or null when
 * the layout cannot hold this value exactly; `unpack` gives `content`'s output back, the id put back from
 * the envelope's binding, or null when the array is not a well-formed one of this layout.
 */
interface CompactLayout {
  /** The tag it writes (the one for the value, when the layout has several: `pack` puts it first). */
  readonly tag: string;
  /** The tags it reads. */
  readonly tags: readonly string[];
  pack(value: Readonly<Record<string, unknown>>): unknown[] | null;
  unpack(packed: readonly unknown[], id: string): Record<string, unknown> | null;
}

/** An item's fields in the order layout 2 writes them, after the tag. `fcp` follows them when the item has field clocks. */
const ITEM_LAYOUT = ['listId', 'url', 'shop', 'title', 'priceMinor', 'currency', 'imageUrl', 'variant', 'quantity', 'note',
  'addedAt', 'addedBy', 'updatedAt', 'updatedBy', 'addedPriceMinor', 'priceHistory', 'deleted'] as const;
const ITEM_KEYS = new Set<string>(['id', 'fcp', ...ITEM_LAYOUT]);
const AT = ITEM_LAYOUT.indexOf('addedAt') + 1;
const BY = ITEM_LAYOUT.indexOf('addedBy') + 1;
const UPDATED_AT = ITEM_LAYOUT.indexOf('updatedAt') + 1;
const UPDATED_BY = ITEM_LAYOUT.indexOf('updatedBy') + 1;
const HISTORY = ITEM_LAYOUT.indexOf('priceHistory') + 1;
const DELETED = ITEM_LAYOUT.indexOf('deleted') + 1;
const FCP = ITEM_LAYOUT.length + 1;
const CLOCK_FIELDS: readonly string[] = MERGE_FIELDS;

const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * A field clock's stamp (`<time and counter>:<device>`) with the device left out when it is the item's
 * `addedBy` (written `<time and counter>`, no colon) or its `updatedBy` (`<time and counter>:`): a device
 * id is 36 characters. Null for a string without a device (no colon, or nothing after the last), which
 * the short forms could not tell apart; fieldStamps reads such a stamp as missing anyway.
 */
function shortStamp(stamp: string, addedBy: string, updatedBy: string): string | null {
  const colon = stamp.indexOf(':');
  if (colon < 0 || stamp.endsWith(':')) return null;
  const device = stamp.slice(colon + 1);
  if (device === addedBy) return stamp.slice(0, colon);
  if (device === updatedBy) return stamp.slice(0, colon + 1);
  return stamp;
}

function fullStamp(short: string, addedBy: string, updatedBy: string): string {
  if (!short.includes(':')) return `${short}:${addedBy}`;
  return short.endsWith(':') ? `${short}${updatedBy}` : short;
}

/**
 * Layout 2 of an item: every field in ITEM_LAYOUT's order, except that
 * - `updatedAt` is written as its distance from `addedAt` (both whole, non-negative milliseconds),
 * - `updatedBy` is written as 0 when it is `addedBy` (a device id is a string, never 0),
 * - `priceHistory` is flat, `[at, priceMinor, at, priceMinor, ...]`,
 * - `deleted` is 0 or 1,
 * - the packed field clocks name their fields by index in MERGE_FIELDS, `[[stamp, 6, 7], ...]`, and
 *   their stamps leave out the device when it is `addedBy` or `updatedBy` (shortStamp).
 * Anything these rules cannot give back exactly (another type, a field missing or unknown) is sealed in layout 1.
 */
const compactItemV2: CompactLayout = {
  tag: 'i2',
  tags: ['i2'],
  pack(value) {
    if (Object.keys(value).some((key) => !ITEM_KEYS.has(key))) return null;
    const { addedAt, updatedAt, addedBy, updatedBy, priceHistory, deleted, fcp } = value;
    if (!isTime(addedAt) || !isTime(updatedAt) || updatedAt < addedAt || typeof addedBy !== 'string' || typeof updatedBy !== 'string'
      || typeof deleted !== 'boolean' || !Array.isArray(priceHistory)) return null;
    const prices: number[] = [];
    for (const point of priceHistory as unknown[]) {
      if (typeof point !== 'object' || point === null || Object.keys(point).length !== 2) return null;
      const { at, priceMinor } = point as { at?: unknown; priceMinor?: unknown };
      if (typeof at !== 'number' || typeof priceMinor !== 'number' || !Number.isFinite(at) || !Number.isFinite(priceMinor)) return null;
      prices.push(at, priceMinor);
    }
    const packed: unknown[] = [this.tag];
    for (const field of ITEM_LAYOUT) {
      if (value[field] === undefined) return null;
      packed.push(value[field]);
    }
    packed[UPDATED_AT] = updatedAt - addedAt;
    packed[UPDATED_BY] = updatedBy === addedBy ? 0 : updatedBy;
    packed[HISTORY] = prices;
    packed[DELETED] = deleted ? 1 : 0;
    if (fcp !== undefined) {
      if (!Array.isArray(fcp)) return null;
      const groups: unknown[] = [];
      for (const group of fcp as unknown[]) {
        if (!Array.isArray(group) || group.length < 2 || !group.every((part) => typeof part === 'string')) return null;
        const [stamp, ...fields] = group as string[];
        const short = shortStamp(stamp!, addedBy, updatedBy);
        const indices = fields.map((field) => CLOCK_FIELDS.indexOf(field));
        if (short === null || indices.includes(-1)) return null;
        groups.push([short, ...indices]);
      }
      packed.push(groups);
    }
    return packed;
  },
  unpack(packed, id) {
    if (packed.length !== FCP && packed.length !== FCP + 1) return null;
    const addedAt = packed[AT];
    const addedBy = packed[BY];
    const since = packed[UPDATED_AT];
    const updatedBy = packed[UPDATED_BY];
    const prices = packed[HISTORY];
    const deleted = packed[DELETED];
    if (!isTime(addedAt) || !isTime(since) || !isTime(addedAt + since) || typeof addedBy !== 'string'
      || (updatedBy !== 0 && typeof updatedBy !== 'string') || (deleted !== 0 && deleted !== 1)
      || !Array.isArray(prices) || prices.length % 2 !== 0 || !prices.every((price) => typeof price === 'number')) return null;
    const value: Record<string, unknown> = { id };
    ITEM_LAYOUT.forEach((field, index) => { value[field] = packed[index + 1]; });
    value.updatedAt = addedAt + since;
    value.updatedBy = updatedBy === 0 ? addedBy : updatedBy;
    const priceHistory: { at: number; priceMinor: number }[] = [];
    for (let i = 0; i < prices.length; i += 2) priceHistory.push({ at: prices[i] as number, priceMinor: prices[i + 1] as number });
    value.priceHistory = priceHistory;
    value.deleted = deleted === 1;
    if (packed.length > FCP) {
      const groups = packed[FCP];
      if (!Array.isArray(groups)) return null;
      const fcp: string[][] = [];
      for (const group of groups as unknown[]) {
        if (!Array.isArray(group) || group.length < 2 || typeof group[0] !== 'string') return null;
        const fields = (group as unknown[]).slice(1).map((index) => (Number.isInteger(index) ? CLOCK_FIELDS[index as number] : undefined));
        if (fields.includes(undefined)) return null;
        fcp.push([fullStamp(group[0], addedBy, value.updatedBy as string), ...(fields as string[])]);
      }
      value.fcp = fcp;
    }
    return value;
  },
};

/**
 * Layout 3 of an item: an item that knows its availability (item schema version 2), `["i3", ...layout 2's
 * fields, a, fcp?]`, `a` 1 for `in_stock` and 0 for `out_of_stock`. An item without availability is
 * still sealed in layout 2, exactly as a version before availability seals it, so such a version keeps
 * reading it; the tag is how a server document says which schema it holds. A version before
 * availability cannot open layout 3 (nor layout 1 with `availability`): it sets the item aside as
 * unreadable, and never reads it into the wrong fields (docs/cart-manager.md, "Availability", rule 6).
 */
const compactItem: CompactLayout = {
  tag: 'i3',
  tags: ['i2', 'i3'],
  pack(value) {
    const { availability, ...rest } = value;
    if (availability === undefined) return compactItemV2.pack(rest);
    if (availability !== 'in_stock' && availability !== 'out_of_stock') return null;
    const packed = compactItemV2.pack(rest);
    if (packed === null) return null;
    packed[0] = this.tag;
    packed.splice(FCP, 0, availability === 'in_stock' ? 1 : 0);
    return packed;
  },
  unpack(packed, id) {
    if (packed[0] === compactItemV2.tag) return compactItemV2.unpack(packed, id);
    if (packed[0] !== this.tag) return null;
    const available = packed[FCP];
    if (available !== 0 && available !== 1) return null;
    const value = compactItemV2.unpack([compactItemV2.tag, ...packed.slice(1, FCP), ...packed.slice(FCP + 1)], id);
    return value === null ? null : { ...value, availability: available === 1 ? 'in_stock' : 'out_of_stock' };
  },
};

const HISTORY_KEYS = new Set(['id', 'e', 'd', 'r']);
const BATCH_KEYS = new Set(['id', 'b', 'd', 'r']);

/**
 * Layout 2 of a history document: `["h2", e, d, r]`, `d` and `r` left off the end when absent (`d` null
 * when only `r` is there); a batch (history/history-batch.ts) likewise as `["h3", b, d, r]`.
 */
const compactHistory: CompactLayout = {
  tag: 'h2',
  tags: ['h2', 'h3'],
  pack(value) {
    const { e, b, d, r } = value;
    const batch = b !== undefined;
    if (Object.keys(value).some((key) => !(batch ? BATCH_KEYS : HISTORY_KEYS).has(key)) || !Array.isArray(batch ? b : e)
      || (d !== undefined && typeof d !== 'string') || (r !== undefined && !Number.isFinite(r))) return null;
    const packed: unknown[] = [batch ? 'h3' : this.tag, batch ? b : e];
    if (d !== undefined || r !== undefined) packed.push(d ?? null);
    if (r !== undefined) packed.push(r);
    return packed;
  },
  unpack(packed, id) {
    const [tag, e, d, r] = packed;
    if (packed.length < 2 || packed.length > 4 || !Array.isArray(e) || (d !== undefined && d !== null && typeof d !== 'string')
      || (r !== undefined && typeof r !== 'number')) return null;
    const value: Record<string, unknown> = { id, [tag === 'h3' ? 'b' : 'e']: e };
    if (typeof d === 'string') value.d = d;
    if (r !== undefined) value.r = r;
    return value;
  },
};

/** What was sealed in `enc`, back as `content` made it: layout 2 unpacked, layout 1 as it is; null when it is neither. */
function sealedContent(opened: unknown, id: string, layout: CompactLayout): Record<string, unknown> | null {
  if (Array.isArray(opened)) return layout.tags.includes(opened[0] as string) ? layout.unpack(opened, id) : null;
  return typeof opened === 'object' && opened !== null ? opened as Record<string, unknown> : null;
}

export interface ItemSeal {
  seal(doc: WithDeleted<ClockedItem> | SealedItem): Promise<SealedItem>;
  /**
   * The item in a document from the server; throws ToteError('DECRYPT_FAILED') when it is not a sealed
   * item of its id whose values pass the commands' rules (the module's header).
   */
  open(doc: object): Promise<WithDeleted<ClockedItem>>;
}

export interface DocumentSeal<T extends { id: string }> {
  seal(doc: WithDeleted<T> | SealedItem): Promise<SealedItem>;
  /** The document in one from the server; throws ToteError('DECRYPT_FAILED') as ItemSeal's `open` does. */
  open(doc: object): Promise<WithDeleted<T>>;
}

/**
 * Seals any document with an `id` the same way (items, history); `unreadable` is the shopper's sentence,
 * `validate` the rules an opened document's values must pass (throws ToteError('INVALID_INPUT')).
 */
function documentSeal<T extends { id: string }>(keyring: Keyring, layout: CompactLayout, unreadable: string,
  validate: (value: unknown) => unknown): DocumentSeal<T> {
  return {
    async seal(doc) {
      if (isSealed(doc)) return doc;
      const value = content(doc as unknown as WithDeleted<ClockedItem>);
      const [enc, fp] = await Promise.all([keyring.cipher.encrypt(doc.id, layout.pack(value) ?? value), keyring.fingerprint(doc.id, value)]);
      const sealed: SealedItem = { id: doc.id, enc, fp, _deleted: Boolean(doc._deleted) };
      sealedFrom.set(sealed, doc);
      return sealed;
    },
    async open(doc) {
      const envelope = checkEnvelope(doc, unreadable);
      const opened = sealedContent(await keyring.cipher.decrypt(envelope.id, envelope.enc), envelope.id, layout);
      const value = opened === null ? null : fromContent(opened);
      if (value === null || value.id !== envelope.id) {
        throw new ToteError('DECRYPT_FAILED', unreadable, { documentId: envelope.id, reason: 'content' });
      }
      try {
        validate(value);
      } catch (error) {
        if (!isToteError(error, 'INVALID_INPUT')) throw error;
        // Sealed with the shopper's key, yet not something a command makes: refused like a damaged one.
        throw new ToteError('DECRYPT_FAILED', unreadable, { documentId: envelope.id, reason: 'values', field: error.details?.field });
      }
      return { ...(value as T), _deleted: Boolean(envelope._deleted) };
    },
  };
}

/** What the shopper is told about an item from the server that could not be read. */
export const ITEM_UNREADABLE = 'An item in your cart could not be read: it was changed or damaged on the way. Your other items are fine.';
/** … and about a history document. */
export const HISTORY_UNREADABLE = 'A part of your cart\'s history could not be read: it was changed or damaged on the way. The cart itself is fine.';

export function itemSeal(keyring: Keyring): ItemSeal {
  return documentSeal<ClockedItem>(keyring, compactItem, ITEM_UNREADABLE,
    (value) => validateStoredItem(value));
}

/** History documents (persistence/history-schema.ts) travel sealed like items: `{ id, enc, fp }`. */
export function historySeal(keyring: Keyring): DocumentSeal<HistoryDoc> {
  return documentSeal<HistoryDoc>(keyring, compactHistory, HISTORY_UNREADABLE,
    validateHistoryDoc);
}
