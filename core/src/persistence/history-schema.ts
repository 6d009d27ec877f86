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
