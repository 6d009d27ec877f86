/**
 * Security-relevant choices of the main process, as pure functions so they are tested in Node
 * without Electron. See https://www.electronjs.org/docs/latest/tutorial/security.
 */

export interface WindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  show: boolean;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    spellcheck: boolean;
    additionalArguments: string[];
  };
}

/** `bridgeArguments` carries the preload bridge's data (bridge-data.ts: bridgeSwitch). */
export function windowOptions(preloadPath: string, bridgeArguments: string[] = []): WindowOptions {
  return {
    width: 1100, height: 760, minWidth: 720, minHeight: 480, title: 'Tote', show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: true,
      additionalArguments: bridgeArguments,
    },
  };
}

export type NavigationDecision = { action: 'allow' } | { action: 'deny' } | { action: 'open-externally'; url: string };

/**
 * The window may only ever show the app's own pages, at its own origin (`app://tote`, app-protocol.ts).
 * Product links (http/https) open in the shopper's browser; anything else (file:, javascript:, other
 * custom schemes) is refused.
 */
export function decideNavigation(targetUrl: string, appIndexUrl: string): NavigationDecision {
  let target: URL;
  try {
    target = new URL(targetUrl);
  } catch {
    return { action: 'deny' };
  }
  const app = new URL(appIndexUrl);
  // Compared as scheme and host: Node's URL gives a non-special scheme an opaque origin ("null").
  if (target.protocol === app.protocol && app.protocol !== 'http:' && app.protocol !== 'https:') {
    return target.host === app.host && target.host !== '' && !target.username && !target.password && !target.port ? { action: 'allow' } : { action: 'deny' };
  }
  if (target.protocol === 'http:' || target.protocol === 'https:') return { action: 'open-externally', url: target.href };
  return { action: 'deny' };
}
