/**
 * Preload (sandboxed): exposes plain device data to the renderer as window.toteDesktop, and the three
 * calls of the cart key store and a request for a system notification (main.ts answers them). The data comes from the main process on the
 * command line (see bridge-data.ts); if it is missing, nothing is exposed and the renderer shows that it
 * is not running inside Tote.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { bridgeFromArgv, KEY_STORE_CHANNELS, NOTIFY_CHANNEL } from './bridge-data.ts';

const data = bridgeFromArgv(process.argv);
if (data) {
  contextBridge.exposeInMainWorld('toteDesktop', {
    ...data,
    keyStore: {
      load: (accountKey: string) => ipcRenderer.invoke(KEY_STORE_CHANNELS.load, accountKey),
      save: (accountKey: string, key: string) => ipcRenderer.invoke(KEY_STORE_CHANNELS.save, accountKey, key),
      clear: (accountKey: string) => ipcRenderer.invoke(KEY_STORE_CHANNELS.clear, accountKey),
    },
    notify: (request: unknown) => ipcRenderer.invoke(NOTIFY_CHANNEL, request),
  });
}
