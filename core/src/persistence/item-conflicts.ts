/**
 * What happens when two devices changed the same item: the replication calls this on the device that
 * pushes second, with the server's version (realMasterState), this device's (newDocumentState) and the
 * server version this device last saw (assumedMasterState: the common ancestor).
 *
 * The versions are merged field by field against the ancestor (merge/field-merge.ts, docs/merge.md):
 * changes to different fields both survive, the later change of one field wins by the hybrid logical
 * clock, and an item removed on one device while edited on another is kept. Every field where one
 * change replaced another is reported to `onConflicts`, so the shopper is told and can bring it back.
 *
 * With sealing on, the server's version counts only when it opens as a sealed item of its id whose
 * values pass the commands' rules (sync/sealed-items.ts): a plain or otherwise untrusted one is
 * reported as unreadable and this device's version wins whole, as it does at a pull.
 */
import type { RxConflictHandler } from 'rxdb';
import { sameItem } from '../cart/cart-reducer.ts';
import { mergeItem, type FieldConflict } from '../merge/field-merge.ts';
import type { ClockedItem } from '../merge/item-clocks.ts';
import { isSealed, plainOrigin, type DocumentSeal, type ItemSeal } from '../sync/sealed-items.ts';
import type { HistoryDoc } from './history-schema.ts';
import type { ToteError } from '../errors.ts';

export type ConflictListener = (conflicts: readonly FieldConflict[]) => void;

export interface ItemConflictOptions {
  readonly onConflicts?: ConflictListener;
  /** The seal of the running sync when encryption is on (null: documents are plain). */
  readonly seal?: () => ItemSeal | null;
  /** A sealed version could not be opened (damaged or changed on the server). */
  readonly onUnreadable?: (error: ToteError) => void;
  /** The seal of history documents, when encryption is on (persistence/history-conflicts.ts). */
  readonly historySeal?: () => DocumentSeal<HistoryDoc> | null;
  /** True for a pulled version older than a revision the server is known to hold (sync/server-revisions.ts). */
  readonly isStalePull?: (version: object) => boolean;
}

type Version = ClockedItem & { _deleted?: boolean };

/** RxDB's name (rxdb 17.6, replication-protocol/downstream.js) for comparing a pulled version with this device's before writing it. */
export const PULL_OVER_LOCAL = 'downstream-check-if-equal-1';

export function createItemConflictHandler(options: ItemConflictOptions = {}): RxConflictHandler<ClockedItem> {
  const { onConflicts = () => undefined, seal = () => null, onUnreadable = () => undefined, isStalePull = () => false } = options;
  /**
   * The plain item of a version; null when it cannot be trusted (sealing on, and it is not a sealed
   * item that opens and passes the rules). This device's own versions (sealed by its push just before)
   * are read from the plain version they were made from when it is still in memory.
   */
  const open = async (doc: Version | undefined, own: boolean): Promise<Version | null> => {
    if (!doc) return null;
    const current = seal();
    if (!current) return isSealed(doc) ? null : doc;
    const origin = own && isSealed(doc) ? plainOrigin(doc) : undefined;
    if (origin) return origin;
    try {
      return await current.open(doc);
    } catch (error) {
      onUnreadable(error as ToteError);
      return null;
    }
  };
  return {
    // Called for every pulled document: compare cheaply. Sealed versions by fingerprint. A sealed and a
    // plain version compare through the plain version the sealed one was made from on this device (the
    // server still holding a copy from before encryption); otherwise they count as different (resolve decides).
    isEqual: (a, b, context) => {
      // The pull is about to write the server's version `a` over this device's `b`: a version older than
      // one the server already holds (fetched before this device's push landed) is not written; the
      // newer one is here already or on its way (sync/server-revisions.ts, docs/merge.md).
      if (context === PULL_OVER_LOCAL && isStalePull(a)) return true;
      if (Boolean(a._deleted) !== Boolean(b._deleted)) return false;
      if (isSealed(a) && isSealed(b)) return a.fp === b.fp;
      const plainA = isSealed(a) ? plainOrigin(a) : a;
      const plainB = isSealed(b) ? plainOrigin(b) : b;
      return plainA !== undefined && plainB !== undefined && sameItem(plainA, plainB);
    },
    resolve: async ({ assumedMasterState, realMasterState, newDocumentState }) => {
      const [ancestor, remote, local] = await Promise.all([open(assumedMasterState, true), open(realMasterState, false), open(newDocumentState, true)]);
      if (!local) {
        // This device's own version is always readable (it was written here); only an opened server version could be missing.
        return remote ? { ...remote, _deleted: false } : realMasterState;
      }
      if (!remote) return { ...local, _deleted: false }; // the server's copy is unreadable: the good copy here wins
      const { merged, conflicts } = mergeItem(ancestor, local, remote);
      if (conflicts.length > 0) onConflicts(conflicts);
      return { ...merged, _deleted: false };
    },
  };
}
