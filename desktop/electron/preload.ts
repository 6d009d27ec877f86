/**
 * Preload (sandboxed): exposes plain device data to the renderer as window.toteDesktop. The data comes
 * from the main process on the command line (see bridge-data.ts); if it is missing, nothing is exposed
 * and the renderer shows that it is not running inside Tote.
 */
import { contextBridge } from 'electron';
import { bridgeFromArgv } from './bridge-data.ts';

const data = bridgeFromArgv(process.argv);
if (data) contextBridge.exposeInMainWorld('toteDesktop', data);
