// The core must stay platform-free: it runs in the extension's service worker, the desktop renderer and Node.
// Platform needs reach it through ports (see docs/architecture.md), never through globals or platform modules.
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const platformGlobals = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'indexedDB',
  'chrome', 'browser', 'process', 'Buffer', 'require', '__dirname', '__filename', 'global', 'self'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/.output/**', '**/.wxt/**', '**/dist/**', '**/dist-electron/**', 'bench/results/**', '.tmp/**'] },
  // Every package: TypeScript's recommended rules, Svelte components included.
  {
    files: ['**/*.ts', '**/*.svelte', '**/*.svelte.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...svelte.configs.recommended.map((config) => ({ ...config, files: ['**/*.svelte', '**/*.svelte.ts'] })),
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { globals: globals.browser, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    // `let { … } = $props()` is Svelte's own form; its rule knows props and runes.
    rules: { 'prefer-const': 'off', 'svelte/prefer-const': 'error' },
  },
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
