/**
 * The history as a shopper reads it: points in time, newest first, each saying which device changed
 * what ("Laptop: added Kettle; Rug quantity 2 → 3"). Restoring to a point gives the cart just after
 * that point's changes (`cartAt(entries, point.at)`). Spec: docs/history.md ("Timeline"). Pure.
 */
import { BOUGHT_LIST_ID } from '../cart/cart-types.ts';
import { compare, type Hlc } from '../merge/hlc.ts';
import { LIST_RECORD } from '../cart/cart-types.ts';
import type { HistoryEntry } from './history-entry.ts';

export type TimelineChangeKind = 'added' | 'removed' | 'bought' | 'brought-back' | 'quantity' | 'note' | 'moved' | 'price' | 'edited' | 'list';

export interface TimelineChange {
  readonly itemId: string;
  /** The item's title as it was at that point. */
  readonly title: string;
  readonly kind: TimelineChangeKind;
  /** The sentence shown: "added", "quantity 2 → 3", "moved to Saved for later". */
  readonly text: string;
}

export interface TimelinePoint {
  /** When (ms since epoch); restoring to this moment gives the cart just after these changes. */
  readonly at: number;
  readonly deviceId: string;
  /** "This device", the device's name, or "Another device". */
  readonly deviceName: string;
  /** Set when these changes were a restore: the moment the cart was brought back to. */
  readonly restoredTo: number | null;
  /** At most `changesPerPoint` changes, described. */
  readonly changes: readonly TimelineChange[];
  /** How many changes there were in all (a restore or a cleared list can change hundreds of items). */
  readonly total: number;
}

export interface TimelineOptions {
  readonly thisDevice: string;
  /** Device names by id (HistoryRead.devices). */
  readonly devices?: Readonly<Record<string, string>>;
  /** Restores (HistoryRead.restores). */
  readonly restores?: readonly { readonly stamp: Hlc; readonly to: number }[];
  /** List names by id, for "moved to …". */
  readonly lists?: Readonly<Record<string, string>>;
  /** Newest points kept (default 200). */
  readonly limit?: number;
  readonly changesPerPoint?: number;
}

const money = (minor: number | null | undefined) => (typeof minor === 'number' ? (minor / 100).toFixed(2) : 'no price');

/**
 * Points: the changes of one device within one millisecond (one write of that device) are one point.
 * Within an item, the fields of one change are one line, the most telling first.
 */
export function timeline(entries: readonly HistoryEntry[], options: TimelineOptions): TimelinePoint[] {
  const { thisDevice, devices = {}, restores = [], lists = {}, limit = 200, changesPerPoint = 8 } = options;
  const sorted = [...entries].sort((a, b) => compare(a.stamp, b.stamp));
  const titles = new Map<string, string>();
  const ownLists = new Set<string>();
  const quantities = new Map<string, number>();
  const removed = new Map<string, boolean>();
  const restoreAt = new Map(restores.map((restore) => [`${restore.stamp.wall}:${restore.stamp.node}`, restore.to]));
  const points: { at: number; deviceId: string; changes: TimelineChange[]; total: number }[] = [];
  let current: (typeof points)[number] | undefined;
  const startsPoint = (entry: HistoryEntry, before: HistoryEntry | undefined) =>
    before === undefined || entry.stamp.wall !== before.stamp.wall || entry.stamp.node !== before.stamp.node;
  // Only the newest `limit` points are shown: the entries before them only tell titles, lists, quantities
  // and removals (what the shown points' sentences need), not sentences of their own.
  let shownFrom = sorted.length;
  for (let i = sorted.length - 1, count = 0; i >= 0 && count < limit; i -= 1) {
    if (startsPoint(sorted[i]!, sorted[i - 1])) count += 1;
    shownFrom = i;
  }

  for (let i = 0; i < sorted.length; i += 1) {
    const entry = sorted[i]!;
    const { itemId, changes } = entry;
    if (i < shownFrom) {
      if (changes.title !== undefined) titles.set(itemId, changes.title);
      if (changes.listId === LIST_RECORD) ownLists.add(itemId);
      if (changes.quantity !== undefined) quantities.set(itemId, changes.quantity);
      if (changes.deleted !== undefined) removed.set(itemId, changes.deleted);
      continue;
    }
    if (!current || startsPoint(entry, sorted[i - 1])) {
      current = { at: entry.stamp.wall, deviceId: entry.stamp.node, changes: [], total: 0 };
      points.push(current);
    }
    const renamed = changes.title !== undefined && titles.has(itemId) && ownLists.has(itemId);
    if (changes.title !== undefined) titles.set(itemId, changes.title);
    if (changes.listId === LIST_RECORD) ownLists.add(itemId);
    const isList = ownLists.has(itemId);
    const title = titles.get(itemId) ?? (isList ? 'A list' : 'An item');
    let kind: TimelineChangeKind;
    let text: string;
    if (isList) {
      // A list of one's own (cart-types.ts, LIST_RECORD): "Groceries: list created".
      kind = 'list';
      text = entry.origin ? 'list created' : changes.deleted === true ? 'list deleted' : changes.deleted === false ? 'list brought back'
        : renamed ? 'list renamed' : changes.quantity !== undefined ? 'list moved' : 'list changed';
    } else if (entry.origin) {
      kind = 'added';
      text = 'added';
    } else if (changes.deleted === true && changes.listId === BOUGHT_LIST_ID) {
      kind = 'bought';
      text = 'marked bought';
    } else if (changes.deleted === true) {
      kind = 'removed';
      text = 'removed';
    } else if (changes.deleted === false && removed.get(itemId)) {
      kind = 'brought-back';
      text = 'brought back';
    } else if (changes.quantity !== undefined) {
      kind = 'quantity';
      const before = quantities.get(itemId);
      text = before === undefined ? `quantity ${changes.quantity}` : `quantity ${before} → ${changes.quantity}`;
    } else if (changes.listId !== undefined) {
      kind = 'moved';
      text = `moved to ${lists[changes.listId] ?? changes.listId}`;
    } else if (changes.note !== undefined) {
      kind = 'note';
      text = changes.note === '' ? 'note removed' : `note "${changes.note}"`;
    } else if (changes.priceMinor !== undefined) {
      kind = 'price';
      text = `price ${money(changes.priceMinor)}`;
    } else {
      kind = 'edited';
      text = 'details corrected';
    }
    if (changes.quantity !== undefined) quantities.set(itemId, changes.quantity);
    if (changes.deleted !== undefined) removed.set(itemId, changes.deleted);
    current.total += 1;
    if (current.changes.length < changesPerPoint) current.changes.push(Object.freeze({ itemId, title, kind, text }));
  }

  const name = (id: string) => (id === thisDevice ? 'This device' : devices[id] ?? 'Another device');
  return points.reverse().map((point) => Object.freeze({
    at: point.at,
    deviceId: point.deviceId,
    deviceName: name(point.deviceId),
    restoredTo: restoreAt.get(`${point.at}:${point.deviceId}`) ?? null,
    changes: Object.freeze(point.changes),
    total: point.total,
  }));
}
