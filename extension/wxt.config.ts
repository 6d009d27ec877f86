import { defineConfig } from 'wxt';

// https://wxt.dev/api/config.html
export default defineConfig({
  srcDir: 'src',
  modules: ['@wxt-dev/module-svelte'],
  // Explicit imports only: every file says where its names come from.
  imports: false,
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
    // Firefox keeps an extension's storage by its id: without a fixed one, every install starts empty.
    ...(browser === 'firefox' ? { browser_specific_settings: { gecko: { id: 'tote@tote.app', strict_min_version: '115.0' } } } : {}),
  }),
});
