/** Debian's Chromium driven by playwright-core: the extension in one profile, the desktop renderer in another. */
import { chromium, type BrowserContext, type Worker } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const QUIET_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/**
 * Trusts one certificate (the sync server's self-signed one) by its public key, the way a shopper
 * would after accepting it, without turning certificate checks off for anything else.
 */
export function trustCertificate(spkiSha256: string): string[] {
  return [`--ignore-certificate-errors-spki-list=${spkiSha256}`];
}

export function launchWithExtension(profileDir: string, extensionDir: string, extraArgs: string[] = []): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM, headless: true,
    args: [`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, ...QUIET_ARGS, ...extraArgs],
  });
}

export function launchProfile(profileDir: string, extraArgs: string[] = []): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: [...QUIET_ARGS, ...extraArgs] });
}

/** The extension's service worker (MV3 stops idle workers, so ask again whenever it is needed). */
export async function extensionWorker(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers().find((worker) => worker.url().startsWith('chrome-extension://'))
    ?? context.waitForEvent('serviceworker', { timeout: 15_000 });
}

export async function extensionId(context: BrowserContext): Promise<string> {
  return new URL((await extensionWorker(context)).url()).host;
}
