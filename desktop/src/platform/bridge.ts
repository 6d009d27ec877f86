/**
 * What the Electron preload exposes to the renderer (desktop/electron/preload.ts, data built in
 * desktop/electron/bridge-data.ts). The renderer only reads it; when it is missing or malformed (the
 * page opened outside Tote's window) the app says so instead of failing.
 */
export interface DesktopBridge {
  readonly platform: string;
  readonly deviceName: string;
  readonly appVersion: string;
  /**
   * The cart key store in the main process (electron/key-store.ts: OS-encrypted with `safeStorage`),
   * the key as base64url text. Absent (a test page, or an older preload): the key is kept in memory only
   * and the cart is locked after each start.
   */
  readonly keyStore?: DesktopKeyStore;
  /**
   * Asks the main process for a system notification (desktop/electron/app-shell.ts: notificationText
   * says which it shows). Absent on a test page.
   */
  readonly notify?: (request: DesktopNotification) => Promise<void>;
}

/** What the renderer may ask to be shown as a system notification. */
export type DesktopNotification =
  | { readonly kind: 'price-drop'; readonly title: string; readonly was: string; readonly now: string }
  | { readonly kind: 'conflict'; readonly count: number }
  | { readonly kind: 'session-ending'; readonly minutes: number };

export interface DesktopKeyStore {
  load(accountKey: string): Promise<string | null>;
  save(accountKey: string, key: string): Promise<void>;
  clear(accountKey: string): Promise<void>;
}

declare global {
  interface Window {
    toteDesktop?: DesktopBridge;
  }
}

/** The renderer passes its `window`; tests pass a plain object. */
export function desktopBridge(scope: { readonly toteDesktop?: unknown }): DesktopBridge | null {
  const bridge = scope.toteDesktop as Partial<Record<keyof DesktopBridge, unknown>> | null | undefined;
  if (!bridge || typeof bridge !== 'object') return null;
  const { platform, deviceName, appVersion, keyStore, notify } = bridge;
  if (typeof platform !== 'string' || typeof deviceName !== 'string' || typeof appVersion !== 'string') return null;
  const store = keyStore as Partial<Record<keyof DesktopKeyStore, unknown>> | undefined;
  const usable = !!store && typeof store.load === 'function' && typeof store.save === 'function' && typeof store.clear === 'function';
  return {
    platform, deviceName, appVersion, ...(usable ? { keyStore: store as DesktopKeyStore } : {}),
    ...(typeof notify === 'function' ? { notify: notify as NonNullable<DesktopBridge['notify']> } : {}),
  };
}
