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
 * document before and after each write), right after the items. The entries go into this device's open
 * batch (history/history-batch.ts): one document for the writes of up to an hour (`BATCH_WINDOW_MS`) and
 * `BATCH_MAX_ENTRIES` entries, sealed and synced as one, so the envelope is paid once per batch, not
 * once per change. A restore's write is a document of its own. If the app dies between the item write
 * and the history write, `repair` (run when the store opens) records the changes of this device's last
 * writes that have no entry: nothing the shopper did goes unrecorded.
 */
import { map, type Observable } from 'rxjs';
import type { AddSource } from '../cart/cart-actions.ts';
import type { HistoryEntry } from '../history/history-entry.ts';
import { entriesForWrite, mergeEntries } from '../history/history-entry.ts';
import { appendToBatch, encodeBatch } from '../history/history-batch.ts';
import { utf8Length } from '../history/history-record.ts';
import { prune } from '../history/prune.ts';
import { compare, formatHlc, hlc, tryParseHlc, type Hlc } from '../merge/hlc.ts';
import { fieldStamps, MERGE_FIELDS, type ClockedItem } from '../merge/item-clocks.ts';
import type { HistoryCollection } from '../persistence/cart-database.ts';
import { historyDocEntries, type HistoryDoc } from '../persistence/history-schema.ts';
import type { DeviceInfo } from '../ports.ts';

/** How far back `repair` looks for unrecorded changes of this device (a crash loses at most the last write). */
const REPAIR_WINDOW_MS = 10 * 60 * 1000;
/** A batch takes the writes of this long after its first (docs/history.md rule 18). */
export const BATCH_WINDOW_MS = 60 * 60 * 1000;
/** … and at most this many entries (a single larger write is a batch of its own). */
export const BATCH_MAX_ENTRIES = 200;

/**
 * What this device last wrote of its open batch: the document's revision then, the ids of its entries
 * and the wall time of the last one, so that the next write appends to the batch without decoding it.
 */
interface Written { readonly rev: string; readonly ids: Set<string>; readonly lastWall: number }

interface OpenBatch { readonly id: string; readonly base: Hlc; readonly count: number; readonly written?: Written }

/** The `Written` of a batch just written with `entries` (in its order) at revision `rev`. */
const writtenOf = (rev: string, entries: readonly HistoryEntry[]): Written | undefined =>
  entries.length === 0 ? undefined : { rev, ids: new Set(entries.map((entry) => entry.id)), lastWall: entries[entries.length - 1]!.stamp.wall };

/** Bytes of UTF-8 of a document's entries as stored (its batch, or its records), before storage overhead and encryption. */
const storedSize = (doc: HistoryDoc): number => utf8Length(JSON.stringify(doc.b ?? doc.e ?? []));

/** Whether none of `entries` is in the batch already, nor twice among them. */
function allNew(entries: readonly HistoryEntry[], ids: ReadonlySet<string>): boolean {
  const seen = new Set<string>();
  for (const entry of entries) {
    if (ids.has(entry.id) || seen.has(entry.id)) return false;
    seen.add(entry.id);
  }
  return true;
}

/** Whether a write of `count` entries, stamped `earliest` to `latest`, joins the open batch (docs/history.md rule 18). */
function joinsBatch(open: OpenBatch, count: number, earliest: Hlc, latest: Hlc, restoredTo?: number): boolean {
  return restoredTo === undefined && open.count + count <= BATCH_MAX_ENTRIES
    && earliest.wall >= open.base.wall && latest.wall < open.base.wall + BATCH_WINDOW_MS;
}

function stampRange(entries: readonly HistoryEntry[]): { earliest: Hlc; latest: Hlc } {
  let latest = entries[0]!.stamp;
  let earliest = entries[0]!.stamp;
  for (const entry of entries) {
    if (compare(entry.stamp, latest) > 0) latest = entry.stamp;
    if (compare(entry.stamp, earliest) < 0) earliest = entry.stamp;
  }
  return { earliest, latest };
}

/**
 * The history documents a device writing `writes` one after another (each a write's entries, of this
 * device) keeps: the batches `recordWrite` makes. For importing a history and for benchmarks.
 */
