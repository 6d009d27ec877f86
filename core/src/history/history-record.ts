/**
 * The stored and synced form of a history entry: one flat JSON object with one-letter keys, holding
 * only what the change set. Spec and measured sizes: docs/history.md ("Size").
 *
 *   { "i": item id, "s": stamp (formatHlc), <field key>: new value ...,
 *     "u": url, "h": shop, "a": price when added   (the entry that added the item only),
 *     "f": where an add came from                  (adds whose device said so: docs/analytics.md) }
 *
 * Field keys: l listId, t title, p priceMinor, c currency, m imageUrl, v variant, q quantity, n note,
 * d deleted. The entry id is `<i>:<s>` and is not stored twice. "a" is left out when it equals "p" of
 * the same entry (the usual case: the price when added is the price at adding).
 *
 * A damaged record reads as null, so the caller can set it aside and report it instead of letting it
 * stop a restore (STYLE.md, rule 6).
 */
import { ADD_SOURCES, type AddSource } from '../cart/cart-actions.ts';
import { isAvailability, type Availability } from '../cart/cart-types.ts';
import { formatHlc, tryParseHlc, type Hlc } from '../merge/hlc.ts';
import { MERGE_FIELDS, type MergeField } from '../merge/item-clocks.ts';
import { ownedEntry, type FieldChanges, type HistoryEntry, type ItemOrigin } from './history-entry.ts';

export interface HistoryRecord {
  readonly i: string;
  readonly s: string;
  readonly u?: string;
  readonly h?: string;
  readonly a?: number | null;
  readonly l?: string;
  readonly t?: string;
  readonly p?: number | null;
  readonly c?: string;
  readonly m?: string | null;
  readonly v?: string | null;
  readonly q?: number;
  readonly n?: string;
  readonly d?: boolean;
  /** availability; null: unknown. A version before availability passes over it. */
  readonly y?: Availability | null;
  readonly f?: AddSource;
}

const KEYS = Object.freeze({
  listId: 'l', title: 't', priceMinor: 'p', currency: 'c', imageUrl: 'm', variant: 'v', quantity: 'q', note: 'n', deleted: 'd',
  availability: 'y',
} as const satisfies Record<MergeField, keyof HistoryRecord>);

/** The field each stored key holds. */
const FIELD_OF_KEY: ReadonlyMap<string, MergeField> = new Map(MERGE_FIELDS.map((field) => [KEYS[field], field]));

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringOrNull = (value: unknown) => value === null || isString(value);
const isMinorOrNull = (value: unknown) => value === null || (Number.isSafeInteger(value) && (value as number) >= 0);

/** What a stored value must be, per field (the item schema's types). */
const VALID: Readonly<Record<MergeField, (value: unknown) => boolean>> = Object.freeze({
  listId: isString, title: isString, priceMinor: isMinorOrNull, currency: isString, imageUrl: isStringOrNull,
  variant: isStringOrNull, quantity: (value: unknown) => Number.isSafeInteger(value), note: isString,
  deleted: (value: unknown) => typeof value === 'boolean',
  availability: (value: unknown) => value === null || isAvailability(value),
});

export function toHistoryRecord(entry: HistoryEntry): HistoryRecord {
  const record: Record<string, unknown> = { i: entry.itemId, s: formatHlc(entry.stamp) };
  for (const field of MERGE_FIELDS) {
    if (field in entry.changes) record[KEYS[field]] = entry.changes[field] ?? null;
  }
  if (entry.source) record.f = entry.source;
  if (entry.origin) {
    record.u = entry.origin.url;
    record.h = entry.origin.shop;
    if (!('priceMinor' in entry.changes) || entry.changes.priceMinor !== entry.origin.addedPriceMinor) record.a = entry.origin.addedPriceMinor;
  }
  return record as unknown as HistoryRecord;
}

/** The entry a stored record holds, or null when the record is damaged. */
export function fromHistoryRecord(value: unknown): HistoryEntry | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  if (!isString(record.i) || record.i === '' || !isString(record.s)) return null;
  const stamp = tryParseHlc(record.s);
  if (!stamp) return null;
  return entryOfFields(record.i, stamp, record);
}

/** The fields of a record without its `i` and `s` (a batch keeps those apart: history-batch.ts). */
export function recordFields(entry: HistoryEntry): Record<string, unknown> {
  const { i, s, ...fields } = toHistoryRecord(entry) as unknown as Record<string, unknown>;
  void i;
  void s;
  return fields;
}

/** The entry of `itemId` at `stamp` whose fields a record holds (its `i` and `s` not read), or null when a field is damaged. */
export function entryOfFields(itemId: string, stamp: Hlc, record: Readonly<Record<string, unknown>>): HistoryEntry | null {
  const changes: Partial<Record<MergeField, unknown>> = {};
  // The record's own keys (one or two in a usual change), not every field's: records are written in
  // MERGE_FIELDS order (toHistoryRecord), so the changes come out in that order too.
  for (const key in record) {
    const field = FIELD_OF_KEY.get(key);
    if (field === undefined) continue;
    const value = record[key];
    if (!VALID[field](value)) return null;
    // Unknown availability is stored as null and held as no value (cart-types.ts, Availability).
    changes[field] = field === 'availability' ? value ?? undefined : value;
  }
  let origin: ItemOrigin | undefined;
  if ('u' in record) {
    const addedPriceMinor = 'a' in record ? record.a : (changes.priceMinor ?? null);
    if (!isString(record.u) || !isString(record.h) || !isMinorOrNull(addedPriceMinor)) return null;
    origin = { url: record.u, shop: record.h, addedPriceMinor: addedPriceMinor as number | null };
  }
  let source: AddSource | undefined;
  if ('f' in record) {
    // A source this version does not know (written by a newer one) is left out, the change kept.
    if ((ADD_SOURCES as readonly unknown[]).includes(record.f)) source = record.f as AddSource;
    else if (typeof record.f !== 'string') return null;
  }
  return ownedEntry(itemId, stamp, changes as FieldChanges, origin, source);
}

/** Bytes of UTF-8 a string takes (no encoder object needed: the core runs in service workers and Node). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // a surrogate pair is one code point of four bytes
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** The size of one entry's stored form: UTF-8 bytes of its JSON record. */
export function entrySize(entry: HistoryEntry): number {
  return utf8Length(JSON.stringify(toHistoryRecord(entry)));
}

/** What the history takes, in bytes of its records (before storage and encryption overhead). */
export function historySize(entries: readonly HistoryEntry[]): number {
  let total = 0;
  for (const entry of entries) total += entrySize(entry);
  return total;
}
