import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The renderer: served at app://tote by Electron (electron/app-protocol.ts) and from a folder in tests: relative asset paths work in both.
export default defineConfig({
  base: './',
  // Scoped CSS is named by the component's path below the repository's root, the same in every checkout (extension/wxt.config.ts).
  plugins: [svelte({ compilerOptions: { rootDir: fileURLToPath(new URL('..', import.meta.url)) } })],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
