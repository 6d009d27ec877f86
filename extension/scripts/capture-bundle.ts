/**
 * Bundles the capture module exactly as the content script uses it, as a script that defines
 * globalThis.__toteCapture, for running on saved pages in real Chromium.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const captureEntry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/capture/index.ts');

/** `entry`: another copy of the capture module's index.ts (an older version, to compare with). */
export async function captureBundle(entry = captureEntry): Promise<string> {
  const result = await build({
    stdin: {
      contents: `import { extractProduct, parsePriceText } from ${JSON.stringify(entry)};\nglobalThis.__toteCapture = { extractProduct, parsePriceText };`,
      resolveDir: path.dirname(entry), loader: 'ts',
    },
    bundle: true, format: 'iife', target: 'es2022', write: false, logLevel: 'silent', treeShaking: true,
  });
  return result.outputFiles[0]!.text;
}
