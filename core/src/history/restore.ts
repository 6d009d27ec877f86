/**
 * Restoring the cart to how it stood at a moment. Spec: docs/history.md ("Restore").
 *
 * A restore is an ordinary change: the item documents it writes are stamped by this device's clock,
 * later than every change it read, so it syncs to every device and wins there like any later edit, and
 * it is recorded in history like any change. So it can be undone by restoring to the moment just
 * before it (`plan.undoAt`).
 */
import { ToteError } from '../errors.ts';
import { hlc, isBeyondDrift, maxHlc, tick, type Hlc } from '../merge/hlc.ts';
import { fieldStamps, MERGE_FIELDS, stampChange, withFieldStamps, type ClockedItem, type FieldStamps, type MergeField } from '../merge/item-clocks.ts';
import { cartAt, type ClockedItems } from './cart-at.ts';
import { entriesForWrite, HISTORY_KEEP_MS, type HistoryEntry } from './history-entry.ts';

const DAY = 24 * 60 * 60 * 1000;

export interface RestoreMeta {
  /** When the shopper asked for the restore (this device's clock, ms since epoch). */
  readonly at: number;
  /** This device's hybrid logical clock before the restore. Its node is the device id. */
  readonly clock: Hlc;
  /** How far back history reaches (HISTORY_KEEP_MS). */
  readonly keepMs?: number;
}

export interface RestorePlan {
  /** The moment the cart is brought back to. */
  readonly to: number;
  /** The restore's clock: the device's clock becomes this. */
  readonly stamp: Hlc;
  /** Restoring to this moment undoes the restore: every change the restore read is at or before it. */
  readonly undoAt: number;
  /** The item documents to write, all in one atomic write (empty: the cart already stands as it did). */
  readonly writes: readonly ClockedItem[];
  /** For each write, the latest stamp of the item as the plan read it (null: not on this device). */
  readonly read: readonly (Hlc | null)[];
  /** The history entries of those writes (made when first asked for: the store records them from the write). */
  readonly entries: readonly HistoryEntry[];
  /** Items set back field by field. */
  readonly changed: number;
  /** Items added since (or brought back since) that the restore removes. */
  readonly removed: number;
  /** Items removed since that the restore brings back. */
  readonly broughtBack: number;
}

/** Refuses a moment history cannot restore to, with a sentence for the shopper. */
export function checkRestorePoint(t: number, now: number, keepMs = HISTORY_KEEP_MS): void {
  if (!Number.isFinite(t)) throw new ToteError('INVALID_INPUT', 'Choose the time to restore your cart to.', { field: 'time' });
  if (t > now) throw new ToteError('INVALID_INPUT', 'That time is in the future. Choose a time up to now.', { field: 'time' });
  if (t < now - keepMs) {
    const days = Math.round(keepMs / DAY);
    throw new ToteError('INVALID_INPUT', `Tote keeps ${days} days of history; choose a time within the last ${days} days.`, {
      field: 'time', keptSince: now - keepMs,
    });
  }
}

/**
 * The stamp of the restore: this device's next stamp, moved to a later millisecond than every change it
 * read, so that `undoAt` (one ms before it) covers them all. A stamp from a clock beyond the drift bound
 * (docs/merge.md rule 3) is not followed, as the device clock does not follow it; a field holding one
 * is still set back, stamped just after it (`stampChange`).
 */
function restoreStamp(current: ClockedItems, entries: readonly HistoryEntry[], meta: RestoreMeta, stampsOf: (item: ClockedItem) => FieldStamps): Hlc {
  let stamp = tick(meta.clock, meta.at);
  // Only the latest wall time read matters; the drift check runs only for a stamp that would raise it.
  let latest = -1;
  const consider = (seen: Hlc) => {
    if (seen.wall > latest && !isBeyondDrift(seen, meta.at)) latest = seen.wall;
  };
  for (const entry of entries) consider(entry.stamp);
  for (const item of Object.values(current)) for (const field of MERGE_FIELDS) consider(stampsOf(item)[field]);
  if (latest >= stamp.wall) stamp = hlc(latest + 1, 0, meta.clock.node);
  return stamp;
}

const visible = (item: ClockedItem | undefined): item is ClockedItem => item !== undefined && !item.deleted;

/**
 * The writes that bring `current` (every item document this device holds) back to how the cart stood at
 * `t`: items changed since are set back field by field, items added since are removed (soft delete),
 * items removed since are brought back. An item that is removed both now and at `t` is left alone. An
 * item written is given every shopper field it had at `t`, so a restore and its undo are exact; its
 * price history is kept (prices seen are observations, not choices).
 */
export function planRestore(current: ClockedItems, entries: readonly HistoryEntry[], t: number, meta: RestoreMeta): RestorePlan {
  checkRestorePoint(t, meta.at, meta.keepMs);
  const past = cartAt(entries, t);
  // Each item's field stamps, parsed from their text once: the restore's stamp and every write need them.
  const parsed = new Map<string, FieldStamps>();
  const stampsOf = (item: ClockedItem) => {
    let stamps = parsed.get(item.id);
    if (stamps === undefined) parsed.set(item.id, stamps = fieldStamps(item));
    return stamps;
  };
  const stamp = restoreStamp(current, entries, meta, stampsOf);
  const writes: ClockedItem[] = [];
  const befores: (ClockedItem | null)[] = [];
  const read: (Hlc | null)[] = [];
  let changed = 0;
  let removed = 0;
  let broughtBack = 0;
  const ids = new Set([...Object.keys(current), ...Object.keys(past)]);
  for (const id of ids) {
    const now = current[id];
    const then = past[id];
    if (!visible(now) && !visible(then)) continue;
    let doc: ClockedItem;
    if (now === undefined) {
      // In history but not on this device (its document was lost): written again as the restore's change.
      const stamps = Object.fromEntries(MERGE_FIELDS.map((field) => [field, stamp])) as Record<MergeField, Hlc>;
      doc = withFieldStamps({ ...then!, updatedAt: meta.at, updatedBy: stamp.node }, stamps);
    } else {
      const patch: Record<string, unknown> = {};
      if (then === undefined) patch.deleted = true; // added after t
      else for (const field of MERGE_FIELDS) if (now[field] !== then[field]) patch[field] = then[field];
      if (Object.keys(patch).length === 0) continue;
      doc = stampChange(now, { ...now, ...patch, updatedAt: meta.at, updatedBy: stamp.node }, stamp, stampsOf(now));
    }
    if (!visible(then)) removed += 1;
    else if (!visible(now)) broughtBack += 1;
    else changed += 1;
    writes.push(doc);
    befores.push(now ?? null);
    read.push(now === undefined ? null : MERGE_FIELDS.map((field) => stampsOf(now)[field]).reduce(maxHlc));
  }
  let planned: readonly HistoryEntry[] | undefined;
  return Object.freeze({
    to: t, stamp, undoAt: stamp.wall - 1, writes: Object.freeze(writes), read: Object.freeze(read), changed, removed, broughtBack,
    get entries() {
      return planned ??= Object.freeze(writes.flatMap((doc, i) => entriesForWrite(befores[i]!, doc)));
    },
  });
}
