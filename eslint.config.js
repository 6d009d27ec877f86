// The core must stay platform-free: it runs in the extension's service worker, the desktop renderer and Node.
// Platform needs reach it through ports (see docs/architecture.md), never through globals or platform modules.
import tseslint from 'typescript-eslint';

const platformGlobals = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'indexedDB',
  'chrome', 'browser', 'process', 'Buffer', 'require', '__dirname', '__filename', 'global', 'self'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/.output/**', '**/.wxt/**', '**/dist/**'] },
  {
    files: ['core/src/**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      'no-restricted-globals': ['error', ...platformGlobals.map((name) => ({
        name, message: `core/src is platform-free: pass "${name}" in through a port instead.`,
      }))],
      'no-restricted-imports': ['error', {
        // Exact module names (a pattern would also catch core's own folders of the same name, e.g. ./crypto/).
        paths: ['fs', 'path', 'os', 'http', 'https', 'net', 'tls', 'crypto', 'child_process', 'url', 'stream', 'events', 'util', 'worker_threads']
          .map((name) => ({ name, message: 'core/src is platform-free: no Node built-ins.' })),
        patterns: [
          { group: ['node:*'], message: 'core/src is platform-free: no Node built-ins.' },
          { group: ['electron', 'electron/*'], message: 'core/src is platform-free: no Electron.' },
          { group: ['svelte', 'svelte/*', '*.svelte'], message: 'core/src is platform-free: no Svelte.' },
          { group: ['wxt', 'wxt/*', '#imports', '@wxt-dev/*', 'webextension-polyfill'], message: 'core/src is platform-free: no WXT or extension APIs.' },
          { group: ['fs/*', 'path/*', 'util/*', 'stream/*'], message: 'core/src is platform-free: no Node built-ins.' },
          { group: ['rxdb/plugins/dev-mode'], message: 'dev-mode must never ship (it injects an iframe wherever window exists).' },
        ],
      }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
);
