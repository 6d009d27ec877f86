/**
 * The conflict notices a shopper sees, as a pure reducer in the style of the cart's (cart-reducer.ts):
 * plain serialisable actions in, new frozen state out, no clock or I/O (times come on the actions).
 * Every conflict a merge reports is recorded with how it was resolved, and stays in the log after the
 * shopper dismisses or overrides it. Spec: docs/merge.md ("Notices").
 *
 * An override applies the value that lost as a new change with a fresh stamp later than both sides of
 * the conflict, so it syncs like any edit and wins on every device.
 */
import { cartCommands, type CartCommand } from '../cart/cart-actions.ts';
import { OWN_LIST_PREFIX, type CartItem } from '../cart/cart-types.ts';
import { formatMoney } from '../cart/money.ts';
import { ToteError } from '../errors.ts';
import type { FieldConflict } from './field-merge.ts';
import { formatHlc, maxHlc, parseHlc, stampAfter, tick, type Hlc } from './hlc.ts';
import { fieldStamps, withFieldStamps, type ClockedItem, type FieldValue, type MergeField } from './item-clocks.ts';

/** 'superseded': a later conflict on the same field of the same item replaced the notice. */
export type NoticeStatus = 'open' | 'dismissed' | 'overridden' | 'superseded';

export interface ConflictNotice {
  /** The conflict's id. */
  readonly id: string;
  readonly conflict: FieldConflict;
  readonly recordedAt: number;
  readonly status: NoticeStatus;
  readonly closedAt: number | null;
  /** The stamp of the change an override made (status 'overridden'). */
  readonly overrideStamp: string | null;
}

export interface ConflictLogState {
  /** Oldest first. */
  readonly notices: readonly ConflictNotice[];
}

/** Closed notices kept as the record of how conflicts were resolved; open ones are always kept. */
export const CONFLICT_LOG_LIMIT = 200;

export const initialConflictLog: ConflictLogState = Object.freeze({ notices: Object.freeze([]) });

export type ConflictLogAction =
  | { readonly type: 'conflicts/recorded'; readonly conflicts: readonly FieldConflict[]; readonly at: number }
  | { readonly type: 'conflicts/dismissed'; readonly id: string; readonly at: number }
  | { readonly type: 'conflicts/overridden'; readonly id: string; readonly stamp: string; readonly at: number };

export const conflictLogActions = {
  recorded: (conflicts: readonly FieldConflict[], at: number): ConflictLogAction => ({ type: 'conflicts/recorded', conflicts, at }),
  dismissed: (id: string, at: number): ConflictLogAction => ({ type: 'conflicts/dismissed', id, at }),
  overridden: (id: string, stamp: string, at: number): ConflictLogAction => ({ type: 'conflicts/overridden', id, stamp, at }),
} as const;

function freezeNotice(notice: ConflictNotice): ConflictNotice {
  return Object.freeze({ ...notice, conflict: Object.freeze({ ...notice.conflict }) });
}

function withNotices(state: ConflictLogState, notices: ConflictNotice[]): ConflictLogState {
  // Trim the oldest closed notices past the limit; open notices are never dropped.
  let excess = notices.filter((notice) => notice.status !== 'open').length - CONFLICT_LOG_LIMIT;
  const kept = notices.filter((notice) => notice.status === 'open' || excess-- <= 0);
  return kept.length === state.notices.length && kept.every((notice, i) => notice === state.notices[i])
    ? state
    : Object.freeze({ notices: Object.freeze(kept) });
}

function close(state: ConflictLogState, id: string, status: NoticeStatus, at: number, overrideStamp: string | null = null): ConflictLogState {
  const index = state.notices.findIndex((notice) => notice.id === id && notice.status === 'open');
  // A notice already closed (on this device or by a stale message) stays as it is.
  if (index < 0) return state;
  const notices = [...state.notices];
  notices[index] = freezeNotice({ ...notices[index]!, status, closedAt: at, overrideStamp });
  return withNotices(state, notices);
}

export function conflictLogReducer(state: ConflictLogState = initialConflictLog, action: ConflictLogAction): ConflictLogState {
  switch (action.type) {
    case 'conflicts/recorded': {
      let notices: ConflictNotice[] | undefined;
      for (const conflict of action.conflicts) {
        const current = notices ?? state.notices;
        // The same conflict found again (a retried merge, or another device's report) is one notice.
        if (current.some((notice) => notice.id === conflict.id)) continue;
        notices = current.map((notice) => (notice.status === 'open' && notice.conflict.itemId === conflict.itemId
          && notice.conflict.field === conflict.field
          ? freezeNotice({ ...notice, status: 'superseded', closedAt: action.at })
          : notice));
        notices.push(freezeNotice({ id: conflict.id, conflict, recordedAt: action.at, status: 'open', closedAt: null, overrideStamp: null }));
      }
      return notices ? withNotices(state, notices) : state;
    }
    case 'conflicts/dismissed':
      return close(state, action.id, 'dismissed', action.at);
    case 'conflicts/overridden':
      return close(state, action.id, 'overridden', action.at, action.stamp);
    default:
      return state;
  }
}

export function openNotices(state: ConflictLogState): readonly ConflictNotice[] {
  return state.notices.filter((notice) => notice.status === 'open');
}

export function openNoticesFor(state: ConflictLogState, itemId: string): readonly ConflictNotice[] {
  return state.notices.filter((notice) => notice.status === 'open' && notice.conflict.itemId === itemId);
}

