/**
 * The restore journal: how a restore of the whole cart is one small write (docs/history.md, rule 23).
 *
 * A restore is planned from the cart's history (history/restore.ts), then stored first as one journal
 * entry in a local document of the cart database (sealed at rest with the rest of it, never synced): the
 * restore's stamp, the moment it went back to, and for each item it writes the item's latest stamp as the
 * plan read it and the fields the restore sets (for an item this device did not hold, its whole
 * document). That entry fully determines the restored cart. Once it is stored the restore is safe, the
 * shopper sees the restored cart, and `store.restore` resolves; the store then writes the items in one
 * bulk write (merging any item another device changed meanwhile, as every write does), records the
 * restore's history document from that write, and takes the entry out of the journal. A restore whose
 * items were not written (the app closed, the browser stopped the extension's background, a failed
 * write) is finished from its entry at the next start by `planRestoreReplay`.
 *
 * The replay gives exactly the documents the restore would have written where an item is as the plan
 * read it. Where an item changed since (a document the replication wrote before the app stopped), it
 * keeps the merge rules (docs/merge.md) without the version the plan was made on: a field whose change
 * the plan had read is set back; a field changed by something the restoring device had not seen is
 * decided by the later stamp, and the replaced value is told (rule 6); an item the restore removes that
 * was changed meanwhile stays, with a delete-vs-edit notice (rule 7). An item that already carries the
 * restore's stamp was written by it (the bulk write is atomic) and is left alone.
 */
import { keptOverRemoval, mergeItem, replacedValue, type FieldConflict } from '../merge/field-merge.ts';
import { compare, formatHlc, parseHlc, stampAfter, tryParseHlc, type Hlc } from '../merge/hlc.ts';
import {
  fieldStamps, isMergeField, MERGE_FIELDS, withFieldStamps, type ClockedItem, type FieldValue, type MergeField,
} from '../merge/item-clocks.ts';
import type { CartItem } from '../cart/cart-types.ts';
import type { RestorePlan } from '../history/restore.ts';
import { createLocalJournal, type JournalDocuments, type LocalJournal } from './local-journal.ts';

export const RESTORE_JOURNAL_ID = 'restore-journal';

/** One item of a restore: its id, its latest stamp as the plan read it ('' when this device did not hold
 * it), and the fields the restore sets (unknown availability as null), or the whole document when ''. */
export type RestoreWrite = readonly [id: string, seen: string, fields: Readonly<Record<string, unknown>>];

export interface RestoreEntry {
  /** The restore's stamp (formatHlc): every field it sets carries it. */
  readonly key: string;
  /** The moment the cart was brought back to: the restore's history document says "Restored to" it. */
  readonly to: number;
  /** When the shopper restored (the items' updatedAt; their updatedBy is the stamp's device). */
  readonly at: number;
  readonly writes: readonly RestoreWrite[];
}

/** Whether `entry` has a stamp as `key`, a time `at` and writes of the form above (a command's entry too: command-journal.ts). */
export function hasStampedWrites(entry: unknown): entry is Pick<RestoreEntry, 'key' | 'at' | 'writes'> {
  if (typeof entry !== 'object' || entry === null) return false;
  const e = entry as Record<string, unknown>;
  return typeof e.key === 'string' && tryParseHlc(e.key) !== null && typeof e.at === 'number'
    && Array.isArray(e.writes) && e.writes.every((write) => Array.isArray(write) && write.length === 3
      && typeof write[0] === 'string' && typeof write[1] === 'string' && (write[1] === '' || tryParseHlc(write[1]) !== null)
      && typeof write[2] === 'object' && write[2] !== null && !Array.isArray(write[2]));
}

function wellFormed(entry: unknown): entry is RestoreEntry {
  return hasStampedWrites(entry) && typeof (entry as { to?: unknown }).to === 'number';
}

export type RestoreJournal = LocalJournal<RestoreEntry>;

/** The restores not yet finished, in the local document `restore-journal` (local-journal.ts). */
export function createRestoreJournal(db: JournalDocuments): RestoreJournal {
  return createLocalJournal(db, RESTORE_JOURNAL_ID, wellFormed);
}

