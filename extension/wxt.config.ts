import { fileURLToPath } from 'node:url';
import { defineConfig } from 'wxt';

/**
 * Svelte names a component's scoped CSS by its file's path below `rootDir` (the working directory by
 * default). The shared components live beside the extension (`ui/`): measured from the repository's root,
 * every path is the same wherever it is checked out, so the sources archive rebuilds the same bytes.
 */
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Firefox's own keys. Firefox keeps an extension's storage by its id: without a fixed one, every install
 * starts empty. 140 (desktop) and 142 (Android) are the first versions that read
 * `data_collection_permissions`, which every new add-on must declare
 * (https://extensionworkshop.com/documentation/develop/firefox-builtin-data-consent/).
 *
 * What Tote transmits, and only once the shopper signs in to a sync server of their choice (docs/privacy.md):
 * the account's name and a secret derived from its password (`authenticationInfo`), and the cart, that is
 * the products the shopper added from shop pages (`websiteContent`) with those pages' addresses and shops
 * (`browsingActivity`). The cart is sealed end to end, so the server's operator cannot read it, but it
 * still leaves the device, so it is declared. Syncing the cart is what Tote is for, hence `required`.
 */
const FIREFOX_SETTINGS = {
  gecko: {
    id: 'tote@tote.app',
    strict_min_version: '140.0',
    data_collection_permissions: { required: ['authenticationInfo', 'websiteContent', 'browsingActivity'] },
  },
  gecko_android: { strict_min_version: '142.0' },
};

// https://wxt.dev/api/config.html
export default defineConfig({
  srcDir: 'src',
  modules: ['@wxt-dev/module-svelte'],
  svelte: { vite: { compilerOptions: { rootDir: REPO_ROOT } } },
  // Explicit imports only: every file says where its names come from.
  imports: false,
  // Manifest V3 for Firefox too (WXT builds Firefox as MV2 unless told), so both browsers run one design.
  manifestVersion: 3,
  manifest: ({ browser }) => ({
    name: 'Tote',
    description: 'One cart across every shop: add products from any shop page and see them on all your devices.',
    // storage: settings and device id; alarms: wake the service worker to keep syncing;
    // contextMenus: "Add to Tote" on pages; notifications: price drops.
    permissions: ['storage', 'alarms', 'contextMenus', 'notifications'],
    // Content script on every shop page, and the sync server wherever the shopper runs it.
    host_permissions: ['<all_urls>'],
    action: { default_title: 'Tote' },
    // The cart's keys are derived with Argon2id in WebAssembly (docs/encryption.md): 'wasm-unsafe-eval'
    // allows compiling WebAssembly, not eval.
    content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self';" },
    commands: {
      'add-to-tote': { suggested_key: { default: 'Alt+Shift+T' }, description: 'Add the product on this page to Tote' },
    },
    ...(browser === 'firefox' ? { browser_specific_settings: FIREFOX_SETTINGS } : {}),
  }),
  zip: {
    name: 'tote',
    // Firefox's review rebuilds the add-on from its sources: the whole workspace the extension is built
    // from (the extension, the core it bundles, the lock file), with the build steps in the README.
    // https://extensionworkshop.com/documentation/publish/source-code-submission/
    sourcesRoot: '..',
    includeSources: [
      'README.md', 'package.json', 'package-lock.json', 'tsconfig.base.json', 'docs/privacy.md',
      'core/**', 'ui/**', 'extension/**',
      // npm ci checks every workspace of the lock file: their manifests, not their code.
      'sync-server/package.json', 'desktop/package.json',
    ],
    excludeSources: ['**/node_modules/**', '**/.output/**', '**/.wxt/**', '**/dist/**', '**/*.test.ts', '**/*.log'],
  },
});
