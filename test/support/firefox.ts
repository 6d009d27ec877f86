/**
 * Debian's Firefox ESR with the extension's Firefox build, driven by puppeteer-core over WebDriver BiDi
 * (playwright-core drives only its own patched Firefox). The extension is installed as a temporary
 * add-on, as `about:debugging` does, into a throw-away profile.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/** The add-on id of the Firefox build (extension/wxt.config.ts). */
export const GECKO_ID = 'tote@tote.app';

export interface FirefoxWithExtension {
  readonly browser: Browser;
  /** The extension's pages live at `moz-extension://<uuid>/`; the test picks the uuid. */
  readonly extensionOrigin: string;
  /** Opens the popup's page in a tab, as Firefox does for an action popup opened in its own tab. */
  openPopup(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * `trustPem`: a certificate the profile trusts (the test sync server's self-signed one). Firefox's
 * certificate checks refuse a self-signed server certificate imported as a trusted peer (`P,,`:
 * MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT) and accept it as a trust anchor (`C,,`) in the profile's own NSS
 * database; nothing else is trusted and no check is turned off.
 */
export async function launchFirefoxWithExtension(extensionDir: string, options: { trustPem?: string } = {}): Promise<FirefoxWithExtension> {
  const profile = await mkdtemp(path.join(tmpdir(), 'tote-firefox-profile-'));
  const uuid = randomUUID();
  let browser: Browser | undefined;
  try {
    if (options.trustPem) await trustInProfile(profile, options.trustPem);
    browser = await puppeteer.launch({
      browser: 'firefox', executablePath: FIREFOX, headless: true, userDataDir: profile,
      // Without it Firefox refuses the driver's navigations to moz-extension:// pages.
      args: ['--remote-allow-system-access'],
      // A fixed uuid, so the test knows the extension's origin before it runs.
      extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }) },
    });
    const installed = await browser.installExtension(extensionDir);
    if (installed !== GECKO_ID) throw new Error(`Firefox installed the add-on as ${installed}, not ${GECKO_ID}`);
  } catch (error) {
    await browser?.close();
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  const extensionOrigin = `moz-extension://${uuid}`;
  const running = browser;
  return {
    browser: running,
    extensionOrigin,
    async openPopup() {
      const page = await running.newPage();
      const url = `${extensionOrigin}/popup.html`;
      // Over BiDi a navigation to an extension page never reports its end (and page.url() stays
      // about:blank): start it, then wait for the page itself.
      void page.goto(url).catch(() => undefined);
      await page.waitForFunction((expected) => location.href === expected && document.readyState === 'complete', { timeout: 15_000 }, url);
      return page;
    },
    async close() {
      await running.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

async function trustInProfile(profile: string, pem: string): Promise<void> {
  const certFile = path.join(profile, 'trusted-server.pem');
  await writeFile(certFile, pem);
  const run = promisify(execFile);
  await run('certutil', ['-N', '-d', `sql:${profile}`, '--empty-password']);
  await run('certutil', ['-A', '-d', `sql:${profile}`, '-n', 'tote-test-server', '-t', 'C,,', '-i', certFile]);
}

/** The texts of every element matching `selector` (light DOM). */
export function texts(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (elements) => elements.map((element) => element.textContent ?? ''));
}
