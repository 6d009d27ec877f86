import { describe, expect, it } from 'vitest';
import { conflictLogActions, conflictLogReducer, formatHlc, hlc, initialConflictLog, type FieldConflict } from '@tote/core';
import { noticeViews } from './notice-view.ts';

const stamp = (wall: number, device: string) => formatHlc(hlc(wall, 0, device));

function removedHere(): FieldConflict {
  return {
    id: 'rug|deleted', itemId: 'rug', title: 'Rug', currency: 'EUR', field: 'deleted', kind: 'delete-vs-edit', resolution: 'delete-vs-edit-kept',
    winner: { value: false, stamp: stamp(2000, 'phone-id'), device: 'phone-id' },
    loser: { value: true, stamp: stamp(1000, 'desk-id'), device: 'desk-id' },
  };
}

describe('noticeViews', () => {
  it('names this computer, calls the other device "another device", and offers to remove the item after all', () => {
    const log = conflictLogReducer(initialConflictLog, conflictLogActions.recorded([removedHere()], 0));
    expect(noticeViews(log, 'desk-id', 'this computer')).toEqual([{
      id: 'rug|deleted', itemId: 'rug', overrideLabel: 'Remove it after all',
      text: '"Rug" was removed on this computer while another device changed it, so it was kept.',
    }]);
    expect(noticeViews(conflictLogReducer(log, conflictLogActions.overridden('rug|deleted', stamp(3000, 'desk-id'), 1)), 'desk-id', 'this computer')).toEqual([]);
  });
});
