/**
 * Reads a ZIP archive's entries (stored or deflated, no ZIP64): enough to check the extension packages
 * without a dependency. Layout: https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT (4.3).
 */
import { readFile } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';

export interface ZipArchive {
  readonly names: string[];
  bytes(name: string): Buffer;
  text(name: string): string;
}

export async function readZip(file: string): Promise<ZipArchive> {
  const zip = await readFile(file);
  // End of central directory: signature 0x06054b50, at most 64 KiB of comment after it.
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end -= 1;
  if (end < 0) throw new Error(`${file} is not a ZIP archive`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, { method: number; size: number; offset: number }>();
  for (let index = 0; index < count; index += 1) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory`);
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    entries.set(name, { method: zip.readUInt16LE(at + 10), size: zip.readUInt32LE(at + 20), offset: zip.readUInt32LE(at + 42) });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  const bytes = (name: string): Buffer => {
    const entry = entries.get(name);
    if (!entry) throw new Error(`${file} has no ${name}`);
    const start = entry.offset + 30 + zip.readUInt16LE(entry.offset + 26) + zip.readUInt16LE(entry.offset + 28);
    const data = zip.subarray(start, start + entry.size);
    return entry.method === 8 ? inflateRawSync(data) : Buffer.from(data);
  };
  return { names: [...entries.keys()], bytes, text: (name) => bytes(name).toString('utf8') };
}
