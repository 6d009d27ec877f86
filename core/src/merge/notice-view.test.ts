import { describe, expect, it } from 'vitest';
import { conflictLogActions, conflictLogReducer, initialConflictLog } from './conflict-log.ts';
import type { FieldConflict } from './field-merge.ts';
import { formatHlc, hlc } from './hlc.ts';
import type { FieldValue, MergeField } from './item-clocks.ts';
import { noticeViews } from './notice-view.ts';

const stamp = (wall: number, device: string) => formatHlc(hlc(wall, 0, device));

function conflict(field: MergeField, kept: FieldValue, lost: FieldValue, devices: [string, string] = ['self-id', 'other-id']): FieldConflict {
  const [winner, loser] = devices;
  return {
    id: `kettle|${field}|${stamp(2000, winner)}|${stamp(1000, loser)}`, itemId: 'kettle', title: 'Kettle', currency: 'EUR', field,
    kind: field === 'deleted' ? 'delete-vs-edit' : 'same-field', resolution: field === 'deleted' ? 'delete-vs-edit-kept' : 'later-wins',
    winner: { value: kept, stamp: stamp(2000, winner), device: winner },
    loser: { value: lost, stamp: stamp(1000, loser), device: loser },
  };
}

const views = (...conflicts: FieldConflict[]) =>
  noticeViews(conflictLogReducer(initialConflictLog, conflictLogActions.recorded(conflicts, 0)), 'self-id', 'this browser');

function removedHere(): FieldConflict {
  return {
    id: 'rug|deleted', itemId: 'rug', title: 'Rug', currency: 'EUR', field: 'deleted', kind: 'delete-vs-edit', resolution: 'delete-vs-edit-kept',
    winner: { value: false, stamp: stamp(2000, 'phone-id'), device: 'phone-id' },
    loser: { value: true, stamp: stamp(1000, 'desk-id'), device: 'desk-id' },
  };
}

describe('noticeViews', () => {
  it('names this device, calls any other "another device", and offers the value that lost in the shopper\'s words', () => {
    expect(views(conflict('quantity', 6, 4))).toEqual([{
      id: expect.any(String), itemId: 'kettle', overrideLabel: 'Use 4 instead',
      text: '"Kettle": the quantity was changed on two devices. Kept 6 from this browser; another device had 4.',
    }]);
    expect(views(conflict('deleted', false, true, ['other-id', 'self-id']))[0]).toMatchObject({
      text: '"Kettle" was removed on this browser while another device changed it, so it was kept.', overrideLabel: 'Remove it after all',
    });
    expect(views(conflict('quantity', 6, 4, ['phone', 'tablet']))[0]?.text).toContain('Kept 6 from one device; another device had 4.');
  });

  it('names other devices by the names their history recorded, when known and telling', () => {
    const log = conflictLogReducer(initialConflictLog, conflictLogActions.recorded([conflict('quantity', 6, 4)], 0));
    expect(noticeViews(log, 'self-id', 'this browser', { 'other-id': 'Phone' })[0]?.text)
      .toBe('"Kettle": the quantity was changed on two devices. Kept 6 from this browser; Phone had 4.');
    const others = conflictLogReducer(initialConflictLog, conflictLogActions.recorded([conflict('quantity', 6, 4, ['phone', 'tablet'])], 0));
    expect(noticeViews(others, 'self-id', 'this browser', { phone: 'Phone', tablet: 'Tablet' })[0]?.text).toContain('Kept 6 from Phone; Tablet had 4.');
    // Two devices of the same name would read as one: then they are told apart as before.
    expect(noticeViews(others, 'self-id', 'this browser', { phone: 'Chrome', tablet: 'Chrome' })[0]?.text).toContain('Kept 6 from one device; another device had 4.');
  });

  it('labels every kind of field, shortening long values', () => {
    const labels = [
      conflict('note', 'blue one', 'x'.repeat(60)), conflict('note', 'blue one', ''), conflict('title', 'a', 'Kettle 1.7 l'),
      conflict('priceMinor', 1000, 1250), conflict('priceMinor', 1000, null), conflict('listId', 'cart', 'saved'),
      conflict('imageUrl', null, 'https://shop.example/k.png'), conflict('variant', 'red', null), conflict('deleted', true, false),
    ].map((one) => views(one)[0]?.overrideLabel);
    expect(labels).toEqual([
      `Use the note “${'x'.repeat(39)}…” instead`, 'Remove the note', 'Use the name “Kettle 1.7 l” instead',
      'Use €12.50 instead', 'Use no price instead', 'Move it to Saved for later', 'Use the other image', 'Remove the variant', null,
    ]);
  });

  it('shows open notices only', () => {
    const one = conflict('quantity', 6, 4);
    const log = conflictLogReducer(conflictLogReducer(initialConflictLog, conflictLogActions.recorded([one], 0)), conflictLogActions.dismissed(one.id, 1));
    expect(noticeViews(log, 'self-id', 'this browser')).toEqual([]);
  });

  it('names this computer, calls the other device "another device", and offers to remove the item after all', () => {
    const log = conflictLogReducer(initialConflictLog, conflictLogActions.recorded([removedHere()], 0));
    expect(noticeViews(log, 'desk-id', 'this computer')).toEqual([{
      id: 'rug|deleted', itemId: 'rug', overrideLabel: 'Remove it after all',
      text: '"Rug" was removed on this computer while another device changed it, so it was kept.',
    }]);
    expect(noticeViews(conflictLogReducer(log, conflictLogActions.overridden('rug|deleted', stamp(3000, 'desk-id'), 1)), 'desk-id', 'this computer')).toEqual([]);
  });
});
