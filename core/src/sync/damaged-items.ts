/**
 * Items whose row in this device's own sealed database does not open (a changed byte, a cut or missing
 * envelope: persistence/encrypted-storage.ts rule 1), and taking the sync server's copy in their place
 * (docs/encryption.md, "At rest on the device", rules on a damaged row).
 *
 * Such a row is left out of every read and reported; it is never deleted (the right key may still open
 * it). The replication cannot repair it by itself: it does not see the row, so it never pushes it, and
 * its pull of the server's copy is written as a new document, which the storage refuses over the row it
 * holds (a 409 the replication drops). So the server's copy is fetched by id and written over the
 * damaged row, naming the row's revision, when sync starts and whenever the server's copy arrives
 * again. It is taken only when it opens as every pulled document must (sealed for its id, values
 * passing the commands' rules: sealed-items.ts); otherwise the row stays set aside and reported.
 * What the damaged row held beyond the server's copy (a change not yet synced) is lost with it.
 */
import { validateStoredItem } from '../cart/cart-validation.ts';
import type { ClockedItem } from '../merge/item-clocks.ts';
import type { ItemCollection } from '../persistence/cart-database.ts';
import type { FetchPort } from '../ports.ts';
import type { ItemSeal } from './sealed-items.ts';

/** The damaged item rows of this device (filled by the shell's at-rest storage reports), and who to tell of a repair. */
export interface DamagedItems {
  /** Item id → the revision of the stored row that does not open. */
  readonly rows: ReadonlyMap<string, string>;
  /** The server's copy of `item` took the damaged row's place. */
  replaced(item: ClockedItem): void;
}

export interface DamagedItemRepairOptions {
  readonly items: ItemCollection;
  readonly damaged: DamagedItems;
  /** The cart's database on the server, ending in "/". */
  readonly dbUrl: string;
  /** The replication's fetch: credentials added, failures typed. */
  readonly fetch: FetchPort;
  readonly seal: ItemSeal | null;
}

/** Takes the server's copy of the damaged item `id` in its row's place; resolves true when it did. Never rejects. */
export function damagedItemRepair({ items, damaged, dbUrl, fetch, seal }: DamagedItemRepairOptions): (id: string) => Promise<boolean> {
  const running = new Map<string, Promise<boolean>>();
  async function repair(id: string): Promise<boolean> {
    const revision = damaged.rows.get(id);
    if (revision === undefined) return false;
    try {
      const response = await fetch(`${dbUrl}${encodeURIComponent(id)}`);
      // As the replication hands a document over: CouchDB's `_id` as `id`, without `_rev`.
      const { _id, _rev, ...body } = await response.json() as Record<string, unknown>;
      void _rev;
      const server = { ...body, id: _id };
      const item: ClockedItem & { _deleted?: boolean } = seal ? await seal.open(server) : validateStoredItem(server);
      if (item._deleted) return false;
      const { _deleted, ...document } = item;
      void _deleted;
      const storage = { _deleted: false, _rev: revision, _meta: { lwt: 0 }, _attachments: {} };
      const written = await items.storageInstance.bulkWrite([{
        previous: { ...document, ...storage },
        document: { ...document, ...storage },
      }], 'tote-repair');
      if (written.error.length > 0) return false;
      damaged.replaced(document);
      return true;
    } catch {
      // Not on the server, not readable there, or not reachable now: the row stays set aside and reported.
      return false;
    }
  }
  return (id) => {
    let attempt = running.get(id);
    if (!attempt) {
      attempt = repair(id).finally(() => running.delete(id));
      running.set(id, attempt);
    }
    return attempt;
  };
}
