/** Debian's Chromium driven by playwright-core: the extension in one profile, the desktop renderer in another. */
import { chromium, type BrowserContext, type Worker } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const QUIET_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/**
 * Trusts one certificate (the sync server's self-signed one) by its public key, the way a shopper
 * would after accepting it, without turning certificate checks off for anything else.
 */
export function trustCertificate(spkiSha256: string): string[] {
  return [`--ignore-certificate-errors-spki-list=${spkiSha256}`];
}

/** `env`: the browser's environment (e.g. a HOME of its own, whose `.pki/nssdb` holds the certificates it trusts). */
export function launchWithExtension(profileDir: string, extensionDir: string, extraArgs: string[] = [], env?: NodeJS.ProcessEnv): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM, headless: true, ...(env ? { env } : {}),
    args: [`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, ...QUIET_ARGS, ...extraArgs],
  });
}

export function launchProfile(profileDir: string, extraArgs: string[] = [], env?: NodeJS.ProcessEnv): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: [...QUIET_ARGS, ...extraArgs], ...(env ? { env } : {}) });
}

/** The extension's service worker (MV3 stops idle workers, so ask again whenever it is needed). */
export async function extensionWorker(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers().find((worker) => worker.url().startsWith('chrome-extension://'))
    ?? context.waitForEvent('serviceworker', { timeout: 15_000 });
}

export async function extensionId(context: BrowserContext): Promise<string> {
  return new URL((await extensionWorker(context)).url()).host;
}

export interface DesktopWindowOptions {
  /**
   * The main process's key store (Electron safeStorage, which cannot run here), answered by the test
   * from this map: it outlives the window as the operating system's key store does. Without it the
   * window has no key store (docs/encryption.md, "Where the key lives").
   */
  readonly keys?: Map<string, string>;
  /** Offer the key store only to pages whose address contains this text (e.g. "keystore"). */
  readonly keysOnlyWhen?: string;
  /** The browser's environment (see launchWithExtension). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The desktop renderer as Electron's window shows it: a Chromium profile with the preload's bridge
 * (`window.toteDesktop`: platform, device name, version and, when given, the key store).
 */
export async function launchDesktopWindow(profileDir: string, extraArgs: string[] = [], options: DesktopWindowOptions = {}): Promise<BrowserContext> {
  const context = await launchProfile(profileDir, extraArgs, options.env);
  const { keys } = options;
  if (keys) {
    await context.exposeFunction('testKeyLoad', (name: string) => keys.get(name) ?? null);
    await context.exposeFunction('testKeySave', (name: string, key: string) => void keys.set(name, key));
    await context.exposeFunction('testKeyClear', (name: string) => void keys.delete(name));
  }
  await context.addInitScript(({ withKeys, onlyWhen }) => {
    const scope = window as unknown as Record<string, (...args: string[]) => Promise<unknown>>;
    const keyStore = withKeys && (onlyWhen === null || location.href.includes(onlyWhen))
      ? { load: (name: string) => scope.testKeyLoad!(name), save: (name: string, key: string) => scope.testKeySave!(name, key), clear: (name: string) => scope.testKeyClear!(name) }
      : undefined;
    Object.defineProperty(window, 'toteDesktop', {
      value: Object.freeze({ platform: 'linux', deviceName: 'Test desktop', appVersion: '0.1.0', ...(keyStore ? { keyStore } : {}) }),
    });
  }, { withKeys: keys !== undefined, onlyWhen: options.keysOnlyWhen ?? null });
  return context;
}
