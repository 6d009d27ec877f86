/**
 * Keeping history to its window. Spec: docs/history.md ("Pruning").
 *
 * Entries inside the window are all kept. Of the older ones, each item keeps only what the cart at the
 * window's start is rebuilt from: the entry that added it and, per field, the latest change before the
 * window. Those entries are kept whole, not folded into a new one, so entry ids stay the stamps of real
 * changes: every device and the server, pruning on their own, keep the same entries, and a late
 * recording of a kept change still unites with it (`mergeEntries`). An item that was removed before the
 * window and not touched inside it drops out of history entirely: it is invisible at every restorable
 * moment. So the history holds the changes of the window plus at most ten entries per item (usually two
 * or three), whatever its age.
 */
import { compare } from '../merge/hlc.ts';
import type { MergeField } from '../merge/item-clocks.ts';
import { HISTORY_KEEP_MS, mergeEntries, type HistoryEntry } from './history-entry.ts';

interface OldTrace {
  origin?: HistoryEntry;
  readonly latest: Partial<Record<MergeField, HistoryEntry>>;
}

/** The entries that keep every moment from `now - keepMs` to now restorable, exactly. */
export function prune(entries: readonly HistoryEntry[], now: number, keepMs = HISTORY_KEEP_MS): HistoryEntry[] {
  const start = now - keepMs;
  const unique = mergeEntries(entries);
  const old = new Map<string, OldTrace>();
  const touchedInWindow = new Set<string>();
  for (const entry of unique) {
    if (entry.stamp.wall >= start) {
      touchedInWindow.add(entry.itemId);
      continue;
    }
    let trace = old.get(entry.itemId);
    if (!trace) old.set(entry.itemId, trace = { latest: {} });
    if (entry.origin) trace.origin = entry;
    for (const key in entry.changes) {
      const field = key as MergeField;
      const seen = trace.latest[field];
      if (seen === undefined || compare(entry.stamp, seen.stamp) > 0) trace.latest[field] = entry;
    }
  }
  const kept = new Set<HistoryEntry>();
  for (const [itemId, trace] of old) {
    const removedBefore = trace.latest.deleted?.changes.deleted === true;
    if (removedBefore && !touchedInWindow.has(itemId)) continue;
    if (trace.origin) kept.add(trace.origin);
    for (const entry of Object.values(trace.latest)) kept.add(entry);
  }
  return unique.filter((entry) => entry.stamp.wall >= start || kept.has(entry));
}
