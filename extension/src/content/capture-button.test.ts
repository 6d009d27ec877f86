/** The in-page button: open shadow root, product text as text, result or refusal shown to the shopper. */
import { describe, expect, it } from 'vitest';
import { mountCaptureButton } from './capture-button.ts';

const product = { url: 'https://shop.example/lamp', title: '<img src=x onerror="alert(1)">Lamp', priceMinor: 1999, currency: 'EUR', imageUrl: null, variant: null };

function mount(add: () => Promise<string | null>) {
  document.documentElement.innerHTML = '<head><style>button { display: none !important }</style></head><body></body>';
  const host = mountCaptureButton(document, { product, add });
  const shadow = host.shadowRoot!;
  return { host, shadow, button: shadow.querySelector('button')!, status: () => shadow.querySelector('[data-testid=capture-status]')!.textContent };
}

describe('the Add to Tote button', () => {
  it('sits in an open shadow root on <tote-capture>, with the title and price as text', () => {
    const { host, shadow, button } = mount(async () => null);
    expect(host.tagName).toBe('TOTE-CAPTURE');
    expect(shadow.mode).toBe('open');
    expect(button.textContent).toBe('Add to Tote: <img src=x onerror="alert(1)">Lamp · €19.99');
    expect(shadow.querySelector('img')).toBeNull();
    expect(host.getAttribute('style')).toContain('position: fixed !important');
  });

  it('says "Added to Tote" once added, and shows the refusal otherwise', async () => {
    let answer: string | null = null;
    const { button, status } = mount(async () => answer);
    button.click();
    await expect.poll(status).toContain('Added to Tote');
    answer = 'The product link must start with http or https.';
    button.click();
    await expect.poll(status).toBe(answer);
  });

  it('tells the shopper when the background cannot be reached', async () => {
    const { button, status } = mount(() => Promise.reject(new Error('Extension context invalidated.')));
    button.click();
    await expect.poll(status).toBe('Tote could not add this product. Please try again.');
  });
});