export function batchDocuments(writes: readonly { readonly entries: readonly HistoryEntry[]; readonly restoredTo?: number }[],
  deviceName: string): HistoryDoc[] {
  const docs: { id: string; base: Hlc; entries: HistoryEntry[]; r?: number }[] = [];
  let open = null as OpenBatch | null;
  for (const { entries, restoredTo } of writes) {
    if (entries.length === 0) continue;
    const { earliest, latest } = stampRange(entries);
    const last = docs.at(-1);
    if (open !== null && last && joinsBatch(open, entries.length, earliest, latest, restoredTo)) {
      last.entries = mergeEntries(last.entries, entries);
      open = { ...open, count: last.entries.length };
      continue;
    }
    const id = formatHlc(latest);
    docs.push({ id, base: latest, entries: [...entries], ...(restoredTo !== undefined ? { r: restoredTo } : {}) });
    open = restoredTo === undefined && entries.length < BATCH_MAX_ENTRIES ? { id, base: latest, count: entries.length } : null;
  }
  return docs.map(({ id, base, entries, r }) => ({ id, b: encodeBatch(entries, base), d: deviceName.slice(0, 120), ...(r !== undefined ? { r } : {}) }));
}

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
  /** Bytes of the history as stored: each document's batch or records, before storage overhead and encryption. */
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
  /** Emits whenever the history changes here or arrives from another device (its documents, no content). */
  readonly changed$: Observable<void>;
  /** Stops following the collection (the database is closing). */
  close(): void;
}