/** The change an override makes: the losing value again, as a new change. */
export interface Override {
  readonly noticeId: string;
  readonly itemId: string;
  readonly field: MergeField;
  readonly value: FieldValue;
  /** The cart command that makes this change, or null when no command does (bringing back a removed item). */
  readonly command: CartCommand | null;
  /** The same change as a patch of the item document. */
  readonly patch: Readonly<Partial<CartItem>>;
  /** Later than both sides of the conflict (formatHlc). */
  readonly stamp: string;
  /** The wall time of the device's clock for the change: the item's new updatedAt. */
  readonly at: number;
}

function commandFor(itemId: string, field: MergeField, value: FieldValue): CartCommand | null {
  // A list of one's own (cart-types.ts, LIST_RECORD): its name and its deletion can be chosen again.
  if (itemId.startsWith(OWN_LIST_PREFIX)) {
    if (field === 'title') return cartCommands.renameList(itemId, value as string);
    return field === 'deleted' && value === true ? cartCommands.deleteList(itemId) : null;
  }
  switch (field) {
    case 'quantity': return cartCommands.setQuantity(itemId, value as number);
    case 'note': return cartCommands.setNote(itemId, value as string);
    case 'listId': return cartCommands.move(itemId, value as string);
    case 'deleted': return value === true ? cartCommands.remove(itemId) : null;
    case 'title': return cartCommands.edit(itemId, { title: value as string });
    case 'priceMinor': return cartCommands.edit(itemId, { priceMinor: value as number | null });
    case 'currency': return cartCommands.edit(itemId, { currency: value as string });
    case 'imageUrl': return cartCommands.edit(itemId, { imageUrl: value as string | null });
    case 'variant': return cartCommands.edit(itemId, { variant: value as string | null });
    // Read from the shop's page, never set by the shopper: no command sets it (and the merge raises no notice for it).
    case 'availability': return null;
  }
}

/**
 * The shopper chose the other value: plan the change that applies it. `local` is the device's clock and
 * `now` its time; `clock` is the device's clock afterwards. The stamp is later than both sides of the
 * conflict, even one made by a clock beyond the drift bound.
 */
export function overrideNotice(notice: ConflictNotice, local: Hlc, now: number): { readonly override: Override; readonly clock: Hlc; readonly action: ConflictLogAction } {
  if (notice.status !== 'open') {
    throw new ToteError('INVALID_INPUT', 'This notice is already closed.', { field: 'notice' });
  }
  const { conflict } = notice;
  const clock = tick(local, now);
  const stamp = formatHlc(stampAfter(clock, maxHlc(parseHlc(conflict.winner.stamp), parseHlc(conflict.loser.stamp))));
  const value = conflict.loser.value;
  const override: Override = Object.freeze({
    noticeId: notice.id, itemId: conflict.itemId, field: conflict.field, value,
    command: commandFor(conflict.itemId, conflict.field, value),
    patch: Object.freeze({ [conflict.field]: value }), stamp, at: clock.wall,
  });
  return Object.freeze({ override, clock, action: conflictLogActions.overridden(notice.id, stamp, now) });
}

/**
 * Applies an override to the item document: the value, its stamp (moved past the field's current stamp
 * if the field changed again since), and the last-change fields. Refused for an item removed since,
 * except an override that removes it.
 */
export function applyOverride(item: ClockedItem, override: Override): ClockedItem {
  if (item.id !== override.itemId) throw new ToteError('INVALID_INPUT', 'This change is for another item.', { field: 'id' });
  if (item.deleted && override.field !== 'deleted') {
    throw new ToteError('NOT_FOUND', `"${item.title}" was removed since, so the change cannot be applied.`, { id: item.id });
  }
  const stamps = { ...fieldStamps(item) };
  const stamp = stampAfter(parseHlc(override.stamp), stamps[override.field]);
  stamps[override.field] = stamp;
  const changed = { ...item, ...override.patch, updatedAt: Math.max(item.updatedAt, override.at), updatedBy: stamp.node };
  return withFieldStamps(changed, stamps);
}

const FIELD_LABELS: Readonly<Record<MergeField, string>> = Object.freeze({
  listId: 'list', title: 'name', priceMinor: 'price', currency: 'currency', imageUrl: 'image',
  variant: 'variant', quantity: 'quantity', note: 'note', deleted: 'removal', availability: 'availability',
});

function shown(conflict: FieldConflict, value: FieldValue): string {
  if (value === null) return 'none';
  if (conflict.field === 'priceMinor' && typeof value === 'number') return formatMoney(value, conflict.currency);
  if (conflict.field === 'listId') return value === 'saved' ? 'Saved for later' : value === 'cart' ? 'Cart' : String(value);
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** One sentence for the shopper. `deviceName` turns a device id into the name the shopper gave it. */
export function describeNotice(notice: ConflictNotice, deviceName: (id: string) => string = (id) => id): string {
  const { conflict } = notice;
  const winner = deviceName(conflict.winner.device);
  const loser = deviceName(conflict.loser.device);
  const list = conflict.itemId.startsWith(OWN_LIST_PREFIX);
  if (conflict.kind === 'delete-vs-edit') {
    return list ? `The list "${conflict.title}" was deleted on ${loser} while ${winner} changed it, so it was kept.`
      : `"${conflict.title}" was removed on ${loser} while ${winner} changed it, so it was kept.`;
  }
  if (list) {
    const label = conflict.field === 'quantity' ? 'place' : FIELD_LABELS[conflict.field];
    return `The list "${conflict.title}": the ${label} was changed on two devices. Kept ${shown(conflict, conflict.winner.value)} `
      + `from ${winner}; ${loser} had ${shown(conflict, conflict.loser.value)}.`;
  }
  const label = FIELD_LABELS[conflict.field];
  return `"${conflict.title}": the ${label} was changed on two devices. Kept ${shown(conflict, conflict.winner.value)} `
    + `from ${winner}; ${loser} had ${shown(conflict, conflict.loser.value)}.`;
}
