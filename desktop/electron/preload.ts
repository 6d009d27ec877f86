/** Preload: exposes plain device data to the sandboxed renderer as window.toteDesktop. */
import os from 'node:os';
import { contextBridge } from 'electron';
import { bridgeData } from './window-options.ts';

contextBridge.exposeInMainWorld('toteDesktop', bridgeData({
  platform: process.platform,
  hostname: os.hostname(),
  appVersion: process.env.npm_package_version ?? '0.1.0',
}));
