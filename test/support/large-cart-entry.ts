/**
 * Runs inside real Chromium, on the desktop renderer's own origin (bundled by large-cart.ts): opens the
 * desktop's device app exactly as the renderer does (desktop/src/platform/desktop-client.ts, sealed at
 * rest with the window's key store) and writes a large cart into it in a few bulk writes, as if another
 * device had added the items and this one had received them. The renderer opened afterwards on the same
 * origin finds them in its IndexedDB.
 */
import { hlc, stampChange, type CartItem } from '@tote/core';
import { desktopBridge } from '../../desktop/src/platform/bridge.ts';
import { createDesktopApp } from '../../desktop/src/platform/desktop-client.ts';
import { largeCartItem } from './large-cart-items.ts';

async function seed(count: number): Promise<number> {
  const bridge = desktopBridge(window);
  if (!bridge) throw new Error('the desktop bridge is missing');
  const { client } = await createDesktopApp(bridge).open();
  for (let start = 0; start < count; start += 1000) {
    const docs = [];
    for (let i = start; i < Math.min(count, start + 1000); i += 1) {
      const item: CartItem = largeCartItem(i);
      docs.push(stampChange(null, item, hlc(item.addedAt, 0, item.addedBy)));
    }
    const { error } = await client.db.items.bulkInsert(docs);
    if (error.length > 0) throw new Error(`${error.length} items were refused`);
  }
  await client.store.settled();
  return Object.values(client.store.getState().items).filter((item) => !item.deleted).length;
}

(globalThis as unknown as { toteSeed: typeof seed }).toteSeed = seed;
