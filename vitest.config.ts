import { defineConfig } from 'vitest/config';

// One runner for every package. Unit tests sit beside the code (*.test.ts); multi-device, browser and
// server tests live under test/ and run one file at a time because they start real servers and browsers.
export default defineConfig({
  test: {
    projects: [
      // Unit tests include key derivation and property runs: a shared two-core machine may take seconds over them.
      { test: { name: 'core', root: 'core', include: ['src/**/*.test.ts'], environment: 'node', testTimeout: 30_000 } },
      { test: { name: 'sync-server', root: 'sync-server', include: ['src/**/*.test.ts'], environment: 'node', testTimeout: 30_000, hookTimeout: 30_000 } },
      { test: { name: 'extension', root: 'extension', include: ['src/**/*.test.ts'], environment: 'happy-dom', testTimeout: 30_000 } },
      { test: { name: 'admin', root: 'admin', include: ['src/**/*.test.ts'], environment: 'node' } },
      // The theme's test reads theme.css as text (`?raw`): CSS is processed for this project, not emptied.
      { test: { name: 'ui', root: 'ui', include: ['src/**/*.test.ts'], environment: 'node', css: { include: [/theme\.css/] } } },
      { test: { name: 'desktop', root: 'desktop', include: ['src/**/*.test.ts', 'electron/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'system', root: 'test', include: ['**/*.test.ts'], environment: 'node',
          testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false,
          // Real browsers, servers and key derivation on a two-core machine: a state may take a few seconds.
          expect: { poll: { timeout: 10_000, interval: 100 } },
        },
      },
    ],
  },
});
