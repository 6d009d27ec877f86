import { describe, expect, it } from 'vitest';
import { bridgeData, decideNavigation, windowOptions } from './window-options.ts';

const app = 'file:///opt/Tote/resources/app/dist/index.html';

describe('main process security choices', () => {
  it('isolates the renderer: context isolation, sandbox, no Node integration', () => {
    expect(windowOptions('/opt/Tote/preload.js').webPreferences).toMatchObject({
      preload: '/opt/Tote/preload.js', contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true,
    });
  });

  it('keeps the window on the app\'s own files and opens product links in the browser', () => {
    expect(decideNavigation('file:///opt/Tote/resources/app/dist/index.html#settings', app)).toEqual({ action: 'allow' });
    expect(decideNavigation('file:///etc/passwd', app)).toEqual({ action: 'deny' });
    expect(decideNavigation('https://shop.example/p/1', app)).toEqual({ action: 'open-externally', url: 'https://shop.example/p/1' });
    expect(decideNavigation('javascript:alert(1)', app)).toEqual({ action: 'deny' });
    expect(decideNavigation('not a url', app)).toEqual({ action: 'deny' });
  });

  it('exposes only plain, frozen device data to the renderer', () => {
    const data = bridgeData({ platform: 'linux', hostname: 'kitchen-laptop', appVersion: '0.1.0' });
    expect(data).toEqual({ platform: 'linux', deviceName: 'Tote on kitchen-laptop', appVersion: '0.1.0' });
    expect(Object.isFrozen(data)).toBe(true);
  });
});
