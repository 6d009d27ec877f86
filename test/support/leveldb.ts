/**
 * Reading LevelDB's files (the store beneath Chromium's IndexedDB and pouchdb-server): its varints, and
 * the data blocks of a table (`*.ldb`), decompressed
 * (https://github.com/google/leveldb/blob/main/doc/table_format.md).
 */
import { uncompress } from 'snappyjs';

/** A LevelDB varint at `at`: its value and where the next field starts. */
export function varint(bytes: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return [value, at];
    shift += 7;
  }
}

const TABLE_MAGIC = Buffer.from('57fb808b247547db', 'hex'); // 0xdb4775248b80fb57, little-endian
const BLOCK_TRAILER = 5; // compression type, CRC

/** One block's contents, decompressed. */
function readBlock(table: Buffer, offset: number, size: number): Buffer {
  const raw = table.subarray(offset, offset + size);
  return table[offset + size] === 1 ? Buffer.from(uncompress(new Uint8Array(raw))) : raw;
}

/** The values of a block's entries (keys are prefix-compressed; the values are the data block handles in an index block). */
function blockValues(block: Buffer): Buffer[] {
  const restarts = block.readUInt32LE(block.length - 4);
  const end = block.length - 4 * (restarts + 1);
  const values: Buffer[] = [];
  let at = 0;
  while (at < end) {
    let shared: number; let unshared: number; let length: number;
    [shared, at] = varint(block, at);
    [unshared, at] = varint(block, at);
    [length, at] = varint(block, at);
    void shared;
    at += unshared;
    values.push(block.subarray(at, at + length));
    at += length;
  }
  return values;
}

/** Every data block of a LevelDB table, decompressed; none when the file is not a table. */
export function tableBlocks(table: Buffer): Buffer[] {
  if (table.length < 48 || !table.subarray(table.length - 8).equals(TABLE_MAGIC)) return [];
  const footer = table.subarray(table.length - 48);
  let at = 0;
  [, at] = varint(footer, at); // metaindex offset
  [, at] = varint(footer, at); // metaindex size
  const [indexOffset, next] = varint(footer, at);
  const [indexSize] = varint(footer, next);
  const blocks: Buffer[] = [];
  for (const handle of blockValues(readBlock(table, indexOffset, indexSize))) {
    const [offset, after] = varint(handle, 0);
    const [size] = varint(handle, after);
    if (offset + size + BLOCK_TRAILER <= table.length) blocks.push(readBlock(table, offset, size));
  }
  return blocks;
}
