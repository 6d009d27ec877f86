/**
 * Which system notifications the desktop asks for (through the preload's `notify`; the main process words
 * and shows them: desktop/electron/app-shell.ts). Decided from two snapshots of what the window shows, so
 * each event is notified once, when it happens, and never for what was already there when Tote started:
 * - a price drop: an item's price fell below the price it was added at, by this change (newPriceDrops);
 * - changes to review: new conflict notices (docs/merge.md);
 * - a session about to end: the account entered its idle warning (docs/accounts.md).
 */
import { formatMoney, newPriceDrops, type CartState } from '@tote/core';
import type { DesktopNotification } from './platform/bridge.ts';

export interface NotificationSnapshot {
  readonly cart: CartState | null;
  readonly noticeIds: readonly string[];
  readonly accountPhase: string;
  readonly expiresAt: number | null;
}

export function notificationsBetween(before: NotificationSnapshot, after: NotificationSnapshot, now: number): DesktopNotification[] {
  const out: DesktopNotification[] = [];
  if (before.cart && after.cart) {
    const changed = Object.values(after.cart.items).filter((item) => item !== before.cart!.items[item.id]);
    for (const item of newPriceDrops(changed, before.cart)) {
      out.push({ kind: 'price-drop', title: item.title, was: formatMoney(item.addedPriceMinor!, item.currency), now: formatMoney(item.priceMinor!, item.currency) });
    }
  }
  const known = new Set(before.noticeIds);
  const fresh = after.noticeIds.filter((id) => !known.has(id)).length;
  if (fresh > 0) out.push({ kind: 'conflict', count: fresh });
  if (after.accountPhase === 'expiring' && before.accountPhase !== 'expiring' && after.expiresAt !== null) {
    out.push({ kind: 'session-ending', minutes: Math.max(0, Math.ceil((after.expiresAt - now) / 60_000)) });
  }
  return out;
}

/**
 * Feeds notificationsBetween from the window's streams. The first value of each stream is what was there
 * when Tote started (a cart loaded from disk, notices kept from before): it is the baseline, never notified.
 */
export function desktopNotifier(notify: (request: DesktopNotification) => unknown, now: () => number = Date.now) {
  let current: NotificationSnapshot = { cart: null, noticeIds: [], accountPhase: 'signed-out', expiresAt: null };
  const seen = { cart: false, notices: false, account: false };
  const advance = (stream: keyof typeof seen, next: NotificationSnapshot) => {
    const before = seen[stream] ? current : next;
    seen[stream] = true;
    for (const request of notificationsBetween(before, next, now())) void Promise.resolve(notify(request)).catch(() => undefined);
    current = next;
  };
  return {
    cart: (cart: CartState) => advance('cart', { ...current, cart }),
    notices: (ids: readonly string[]) => advance('notices', { ...current, noticeIds: ids }),
    account: (phase: string, expiresAt: number | null) => advance('account', { ...current, accountPhase: phase, expiresAt }),
  };
}
