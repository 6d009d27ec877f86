import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** The files under `folder` (a browser profile: IndexedDB's LevelDB files among them), searched for `values` as UTF-8 and UTF-16. */
export async function onDisk(folder: string, values: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const bytes = await readFile(full).catch(() => Buffer.alloc(0));
        for (const value of values) {
          if (bytes.includes(Buffer.from(value, 'utf8')) || bytes.includes(Buffer.from(value, 'utf16le'))) found.add(value);
        }
      }
    }
  };
  await walk(folder);
  return [...found];
}
