import { describe, expect, it } from 'vitest';
import { cartCommands, cartReducer, initialCartState, stamp, type CartCommand, type CartState } from '@tote/core';
import { desktopNotifier } from './desktop-notifications.ts';
import type { DesktopNotification } from './platform/bridge.ts';

const kettle = { url: 'https://shop.example/kettle', title: 'Red Kettle', priceMinor: 3490, currency: 'EUR', imageUrl: null, variant: null };
const apply = (state: CartState, command: CartCommand, at: number) => cartReducer(state, stamp(command, { at, device: 'd', newId: `i${at}` }));

describe('system notifications from the desktop window', () => {
  it('notifies a new price drop, new conflict notices and the session\'s idle warning, each once', () => {
    const shown: DesktopNotification[] = [];
    const notifier = desktopNotifier((request) => void shown.push(request), () => 1_000_000);
    const loaded = apply(cartReducer(initialCartState, { type: 'sync/loaded', docs: [] }), cartCommands.add(kettle), 1);
    notifier.cart(loaded);
    notifier.notices(['old']);
    notifier.account('signed-in', 1_000_000 + 30 * 60_000);
    expect(shown).toEqual([]);

    const cheaper = apply(loaded, cartCommands.priceSeen(kettle.url, 2990, 'EUR'), 2);
    notifier.cart(cheaper);
    expect(shown).toEqual([{ kind: 'price-drop', title: 'Red Kettle', was: expect.stringContaining('34.90'), now: expect.stringContaining('29.90') }]);
    notifier.cart(cheaper);
    notifier.cart(apply(cheaper, cartCommands.setQuantity('i1', 2), 3));
    expect(shown).toHaveLength(1);

    notifier.notices(['old', 'n1', 'n2']);
    expect(shown[1]).toEqual({ kind: 'conflict', count: 2 });
    notifier.notices(['old', 'n1', 'n2']);
    notifier.account('expiring', 1_000_000 + 2 * 60_000);
    notifier.account('expiring', 1_000_000 + 2 * 60_000);
    expect(shown.slice(2)).toEqual([{ kind: 'session-ending', minutes: 2 }]);
  });

  it('takes what was there at start as the baseline', () => {
    const shown: DesktopNotification[] = [];
    const notifier = desktopNotifier((request) => void shown.push(request));
    notifier.notices(['a', 'b']);
    notifier.account('expiring', Date.now() + 60_000);
    expect(shown).toEqual([]);
  });
});
