import { describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { compare, formatHlc, HLC_MAX_DRIFT_MS, stampAt, type Hlc } from './hlc.ts';
import { creationStamp, fieldStamps, latestStamp, MERGE_FIELDS, stampChange, type ClockedItem } from './item-clocks.ts';
import { Device, MINUTE, T, withoutFieldClocks } from './test/devices.ts';

describe('field clocks', () => {
  it('a new item carries no entries: every field has the creation stamp', () => {
    const laptop = new Device('laptop');
    const item = laptop.add(T);
    expect(item.fieldClocks).toEqual({});
    expect(creationStamp(item)).toEqual({ wall: T, counter: 0, node: 'laptop' });
    for (const field of MERGE_FIELDS) expect(fieldStamps(item)[field]).toEqual(creationStamp(item));
  });

  it('a change stamps only the fields it changed, with the device clock', () => {
    const laptop = new Device('laptop');
    const item = laptop.add(T);
    const edited = laptop.change(item, cartCommands.edit(item.id, { title: 'Kettle', variant: 'Red' }), T + MINUTE);
    const stamp = formatHlc(laptop.clock);
    expect(edited.fieldClocks).toEqual({ title: stamp, variant: stamp });
    expect(stamp.length).toBeLessThan(25);
    expect(latestStamp(edited)).toEqual(laptop.clock);
  });

  it('a change is stamped later than the value it replaces, even one from a clock beyond the drift bound', () => {
    const laptop = new Device('laptop');
    const item = laptop.add(T);
    const future: Hlc = { wall: T + 10 * HLC_MAX_DRIFT_MS, counter: 0, node: 'wrong-clock' };
    const fromWrongClock: ClockedItem = { ...item, quantity: 4, fieldClocks: { quantity: formatHlc(future) } };
    laptop.see(fromWrongClock, T + MINUTE);
    expect(laptop.clock.wall).toBeLessThan(future.wall); // the laptop's clock did not follow
    const edited = laptop.change(fromWrongClock, cartCommands.setQuantity(item.id, 2), T + 2 * MINUTE);
    expect(compare(fieldStamps(edited).quantity, future)).toBe(1);
    expect(fieldStamps(edited).quantity.node).toBe('laptop');
  });

  it('a document written before field clocks: every field has its last-change stamp, kept when it is first changed', () => {
    const laptop = new Device('laptop');
    const legacy = withoutFieldClocks({ ...laptop.add(T), updatedAt: T + 5 * MINUTE, updatedBy: 'phone' });
    const last = stampAt(T + 5 * MINUTE, 'phone');
    for (const field of MERGE_FIELDS) expect(fieldStamps(legacy)[field]).toEqual(last);
    laptop.see(legacy, T + 6 * MINUTE);
    const edited = laptop.change(legacy, cartCommands.setNote(legacy.id, 'gift'), T + 7 * MINUTE);
    expect(fieldStamps(edited).note).toEqual(laptop.clock);
    expect(fieldStamps(edited).quantity).toEqual(last);
  });

  it('keeps only the item fields and its clocks (storage metadata is left behind)', () => {
    const laptop = new Device('laptop');
    const item = laptop.add(T);
    const stored = { ...item, _rev: '1-abc', _meta: { lwt: 1 } } as ClockedItem;
    const edited = stampChange(stored, { ...stored, quantity: 2 }, laptop.clock);
    expect(Object.keys(edited)).not.toContain('_rev');
    expect(Object.isFrozen(edited)).toBe(true);
  });
});
