import { defineContentScript } from 'wxt/utils/define-content-script';
import { extractProduct, recognisePurchasePage } from '../capture/index.ts';
import { mountCaptureButton } from '../content/capture-button.ts';
import { request } from '../messaging/client.ts';

export default defineContentScript({
  matches: ['<all_urls>'],
  runAt: 'document_idle',
  main() {
    // A checkout or an order confirmation (docs/capture.md): reported for this tab only.
    try {
      const purchase = recognisePurchasePage(document, location.href);
      if (purchase) void request('capture/purchasePage', { kind: purchase.kind }).catch(() => undefined);
    } catch {
      // Never breaks the shop's page.
    }
    // Never let a hostile or odd page break the shop: any failure here just means "no product".
    let product;
    // Timed for the Diagnostics panel (docs/analytics.md, "Monitoring"): only how long, nothing of the page.
    const started = performance.now();
    try {
      product = extractProduct(document, location.href);
    } catch {
      return;
    }
    if (!product) return;
    const found = product;
    void request('capture/found', { product: found, captureMs: performance.now() - started }).catch(() => undefined);
    try {
      mountCaptureButton(document, {
        product: found,
        add: async () => {
          // Only its own tab's product: a content script may make no other change to the cart (senders.ts).
          const result = await request('capture/addOwnTab', { product: found });
          return result.ok ? null : result.message;
        },
      });
    } catch {
      // A page that refuses the element (an odd document type, a page-defined <tote-capture>) keeps
      // working without the button; the popup, context menu and shortcut still add the product.
    }
  },
});
