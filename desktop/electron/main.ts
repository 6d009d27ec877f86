/**
 * Electron main process: one instance, one window with the renderer (which owns the cart database and
 * syncs) served from the app's own origin `app://tote`, the preload bridge, navigation guards, the trust
 * of a sync server's certificate by pinning, the menu, the tray, system notifications and updates.
 * Kept thin: its decisions live in app-protocol.ts, certificate-pins.ts, app-shell.ts, window-options.ts
 * and bridge-data.ts, which are tested in Node without Electron (docs/desktop.md).
 */
import os from 'node:os';
import path from 'node:path';
import {
  app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, protocol, safeStorage, session, shell, Tray,
  type IpcMainInvokeEvent, type MenuItemConstructorOptions,
} from 'electron';
import electronUpdater from 'electron-updater';
import { APP_INDEX_URL, APP_SCHEME_PRIVILEGES, DESKTOP_APP_ORIGIN, DESKTOP_APP_SCHEME, serveAppRequest } from './app-protocol.ts';
import { appMenuTemplate, focusExistingWindow, notificationText, singleInstanceDecision, trayMenuTemplate, updaterSetting, type MenuEntry } from './app-shell.ts';
import { bridgeData, bridgeSwitch, KEY_STORE_CHANNELS, NOTIFY_CHANNEL } from './bridge-data.ts';
import { certificatePinStore, changedWarning, decideCertificate, trustQuestion, withPin, type Pins } from './certificate-pins.ts';
import { safeStorageKeyStore } from './key-store.ts';
import { decideNavigation, windowOptions } from './window-options.ts';

const distDir = path.join(__dirname, '..', 'dist');
// In the renderer's build (desktop/public/icon.png): the packaged app holds dist/ and dist-electron/ only.
const iconFile = path.join(distDir, 'icon.png');
let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null;

// Before `ready`: the scheme must be standard (a real origin, `app://tote`) and secure (a secure context).
protocol.registerSchemesAsPrivileged([{ scheme: DESKTOP_APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);

if (singleInstanceDecision(app.requestSingleInstanceLock()) === 'quit') {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (focusExistingWindow(mainWindow) === 'create' && app.isReady()) createWindow();
  });
  app.whenReady().then(start);
}

function createWindow(): void {
  const bridge = bridgeData({ platform: process.platform, hostname: os.hostname(), appVersion: app.getVersion() });
  const window = new BrowserWindow({ ...windowOptions(path.join(__dirname, 'preload.cjs'), [bridgeSwitch(bridge)]), icon: iconFile });
  mainWindow = window;
  window.on('closed', () => { if (mainWindow === window) mainWindow = null; });
  window.once('ready-to-show', () => window.show());
  window.webContents.on('will-navigate', (event, url) => {
    const decision = decideNavigation(url, APP_INDEX_URL);
    if (decision.action !== 'allow') event.preventDefault();
    if (decision.action === 'open-externally') void shell.openExternal(decision.url);
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    const decision = decideNavigation(url, APP_INDEX_URL);
    if (decision.action === 'open-externally') void shell.openExternal(decision.url);
    return { action: 'deny' };
  });
  void window.loadURL(APP_INDEX_URL);
}

function showWindow(): void {
  if (focusExistingWindow(mainWindow) === 'create') createWindow();
}

/** Only Tote's own page gets answers from the main process, never a page the window was navigated to. */
function fromApp(event: IpcMainInvokeEvent): void {
  const url = event.senderFrame?.url ?? '';
  if (!url.startsWith(`${DESKTOP_APP_ORIGIN}/`)) throw new Error('Not Tote\'s window.');
}

