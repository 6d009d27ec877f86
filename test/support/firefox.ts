/**
 * Debian's Firefox ESR with the extension's Firefox build, driven by puppeteer-core over WebDriver BiDi
 * (playwright-core drives only its own patched Firefox). The add-on is installed in a throw-away profile
 * from the build folder through a proxy file (`<profile>/extensions/<id>` holding the folder's path), so
 * it stays installed when Firefox restarts, as a shopper's install does; a temporary add-on
 * (`about:debugging`, or BiDi's `webExtension.install`) is removed when Firefox closes. ESR runs unsigned
 * add-ons when `xpinstall.signatures.required` is false.
 * https://extensionworkshop.com/documentation/develop/temporary-installation-in-firefox/
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/** The add-on id of the Firefox build (extension/wxt.config.ts). */
export const GECKO_ID = 'tote@tote.app';

export interface FirefoxWithExtension {
  /** The running browser (a new one after `restart()`). */
  readonly browser: Browser;
  /** The extension's pages live at `moz-extension://<uuid>/`; the test picks the uuid. */
  readonly extensionOrigin: string;
  /** Opens a new tab. */
  newPage(): Promise<Page>;
  /** Opens the popup's page in a tab, as Firefox does for an action popup opened in its own tab. */
  openPopup(): Promise<Page>;
  /** Closes Firefox and starts it again on the same profile, the add-on still installed. */
  restart(): Promise<void>;
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
  const launch = () => puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, userDataDir: profile,
    // Without it Firefox refuses the driver's navigations to moz-extension:// pages.
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      // A fixed uuid, so the test knows the extension's origin before it runs.
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
      // The profile's own add-on, unsigned, enabled without asking.
      'xpinstall.signatures.required': false,
      'extensions.autoDisableScopes': 0,
      'extensions.enabledScopes': 15,
    },
  });
  let browser: Browser | undefined;
  try {
    if (options.trustPem) await trustInProfile(profile, options.trustPem);
    await mkdir(path.join(profile, 'extensions'));
    await writeFile(path.join(profile, 'extensions', GECKO_ID), path.resolve(extensionDir));
    browser = await launch();
  } catch (error) {
    await browser?.close();
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  let running = browser;
  const extensionOrigin = `moz-extension://${uuid}`;
  /**
   * A new tab. Firefox ESR 140.12 opens it in the last focused window, and after a tab of another window
   * was closed it may find none ("TabManager.getTabBrowser(...) is undefined"): a tab still open is
   * brought to the front, and the tab asked for again.
   */
  const newPage = async (): Promise<Page> => {
    try {
      return await running.newPage();
    } catch (error) {
      const [open] = await running.pages();
      if (!open) throw error;
      await open.bringToFront();
      return running.newPage();
    }
  };
  return {
    get browser() {
      return running;
    },
    extensionOrigin,
    newPage,
    async openPopup() {
      const page = await newPage();
      const url = `${extensionOrigin}/popup.html`;
      // Over BiDi a navigation to an extension page never reports its end (and page.url() stays
      // about:blank): start it, then wait for the page itself.
      void page.goto(url).catch(() => undefined);
      // Asked with `evaluate` until the deadline: Firefox ESR 140.12 fails puppeteer's `waitForFunction` in an
      // extension page at once ("Waiting failed"), and the first asks may land in about:blank's realm, which
      // the navigation then destroys.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const open = await page.evaluate((expected) => location.href === expected && document.readyState === 'complete', url).catch(() => false);
        if (open) return page;
        if (Date.now() >= deadline) throw new Error(`The popup (${url}) did not open within 15 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async restart() {
      await running.close();
      running = await launch();
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
