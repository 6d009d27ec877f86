/**
 * The device data the preload exposes to the renderer as window.toteDesktop, and how it travels there.
 *
 * A sandboxed preload cannot load Node modules such as `os` (its `require` only knows `electron`,
 * `events`, `timers` and `url`: https://www.electronjs.org/docs/latest/tutorial/sandbox#preload-scripts),
 * so the main process gathers the data and hands it over as one command-line switch
 * (webPreferences.additionalArguments), which the preload reads from `process.argv`. No Node API reaches
 * the renderer: only these three strings, the three calls of the key store (KEY_STORE_CHANNELS) and the
 * request for a system notification (NOTIFY_CHANNEL).
 *
 * Imported by preload.ts: keep it free of runtime imports.
 */
import type { DesktopBridge } from '../src/platform/bridge.ts';

/** The renderer's view of the bridge is the one definition of its shape (the key store is added by the preload). */
export type BridgeData = Omit<DesktopBridge, 'keyStore'>;

export const BRIDGE_SWITCH = '--tote-bridge=';

/**
 * The only IPC the renderer has: its cart key store (key-store.ts), answered by the main process for
 * Tote's own page only (main.ts).
 */
export const KEY_STORE_CHANNELS = Object.freeze({ load: 'tote:keys:load', save: 'tote:keys:save', clear: 'tote:keys:clear' });

/** A system notification the renderer asks for (app-shell.ts: notificationText checks and words it). */
export const NOTIFY_CHANNEL = 'tote:notify';

/** What the preload exposes: nothing but plain, frozen data about the device. */
export function bridgeData(info: { platform: string; hostname: string; appVersion: string }): BridgeData {
  const os = ({ darwin: 'Mac', win32: 'Windows', linux: 'Linux' } as Record<string, string>)[info.platform] ?? info.platform;
  return Object.freeze({ platform: info.platform, deviceName: `Tote on ${info.hostname || os}`, appVersion: info.appVersion });
}

/** The switch main adds to the renderer's command line. */
export function bridgeSwitch(data: BridgeData): string {
  return BRIDGE_SWITCH + encodeURIComponent(JSON.stringify(data));
}

/** Reads the switch back in the preload; null when it is missing or malformed (the renderer then says so). */
export function bridgeFromArgv(argv: readonly string[]): BridgeData | null {
  const arg = argv.find((candidate) => candidate.startsWith(BRIDGE_SWITCH));
  if (!arg) return null;
  try {
    const value = JSON.parse(decodeURIComponent(arg.slice(BRIDGE_SWITCH.length))) as Record<string, unknown>;
    const { platform, deviceName, appVersion } = value;
    if (typeof platform !== 'string' || typeof deviceName !== 'string' || typeof appVersion !== 'string') return null;
    return Object.freeze({ platform, deviceName, appVersion });
  } catch {
    return null;
  }
}
