/**
 * The history collection: each device's changes to the cart, in batches: one document holds the
 * changes one device made within a short window (history-log.ts), in the compact batch form
 * (history/history-batch.ts). Spec: docs/history.md ("Stored and synced").
 *
 *   { id: the batch's first write's stamp (formatHlc: wall time, counter, device), b: batch,
 *     d: device name, r?: restored-to time (a restore's document, which holds that restore only) }
 *
 * Documents written before batches hold one write each, as records: `{ id, e: [records...], d, r? }`
 * (history/history-record.ts); both are read.
 *
 * Ids sort by time, so the newest writes are a range query away; each device writes only its own
 * documents, so two devices never write the same one. A device adds to its open batch until the window
 * closes; after that a document changes only when pruning drops entries no restorable moment needs.
 */
import type { RxJsonSchema } from 'rxdb';
import { ToteError } from '../errors.ts';
import { decodeBatch, type HistoryBatch } from '../history/history-batch.ts';
import type { HistoryEntry } from '../history/history-entry.ts';
import { fromHistoryRecord, type HistoryRecord } from '../history/history-record.ts';
import { tryParseHlc } from '../merge/hlc.ts';

export interface HistoryDoc {
  readonly id: string;
  /** The entries of one write, as records (documents written before batches). */
  readonly e?: readonly HistoryRecord[];
  /** The entries of a batch, compact (history/history-batch.ts). */
  readonly b?: HistoryBatch;
  /** The name of the device that made the write ("Chrome on laptop"): how timelines and notices name it. */
  readonly d?: string;
  /** Set when the write was a restore: the moment the cart was brought back to (ms since epoch). */
  readonly r?: number;
}

export const historySchema: RxJsonSchema<HistoryDoc> = {
  title: 'cart history',
  // 1: batches (`b`). Version 0 documents need no change: their records (`e`) are still read.
  version: 1,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 128 },
    e: { type: 'array', items: { type: 'object' } },
    b: { type: 'array' },
    d: { type: 'string', maxLength: 120 },
    r: { type: 'integer' },
  },
  required: ['id'],
};

export const historyMigrations = { 1: (doc: HistoryDoc) => doc };

/** The entries a history document holds, in either form, or null when it is damaged (any part unreadable). */
export function historyDocEntries(doc: HistoryDoc): HistoryEntry[] | null {
  if (doc.b !== undefined) {
    const base = tryParseHlc(doc.id);
    return base === null || doc.e !== undefined ? null : decodeBatch(doc.b, base);
  }
  if (!Array.isArray(doc.e)) return null;
  const entries: HistoryEntry[] = [];
  for (const record of doc.e) {
    const entry = fromHistoryRecord(record);
    if (entry === null) return null;
    entries.push(entry);
  }
  return entries;
}

const HISTORY_DOC_KEYS = new Set(['id', 'e', 'b', 'd', 'r']);
/** Records one write may hold: a clear of the most items one command may name, with room to spare. */
export const MAX_HISTORY_RECORDS = 100_000;

/**
 * A history document as one of the shopper's devices writes it: its id a string of the schema's length, `b` a batch
 * (a list of lists) or `e` a list of records (each an object; a damaged one is set aside when history is read), `d` a device name, `r`
 * a time, nothing else. Returns it as given; throws ToteError('INVALID_INPUT') naming the first field
 * that breaks a rule. Used on documents opened from the server (sync/sealed-items.ts).
 */
export function validateHistoryDoc(value: unknown): HistoryDoc {
  const invalid = (field: string): never => {
    throw new ToteError('INVALID_INPUT', 'A part of the cart\'s history is not in the form Tote writes.', { field });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('id');
  const doc = value as Record<string, unknown>;
  const extra = Object.keys(doc).find((key) => !HISTORY_DOC_KEYS.has(key));
  if (extra !== undefined) invalid(extra);
  if (typeof doc.id !== 'string' || doc.id.length === 0 || doc.id.length > 128) invalid('id');
  if (doc.b !== undefined) {
    // A batch: a list of item ids, then entries, each a list (history/history-batch.ts reads the rest).
    if (doc.e !== undefined) invalid('e');
    if (!Array.isArray(doc.b) || doc.b.length === 0 || doc.b.length > MAX_HISTORY_RECORDS + 1 || !Array.isArray(doc.b[0])
      || !doc.b.every((part: unknown) => Array.isArray(part))) invalid('b');
  } else if (!Array.isArray(doc.e) || doc.e.length > MAX_HISTORY_RECORDS
    || !doc.e.every((record: unknown) => typeof record === 'object' && record !== null && !Array.isArray(record))) invalid('e');
  if (doc.d !== undefined && (typeof doc.d !== 'string' || doc.d.length > 120 || /[\u0000-\u001f\u007f]/.test(doc.d))) invalid('d');
  if (doc.r !== undefined && (!Number.isSafeInteger(doc.r) || (doc.r as number) < 0)) invalid('r');
  return value as HistoryDoc;
}
