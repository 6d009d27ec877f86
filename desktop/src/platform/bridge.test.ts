import { describe, expect, it } from 'vitest';
import { desktopBridge } from './bridge.ts';

describe('desktopBridge', () => {
  it('reads the device data the preload exposed', () => {
    const toteDesktop = Object.freeze({ platform: 'linux', deviceName: 'Tote on kitchen-laptop', appVersion: '0.1.0' });
    expect(desktopBridge({ toteDesktop })).toEqual(toteDesktop);
  });

  it('passes the main process\'s key store on when the preload exposes one, and leaves a malformed one out', () => {
    const keyStore = { load: async () => null, save: async () => undefined, clear: async () => undefined };
    const base = { platform: 'linux', deviceName: 'Tote on kitchen-laptop', appVersion: '0.1.0' };
    expect(desktopBridge({ toteDesktop: { ...base, keyStore } })?.keyStore).toBe(keyStore);
    expect(desktopBridge({ toteDesktop: { ...base, keyStore: { load: 'x' } } })).toEqual(base);
  });

  it('passes the request for system notifications on when the preload exposes it', () => {
    const notify = async () => undefined;
    const base = { platform: 'linux', deviceName: 'Tote on kitchen-laptop', appVersion: '0.1.0' };
    expect(desktopBridge({ toteDesktop: { ...base, notify } })?.notify).toBe(notify);
    expect(desktopBridge({ toteDesktop: { ...base, notify: 'x' } })).toEqual(base);
  });

  it('is null outside Tote\'s window or when the bridge is malformed', () => {
    expect(desktopBridge({})).toBeNull();
    expect(desktopBridge({ toteDesktop: null })).toBeNull();
    expect(desktopBridge({ toteDesktop: 'linux' })).toBeNull();
    expect(desktopBridge({ toteDesktop: { platform: 'linux', deviceName: 'x' } })).toBeNull();
  });
});
