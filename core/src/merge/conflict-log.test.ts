import { describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { isToteError } from '../errors.ts';
import {
  applyOverride, CONFLICT_LOG_LIMIT, conflictLogActions, conflictLogReducer, describeNotice, initialConflictLog,
  openNotices, openNoticesFor, overrideNotice, type ConflictLogState, type ConflictNotice,
} from './conflict-log.ts';
import { mergeItem, type FieldConflict } from './field-merge.ts';
import { compare, formatHlc, HLC_MAX_DRIFT_MS, parseHlc } from './hlc.ts';
import { fieldStamps, type ClockedItem } from './item-clocks.ts';
import { Device, MINUTE, SECOND, T } from './test/devices.ts';

/** Laptop sets the kettle to 3, the phone (offline) to 5 a minute later; the phone's change wins. */
function quantityConflict() {
  const laptop = new Device('laptop');
  const phone = new Device('phone');
  const base = laptop.add(T);
  phone.see(base, T + SECOND);
  const laptopVersion = laptop.change(base, cartCommands.setQuantity(base.id, 3), T + MINUTE);
  const phoneVersion = phone.change(base, cartCommands.setQuantity(base.id, 5), T + 2 * MINUTE);
  const { merged, conflicts } = mergeItem(base, laptopVersion, phoneVersion);
  laptop.see(merged, T + 3 * MINUTE);
  return { laptop, phone, base, laptopVersion, phoneVersion, merged, conflicts };
}

function record(conflicts: readonly FieldConflict[], at = T, state: ConflictLogState = initialConflictLog) {
  return conflictLogReducer(state, conflictLogActions.recorded(conflicts, at));
}

function only(state: ConflictLogState): ConflictNotice {
  const [notice] = openNotices(state);
  if (!notice) throw new Error('no open notice');
  return notice;
}

describe('conflict log', () => {
  it('records each conflict once as an open notice, with how it was resolved', () => {
    const { conflicts } = quantityConflict();
    const state = record(conflicts);
    expect(openNotices(state)).toMatchObject([{ status: 'open', recordedAt: T, conflict: { field: 'quantity', resolution: 'later-wins' } }]);
    expect(record(conflicts, T + 5, state)).toBe(state);
    expect(openNoticesFor(state, conflicts[0]!.itemId)).toHaveLength(1);
    expect(openNoticesFor(state, 'other')).toEqual([]);
  });

  it('is frozen and serialisable', () => {
    const { conflicts } = quantityConflict();
    const state = record(conflicts);
    expect(Object.isFrozen(state)).toBe(true);
    expect(Object.isFrozen(state.notices)).toBe(true);
    expect(Object.isFrozen(state.notices[0])).toBe(true);
    expect(Object.isFrozen(state.notices[0]!.conflict)).toBe(true);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    const snapshot = JSON.stringify(state);
    conflictLogReducer(state, conflictLogActions.dismissed(state.notices[0]!.id, T + 1));
    expect(JSON.stringify(state)).toBe(snapshot);
  });

  it('dismiss closes the notice and keeps the record', () => {
    const { conflicts } = quantityConflict();
    const state = record(conflicts);
    const dismissed = conflictLogReducer(state, conflictLogActions.dismissed(only(state).id, T + 9));
    expect(openNotices(dismissed)).toEqual([]);
    expect(dismissed.notices).toMatchObject([{ status: 'dismissed', closedAt: T + 9 }]);
    expect(conflictLogReducer(dismissed, conflictLogActions.dismissed(only(state).id, T + 10))).toBe(dismissed);
    expect(conflictLogReducer(dismissed, conflictLogActions.dismissed('unknown', T + 10))).toBe(dismissed);
    // Found again later (another device's merge), it does not come back.
    expect(record(conflicts, T + 11, dismissed)).toBe(dismissed);
  });

  it('a newer conflict on the same field of the same item supersedes the open notice', () => {
    const first = quantityConflict();
    const state = record(first.conflicts);
    const again = first.laptop.change(first.merged, cartCommands.setQuantity(first.base.id, 8), T + 4 * MINUTE);
    const phoneAgain = first.phone.change(first.merged, cartCommands.setQuantity(first.base.id, 9), T + 5 * MINUTE);
    const second = mergeItem(first.merged, again, phoneAgain);
    const next = record(second.conflicts, T + 6 * MINUTE, state);
    expect(next.notices.map((notice) => notice.status)).toEqual(['superseded', 'open']);
    expect(only(next).conflict).toMatchObject({ winner: { value: 9 }, loser: { value: 8 } });
  });

  it('keeps at most CONFLICT_LOG_LIMIT closed notices, and every open one', () => {
    const { conflicts } = quantityConflict();
    const conflict = conflicts[0]!;
    let state = initialConflictLog;
    for (let i = 0; i < CONFLICT_LOG_LIMIT + 5; i += 1) {
      state = record([{ ...conflict, id: `closed-${i}`, itemId: `item-${i}` }], T + i, state);
      state = conflictLogReducer(state, conflictLogActions.dismissed(`closed-${i}`, T + i));
    }
    state = record([{ ...conflict, id: 'still-open' }], T, state);
    expect(state.notices).toHaveLength(CONFLICT_LOG_LIMIT + 1);
    expect(state.notices[0]!.id).toBe('closed-5');
    expect(openNotices(state).map((notice) => notice.id)).toEqual(['still-open']);
  });

  it('describes a notice in one sentence, with the devices\' names', () => {
    const { conflicts } = quantityConflict();
    const names: Record<string, string> = { laptop: 'Chrome on laptop', phone: 'Tote on phone' };
    expect(describeNotice(only(record(conflicts)), (id) => names[id] ?? id))
      .toBe('"Red kettle": the quantity was changed on two devices. Kept 5 from Tote on phone; Chrome on laptop had 3.');
    const price = { ...conflicts[0]!, field: 'priceMinor' as const, winner: { ...conflicts[0]!.winner, value: 2499 }, loser: { ...conflicts[0]!.loser, value: null } };
    expect(describeNotice(only(record([price])))).toBe('"Red kettle": the price was changed on two devices. Kept €24.99 from phone; laptop had none.');
  });
});

describe('override', () => {
  it('applies the other value as a new change that wins on every device', () => {
    const { laptop, phoneVersion, laptopVersion, merged, conflicts } = quantityConflict();
    const state = record(conflicts);
    const notice = only(state);
    const { override, clock, action } = overrideNotice(notice, laptop.clock, laptop.now(T + 4 * MINUTE));
    expect(override).toMatchObject({ itemId: merged.id, field: 'quantity', value: 3, patch: { quantity: 3 }, command: cartCommands.setQuantity(merged.id, 3) });
    expect(compare(parseHlc(override.stamp), parseHlc(notice.conflict.winner.stamp))).toBe(1);
    expect(compare(parseHlc(override.stamp), parseHlc(notice.conflict.loser.stamp))).toBe(1);
    laptop.clock = clock;

    const overridden = applyOverride(merged, override);
    expect(overridden).toMatchObject({ quantity: 3, updatedBy: 'laptop' });
    expect(overridden.fieldClocks?.quantity).toBe(override.stamp);
    // Against the merged version (the usual ancestor), and against each device's version without one.
    for (const [ancestor, other] of [[merged, merged], [merged, phoneVersion], [null, phoneVersion], [null, laptopVersion], [null, merged]] as const) {
      expect(mergeItem(ancestor, overridden, other).merged.quantity).toBe(3);
      expect(mergeItem(ancestor, other, overridden).merged.quantity).toBe(3);
    }
    expect(mergeItem(merged, overridden, merged).conflicts).toEqual([]);

    const closed = conflictLogReducer(state, action);
    expect(openNotices(closed)).toEqual([]);
    expect(closed.notices).toMatchObject([{ status: 'overridden', overrideStamp: override.stamp }]);
    expect(() => overrideNotice(closed.notices[0]!, laptop.clock, T)).toThrow(/already closed/);
  });

  it('the same change made through the cart command wins too', () => {
    const { laptop, phoneVersion, merged, conflicts } = quantityConflict();
    const { override } = overrideNotice(only(record(conflicts)), laptop.clock, laptop.now(T + 4 * MINUTE));
    const viaCommand = laptop.change(merged, override.command!, T + 4 * MINUTE);
    expect(mergeItem(merged, viaCommand, phoneVersion).merged.quantity).toBe(3);
    expect(mergeItem(null, viaCommand, phoneVersion).merged.quantity).toBe(3);
  });

  it('delete-vs-edit: the override removes the item after all, everywhere', () => {
    const laptop = new Device('laptop');
    const phone = new Device('phone');
    const base = laptop.add(T);
    phone.see(base, T + SECOND);
    const removed = laptop.change(base, cartCommands.remove(base.id), T + 2 * MINUTE);
    const edited = phone.change(base, cartCommands.setNote(base.id, 'blue one'), T + MINUTE);
    const { merged, conflicts } = mergeItem(base, removed, edited);
    expect(merged.deleted).toBe(false);
    const notice = only(record(conflicts));
    expect(describeNotice(notice)).toBe('"Red kettle" was removed on laptop while phone changed it, so it was kept.');
    const { override } = overrideNotice(notice, laptop.clock, laptop.now(T + 3 * MINUTE));
    expect(override).toMatchObject({ field: 'deleted', value: true, command: cartCommands.remove(base.id), patch: { deleted: true } });
    const gone = applyOverride(merged, override);
    for (const [ancestor, other] of [[merged, merged], [merged, edited], [null, edited], [null, merged]] as const) {
      expect(mergeItem(ancestor, gone, other)).toMatchObject({ merged: { deleted: true }, conflicts: [] });
      expect(mergeItem(ancestor, other, gone)).toMatchObject({ merged: { deleted: true }, conflicts: [] });
    }
  });

  it('beats a change stamped by a clock beyond the drift bound', () => {
    const laptop = new Device('laptop');
    const wrong = new Device('wrong-clock', 30 * HLC_MAX_DRIFT_MS);
    const base = laptop.add(T);
    wrong.see(base, T);
    const laptopVersion = laptop.change(base, cartCommands.setNote(base.id, 'mine'), T + MINUTE);
    const wrongVersion = wrong.change(base, cartCommands.setNote(base.id, 'theirs'), T + MINUTE);
    const { merged, conflicts } = mergeItem(base, laptopVersion, wrongVersion);
    expect(merged.note).toBe('theirs');
    laptop.see(merged, T + 2 * MINUTE);
    const { override } = overrideNotice(only(record(conflicts)), laptop.clock, laptop.now(T + 3 * MINUTE));
    const overridden = applyOverride(merged, override);
    expect(mergeItem(null, overridden, wrongVersion).merged.note).toBe('mine');
    expect(override.at).toBeLessThan(T + HLC_MAX_DRIFT_MS); // the item's last-change time stays real
  });

  it('is refused for an item removed since, unless it removes it', () => {
    const { laptop, merged, conflicts } = quantityConflict();
    const { override } = overrideNotice(only(record(conflicts)), laptop.clock, laptop.now(T + 4 * MINUTE));
    const removed = laptop.change(merged, cartCommands.remove(merged.id), T + 5 * MINUTE);
    let error: unknown;
    try { applyOverride(removed, override); } catch (caught) { error = caught; }
    expect(isToteError(error, 'NOT_FOUND')).toBe(true);
    expect(() => applyOverride({ ...merged, id: 'other' } as ClockedItem, override)).toThrow(/another item/);
  });

  it('moves past a stamp the field got since the notice', () => {
    const { laptop, phone, merged, conflicts } = quantityConflict();
    const { override } = overrideNotice(only(record(conflicts)), laptop.clock, laptop.now(T + 4 * MINUTE));
    phone.see(merged, T + 4 * MINUTE);
    const later = phone.change(merged, cartCommands.setQuantity(merged.id, 7), T + 6 * MINUTE);
    const overridden = applyOverride(later, override);
    expect(overridden.quantity).toBe(3);
    expect(compare(fieldStamps(overridden).quantity, fieldStamps(later).quantity)).toBe(1);
    expect(formatHlc(fieldStamps(overridden).quantity)).not.toBe(later.fieldClocks?.quantity);
  });
});
