/**
 * The desktop shell's decisions, as plain data so they are tested in Node without Electron: one running
 * instance, the application menu (standard roles and their shortcuts), the tray menu, the system
 * notifications the renderer may ask for, and whether the updater runs.
 */

/** A second launch hands over to the first and quits (app.requestSingleInstanceLock). */
export function singleInstanceDecision(gotLock: boolean): 'run' | 'quit' {
  return gotLock ? 'run' : 'quit';
}

export interface FocusableWindow {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
}

/** On 'second-instance': bring the existing window forward; 'create' when there is none (macOS keeps running windowless). */
export function focusExistingWindow(window: FocusableWindow | null | undefined): 'focused' | 'create' {
  if (!window || window.isDestroyed()) return 'create';
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
  return 'focused';
}

/** The subset of Electron's MenuItemConstructorOptions used here. */
export interface MenuEntry {
  readonly role?: string;
  readonly label?: string;
  readonly type?: 'separator';
  readonly accelerator?: string;
  readonly id?: string;
  readonly submenu?: readonly MenuEntry[];
}

const separator: MenuEntry = { type: 'separator' };

/**
 * Standard roles give each platform its own shortcuts and behaviour (Cmd/Ctrl+Z, C, V, Q, W, M, R, …):
 * https://www.electronjs.org/docs/latest/api/menu-item#roles. `id`s name Tote's own items; main.ts
 * attaches their actions.
 */
export function appMenuTemplate(platform: string, options: { devTools: boolean }): MenuEntry[] {
  const mac = platform === 'darwin';
  const view: MenuEntry[] = [{ role: 'reload' }, { role: 'forceReload' }, ...(options.devTools ? [{ role: 'toggleDevTools' }] : []),
    separator, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, separator, { role: 'togglefullscreen' }];
  return [
    ...(mac ? [{ label: 'Tote', submenu: [{ role: 'about' }, separator, { role: 'services' }, separator, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, separator, { role: 'quit' }] }] : []),
    { label: 'File', submenu: [{ id: 'show-cart', label: 'Show Cart', accelerator: 'CmdOrCtrl+1' }, separator, mac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ role: 'about' }] },
  ];
}

export function trayMenuTemplate(): MenuEntry[] {
  return [{ id: 'show-cart', label: 'Show Tote' }, separator, { role: 'quit', label: 'Quit Tote' }];
}

const clip = (text: unknown, max = 120): string | null => (typeof text === 'string' && text.length > 0 ? text.slice(0, max) : null);

/**
 * What the renderer may ask for (DesktopNotification, IPC `tote:notify`).
 * Refuses anything but the three known kinds with plain, bounded values (the renderer is less trusted than
 * the main process), and words the notification.
 */
export function notificationText(request: unknown): { title: string; body: string } | null {
  if (!request || typeof request !== 'object') return null;
  const r = request as Record<string, unknown>;
  switch (r.kind) {
    case 'price-drop': {
      const title = clip(r.title); const was = clip(r.was, 24); const now = clip(r.now, 24);
      return title && was && now ? { title: 'Price drop', body: `${title}: now ${now} (was ${was})` } : null;
    }
    case 'conflict':
      return Number.isInteger(r.count) && (r.count as number) > 0 && (r.count as number) < 10_000
        ? { title: 'Changes to review', body: `${r.count as number} ${r.count === 1 ? 'item was' : 'items were'} changed on two devices at once. Open Tote to see both versions.` }
        : null;
    case 'session-ending':
      return Number.isInteger(r.minutes) && (r.minutes as number) >= 0 && (r.minutes as number) <= 24 * 60
        ? { title: 'Session about to end', body: `Tote will stop syncing in ${r.minutes as number} min. Sign in again to keep syncing.` }
        : null;
    default:
      return null;
  }
}

/**
 * The updater runs only in a packaged app with a feed: never in development (`npm run dev`, an unpacked
 * build), and never when TOTE_UPDATE_FEED is set to `off`. The feed defaults to the one in
 * electron-builder.yml (`publish`); TOTE_UPDATE_FEED overrides it with another https URL.
 */
export function updaterSetting(options: { isPackaged: boolean; env: Readonly<Record<string, string | undefined>> }): { enabled: false; reason: string } | { enabled: true; feedUrl: string | null } {
  if (!options.isPackaged) return { enabled: false, reason: 'development build' };
  const feed = options.env.TOTE_UPDATE_FEED?.trim();
  if (feed === 'off') return { enabled: false, reason: 'TOTE_UPDATE_FEED=off' };
  if (!feed) return { enabled: true, feedUrl: null };
  let url: URL;
  try {
    url = new URL(feed);
  } catch {
    return { enabled: false, reason: `TOTE_UPDATE_FEED is not a URL: ${feed}` };
  }
  if (url.protocol !== 'https:') return { enabled: false, reason: 'TOTE_UPDATE_FEED must be an https URL' };
  return { enabled: true, feedUrl: url.href };
}
