/**
 * The cart's history on this device: the history collection's one owner. Spec: docs/history.md
 * ("Stored and synced").
 *
 * Each device records only the changes it made (the fields whose stamp names this device: its own
 * edits, its restores, and values its merges chose when they had to make a new stamp). The changes of
 * other devices arrive through the replication of their history documents, recorded by the device that
 * made them. So every change is recorded once, by one device, under one document id, and a device
 * that is wiped loses nothing of the history: it is on the server and on the other devices.
 *
 * Recording follows the item documents the store writes (`recordWrite`, called by the store with the
 * document before and after each write), one history document per write, written right after the
 * items. If the app dies between the two writes, `repair` (run when the store opens) records the
 * changes of this device's last writes that have no entry: nothing the shopper did goes unrecorded.
 */
import type { AddSource } from '../cart/cart-actions.ts';
import type { HistoryEntry } from '../history/history-entry.ts';
import { entriesForWrite, mergeEntries } from '../history/history-entry.ts';
import { fromHistoryRecord, historySize, toHistoryRecord } from '../history/history-record.ts';
import { prune } from '../history/prune.ts';
import { compare, formatHlc, hlc, tryParseHlc, type Hlc } from '../merge/hlc.ts';
import { fieldStamps, MERGE_FIELDS, type ClockedItem } from '../merge/item-clocks.ts';
import type { HistoryCollection } from '../persistence/cart-database.ts';
import type { HistoryDoc } from '../persistence/history-schema.ts';
import type { DeviceInfo } from '../ports.ts';

/** How far back `repair` looks for unrecorded changes of this device (a crash loses at most the last write). */
const REPAIR_WINDOW_MS = 10 * 60 * 1000;

export interface WrittenDocument {
  readonly before: ClockedItem | null;
  readonly after: ClockedItem;
  /** Where the add this write made came from, when it was one (docs/analytics.md). */
  readonly source?: AddSource;
}

export interface HistoryRead {
  /** Every readable entry, one per change. */
  readonly entries: readonly HistoryEntry[];
  /** History documents that could not be read (damaged): set aside, not used. */
  readonly damaged: number;
  /** Restores among the writes: when each was made and the moment it brought the cart back to. */
  readonly restores: readonly { readonly stamp: Hlc; readonly to: number }[];
  /** The names of the devices that made the changes, by device id. */
  readonly devices: Readonly<Record<string, string>>;
}

export interface HistoryUsage {
  /** Bytes of the stored records (before storage overhead and encryption). */
  readonly bytes: number;
  readonly changes: number;
  /** The oldest change kept, ms since epoch (null when there is none). */
  readonly since: number | null;
}

export interface HistoryLog {
  /** Records this device's changes in a write of item documents. `restoredTo` marks a restore. */
  recordWrite(written: readonly WrittenDocument[], restoredTo?: number): Promise<void>;
  read(): Promise<HistoryRead>;
  /** Records this device's recent changes that a crash left unrecorded; returns how many. */
  repair(items: readonly ClockedItem[], now: number): Promise<number>;
  /** Removes what no restorable moment needs any more (docs/history.md rule 15); returns documents removed. */
  prune(now: number, keepMs?: number): Promise<number>;
  usage(): Promise<HistoryUsage>;
  /** Stops following the collection (the database is closing). */
  close(): void;
}

