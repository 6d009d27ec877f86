/** The popup's live view of the background's cart and sync state, over the 'tote-popup' port. */
import { browser } from 'wxt/browser';
import type { CartCommand } from '@tote/core';
import { request } from '../messaging/client.ts';
import { POPUP_PORT, type CartSnapshot } from '../messaging/protocol.ts';

export class CartConnection {
  snapshot = $state<CartSnapshot | null>(null);
  problem = $state<string | null>(null);

  connect(): () => void {
    const port = browser.runtime.connect({ name: POPUP_PORT });
    port.onMessage.addListener((message) => {
      this.snapshot = message as CartSnapshot;
    });
    return () => port.disconnect();
  }

  async dispatch(command: CartCommand): Promise<void> {
    const result = await request('cart/dispatch', { command });
    this.problem = result.ok ? null : result.message;
  }
}