/** Unknown availability is no field at all on an item; in the journal (JSON) it is null. */
const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);

/** The entry for `plan`, made over the items `held` (the versions the plan read). */
export function restoreEntry(plan: RestorePlan, at: number, held: (id: string) => ClockedItem | undefined): RestoreEntry {
  const writes = plan.writes.map((doc, i): RestoreWrite => {
    const before = held(doc.id);
    const read = plan.read[i];
    if (!before || !read) return [doc.id, '', doc as unknown as Record<string, unknown>];
    const fields: Record<string, unknown> = {};
    for (const field of MERGE_FIELDS) if (!same(before[field], doc[field])) fields[field] = doc[field] ?? null;
    return [doc.id, formatHlc(read), fields];
  });
  return { key: formatHlc(plan.stamp), to: plan.to, at, writes };
}

export interface RestoreReplay {
  /** The documents still to write, stamped by the restore: each with the version it replaces, if any. */
  readonly writes: readonly { readonly previous?: ClockedItem; readonly document: ClockedItem }[];
  /** What the restore could not set, or replaced, because of changes it had not read: told to the shopper. */
  readonly kept: readonly FieldConflict[];
}

const carries = (item: ClockedItem, key: string) => Object.values(item.fieldClocks ?? {}).includes(key);

/** What finishing a journal entry writes, given the items as they are now (pure). A command's entry
 * (command-journal.ts) has the same writes and is finished the same way. */
export function planRestoreReplay(entry: Pick<RestoreEntry, 'key' | 'at' | 'writes'>, current: (id: string) => ClockedItem | undefined): RestoreReplay {
  const stamp = parseHlc(entry.key);
  const writes: { previous?: ClockedItem; document: ClockedItem }[] = [];
  const kept: FieldConflict[] = [];
  for (const [id, seen, fields] of entry.writes) {
    const item = current(id);
    if (seen === '') {
      const planned = fields as unknown as ClockedItem;
      if (!item) writes.push({ document: planned });
      else if (!carries(item, entry.key)) {
        // Arrived meanwhile: the two versions merged by the field stamps alone, as the replication does.
        const { merged, conflicts } = mergeItem(null, planned, item);
        writes.push({ previous: item, document: merged });
        kept.push(...conflicts);
      }
      continue;
    }
    if (!item || carries(item, entry.key)) continue;
    const read = parseHlc(seen);
    const stamps = { ...fieldStamps(item) } as Record<MergeField, Hlc>;
    const unread = (field: MergeField) => compare(stamps[field], read) > 0;
    // Merge rule 7: a removal never silently discards a change the restoring device had not seen.
    if (fields.deleted === true && !item.deleted && MERGE_FIELDS.some(unread)) {
      kept.push(keptOverRemoval(item, stamp));
      continue;
    }
    const next: Record<string, unknown> = {};
    const replaced: [MergeField, FieldValue, Hlc][] = [];
    for (const [name, value] of Object.entries(fields)) {
      if (!isMergeField(name) || same(item[name], value)) continue;
      const now = stamps[name];
      if (!unread(name)) {
        // The value the plan read: set back, as the restore's write would have.
        next[name] = value;
        stamps[name] = stampAfter(stamp, now);
      } else if (compare(now, stamp) < 0) {
        // Changed meanwhile, earlier than the restore: the restore's later stamp wins (rule 6).
        next[name] = value;
        stamps[name] = stamp;
        replaced.push([name, item[name], now]);
      } else {
        // Changed by a later change: it stays, and the restore's value is told.
        kept.push(replacedValue(item, name, { value: item[name], stamp: now }, { value: value as FieldValue, stamp }));
      }
    }
    if (Object.keys(next).length === 0) continue;
    const document = withFieldStamps({ ...item, ...next, updatedAt: entry.at, updatedBy: stamp.node } as CartItem, stamps);
    for (const [name, value, at] of replaced) kept.push(replacedValue(document, name, { value: document[name], stamp }, { value, stamp: at }));
    writes.push({ previous: item, document });
  }
  return { writes, kept };
}
