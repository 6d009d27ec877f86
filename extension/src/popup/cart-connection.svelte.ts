/**
 * The popup's live view of the background's cart and sync state, over the 'tote-popup' port.
 *
 * Chrome stops an idle MV3 service worker after ~30 s even while a popup's port is open
 * (https://developer.chrome.com/docs/extensions/develop/concepts/service-workers/lifecycle), which
 * disconnects the port. The popup then connects again: connecting wakes the worker, which re-opens the
 * database and pushes the current snapshot, so an open popup never goes stale.
 */
import { browser, type Browser } from 'wxt/browser';
import type { CartCommand } from '@tote/core';
import { request } from '../messaging/client.ts';
import { POPUP_PORT, type CartSnapshot } from '../messaging/protocol.ts';

const RECONNECT_DELAY_MS = 250;
const UNREACHABLE = 'Tote could not reach its background service. Close and reopen this window, then try again.';

export class CartConnection {
  snapshot = $state<CartSnapshot | null>(null);
  problem = $state<string | null>(null);

  /** Connects and keeps connected until the returned function is called. */
  connect(): () => void {
    let port: Browser.runtime.Port | null = null;
    let closed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      if (closed) return;
      try {
        port = browser.runtime.connect({ name: POPUP_PORT });
      } catch {
        this.problem = UNREACHABLE;
        return;
      }
      port.onMessage.addListener((message) => {
        this.snapshot = message as CartSnapshot;
      });
      port.onDisconnect.addListener(() => {
        port = null;
        if (!closed) timer = setTimeout(open, RECONNECT_DELAY_MS);
      });
    };
    open();
    return () => {
      closed = true;
      clearTimeout(timer);
      port?.disconnect();
    };
  }

  /**
   * "Use the other value" or "Dismiss" on a conflict notice. Resolves to the reason it could not be done
   * (a notice already dealt with, an item removed since), or null; the notice leaves with the next snapshot.
   */
  async resolveNotice(action: 'override' | 'dismiss', id: string): Promise<string | null> {
    try {
      const result = await request(action === 'override' ? 'conflicts/override' : 'conflicts/dismiss', { id });
      return result.ok ? null : result.message;
    } catch {
      return UNREACHABLE;
    }
  }

  /** "I have written it down": the recovery key leaves the account state. Resolves to why that did not work, or null. */
  async acknowledgeRecoveryKey(): Promise<string | null> {
    try {
      const result = await request('account/acknowledgeRecoveryKey', {});
      return result.ok ? null : result.message;
    } catch {
      return UNREACHABLE;
    }
  }

  /** "OK" on a notice about an item that could not be read. */
  async dismissUnreadable(id: string): Promise<void> {
    try {
      const result = await request('unreadable/dismiss', { id });
      if (!result.ok) this.problem = result.message;
    } catch {
      this.problem = UNREACHABLE;
    }
  }

  /** Sends a command; a refusal or a lost background is shown to the shopper, never dropped. */
  async dispatch(command: CartCommand): Promise<boolean> {
    try {
      const result = await request('cart/dispatch', { command });
      this.problem = result.ok ? null : result.message;
      return result.ok;
    } catch {
      this.problem = UNREACHABLE;
      return false;
    }
  }
}
