/**
 * The history collection: one document per write this device made to the cart, holding the history
 * entries of that write in their stored form (history/history-record.ts). Spec: docs/history.md
 * ("Stored and synced").
 *
 *   { id: the write's stamp (formatHlc: wall time, counter, device), e: [records...], d: device name,
 *     r?: restored-to time }
 *
 * Ids sort by time, so the newest writes are a range query away; each device writes only its own
 * changes, so two devices never write the same document, and documents never change after they are
 * written: pruning only removes whole documents.
 */
import type { RxJsonSchema } from 'rxdb';
import { ToteError } from '../errors.ts';
import type { HistoryRecord } from '../history/history-record.ts';

export interface HistoryDoc {
  readonly id: string;
  /** The entries of the write. */
  readonly e: readonly HistoryRecord[];
  /** The name of the device that made the write ("Chrome on laptop"): how timelines and notices name it. */
  readonly d?: string;
  /** Set when the write was a restore: the moment the cart was brought back to (ms since epoch). */
  readonly r?: number;
}

export const historySchema: RxJsonSchema<HistoryDoc> = {
  title: 'cart history',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 128 },
    e: { type: 'array', items: { type: 'object' } },
    d: { type: 'string', maxLength: 120 },
    r: { type: 'integer' },
  },
  required: ['id', 'e'],
};

const HISTORY_DOC_KEYS = new Set(['id', 'e', 'd', 'r']);
/** Records one write may hold: a clear of the most items one command may name, with room to spare. */
export const MAX_HISTORY_RECORDS = 100_000;

/**
 * A history document as one of the shopper's devices writes it: its id a string of the schema's length, `e` a list of
 * records (each an object; a damaged record is left out when history is read), `d` a device name, `r`
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
  if (!Array.isArray(doc.e) || doc.e.length > MAX_HISTORY_RECORDS
    || !doc.e.every((record: unknown) => typeof record === 'object' && record !== null && !Array.isArray(record))) invalid('e');
  if (doc.d !== undefined && (typeof doc.d !== 'string' || doc.d.length > 120 || /[\u0000-\u001f\u007f]/.test(doc.d))) invalid('d');
  if (doc.r !== undefined && (!Number.isSafeInteger(doc.r) || (doc.r as number) < 0)) invalid('r');
  return value as HistoryDoc;
}
