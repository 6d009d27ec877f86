/**
 * A journal kept in one local document of the cart database: how an operation on many items is made safe
 * by one small write before its items are written (docs/cart.md, "Clearing a list"; docs/history.md,
 * rule 23). Local documents are sealed at rest with the rest of the database and never sync.
 *
 * The document holds the operations not yet finished, oldest first; it is usually empty. Each change
 * rewrites the whole list, one change after another, so an entry added while another is removed is never
 * lost. A damaged entry (one that fails `wellFormed`) cannot be finished: it is left out, and goes at the
 * next change of the journal.
 */
import type { RxDatabase } from 'rxdb';

/** Where a journal is kept: the cart database's local documents. */
export type JournalDocuments = Pick<RxDatabase, 'getLocal' | 'upsertLocal'>;

export interface LocalJournal<Entry extends { readonly key: string }> {
  /** The entries not yet finished, oldest first. */
  read(): Promise<readonly Entry[]>;
  /** Resolves once the entry is stored on the device. */
  add(entry: Entry): Promise<void>;
  /** Resolves once the entry is gone from the device. */
  remove(key: string): Promise<void>;
}

export function createLocalJournal<Entry extends { readonly key: string }>(db: JournalDocuments, id: string,
  wellFormed: (entry: unknown) => entry is Entry): LocalJournal<Entry> {
  let entries: readonly Entry[] | null = null;
  let writes: Promise<unknown> = Promise.resolve();
  const load = async () => {
    const doc = await db.getLocal<{ entries: Entry[] }>(id);
    const saved = doc?.get('entries');
    return Array.isArray(saved) ? (saved as unknown[]).filter(wellFormed) : [];
  };
  const change = (update: (current: readonly Entry[]) => readonly Entry[]): Promise<void> => {
    const done = writes.then(async () => {
      const next = update(entries ?? await load());
      await db.upsertLocal(id, { entries: next });
      entries = next;
    });
    writes = done.catch(() => undefined);
    return done;
  };
  return {
    async read() {
      await writes;
      entries ??= await load();
      return entries;
    },
    add: (entry) => change((current) => [...current, entry]),
    remove: (key) => change((current) => current.filter((entry) => entry.key !== key)),
  };
}
