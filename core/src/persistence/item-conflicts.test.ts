import { describe, expect, it } from 'vitest';
import { cartCommands } from '../cart/cart-actions.ts';
import { mergeItem } from '../merge/field-merge.ts';
import type { ClockedItem } from '../merge/item-clocks.ts';
import { Device, MINUTE, T } from '../merge/test/devices.ts';
import { createItemConflictHandler, PULL_OVER_LOCAL } from './item-conflicts.ts';

describe('the item conflict handler', () => {
  const laptop = new Device('laptop');
  const phone = new Device('phone', -10 * MINUTE);
  const added = phone.see(laptop.add(T), T);
  const four = laptop.change(added, cartCommands.setQuantity(added.id, 4), T + MINUTE);
  const { merged } = mergeItem(added, phone.change(added, cartCommands.setQuantity(added.id, 6), T + MINUTE), four);
  phone.see(merged, T + 2 * MINUTE);
  const overridden = phone.change(merged, cartCommands.setQuantity(added.id, 6), T + 3 * MINUTE);
  const handler = createItemConflictHandler();
  /** A version as the replication hands it over. */
  const v = (item: ClockedItem, deleted = false) => ({ ...item, _deleted: deleted });

  it('does not let a pulled version this device already moved past replace its own (it would show an old value)', () => {
    // The laptop's 4, fetched before the phone's override reached the server, arrives after it.
    expect(handler.isEqual(v(four), v(overridden), PULL_OVER_LOCAL)).toBe(true);
    expect(handler.isEqual(v(four), v(overridden), 'upstream-check-if-equal')).toBe(false); // only the pull's check
  });

  it('lets every newer or different pulled version in', () => {
    const later = laptop.change(laptop.see(overridden, T + 4 * MINUTE), cartCommands.setNote(added.id, 'oak'), T + 5 * MINUTE);
    expect(handler.isEqual(v(later), v(overridden), PULL_OVER_LOCAL)).toBe(false);
    expect(handler.isEqual(v(four, true), v(overridden), PULL_OVER_LOCAL)).toBe(false);
    expect(handler.isEqual(v(overridden), v(overridden), PULL_OVER_LOCAL)).toBe(true);
  });
});
