import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { tableBlocks } from './leveldb.ts';

/**
 * The files under `folder` (a browser profile: IndexedDB's LevelDB files among them), searched for
 * `values` as UTF-8 and UTF-16. LevelDB's tables (`*.ldb`) keep their blocks Snappy-compressed, which
 * hides text from a plain search though anyone can read it: their blocks are searched decompressed too.
 */
export async function onDisk(folder: string, values: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  const search = (bytes: Buffer) => {
    for (const value of values) {
      if (bytes.includes(Buffer.from(value, 'utf8')) || bytes.includes(Buffer.from(value, 'utf16le'))) found.add(value);
    }
  };
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const bytes = await readFile(full).catch(() => Buffer.alloc(0));
        search(bytes);
        if (entry.name.endsWith('.ldb') || entry.name.endsWith('.sst')) for (const block of tableBlocks(bytes)) search(block);
      }
    }
  };
  await walk(folder);
  return [...found];
}
