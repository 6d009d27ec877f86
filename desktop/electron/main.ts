/**
 * Electron main process: one window with the renderer (which owns the cart database and syncs), the
 * preload bridge, and navigation guards. Kept thin; its decisions live in window-options.ts and
 * bridge-data.ts, which are tested in Node without Electron.
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, safeStorage, shell, type IpcMainInvokeEvent } from 'electron';
import { bridgeData, bridgeSwitch, KEY_STORE_CHANNELS } from './bridge-data.ts';
import { safeStorageKeyStore } from './key-store.ts';
import { decideNavigation, windowOptions } from './window-options.ts';

const indexFile = path.join(__dirname, '..', 'dist', 'index.html');
const appIndexUrl = pathToFileURL(indexFile).href;

function createWindow(): void {
  const bridge = bridgeData({ platform: process.platform, hostname: os.hostname(), appVersion: app.getVersion() });
  const window = new BrowserWindow(windowOptions(path.join(__dirname, 'preload.cjs'), [bridgeSwitch(bridge)]));
  window.once('ready-to-show', () => window.show());
  window.webContents.on('will-navigate', (event, url) => {
    const decision = decideNavigation(url, appIndexUrl);
    if (decision.action !== 'allow') event.preventDefault();
    if (decision.action === 'open-externally') void shell.openExternal(decision.url);
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    const decision = decideNavigation(url, appIndexUrl);
    if (decision.action === 'open-externally') void shell.openExternal(decision.url);
    return { action: 'deny' };
  });
  void window.loadFile(indexFile);
}

/** The cart key store answers Tote's own page only, never a page the window was navigated to. */
function serveKeyStore(): void {
  const keys = safeStorageKeyStore(path.join(app.getPath('userData'), 'cart-keys.json'), safeStorage);
  const fromApp = (event: IpcMainInvokeEvent) => {
    if (event.senderFrame?.url !== appIndexUrl) throw new Error('Not Tote\'s window.');
  };
  ipcMain.handle(KEY_STORE_CHANNELS.load, (event, accountKey: string) => (fromApp(event), keys.load(accountKey)));
  ipcMain.handle(KEY_STORE_CHANNELS.save, (event, accountKey: string, key: string) => (fromApp(event), keys.save(accountKey, key)));
  ipcMain.handle(KEY_STORE_CHANNELS.clear, (event, accountKey: string) => (fromApp(event), keys.clear(accountKey)));
}

app.whenReady().then(() => {
  serveKeyStore();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
