import { describe, expect, it } from 'vitest';
import { classifySender, mayRequest } from './senders.ts';

const self = { id: 'abcdefghijklmnop', baseUrl: 'chrome-extension://abcdefghijklmnop/' };

describe('message senders', () => {
  it('tells the extension\'s own pages from content scripts, and refuses other extensions and tabless senders', () => {
    expect(classifySender({ id: self.id, url: 'chrome-extension://abcdefghijklmnop/popup.html' }, self)).toEqual({ kind: 'extension' });
    // The popup opened in a tab is still the extension.
    expect(classifySender({ id: self.id, url: 'chrome-extension://abcdefghijklmnop/popup.html', tab: { id: 4 } }, self)).toEqual({ kind: 'extension' });
    // A page is named by the address the browser gives: what its checkout is filed under.
    expect(classifySender({ id: self.id, url: 'https://shop.example/p/1', tab: { id: 7 } }, self)).toEqual({ kind: 'page', tabId: 7, url: 'https://shop.example/p/1' });
    // A page whose URL merely starts like the extension's is still a page.
    expect(classifySender({ id: self.id, url: 'https://chrome-extension.example/abcdefghijklmnop/', tab: { id: 7 } }, self)).toMatchObject({ kind: 'page', tabId: 7 });
    expect(classifySender({ id: 'another-extension', url: 'chrome-extension://another-extension/x.html' }, self)).toBeNull();
    expect(classifySender({ id: self.id, url: 'https://shop.example/' }, self)).toBeNull();
    expect(classifySender({ id: self.id, tab: { id: -1 } }, self)).toBeNull();
  });

  it('lets a content script only report and add its own tab\'s product and report its own checkout; the extension anything', () => {
    const page = { kind: 'page', tabId: 7 } as const;
    expect(mayRequest(page, 'capture/found')).toBe(true);
    expect(mayRequest(page, 'capture/addOwnTab')).toBe(true);
    expect(mayRequest(page, 'capture/purchasePage')).toBe(true);
    for (const type of ['cart/dispatch', 'cart/get', 'account/get', 'account/signIn', 'account/recover', 'capture/forTab', 'capture/addFromTab', 'device/forget', 'analytics/setConsent'] as const) {
      expect(mayRequest(page, type), type).toBe(false);
    }
    expect(mayRequest({ kind: 'extension' }, 'account/recover')).toBe(true);
    expect(mayRequest(null, 'capture/found')).toBe(false);
  });
});
