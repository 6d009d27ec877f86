/**
 * Conflicts between two versions of a history document. History documents never change after they are
 * written (persistence/history-schema.ts): the only way two versions differ is that one device removed
 * the document (pruning) while another still holds it, or that the same content was sealed twice (a
 * seal uses a fresh nonce each time, so two sealed copies of one document differ byte for byte; their
 * keyed fingerprints do not). So: a removal wins; otherwise the versions hold the same changes and this
 * device's readable copy is kept. With sealing on, a version that is not a sealed history document of
 * its id in the form devices write (sync/sealed-items.ts) is never kept.
 */
import type { RxConflictHandler } from 'rxdb';
import { isSealed, type DocumentSeal } from '../sync/sealed-items.ts';
import type { HistoryDoc } from './history-schema.ts';

type Version = HistoryDoc & { _deleted?: boolean };

const sameContent = (a: Version, b: Version) =>
  a.id === b.id && a.r === b.r && a.d === b.d && JSON.stringify(a.e) === JSON.stringify(b.e);

export function createHistoryConflictHandler(seal: () => DocumentSeal<HistoryDoc> | null = () => null): RxConflictHandler<HistoryDoc> {
  const open = async (doc: Version | undefined): Promise<Version | null> => {
    if (!doc) return null;
    const current = seal();
    if (!current) return isSealed(doc) ? null : doc;
    try {
      return await current.open(doc);
    } catch {
      return null; // reported where it is pulled (couch-replication.ts)
    }
  };
  return {
    isEqual: (a, b) => {
      if (Boolean(a._deleted) !== Boolean(b._deleted)) return false;
      if (a._deleted) return true; // removed on both: nothing left to compare
      if (isSealed(a) || isSealed(b)) return isSealed(a) && isSealed(b) && a.fp === b.fp;
      return sameContent(a, b);
    },
    resolve: async ({ realMasterState, newDocumentState }) => {
      if (newDocumentState._deleted || realMasterState._deleted) return { id: newDocumentState.id, e: [], _deleted: true };
      const kept = (await open(newDocumentState)) ?? (await open(realMasterState));
      return kept ? { ...kept, _deleted: false } : realMasterState;
    },
  };
}
