/**
 * Bundles the capture module exactly as the content script uses it, as a script that defines
 * globalThis.__toteCapture, for running on saved pages in real Chromium. Minified, as the extension's
 * production build ships it (WXT's build minifies the content script): its first run, which compiles
 * what it calls, is timed on the code that ships.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const captureEntry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/capture/index.ts');

/** `entry`: another copy of the capture module's index.ts (an older version, to compare with). `minify: false`: readable, to compare with. */
export async function captureBundle(entry = captureEntry, { minify = true }: { minify?: boolean } = {}): Promise<string> {
  const result = await build({
    stdin: {
      contents: `import { extractProduct, parsePriceText } from ${JSON.stringify(entry)};\nglobalThis.__toteCapture = { extractProduct, parsePriceText };`,
      resolveDir: path.dirname(entry), loader: 'ts',
    },
    bundle: true, format: 'iife', target: 'es2022', write: false, logLevel: 'silent', treeShaking: true, minify,
  });
  return result.outputFiles[0]!.text;
}
