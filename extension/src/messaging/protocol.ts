/**
 * The typed message protocol between the extension's contexts and the background service worker,
 * which alone owns the cart database. Every request type names its response type; no untyped strings.
 */
import type { AccountState, CartCommand, DeviceView, ItemCorrections, MergeRule, ToteErrorCode } from '@tote/core';
import type { CapturedProduct, PurchasePageKind } from '../capture/index.ts';

/** What the shopper types to sign in or create an account. */
export interface SignInRequest {
  readonly serverUrl: string;
  readonly name: string;
  readonly password: string;
  /** Create the account instead of signing in to an existing one. */
  readonly create: boolean;
  /** How a guest cart's lines that are also in the account combine. */
  readonly mergeRule?: MergeRule;
}

/** A conflict notice as the popup shows it (built by the core's `noticeViews`). */
export type { NoticeView } from '@tote/core';

/** Everything the popup shows: the device app's view (core/src/app/device-app.ts), sent over the popup's port. */
export type CartSnapshot = DeviceView;

export type Failure = { readonly ok: false; readonly code: ToteErrorCode | 'UNKNOWN'; readonly message: string };
export type Result<T = undefined> = ({ readonly ok: true } & (T extends undefined ? unknown : { readonly value: T })) | Failure;

export interface Requests {
  'cart/dispatch': { request: { command: CartCommand }; response: Result };
  'cart/get': { request: Record<string, never>; response: CartSnapshot };
  /** The signed-in state and the server address used last (to fill in the form). */
  'account/get': { request: Record<string, never>; response: { account: AccountState; lastServerUrl: string | null } };
  'account/signIn': { request: SignInRequest; response: Result };
  'account/guest': { request: { serverUrl: string }; response: Result };
  'account/signOut': { request: Record<string, never>; response: Result };
  /** "Stay signed in" in the idle warning. */
  'account/stay': { request: Record<string, never>; response: Result };
  'account/dismissNotice': { request: Record<string, never>; response: Result };
  /** "Forgot password? Use your recovery key": a new password set with the recovery key, then signed in. */
  'account/recover': { request: { serverUrl: string; name: string; recoveryKey: string; newPassword: string }; response: Result };
  /** The password that unlocks the cart's key on this device (while `account.locked`). */
  'account/unlock': { request: { password: string }; response: Result };
  /** "Remove this cart from this browser" while it is locked and its password is lost. */
  'device/forget': { request: Record<string, never>; response: Result };
  /** "I have written it down": the recovery key leaves the account state. */
  'account/acknowledgeRecoveryKey': { request: Record<string, never>; response: Result };
  /** "Use 6 instead" on a conflict notice: the value that lost, as a new change. */
  'conflicts/override': { request: { id: string }; response: Result };
  'conflicts/dismiss': { request: { id: string }; response: Result };
  /** "OK" on a notice about a document that could not be read. */
  'unreadable/dismiss': { request: { id: string }; response: Result };
  /** From a content script: the product recognised on its own tab. */
  'capture/found': { request: { product: CapturedProduct; /** How long reading the page took, in ms (the Diagnostics panel). */ captureMs?: number }; response: Result };
  /** From a content script: adds the product recognised on its own tab (the page's "Add to Tote" button). */
  'capture/addOwnTab': { request: { product: CapturedProduct }; response: Result };
  /**
   * From a content script: its own page is a checkout or an order confirmation (capture/purchase-page.ts).
   * The shop is the sender's page as the browser names it, never what the page says.
   */
  'capture/purchasePage': { request: { kind: PurchasePageKind }; response: Result };
  'capture/forTab': { request: { tabId: number }; response: { product: CapturedProduct | null } };
  /** Adds the product recognised on a tab, with the shopper's corrections if any. */
  'capture/addFromTab': { request: { tabId: number; corrections?: ItemCorrections }; response: Result };
  /** The shopper's choice to share daily usage counts from this browser (docs/analytics.md); only the popup may send it. */
  'analytics/setConsent': { request: { on: boolean }; response: Result };
}

export type RequestType = keyof Requests;
export type Message<K extends RequestType = RequestType> = { readonly type: K } & Requests[K]['request'];
export type Response<K extends RequestType> = Requests[K]['response'];

/** The port the popup opens to receive the cart and sync state whenever either changes. */
export const POPUP_PORT = 'tote-popup';

export function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
