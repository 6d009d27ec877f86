import { describe, expect, it } from 'vitest';
import { hlc } from '../merge/hlc.ts';
import { historyEntry } from './history-entry.ts';
import { timeline } from './timeline.ts';

const origin = { url: 'https://shop.example/kettle', shop: 'shop.example', addedPriceMinor: 2999 };
const added = (item: string, title: string, wall: number, node: string) =>
  historyEntry(item, hlc(wall, 0, node), { title, quantity: 1, listId: 'cart', deleted: false }, origin);

describe('timeline', () => {
  it('groups one write into one point, newest first, and says what changed', () => {
    const entries = [
      added('k', 'Kettle', 1000, 'laptop'),
      added('r', 'Rug', 2000, 'phone'),
      historyEntry('k', hlc(3000, 0, 'phone'), { quantity: 3 }),
      historyEntry('r', hlc(3000, 0, 'phone'), { listId: 'later' }),
      historyEntry('k', hlc(4000, 0, 'laptop'), { deleted: true }),
      historyEntry('k', hlc(5000, 1, 'laptop'), { deleted: false }),
      historyEntry('r', hlc(6000, 0, 'laptop'), { note: 'blue' }),
    ];
    const points = timeline(entries, { thisDevice: 'laptop', devices: { phone: 'Phone' }, lists: { later: 'Saved for later' } });
    expect(points.map((point) => [point.at, point.deviceName, point.changes.map((change) => `${change.title} ${change.text}`)])).toEqual([
      [6000, 'This device', ['Rug note "blue"']],
      [5000, 'This device', ['Kettle brought back']],
      [4000, 'This device', ['Kettle removed']],
      [3000, 'Phone', ['Kettle quantity 1 → 3', 'Rug moved to Saved for later']],
      [2000, 'Phone', ['Rug added']],
      [1000, 'This device', ['Kettle added']],
    ]);
  });

  it('marks restores, names unknown devices and caps long points', () => {
    const entries = Array.from({ length: 30 }, (_, index) => historyEntry(`i${index}`, hlc(9000, 0, 'tablet'), { deleted: true }));
    const [point] = timeline(entries, { thisDevice: 'laptop', restores: [{ stamp: hlc(9000, 0, 'tablet'), to: 500 }], changesPerPoint: 5 });
    expect(point).toMatchObject({ deviceName: 'Another device', restoredTo: 500, total: 30 });
    expect(point!.changes).toHaveLength(5);
    expect(point!.changes[0]!.title).toBe('An item');
  });

  it('says "marked bought" for a purchase, and "brought back" for its undo', () => {
    const entries = [
      added('k', 'Kettle', 1000, 'laptop'),
      historyEntry('k', hlc(2000, 0, 'laptop'), { deleted: true, listId: 'bought' }),
      historyEntry('k', hlc(3000, 0, 'laptop'), { deleted: false, listId: 'cart' }),
    ];
    const points = timeline(entries, { thisDevice: 'laptop' });
    expect(points.map((point) => point.changes.map((change) => [change.kind, change.text]))).toEqual([
      [['brought-back', 'brought back']], [['bought', 'marked bought']], [['added', 'added']],
    ]);
  });

  it('shows the newest points only, each told as the whole history tells it', () => {
    const entries = [
      added('k', 'Kettle', 1000, 'laptop'),
      historyEntry('k', hlc(2000, 0, 'laptop'), { quantity: 2 }),
      historyEntry('k', hlc(3000, 0, 'laptop'), { title: 'Steel kettle' }),
      historyEntry('k', hlc(4000, 0, 'laptop'), { deleted: true }),
      historyEntry('k', hlc(5000, 0, 'phone'), { deleted: false, quantity: 3 }),
      historyEntry('k', hlc(5000, 0, 'laptop'), { note: 'gift' }),
    ];
    const all = timeline(entries, { thisDevice: 'laptop' });
    const newest = timeline(entries, { thisDevice: 'laptop', limit: 2 });
    expect(newest).toEqual(all.slice(0, 2));
    expect(newest.map((point) => point.changes.map((change) => `${change.title} ${change.text}`))).toEqual([
      ['Steel kettle brought back'], ['Steel kettle note "gift"'],
    ]);
  });
});