export function createHistoryLog(history: HistoryCollection, device: DeviceInfo): HistoryLog {
  const deviceId = device.id;
  const own = (entry: HistoryEntry) => entry.stamp.node === deviceId;

  /** This device's batch that the next write may join (none after a start: a new batch begins). */
  let open: OpenBatch | null = null;
  /** Writes one after another: each reads the open batch the one before it left. */
  let writing: Promise<void> = Promise.resolve();

  function enqueue(job: () => Promise<void>): Promise<void> {
    const next = writing.then(job);
    writing = next.catch(() => undefined);
    return next;
  }

  function write(entries: readonly HistoryEntry[], restoredTo?: number): Promise<void> {
    return entries.length === 0 ? writing : enqueue(() => writeNow(entries, restoredTo));
  }

  async function writeNow(entries: readonly HistoryEntry[], restoredTo?: number): Promise<void> {
    const { earliest, latest } = stampRange(entries);
    const name = device.name.slice(0, 120);
    if (open !== null && joinsBatch(open, entries.length, earliest, latest, restoredTo)) {
      const existing = await history.findOne(open.id).exec();
      const written = open.written;
      // The batch as this device last wrote it, and only new changes: appended without decoding the batch
      // (which grows to BATCH_MAX_ENTRIES entries, each write otherwise decoding and encoding all of them).
      if (existing && written && existing.revision === written.rev && allNew(entries, written.ids)) {
        const batch = appendToBatch(existing.b ?? [[]], written.lastWall, entries, open.base);
        const patched = await existing.incrementalPatch({ b: batch, d: name });
        for (const entry of entries) written.ids.add(entry.id);
        open = { ...open, count: open.count + entries.length, written: { ...written, rev: patched.revision, lastWall: entries[entries.length - 1]!.stamp.wall } };
        return;
      }
      // Changed since (a version from the server merged in) or a change recorded again: decoded and united.
      const before = existing ? historyDocEntries(existing.toJSON() as HistoryDoc) : null;
      if (existing && before !== null) {
        const merged = mergeEntries(before, entries);
        const patched = await existing.incrementalPatch({ b: encodeBatch(merged, open.base), d: name });
        open = { ...open, count: merged.length, written: writtenOf(patched.revision, merged) };
        return;
      }
    }
    // A new batch, named by its first write's latest stamp.
    const base = latest;
    const doc: HistoryDoc = {
      id: formatHlc(base),
      b: encodeBatch(entries, base),
      d: name,
      ...(restoredTo !== undefined ? { r: restoredTo } : {}),
    };
    const existing = await history.findOne(doc.id).exec();
    let written: Written | undefined;
    if (!existing) written = writtenOf((await history.insert(doc)).revision, entries);
    else {
      // The same stamp again (a write retried): one document with the changes of both.
      const before = historyDocEntries(existing.toJSON() as HistoryDoc) ?? [];
      await existing.incrementalModify((data) => {
        const { e, ...rest } = data;
        void e;
        return { ...rest, b: encodeBatch(mergeEntries(before, entries), base), ...(restoredTo !== undefined ? { r: restoredTo } : {}) };
      });
    }
    open = restoredTo === undefined && entries.length < BATCH_MAX_ENTRIES ? { id: doc.id, base, count: entries.length, written } : null;
  }

  /**
   * The documents, kept in memory after the first read and updated from the collection's change stream
   * (this device's writes, pulled documents, removals), so a restore does not decode the whole history
   * again: reading 20 000 changes from the database takes hundreds of milliseconds. A document is
   * decoded when a read first needs its entries, not when it changes: the open batch changes with every
   * write of this device or the one that owns it, and decoding its up to BATCH_MAX_ENTRIES entries at each
   * change would cost every change time that only a read of history needs.
   */
  interface Decoded { readonly doc: HistoryDoc; entries?: readonly HistoryEntry[] | null; bytes?: number }
  let cache: Map<string, Decoded> | null = null;
  /** The last `readAll`, kept until a document changes (the History panel reads and asks usage together). */
  let lastRead: { docs: HistoryDoc[]; read: HistoryRead } | null = null;
  let loading: Promise<Map<string, Decoded>> | null = null;
  const decode = (doc: HistoryDoc): Decoded => ({ doc });
  const entriesOf = (decoded: Decoded): readonly HistoryEntry[] | null => {
    if (decoded.entries === undefined) decoded.entries = historyDocEntries(decoded.doc);
    return decoded.entries;
  };
  /** Changes seen while the first read runs: applied over its result, so none falls between the two. */
  let duringLoad: { documentId: string; operation: string; documentData: unknown }[] | null = null;
  const apply = (target: Map<string, Decoded>, event: { documentId: string; operation: string; documentData: unknown }) => {
    lastRead = null;
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
      // Straight from the storage, as the store loads the items: RxDB's documents (a cache entry, a frozen
      // object and a deep copy each) would only be decoded and thrown away.
      loading = history.storageInstance.query(history.find().getPreparedQuery()).then(({ documents: found }) => {
        const loaded = new Map<string, Decoded>();
        for (const doc of found) loaded.set(doc.id, decode(doc as unknown as HistoryDoc));
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
    if (lastRead) return lastRead;
    const docs: HistoryDoc[] = [];
    const lists: (readonly HistoryEntry[])[] = [];
    const restores: { stamp: Hlc; to: number }[] = [];
    const devices: Record<string, string> = {};
    let damaged = 0;
    for (const each of decoded.values()) {
      const { doc } = each;
      const entries = entriesOf(each);
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
    lastRead = { docs, read: Object.freeze({
      entries: Object.freeze(mergeEntries(...lists)), damaged, restores: Object.freeze(restores), devices: Object.freeze(devices),
    }) };
    return lastRead;
  }

  return {
    changed$: history.$.pipe(map(() => undefined)),

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
      // History ids sort by time: the documents of the window (and the batches begun up to a window
      // before it) are one range query.
      const recent = await history.find({ selector: { id: { $gte: formatHlc(hlc(Math.max(0, from - BATCH_WINDOW_MS), 0, '')) } } }).exec();
      const recorded = new Set<string>();
      for (const doc of recent) {
        for (const entry of historyDocEntries(doc.toJSON() as HistoryDoc) ?? []) recorded.add(entry.id);
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
      const removable: string[] = [];
      const trimmed: { id: string; dropped: Set<string> }[] = [];
      for (const doc of docs) {
        const entries = historyDocEntries(doc);
        if (entries === null) continue; // damaged: left for the shopper's report, not silently removed
        const dropped = entries.filter((entry) => !kept.has(entry.id));
        if (dropped.length === entries.length) removable.push(doc.id);
        // This device's own batches drop what no restorable moment needs; other devices' are theirs to trim.
        else if (dropped.length > 0 && doc.b !== undefined && tryParseHlc(doc.id)?.node === deviceId) {
          trimmed.push({ id: doc.id, dropped: new Set(dropped.map((entry) => entry.id)) });
        }
      }
      // In the queue of writes, from the stored batch: an entry added meanwhile is never dropped.
      if (trimmed.length > 0) {
        await enqueue(async () => {
          for (const { id, dropped } of trimmed) {
            const stored = await history.findOne(id).exec();
            const base = tryParseHlc(id);
            const entries = stored ? historyDocEntries(stored.toJSON() as HistoryDoc) : null;
            if (stored && base && entries) await stored.incrementalPatch({ b: encodeBatch(entries.filter((entry) => !dropped.has(entry.id)), base) });
          }
        });
      }
      if (removable.length === 0) return 0;
      const result = await history.bulkRemove(removable);
      return result.success.length;
    },

    async usage() {
      const { read } = await readAll();
      let since: number | null = null;
      for (const entry of read.entries) if (since === null || entry.stamp.wall < since) since = entry.stamp.wall;
      // The documents' stored form, each measured once (not every entry encoded again at each look).
      let bytes = 0;
      for (const each of (await documents()).values()) {
        if (entriesOf(each) !== null) bytes += each.bytes ??= storedSize(each.doc);
      }
      return { bytes, changes: read.entries.length, since };
    },

    close() {
      subscription.unsubscribe();
      cache = null;
      lastRead = null;
    },
  };
}
