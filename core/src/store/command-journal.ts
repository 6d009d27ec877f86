/**
 * The command journal: how a command that changes many items stays all or nothing (docs/cart.md, "A crash
 * inside a bulk write").
 *
 * A command's items are written in one storage write, which IndexedDB commits or drops whole. Except when
 * an item changed meanwhile (the replication wrote a version the store had not seen yet): the storage then
 * writes the other items and refuses that one with a 409, and the store merges it and writes it after
 * (cart-store.ts, `commit`). A device stopped between the two writes would open with the command half done.
 *
 * So a command on more than one item (a clear has its own journal, clear-journal.ts) is first stored as one
 * journal entry in a local document of the cart database, in the restore journal's form (restore-journal.ts):
 * the command's stamp, when, and for each item its latest stamp as the command read it and the fields the
 * command sets (a new item whole). The items are then written as before, and the entry goes. An entry found
 * at the next start is finished by `planRestoreReplay`: an item that carries the command's stamp was written;
 * one still as the command read it gets the command's fields; one changed meanwhile is merged by the rules.
 * The dispatch resolves only once the items are written, as every dispatch does.
 */
import { formatHlc, type Hlc } from '../merge/hlc.ts';
import { latestStamp, MERGE_FIELDS, type ClockedItem } from '../merge/item-clocks.ts';
import { createLocalJournal, type JournalDocuments, type LocalJournal } from './local-journal.ts';
import { hasStampedWrites, type RestoreWrite } from './restore-journal.ts';

export const COMMAND_JOURNAL_ID = 'command-journal';

export interface CommandEntry {
  /** The command's stamp (formatHlc): every field it sets carries it. */
  readonly key: string;
  /** When the shopper gave the command (the items' updatedAt). */
  readonly at: number;
  readonly writes: readonly RestoreWrite[];
}

export type CommandJournal = LocalJournal<CommandEntry>;

/** The commands not yet finished, in the local document `command-journal` (local-journal.ts). */
export function createCommandJournal(db: JournalDocuments): CommandJournal {
  return createLocalJournal(db, COMMAND_JOURNAL_ID, hasStampedWrites);
}

/** The entry for a command stamped `stamp` that writes `documents` over the versions it read (`previous`). */
export function commandEntry(stamp: Hlc, at: number, documents: readonly { readonly previous?: ClockedItem; readonly document: ClockedItem }[]): CommandEntry {
  const writes = documents.map(({ previous, document }): RestoreWrite => {
    if (!previous) return [document.id, '', document as unknown as Record<string, unknown>];
    const fields: Record<string, unknown> = {};
    for (const field of MERGE_FIELDS) if ((previous[field] ?? null) !== (document[field] ?? null)) fields[field] = document[field] ?? null;
    return [document.id, formatHlc(latestStamp(previous)), fields];
  });
  return { key: formatHlc(stamp), at, writes };
}
