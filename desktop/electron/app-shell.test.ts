import { describe, expect, it } from 'vitest';
import { appMenuTemplate, focusExistingWindow, notificationText, singleInstanceDecision, trayMenuTemplate, updaterSetting, type FocusableWindow, type MenuEntry } from './app-shell.ts';

function standInWindow(state: { minimized: boolean; destroyed?: boolean }) {
  const calls: string[] = [];
  const window: FocusableWindow = {
    isDestroyed: () => state.destroyed ?? false,
    isMinimized: () => state.minimized,
    restore: () => { calls.push('restore'); state.minimized = false; },
    show: () => void calls.push('show'),
    focus: () => void calls.push('focus'),
  };
  return { window, calls };
}

const roles = (entries: readonly MenuEntry[]): string[] => entries.flatMap((entry) => [...(entry.role ? [entry.role] : []), ...roles(entry.submenu ?? [])]);

describe('the desktop shell', () => {
  it('runs one instance: a second launch quits and the first window comes forward', () => {
    expect(singleInstanceDecision(true)).toBe('run');
    expect(singleInstanceDecision(false)).toBe('quit');
    const minimised = standInWindow({ minimized: true });
    expect(focusExistingWindow(minimised.window)).toBe('focused');
    expect(minimised.calls).toEqual(['restore', 'show', 'focus']);
    const open = standInWindow({ minimized: false });
    expect(focusExistingWindow(open.window)).toBe('focused');
    expect(open.calls).toEqual(['show', 'focus']);
    expect(focusExistingWindow(null)).toBe('create');
    expect(focusExistingWindow(standInWindow({ minimized: false, destroyed: true }).window)).toBe('create');
  });

  it('has a menu of standard roles (each platform\'s own shortcuts), developer tools only in development', () => {
    const linux = roles(appMenuTemplate('linux', { devTools: false }));
    expect(linux).toEqual(expect.arrayContaining(['quit', 'editMenu', 'windowMenu', 'reload', 'zoomIn', 'togglefullscreen']));
    expect(linux).not.toContain('toggleDevTools');
    expect(linux).not.toContain('hide');
    const mac = roles(appMenuTemplate('darwin', { devTools: true }));
    expect(mac).toEqual(expect.arrayContaining(['about', 'hide', 'quit', 'close', 'toggleDevTools']));
    expect(roles(trayMenuTemplate())).toEqual(['quit']);
  });

  it('words the three notifications and refuses anything else from the renderer', () => {
    expect(notificationText({ kind: 'price-drop', title: 'Red Kettle', was: '€34.90', now: '€29.90' })).toEqual({ title: 'Price drop', body: 'Red Kettle: now €29.90 (was €34.90)' });
    expect(notificationText({ kind: 'conflict', count: 2 })?.body).toContain('2 items were changed on two devices');
    expect(notificationText({ kind: 'session-ending', minutes: 5 })?.body).toContain('in 5 min');
    for (const bad of [null, 'x', { kind: 'shell', command: 'rm' }, { kind: 'conflict', count: -1 }, { kind: 'conflict', count: '2' },
      { kind: 'price-drop', title: '', was: '1', now: '2' }, { kind: 'session-ending', minutes: 1.5 }]) {
      expect(notificationText(bad)).toBeNull();
    }
    expect(notificationText({ kind: 'price-drop', title: 'x'.repeat(500), was: '1', now: '2' })!.body.length).toBeLessThan(200);
  });

  it('updates only a packaged app, from the configured https feed, and can be turned off', () => {
    expect(updaterSetting({ isPackaged: false, env: {} })).toEqual({ enabled: false, reason: 'development build' });
    expect(updaterSetting({ isPackaged: true, env: {} })).toEqual({ enabled: true, feedUrl: null });
    expect(updaterSetting({ isPackaged: true, env: { TOTE_UPDATE_FEED: 'https://updates.example/tote/' } })).toEqual({ enabled: true, feedUrl: 'https://updates.example/tote/' });
    expect(updaterSetting({ isPackaged: true, env: { TOTE_UPDATE_FEED: 'off' } }).enabled).toBe(false);
    expect(updaterSetting({ isPackaged: true, env: { TOTE_UPDATE_FEED: 'http://updates.example/' } }).enabled).toBe(false);
  });
});
