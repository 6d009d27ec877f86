/**
 * The desktop app's web origin. The Electron main process registers this scheme and serves the renderer
 * from it (desktop/electron/app-protocol.ts), and the sync server's gateway admits this origin by default
 * (sync-server/src/config.ts): one constant, so the two cannot drift apart. Importable on its own
 * (`@tote/core/desktop-origin`) so the server and the main process need nothing else from the core.
 */
export const DESKTOP_APP_SCHEME = 'app';
export const DESKTOP_APP_HOST = 'tote';
/** What a page served by the desktop app has as `location.origin`, and sends as `Origin`. */
export const DESKTOP_APP_ORIGIN = `${DESKTOP_APP_SCHEME}://${DESKTOP_APP_HOST}` as const;
