import { describe, expect, it } from 'vitest';
import { restorePointsOf, stampOfHistoryId } from './restore-points.ts';

const NOW = Date.parse('2026-11-26T12:00:00Z');
/** A stamp as core's formatHlc writes it: 9 base-36 digits of wall time, 4 of counter, ":" and the device. */
const stamp = (wall: number, counter: number, device: string) => `${wall.toString(36).padStart(9, '0')}${counter.toString(36).padStart(4, '0')}:${device}`;

describe('restore points from history ids', () => {
  it('reads the stamp of an id that is a stamp, or an item id followed by one', () => {
    const wall = Date.parse('2026-11-26T09:15:42Z');
    expect(stampOfHistoryId(stamp(wall, 3, 'laptop'), NOW)).toEqual({ wall, counter: 3, device: 'laptop' });
    expect(stampOfHistoryId(`k1:${stamp(wall, 0, 'phone')}`, NOW)).toEqual({ wall, counter: 0, device: 'phone' });
    expect(stampOfHistoryId(stamp(wall, 0, 'device:with:colons'), NOW)).toEqual({ wall, counter: 0, device: 'device:with:colons' });
    for (const id of ['item-1', '', 'ABCDEFGHIJKLM:laptop', `${stamp(wall, 0, '')}`, '0mvxs3yao000:short-counter']) expect(stampOfHistoryId(id, NOW), id).toBeNull();
    // a stamp-looking id centuries away is not a time
    expect(stampOfHistoryId('zzzzzzzzz0000:laptop', NOW)).toBeNull();
  });

  it('counts changes and devices per minute within the last 30 days, oldest first', () => {
    const at = (iso: string) => Date.parse(iso);
    const ids = [
      stamp(at('2026-11-26T09:15:01Z'), 0, 'laptop'), stamp(at('2026-11-26T09:15:59Z'), 0, 'laptop'), `k2:${stamp(at('2026-11-26T09:15:30Z'), 1, 'phone')}`,
      stamp(at('2026-11-20T18:02:00Z'), 0, 'phone'),
      stamp(at('2026-10-20T18:02:00Z'), 0, 'phone'), // 37 days ago: outside
      'damaged', '_design/x',
    ];
    expect(restorePointsOf(ids, NOW)).toEqual({
      points: [
        { minute: at('2026-11-20T18:02:00Z'), changes: 1, devices: 1 },
        { minute: at('2026-11-26T09:15:00Z'), changes: 3, devices: 2 },
      ],
      unreadable: 1,
    });
  });
});
