/**
 * What the Electron preload exposes to the renderer (desktop/electron/preload.ts, data built in
 * desktop/electron/bridge-data.ts). The renderer only reads it; when it is missing or malformed (the
 * page opened outside Tote's window) the app says so instead of failing.
 */
export interface DesktopBridge {
  readonly platform: string;
  readonly deviceName: string;
  readonly appVersion: string;
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
  const { platform, deviceName, appVersion } = bridge;
  if (typeof platform !== 'string' || typeof deviceName !== 'string' || typeof appVersion !== 'string') return null;
  return { platform, deviceName, appVersion };
}
