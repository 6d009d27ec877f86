/**
 * Conflicts between two versions of a history document. Only the device that made a document changes
 * it (adding to its open batch, dropping what pruning no longer needs: persistence/history-schema.ts),
 * so two versions differ when one device removed the document (pruning) while another still holds it,
 * when the same content was sealed twice (a seal uses a fresh nonce each time, so two sealed copies of
 * one document differ byte for byte; their keyed fingerprints do not), or when the server holds an
 * earlier state of a batch than the device. So: a removal wins; otherwise the entries of both readable
 * versions are kept in one batch (no change is lost; what pruning dropped it drops again). With sealing on, a version that is not a sealed history document of
 * its id in the form devices write (sync/sealed-items.ts) is never kept.
 */
import { deepEqual, type RxConflictHandler } from 'rxdb';
import { isSealed, plainOrigin, type DocumentSeal } from '../sync/sealed-items.ts';
import { encodeBatch } from '../history/history-batch.ts';
import { mergeEntries } from '../history/history-entry.ts';
import { tryParseHlc } from '../merge/hlc.ts';
import { historyDocEntries, type HistoryDoc } from './history-schema.ts';

type Version = HistoryDoc & { _deleted?: boolean };

// Compared in place, from the end (where a batch grows): replication asks at every pull and push of a
// batch, which holds up to BATCH_MAX_ENTRIES entries; writing both out as JSON to compare them cost each change.
const sameContent = (a: Version, b: Version) =>
  a.id === b.id && a.r === b.r && a.d === b.d && deepEqual(a.e, b.e) && deepEqual(a.b, b.b);

/** Both versions' entries in one batch (a device's open batch seen at two points): no change of either is lost. */
function united(a: Version, b: Version): Version | null {
  const base = tryParseHlc(a.id);
  const first = historyDocEntries(a);
  const second = historyDocEntries(b);
  if (base === null || first === null || second === null) return null;
  const { e, ...rest } = a;
  void e;
  const restoredTo = a.r ?? b.r;
  return { ...rest, b: encodeBatch(mergeEntries(first, second), base), ...(restoredTo !== undefined ? { r: restoredTo } : {}) };
}

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
      if (isSealed(a) && isSealed(b)) return a.fp === b.fp;
      // A sealed and a plain version (the server still holding a copy from before encryption, while this
      // device's open batch moved on) compare through the plain version the sealed one was made from here.
      const plainA = isSealed(a) ? plainOrigin<Version>(a) : a;
      const plainB = isSealed(b) ? plainOrigin<Version>(b) : b;
      return plainA !== undefined && plainB !== undefined && sameContent(plainA, plainB);
    },
    resolve: async ({ realMasterState, newDocumentState }) => {
      if (newDocumentState._deleted || realMasterState._deleted) return { id: newDocumentState.id, e: [], _deleted: true };
      const [mine, theirs] = [await open(newDocumentState), await open(realMasterState)];
      const kept = mine && theirs && !sameContent(mine, theirs) ? united(mine, theirs) ?? mine : mine ?? theirs;
      return kept ? { ...kept, _deleted: false } : realMasterState;
    },
  };
}
