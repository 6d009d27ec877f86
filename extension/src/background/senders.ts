/**
 * Who sent a message to the background (docs/architecture.md, "Messages"). Every request is decided on
 * its sender: Tote's own pages (the popup) may make any request; a content script, which runs inside a
 * shop's page and is only as trustworthy as that page lets it be, may only report the product of its
 * own tab, add that product, and report that its own page is a checkout or an order confirmation. Anything from another extension, or that names no tab, is refused.
 * Pure: the browser's sender in, a decision out.
 */
import type { RequestType } from '../messaging/protocol.ts';

export type RequestSender =
  | { readonly kind: 'extension' }
  | { readonly kind: 'page'; readonly tabId: number; readonly url?: string };

/** What the browser says about a sender (runtime.MessageSender, or a port's `sender`). */
export interface BrowserSender {
  readonly id?: string;
  readonly url?: string;
  readonly tab?: { readonly id?: number };
}

/** The only requests a content script may make, each about its own tab. */
export const PAGE_REQUESTS: ReadonlySet<RequestType> = new Set<RequestType>(['capture/found', 'capture/addOwnTab', 'capture/purchasePage']);

/**
 * `self`: this extension's id and the base URL of its pages (`runtime.getURL('/')`). A sender whose URL
 * is one of this extension's pages is the extension itself (the popup, also when opened in a tab); one
 * in a tab with another URL is a content script of that tab; anything else is refused (null).
 */
export function classifySender(sender: BrowserSender, self: { readonly id: string; readonly baseUrl: string }): RequestSender | null {
  if (sender.id !== self.id) return null;
  if (typeof sender.url === 'string' && sender.url.startsWith(self.baseUrl)) return { kind: 'extension' };
  const tabId = sender.tab?.id;
  // The page's address as the browser says it (never as the page says it): what a checkout is filed under.
  if (typeof tabId === 'number' && tabId >= 0) return { kind: 'page', tabId, ...(typeof sender.url === 'string' ? { url: sender.url } : {}) };
  return null;
}

/** Whether `sender` may make a request of `type`. */
export function mayRequest(sender: RequestSender | null, type: RequestType): boolean {
  if (sender === null) return false;
  return sender.kind === 'extension' || PAGE_REQUESTS.has(type);
}
