/**
 * What Chromium's IndexedDB keeps on disk for one profile, read from its LevelDB folder
 * (`<profile>/Default/IndexedDB/<origin>.indexeddb.leveldb`), to explain `navigator.storage.estimate()`,
 * which is the size of those files.
 *
 * LevelDB writes every change first to its write-ahead log (`*.log`), uncompressed, and only when the log
 * reaches its size limit (about 3 MB for IndexedDB in Chromium 156, measured) writes what is still live
 * into a compressed table (`*.ldb`). Chromium re-uses the log across restarts, so a small database can be
 * its log alone for good. The log is parsed here (LevelDB's log format:
 * https://github.com/google/leveldb/blob/main/doc/log_format.md; Chromium's IndexedDB key layout:
 * content/browser/indexed_db/indexed_db_leveldb_coding.h) and its bytes sorted by what they are for:
 * - `rows`: the documents themselves (object store records, key and value);
 * - `exists`: IndexedDB's per-record "exists" entries;
 * - `indexes`: index entries (one per index per record: storage-dexie keeps three);
 * - `journal`: Chromium's transaction undo journal ("scopes"), written for every changed key and deleted
 *   once the transaction commits: gone from the tables, but in the log until it is flushed;
 * - `metadata`: database and object store metadata;
 * - `framing`: LevelDB's own record headers and batch headers.
 * Tables are compressed and only counted.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { varint } from '../test/support/leveldb.ts';

export interface LogBreakdown { rows: number; exists: number; indexes: number; journal: number; metadata: number; framing: number }
export interface IndexedDbFiles { totalBytes: number; logBytes: number; tableBytes: number; log: LogBreakdown }

const BLOCK = 32 * 1024;
const HEADER = 7;
/** Chromium's global metadata key type for the transaction journal (kScopesPrefixByte). */
const SCOPES = 50;


/** The log's write batches, reassembled from its 32 KB blocks; `framing` gets the headers and padding. */
function batches(log: Buffer, out: LogBreakdown): Buffer[] {
  const found: Buffer[] = [];
  let parts: Buffer[] = [];
  let at = 0;
  while (at + HEADER <= log.length) {
    const left = BLOCK - (at % BLOCK);
    if (left < HEADER) {
      out.framing += left;
      at += left;
      continue;
    }
    const length = log.readUInt16LE(at + 4);
    const type = log[at + 6]!;
    out.framing += HEADER;
    const data = log.subarray(at + HEADER, at + HEADER + length);
    at += HEADER + length;
    if (type === 0) continue; // pre-allocated, never written
    if (type === 1) found.push(data);
    else if (type === 2) parts = [data];
    else if (type === 3) parts.push(data);
    else if (type === 4) found.push(Buffer.concat([...parts, data]));
  }
  return found;
}

function kindOf(key: Buffer): keyof LogBreakdown {
  // KeyPrefix: one byte giving the lengths of the database, object store and index ids, then the ids.
  const lengths = key[0]!;
  const dbLength = (lengths >> 5) + 1;
  const storeLength = ((lengths >> 2) & 7) + 1;
  const indexLength = (lengths & 3) + 1;
  const read = (from: number, length: number) => {
    let value = 0;
    for (let i = length - 1; i >= 0; i -= 1) value = value * 256 + key[from + i]!;
    return value;
  };
  const database = read(1, dbLength);
  const store = read(1 + dbLength, storeLength);
  const index = read(1 + dbLength + storeLength, indexLength);
  if (database === 0) return key[1 + dbLength + storeLength + indexLength] === SCOPES ? 'journal' : 'metadata';
  if (store === 0) return 'metadata';
  return index === 1 ? 'rows' : index === 2 ? 'exists' : index >= 30 ? 'indexes' : 'metadata';
}

function breakdown(log: Buffer, out: LogBreakdown): void {
  for (const batch of batches(log, out)) {
    out.framing += 12; // sequence number and count
    let at = 12;
    const count = batch.readUInt32LE(8);
    for (let i = 0; i < count; i += 1) {
      const start = at;
      const tag = batch[at++]!;
      let keyLength: number;
      let valueLength = 0;
      [keyLength, at] = varint(batch, at);
      const key = batch.subarray(at, at + keyLength);
      at += keyLength;
      if (tag === 1) {
        [valueLength, at] = varint(batch, at);
        at += valueLength;
      }
      out[kindOf(key)] += keyLength + valueLength;
      out.framing += at - start - keyLength - valueLength;
    }
  }
}

/** The IndexedDB files of a Chromium profile, and what the write-ahead log holds. */
export async function indexedDbFiles(profileDir: string): Promise<IndexedDbFiles> {
  const root = path.join(profileDir, 'Default', 'IndexedDB');
  const result: IndexedDbFiles = { totalBytes: 0, logBytes: 0, tableBytes: 0, log: { rows: 0, exists: 0, indexes: 0, journal: 0, metadata: 0, framing: 0 } };
  for (const folder of await readdir(root)) {
    if (!folder.endsWith('.indexeddb.leveldb')) continue;
    for (const name of await readdir(path.join(root, folder))) {
      const file = path.join(root, folder, name);
      const { size } = await stat(file);
      result.totalBytes += size;
      if (name.endsWith('.ldb')) result.tableBytes += size;
      if (name.endsWith('.log')) {
        result.logBytes += size;
        breakdown(await readFile(file), result.log);
      }
    }
  }
  return result;
}
