/**
 * The in-page "Add to Tote" control: a custom element with its own (open) shadow root, so the shop's
 * styles cannot reach it and it cannot disturb the shop's page. Product text is set with textContent,
 * never parsed as HTML.
 */
import { formatMoney, type ProductInput } from '@tote/core';

const STYLE = `
  :host { all: initial; position: fixed; right: 16px; bottom: 16px; z-index: 2147483647; }
  .box { font: 13px/1.4 system-ui, sans-serif; color: #1d2b24; background: #fff; border: 1px solid #cfd8d3;
    border-radius: 10px; box-shadow: 0 4px 16px rgba(0,0,0,.15); padding: 8px; max-width: 320px;
    display: flex; flex-direction: column; gap: 6px; }
  button { font: inherit; font-weight: 600; color: #fff; background: #2f7d5b; border: 0; border-radius: 8px;
    padding: 8px 12px; cursor: pointer; text-align: left; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
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
  const shadow = host.attachShadow({ mode: 'open' });
  const style = doc.createElement('style');
  style.textContent = STYLE;
  const box = doc.createElement('div');
  box.className = 'box';
  const button = doc.createElement('button');
  button.type = 'button';
  const price = product.priceMinor === null ? '' : ` · ${formatMoney(product.priceMinor, product.currency)}`;
  button.textContent = `Add to Tote: ${product.title}${price}`;
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
  (doc.body ?? doc.documentElement).append(host);
  return host;
}
