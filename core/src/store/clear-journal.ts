/**
 * The clear journal: how clearing a list is one small write (docs/cart.md, "Clearing a list").
 *
 * A clear is stored first as one journal entry in a local document of the cart database (sealed at
 * rest with the rest of it, never synced): the clear's stamp and, for each item it removes, the item's
 * latest stamp as the clearing device held it. Once the entry is stored the clear is safe, and the
 * dispatch resolves; the store then writes the removed items in one bulk write (merging any item another
 * device changed meanwhile, as every write does) and takes the entry out of the journal. A clear whose
 * items were not all written (the app closed, the browser stopped the extension's background) is
 * finished from its entry at the next start by `planClearReplay`.
 *
 * The replay keeps merge rule 7 (docs/merge.md) without the version the clear started from: an item is
 * removed while its latest stamp is still the one the entry names; an item whose stamp moved was changed
 * by something the clearing device had not seen, so it stays, with a delete-vs-edit notice; an item
 * already removed (by this clear or elsewhere) is left alone.
 */
import { toCartItem } from '../cart/cart-reducer.ts';
import { keptOverRemoval, type FieldConflict } from '../merge/field-merge.ts';
import { formatHlc, parseHlc, tryParseHlc, type Hlc } from '../merge/hlc.ts';
import { latestStamp, stampChange, type ClockedItem } from '../merge/item-clocks.ts';
import { createLocalJournal, type JournalDocuments, type LocalJournal } from './local-journal.ts';

export const JOURNAL_ID = 'clear-journal';

export interface ClearEntry {
  /** The clear's action id. */
  readonly key: string;
  /** The clear's stamp (formatHlc). */
  readonly stamp: string;
  /** When and where the shopper cleared (the items' updatedAt and updatedBy). */
  readonly at: number;
  readonly device: string;
  /** Each removed item's id and its latest stamp (formatHlc) when it was cleared. */
  readonly items: readonly (readonly [id: string, seen: string])[];
}

function wellFormed(entry: unknown): entry is ClearEntry {
  if (typeof entry !== 'object' || entry === null) return false;
  const e = entry as Record<string, unknown>;
  return typeof e.key === 'string' && typeof e.stamp === 'string' && tryParseHlc(e.stamp) !== null
    && typeof e.at === 'number' && typeof e.device === 'string' && Array.isArray(e.items)
    && e.items.every((item) => Array.isArray(item) && item.length === 2 && typeof item[0] === 'string' && typeof item[1] === 'string');
}

export type ClearJournal = LocalJournal<ClearEntry>;

/** The clears not yet finished, in the local document `clear-journal` (local-journal.ts). */
export function createClearJournal(db: JournalDocuments): ClearJournal {
  return createLocalJournal(db, JOURNAL_ID, wellFormed);
}

/** The entry for a clear stamped `stamp` of these items, as the clearing device held them. */
export function clearEntry(key: string, stamp: Hlc, at: number, device: string, cleared: readonly ClockedItem[]): ClearEntry {
  return { key, stamp: formatHlc(stamp), at, device, items: cleared.map((item) => [item.id, formatHlc(latestStamp(item))] as const) };
}

export interface ClearReplay {
  /** The items still to remove, stamped by the clear: each with the version it replaces. */
  readonly writes: readonly { readonly previous: ClockedItem; readonly document: ClockedItem }[];
  /** Items changed since the clear saw them: kept, and told to the shopper. */
  readonly kept: readonly FieldConflict[];
}

/** What finishing a journal entry writes, given the items as they are now (pure). */
export function planClearReplay(entry: ClearEntry, current: (id: string) => ClockedItem | undefined): ClearReplay {
  const stamp = parseHlc(entry.stamp);
  const writes: { previous: ClockedItem; document: ClockedItem }[] = [];
  const kept: FieldConflict[] = [];
  for (const [id, seen] of entry.items) {
    const item = current(id);
    if (!item || item.deleted) continue;
    if (formatHlc(latestStamp(item)) !== seen) {
      kept.push(keptOverRemoval(item, stamp));
      continue;
    }
    const removed = { ...toCartItem(item), deleted: true, updatedAt: entry.at, updatedBy: entry.device };
    writes.push({ previous: item, document: stampChange(item, removed, stamp) });
  }
  return { writes, kept };
}
