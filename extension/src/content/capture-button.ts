/**
 * The in-page "Add to Tote" control: a custom element with its own (open) shadow root, so the shop's
 * styles cannot reach it and it cannot disturb the shop's page. Product text is set with textContent,
 * never parsed as HTML.
 */
import type { ProductInput } from '@tote/core';
// Money alone, not the core's entry: the content script runs in every shop page and stays small.
import { formatMoney } from '@tote/core/money';

const HOST_STYLE = ['all: initial', 'display: block', 'position: fixed', 'right: 16px', 'bottom: 16px', 'left: auto', 'top: auto',
  'z-index: 2147483647', 'visibility: visible', 'opacity: 1', 'transform: none', 'pointer-events: auto']
  .map((declaration) => `${declaration} !important;`).join(' ');

const STYLE = `
  .box { font: 13px/1.4 system-ui, sans-serif; color: #1d2b24; background: #fff; border: 1px solid #cfd8d3;
    border-radius: 10px; box-shadow: 0 4px 16px rgba(0,0,0,.15); padding: 8px; max-width: 320px;
    display: flex; flex-direction: column; gap: 6px; }
  button { font: inherit; font-weight: 600; color: #fff; background: #2f7d5b; border: 0; border-radius: 8px;
    padding: 8px 12px; cursor: pointer; text-align: left; display: flex; min-width: 0; white-space: pre; }
  .name { overflow: hidden; text-overflow: ellipsis; min-width: 0; }
  .price { flex-shrink: 0; }
  button:disabled { opacity: .6; cursor: default; }
  .status:empty { display: none; }
  .status.error { color: #a3261b; }
`;

export interface CaptureButtonOptions {
  readonly product: ProductInput;
  /** Adds the product; resolves to null on success or a message for the shopper. */
  readonly add: () => Promise<string | null>;
}

export function mountCaptureButton(doc: Document, { product, add }: CaptureButtonOptions): HTMLElement {
  const host = doc.createElement('tote-capture');
  // The shop's stylesheet still reaches the host element itself (its rules beat :host), so the host's
  // own box is pinned inline with !important, which no author stylesheet can override.
  host.setAttribute('style', HOST_STYLE);
  const shadow = host.attachShadow({ mode: 'open' });
  const style = doc.createElement('style');
  style.textContent = STYLE;
  const box = doc.createElement('div');
  box.className = 'box';
  const button = doc.createElement('button');
  button.type = 'button';
  // Title and price in separate spans so a long title is cut with an ellipsis but the price stays readable;
  // the button's text is still "Add to Tote: <title> · <price>".
  const name = doc.createElement('span');
  name.className = 'name';
  name.textContent = `Add to Tote: ${product.title}`;
  button.append(name);
  if (product.priceMinor !== null) {
    const price = doc.createElement('span');
    price.className = 'price';
    price.textContent = ` · ${formatMoney(product.priceMinor, product.currency)}`;
    button.append(price);
  }
  button.title = product.title;
  const status = doc.createElement('div');
  status.className = 'status';
  status.setAttribute('role', 'status');
  status.dataset.testid = 'capture-status';
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.className = 'status';
    status.textContent = 'Adding…';
    const problem = await add().catch(() => 'Tote could not add this product. Please try again.');
    status.className = problem ? 'status error' : 'status';
    status.textContent = problem ?? 'Added to Tote ✓';
    button.disabled = false;
  });
  box.append(button, status);
  shadow.append(style, box);
  // On <html>, not <body>: a transformed or filtered body would turn position: fixed into "scroll with
  // the body", and rules like `body * { display: none }` cannot match it there.
  doc.documentElement.append(host);
  return host;
}
