import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Served by the gateway at /_tote/admin/ (sync-server/src/gateway/admin-dashboard.ts) under a strict
// Content-Security-Policy: relative asset paths, no inline script (no module-preload polyfill), every
// asset a hashed file of its own (nothing inlined as data).
export default defineConfig({
  base: './',
  plugins: [svelte({ compilerOptions: { rootDir: fileURLToPath(new URL('..', import.meta.url)) } })],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', modulePreload: { polyfill: false }, assetsInlineLimit: 0 },
});
