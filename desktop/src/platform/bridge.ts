/**
 * What the Electron preload exposes to the renderer (desktop/electron/preload.ts). The renderer only
 * reads it; when it is missing (opened outside Tote's window) the app says so instead of failing.
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

export function desktopBridge(): DesktopBridge | null {
  const bridge = window.toteDesktop;
  return bridge && typeof bridge.deviceName === 'string' ? bridge : null;
}