function serveKeyStore(): void {
  const keys = safeStorageKeyStore(path.join(app.getPath('userData'), 'cart-keys.json'), safeStorage);
  ipcMain.handle(KEY_STORE_CHANNELS.load, (event, accountKey: string) => (fromApp(event), keys.load(accountKey)));
  ipcMain.handle(KEY_STORE_CHANNELS.save, (event, accountKey: string, key: string) => (fromApp(event), keys.save(accountKey, key)));
  ipcMain.handle(KEY_STORE_CHANNELS.clear, (event, accountKey: string) => (fromApp(event), keys.clear(accountKey)));
  ipcMain.handle(NOTIFY_CHANNEL, (event, request: unknown) => {
    fromApp(event);
    const text = notificationText(request);
    if (text && Notification.isSupported()) new Notification({ ...text, icon: iconFile }).on('click', showWindow).show();
  });
}

/**
 * A sync server's certificate (certificate-pins.ts): Chromium's verdict when it trusts it; otherwise the
 * pin for that host, and for a host with none, the shopper is shown the fingerprint and asked once.
 */
async function trustByPinning(): Promise<void> {
  const pinFile = path.join(app.getPath('userData'), 'certificate-pins.json');
  const store = certificatePinStore(pinFile);
  let pins: Pins = await store.load();
  const asking = new Map<string, Promise<boolean>>();
  session.defaultSession.setCertificateVerifyProc((request, callback) => {
    const decision = decideCertificate({ hostname: request.hostname, certificatePem: request.certificate.data, verificationResult: request.verificationResult }, pins);
    switch (decision.kind) {
      case 'chromium': return callback(-3);
      case 'pinned': return callback(0);
      case 'refuse': return callback(-2);
      case 'changed': {
        const warning = changedWarning(request.hostname, decision.fingerprint, decision.pinned, pinFile);
        if (!asking.has(`changed:${request.hostname}`)) {
          asking.set(`changed:${request.hostname}`, dialog.showMessageBox({ type: 'warning', ...warning }).then(() => false));
        }
        return callback(-2);
      }
      case 'ask': {
        const key = `${request.hostname} ${decision.fingerprint}`;
        let answer = asking.get(key);
        if (!answer) {
          const question = trustQuestion(request.hostname, decision.fingerprint);
          answer = dialog.showMessageBox({ type: 'question', message: question.message, detail: question.detail, buttons: [...question.buttons], defaultId: 0, cancelId: 0 })
            .then(async ({ response }) => {
              if (response !== question.trustButton) return false;
              pins = withPin(pins, request.hostname, decision.fingerprint);
              await store.save(pins);
              return true;
            })
            .finally(() => asking.delete(key));
          asking.set(key, answer);
        }
        void answer.then((trusted) => callback(trusted ? 0 : -2), () => callback(-2));
        return undefined;
      }
    }
  });
}

function menuFrom(entries: readonly MenuEntry[]): MenuItemConstructorOptions[] {
  const actions: Record<string, () => void> = {
    'show-cart': showWindow,
  };
  return entries.map((entry) => ({
    ...(entry as MenuItemConstructorOptions),
    ...(entry.id && actions[entry.id] ? { click: actions[entry.id] } : {}),
    ...(entry.submenu ? { submenu: menuFrom(entry.submenu) } : {}),
  }));
}

function startUpdater(): void {
  const setting = updaterSetting({ isPackaged: app.isPackaged, env: process.env });
  if (!setting.enabled) return;
  const { autoUpdater } = electronUpdater;
  if (setting.feedUrl) autoUpdater.setFeedURL({ provider: 'generic', url: setting.feedUrl });
  autoUpdater.on('error', (error) => console.error(`Update check failed: ${error.message}`));
  void autoUpdater.checkForUpdatesAndNotify();
}

async function start(): Promise<void> {
  protocol.handle(DESKTOP_APP_SCHEME, (request) => serveAppRequest(distDir, request.url, request.method));
  await trustByPinning();
  serveKeyStore();
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuFrom(appMenuTemplate(process.platform, { devTools: !app.isPackaged }))));
  tray = new Tray(nativeImage.createFromPath(iconFile).resize({ width: 16, height: 16 }));
  tray.setToolTip('Tote');
  tray.setContextMenu(Menu.buildFromTemplate(menuFrom(trayMenuTemplate())));
  tray.on('click', showWindow);
  createWindow();
  startUpdater();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