export function createHistoryLog(history: HistoryCollection, device: DeviceInfo): HistoryLog {
  const deviceId = device.id;
  const own = (entry: HistoryEntry) => entry.stamp.node === deviceId;

  async function write(entries: readonly HistoryEntry[], restoredTo?: number): Promise<void> {
    if (entries.length === 0) return;
    let latest = entries[0]!.stamp;
    for (const entry of entries) if (compare(entry.stamp, latest) > 0) latest = entry.stamp;
    const doc: HistoryDoc = {
      id: formatHlc(latest),
      e: entries.map(toHistoryRecord),
      d: device.name.slice(0, 120),
      ...(restoredTo !== undefined ? { r: restoredTo } : {}),
    };
    const existing = await history.findOne(doc.id).exec();
    if (!existing) {
      await history.insert(doc);
      return;
    }
    // The same stamp again (a write retried): one document with the changes of both.
    const before = existing.toJSON().e.map(fromHistoryRecord).filter((entry): entry is HistoryEntry => entry !== null);
    await existing.incrementalPatch({ e: mergeEntries(before, entries).map(toHistoryRecord), ...(restoredTo !== undefined ? { r: restoredTo } : {}) });
  }

  /**
   * The decoded documents, kept in memory after the first read and updated from the collection's change
   * stream (this device's writes, pulled documents, removals), so a restore does not decode the whole
   * history again: reading 20 000 changes from the database takes hundreds of milliseconds.
   */
  interface Decoded { readonly doc: HistoryDoc; readonly entries: readonly HistoryEntry[] | null }
  let cache: Map<string, Decoded> | null = null;
  let loading: Promise<Map<string, Decoded>> | null = null;
  const decode = (doc: HistoryDoc): Decoded => {
    const entries = Array.isArray(doc.e) ? doc.e.map(fromHistoryRecord) : [null];
    return { doc, entries: entries.some((entry) => entry === null) ? null : entries as HistoryEntry[] };
  };
  /** Changes seen while the first read runs: applied over its result, so none falls between the two. */
  let duringLoad: { documentId: string; operation: string; documentData: unknown }[] | null = null;
  const apply = (target: Map<string, Decoded>, event: { documentId: string; operation: string; documentData: unknown }) => {
    const doc = event.documentData as HistoryDoc & { _deleted?: boolean };
    if (event.operation === 'DELETE' || doc._deleted) target.delete(event.documentId);
    else target.set(event.documentId, decode(doc));
  };
  const subscription = history.eventBulks$.subscribe((bulk) => {
    if (cache) for (const event of bulk.events) apply(cache, event);
    else if (duringLoad) duringLoad.push(...bulk.events);
  });
  const documents = (): Promise<Map<string, Decoded>> => {
    if (cache) return Promise.resolve(cache);
    if (!loading) {
      duringLoad = [];
      loading = history.find().exec().then((found) => {
        const loaded = new Map<string, Decoded>();
        for (const doc of found) loaded.set(doc.id, decode(doc.toJSON() as HistoryDoc));
        for (const event of duringLoad ?? []) apply(loaded, event);
        duringLoad = null;
        cache = loaded;
        return loaded;
      });
    }
    return loading;
  };

  async function readAll(): Promise<{ docs: HistoryDoc[]; read: HistoryRead }> {
    const decoded = await documents();
    const docs: HistoryDoc[] = [];
    const lists: (readonly HistoryEntry[])[] = [];
    const restores: { stamp: Hlc; to: number }[] = [];
    const devices: Record<string, string> = {};
    let damaged = 0;
    for (const { doc, entries } of decoded.values()) {
      docs.push(doc);
      if (entries === null) {
        damaged += 1;
        continue;
      }
      lists.push(entries);
      const node = tryParseHlc(doc.id)?.node;
      if (node && typeof doc.d === 'string') devices[node] = doc.d;
      if (typeof doc.r === 'number' && entries.length > 0) {
        let stamp = entries[0]!.stamp;
        for (const entry of entries) if (compare(entry.stamp, stamp) > 0) stamp = entry.stamp;
        restores.push({ stamp, to: doc.r });
      }
    }
    return { docs, read: { entries: mergeEntries(...lists), damaged, restores, devices } };
  }

  return {
    async recordWrite(written, restoredTo) {
      const entries = written.flatMap(({ before, after, source }) => entriesForWrite(before, after, source).filter(own));
      await write(entries, restoredTo);
    },

    read: async () => (await readAll()).read,

    async repair(items, now) {
      // This device's stamps on the items, recent enough that a crash may have left them unrecorded.
      const from = now - REPAIR_WINDOW_MS;
      const candidates: { item: ClockedItem; stamp: Hlc }[] = [];
      for (const item of items) {
        const stamps = fieldStamps(item);
        const seen = new Set<string>();
        for (const field of MERGE_FIELDS) {
          const stamp = stamps[field];
          if (stamp.node !== deviceId || stamp.wall < from) continue;
          const key = formatHlc(stamp);
          if (seen.has(key)) continue;
          seen.add(key);
          candidates.push({ item, stamp });
        }
      }
      if (candidates.length === 0) return 0;
      // History ids sort by time: the documents of the window are one range query.
      const recent = await history.find({ selector: { id: { $gte: formatHlc(hlc(from, 0, '')) } } }).exec();
      const recorded = new Set<string>();
      for (const doc of recent) {
        for (const record of doc.toJSON().e) {
          const entry = fromHistoryRecord(record);
          if (entry) recorded.add(entry.id);
        }
      }
      const missing: HistoryEntry[] = [];
      for (const { item, stamp } of candidates) {
        const entries = entriesForWrite(null, item).filter((entry) => compare(entry.stamp, stamp) === 0 && !recorded.has(entry.id));
        missing.push(...entries);
      }
      await write(missing);
      return missing.length;
    },

    async prune(now, keepMs) {
      const { docs, read } = await readAll();
      const kept = new Set(prune(read.entries, now, keepMs).map((entry) => entry.id));
      const removable = docs.filter((doc) => {
        if (!Array.isArray(doc.e)) return false; // damaged: left for the shopper's report, not silently removed
        const entries = doc.e.map(fromHistoryRecord);
        return entries.every((entry) => entry !== null && !kept.has(entry.id));
      });
      if (removable.length === 0) return 0;
      const result = await history.bulkRemove(removable.map((doc) => doc.id));
      return result.success.length;
    },

    async usage() {
      const { read } = await readAll();
      let since: number | null = null;
      for (const entry of read.entries) if (since === null || entry.stamp.wall < since) since = entry.stamp.wall;
      return { bytes: historySize(read.entries), changes: read.entries.length, since };
    },

    close() {
      subscription.unsubscribe();
      cache = null;
    },
  };
}
