import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL } from './app-protocol.ts';
import { decideNavigation, windowOptions } from './window-options.ts';

const app = APP_INDEX_URL;

describe('main process security choices', () => {
  it('isolates the renderer: context isolation, sandbox, no Node integration, the preload and its data', () => {
    expect(windowOptions('/opt/Tote/preload.cjs', ['--tote-bridge=x']).webPreferences).toMatchObject({
      preload: '/opt/Tote/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true,
      allowRunningInsecureContent: false, additionalArguments: ['--tote-bridge=x'],
    });
  });

  it('keeps the window on the app\'s own origin', () => {
    expect(decideNavigation('app://tote/index.html#settings', app)).toEqual({ action: 'allow' });
    expect(decideNavigation('app://tote/assets/index.js', app)).toEqual({ action: 'allow' });
    expect(decideNavigation('app://other/index.html', app)).toEqual({ action: 'deny' });
    expect(decideNavigation('app://tote.evil/index.html', app)).toEqual({ action: 'deny' });
    expect(decideNavigation('app://user@tote/index.html', app)).toEqual({ action: 'deny' });
    expect(decideNavigation('app://tote:8080/index.html', app)).toEqual({ action: 'deny' });
    expect(decideNavigation('file:///etc/passwd', app)).toEqual({ action: 'deny' });
    expect(decideNavigation('file:///opt/Tote/resources/app/dist/index.html', app)).toEqual({ action: 'deny' });
  });

  it('opens product links in the shopper\'s browser and refuses every other scheme', () => {
    expect(decideNavigation('https://shop.example/p/1', app)).toEqual({ action: 'open-externally', url: 'https://shop.example/p/1' });
    expect(decideNavigation('http://shop.example/p/1', app)).toEqual({ action: 'open-externally', url: 'http://shop.example/p/1' });
    expect(decideNavigation('javascript:alert(1)', app)).toEqual({ action: 'deny' });
    expect(decideNavigation('data:text/html,<script>alert(1)</script>', app)).toEqual({ action: 'deny' });
    expect(decideNavigation('smb://fileserver/share', app)).toEqual({ action: 'deny' });
    expect(decideNavigation('not a url', app)).toEqual({ action: 'deny' });
  });
});
