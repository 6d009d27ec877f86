/**
 * Encryption at rest: an RxDB storage wrapper that keeps every document sealed on the device
 * (docs/encryption.md, "At rest on the device").
 *
 *   stored row = { <clear fields>, enc }
 *
 * `enc` is everything else of the document (for an item: title, URL, shop, price, quantity, note, list,
 * times, devices, field clocks) sealed by the shopper's document cipher (AES-256-GCM) and bound to
 * "<collection>:<id>", so a sealed row copied into another document or collection does not open. The
 * envelope is kept as a byte string (byte-string.ts), not base64url text: a quarter fewer bytes for
 * IndexedDB to read at every start, and no text to encode or decode (docs/benchmarks.md).
 * In clear stays only what the storage itself needs: the primary key (and the fields a composite key is
 * made of), `_deleted`, `_rev`, `_meta`, `_attachments`, and any field a schema index names. The cart's
 * item schema has no index besides RxDB's own (on `_deleted`, `_meta.lwt` and the id), so an item keeps
 * only its id in clear. Local documents (the conflict log) and the replication's metadata (its copy of
 * what the server holds) pass through the same storage and are sealed the same way. RxDB's own
 * bookkeeping collection (`_rxdb_internal`: collection names, schemas, the storage token) stays in
 * clear: it holds nothing of the shopper's, and the database must open to report unreadable items.
 *
 * Usage: `createToteClient({ storage, name, atRest: keyring, ... })` wraps `storage` with it and reports
 * unreadable rows on the client's `unreadable$` (the device app does, with the device's database key:
 * core/src/app/device-app.ts); directly:
 *
 *   const storage = encryptedStorage(getRxStorageDexie(), keyring, { onUnreadable: (error) => report(error) });
 *   const db = await openCartDatabase({ storage, name });
 *
 * Modelled on RxDB's `wrappedKeyEncryptionCryptoJsStorage`, but not built on its `wrapRxStorageInstance`
 * helper (rxdb 17.6), which would be wrong here in five ways: it decrypts event bulks with `mergeMap`,
 * so a slow bulk can overtake a later one (the store would keep an old revision); one document that
 * fails to decrypt errors the whole change stream, query or write for good; a change-stream listener
 * that unsubscribes while a bulk is being decrypted leaves its pending count up, and every later write
 * waits for it forever; `count` and `query` are handed to the inner storage unchanged, so selectors and
 * sorts on sealed fields silently match nothing; and it re-orders write rows by completion.
 *
 * Rules:
 * 1. **An unreadable document is set aside, never fatal.** A row that fails authentication (a changed
 *    byte, another document's envelope, another key) or is not sealed at all is left out of every read
 *    (queries, lookups by id, the replication's reads, the change stream) and reported once per stored
 *    revision to `onUnreadable` as `ToteError('DECRYPT_FAILED')` with `details` { documentId,
 *    collection, revision, reason } (`authentication`, `format` or `version` as the cipher says, or `key`
 *    when `keys` gave no cipher: the cart is locked). The other documents read normally. It is not deleted: the right key
 *    can still read it. A write over it is refused with a 409 (whose `documentInDb` carries only the
 *    clear fields), as any write that does not name the stored revision.
 * 2. **Queries on sealed fields are evaluated after decryption.** A selector or sort that only uses clear
 *    fields (the store's `find()` of all items and `findOne(id)`) goes to the storage as it is; any other
 *    reads the rows the clear part of the selector allows, decrypts them and filters, sorts, skips and
 *    limits with RxDB's own query matcher. Right, but a full read: fine for a cart, not for large tables.
 * 3. **Writes are sealed, reads opened; the revision check is the storage's.** `previous` rows go to the
 *    storage as given (it compares only `_rev` and `_deleted`; nothing of them is stored). Change events
 *    for this device's own writes carry the plaintext that was written, without decrypting it again.
 * 4. **The key is asked for at every operation** (`keys` may be a function), so a shell can hand over a
 *    new keyring without reopening the storage. Attachments are refused: they would be stored in clear.
 * 5. A database written without this wrapper is not readable through it (its rows have no `enc`): turning
 *    encryption on for an existing cart means copying its documents into a new, wrapped database.
 * 6. **Field names are not sealed where the schema gives them.** In the collections named by
 *    `compactCollections` (the cart's items), the sealed part is `[tag, present, ...values]` in the order
 *    of the schema's field names (compactLayout below), a third smaller than the same fields as a JSON
 *    object: fewer bytes to store, decrypt and parse at every start. Rows sealed as an object (before
 *    this, or of other collections) are read as they are, in every collection; there is no migration.
 *    A row written by position with another field list is set aside as unreadable ('format').
 *    Older versions of Tote do not read the compact rows (they set them aside).
 * 7. **Writes are stored in the order they were asked for.** RxDB stamps each write's rows with the time
 *    it was asked for (`_meta.lwt`) before handing it over, and the replication's push resumes from the
 *    last stamp it has seen stored (its checkpoint). Sealing takes longer for some writes than others; a
 *    write stored after a later one would sit behind that checkpoint, and a push resuming from it (after
 *    a reconnect, or at the next start) would pass over it: the change would stay on this device, unsent,
 *    while sync shows nothing to do. So rows are sealed side by side, and written one write after another.
 */
import {
  getPrimaryFieldOfPrimaryKey, getQueryMatcher, getSortComparator, INTERNAL_STORAGE_NAME, prepareQuery,
  type BulkWriteRow, type EventBulk, type FilledMangoQuery, type PreparedQuery, type RxDocumentData, type RxJsonSchema,
  type RxStorage, type RxStorageBulkWriteResponse, type RxStorageChangeEvent, type RxStorageInstance,
  type RxStorageInstanceCreationParams, type RxStorageWriteError,
} from 'rxdb';
import { BehaviorSubject, firstValueFrom, Observable } from 'rxjs';
import { concatMap, filter, tap } from 'rxjs/operators';
import type { DocumentCipher } from '../crypto/document-cipher.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { isToteError, ToteError } from '../errors.ts';
import { fromByteString, toByteString } from './byte-string.ts';
import type { QueryInParts } from './dexie-bulk-reads.ts';

/** The field of a stored row that holds the sealed rest of the document. */
export const SEALED_FIELD = 'enc';

/** What the storage keeps in clear on every document, beside the primary key and indexed fields. */
const STORAGE_FIELDS = ['_deleted', '_rev', '_meta', '_attachments'] as const;

/** The shopper's keyring, or a function giving the cipher to use now. */
export type CipherSource = Pick<Keyring, 'cipher'> | (() => DocumentCipher);

export interface EncryptedStorageOptions {
  /**
   * Told once per unreadable stored revision (rule 1): `ToteError('DECRYPT_FAILED')`, its message for
   * the shopper, `details.documentId`, `collection`, `revision`, `reason`. Must not throw.
   */
  readonly onUnreadable?: (error: ToteError) => void;
  /**
   * Collections whose sealed fields are written by position (rule 6), default the cart's items: only
   * collections whose schema Tote owns, so its fields change only with a schema version. Rows of every
   * collection are read in both layouts.
   */
  readonly compactCollections?: readonly string[];
}

/** The cart's items: their field names were a third of each sealed row. */
export const COMPACT_COLLECTIONS: readonly string[] = ['items'];

type Plain = Record<string, unknown>;
type Doc = RxDocumentData<Plain>;
type AnyInstance = RxStorageInstance<Plain, unknown, unknown>;
// RxDB storages are generic over their internals; any storage can be wrapped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStorage = RxStorage<any, any>;

/** `storage` with every document sealed by the shopper's key before it is stored (see the rules above). */
export function encryptedStorage<S extends AnyStorage>(storage: S, keys: CipherSource, options: EncryptedStorageOptions = {}): S {
  const cipher = typeof keys === 'function' ? keys : () => keys.cipher;
  return {
    ...storage,
    async createStorageInstance(params: RxStorageInstanceCreationParams<Plain, unknown>) {
      if (params.collectionName === INTERNAL_STORAGE_NAME) return storage.createStorageInstance(params);
      const compact = (options.compactCollections ?? COMPACT_COLLECTIONS).includes(params.collectionName);
      return sealedInstance(storage, params, cipher, options.onUnreadable ?? (() => undefined), compact);
    },
  } as S;
}

/** The top-level fields a query or index names (`_meta.lwt` → `_meta`). */
const topField = (path: string) => path.split('.')[0]!;

function clearFieldsOf(schema: RxJsonSchema<Doc>): Set<string> {
  const clear = new Set<string>([getPrimaryFieldOfPrimaryKey(schema.primaryKey), ...STORAGE_FIELDS]);
  if (typeof schema.primaryKey === 'object') for (const field of schema.primaryKey.fields) clear.add(field as string);
  for (const index of schema.indexes ?? []) for (const path of Array.isArray(index) ? index : [index]) clear.add(topField(path));
  return clear;
}

/** The schema the inner storage sees: the clear fields, and the sealed field as a string. */
function storedSchema(schema: RxJsonSchema<Doc>, clear: Set<string>): RxJsonSchema<Doc> {
  const properties = Object.fromEntries(Object.entries(schema.properties).filter(([field]) => clear.has(field)));
  // RxDB's own per-field `encrypted` list would make it ask for a password: this storage seals instead.
  const stored = { ...schema };
  delete stored.encrypted;
  return {
    ...stored,
    properties: { ...properties, [SEALED_FIELD]: { type: 'string' } },
    required: (schema.required ?? []).filter((field) => clear.has(field as string)),
  } as RxJsonSchema<Doc>;
}

/** Field paths (top level) a selector or sort reads. */
function queriedFields(selector: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(selector)) for (const part of selector) queriedFields(part, into);
  else if (typeof selector === 'object' && selector !== null) {
    for (const [key, value] of Object.entries(selector)) {
      if (key.startsWith('$')) queriedFields(value, into);
      else into.add(topField(key));
    }
  }
  return into;
}

/**
 * Opens a stored envelope: a byte string (how this storage writes them) or base64url text (how the
 * first version of this storage wrote them). They cannot be mistaken for each other: an envelope's
 * first byte is its version (1; any version below 45 is a character base64url does not use).
 */
function decryptStored(cipher: DocumentCipher, aad: string, envelope: string): Promise<unknown> {
  if (isByteString(envelope)) return cipher.decryptBytes(aad, fromByteString(envelope) ?? new Uint8Array(0));
  return cipher.decrypt(aad, envelope);
}

/**
 * The byte strings (null: none) one after the other into `into`, by the engine: `btoa` reads a byte
 * string as it is and `setFromBase64` writes the bytes back, both native, where a loop over 3 million
 * characters at a 10 000-item start took tens of milliseconds before the engine optimised it. False
 * (nothing copied) where the engine lacks `setFromBase64` (Node 22) or a string holds a character above
 * 255 (`btoa` refuses it): the caller copies them itself then.
 */
export function latin1Bytes(strings: readonly (string | null)[], into: Uint8Array): boolean {
  const setFromBase64 = (into as Uint8Array & { setFromBase64?: (base64: string) => unknown }).setFromBase64;
  if (typeof setFromBase64 !== 'function' || typeof btoa !== 'function') return false;
  try {
    setFromBase64.call(into, btoa(strings.filter((text) => text !== null).join('')));
    return true;
  } catch {
    return false;
  }
}

/** Whether `envelope` is kept as a byte string (not base64url text): see decryptStored. */
const isByteString = (envelope: string) => envelope.charCodeAt(0) < BASE64URL_LOWEST;

/** The lowest character base64url uses ('-'). */
const BASE64URL_LOWEST = 0x2d;

/** FNV-1a (32 bits) of the field list: which list a compact row was written with. */
function layoutTag(fields: readonly string[]): number {
  let hash = 0x811c9dc5;
  const text = fields.join('\n');
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/**
 * Rule 6, the compact layout of a sealed part: `[tag, present, ...values]`, the values of the fields
 * present (not undefined) in the order of the schema's sealed field names sorted, `present` the bit set
 * of which are there, `tag` the field list's hash. Field names are the schema's, so they are not
 * stored. A row whose tag is not this schema's is unreadable ('format'), never read into wrong fields.
 */
function compactLayout(schema: RxJsonSchema<Doc>, clear: Set<string>) {
  const declared = Object.keys(schema.properties).filter((field) => !clear.has(field));
  const fields = [...declared].sort();
  const tag = layoutTag(fields);
  const position = new Map(fields.map((field, index) => [field, index]));
  // For each declared field, its place in `fields`; `slot` is unpack's scratch space.
  const sortedIndex = declared.map((field) => position.get(field)!);
  const slot = new Array<number>(fields.length).fill(0);
  // Bits of `present` stay exact integers up to 2^53.
  const usable = fields.length <= 52;
  return {
    /** The compact form, or the object itself when it has a field the schema does not name. */
    pack(secret: Record<string, unknown>): unknown {
      if (!usable) return secret;
      for (const field in secret) if (!position.has(field)) return secret;
      const packed: unknown[] = [tag, 0];
      let present = 0;
      for (let index = 0; index < fields.length; index += 1) {
        const value = secret[fields[index]!];
        if (value === undefined) continue;
        present += 2 ** index;
        packed.push(value);
      }
      packed[1] = present;
      return packed;
    },
    /** The fields, in the schema's order, or null when the row is not this layout of this schema. */
    unpack(packed: unknown[]): Record<string, unknown> | null {
      const present = packed[1];
      if (!usable || packed[0] !== tag || typeof present !== 'number' || !Number.isInteger(present) || present < 0 || present >= 2 ** fields.length) return null;
      // Where each field's value is in `packed` (0: absent); one array for every row, as nothing awaits here.
      let next = 2;
      for (let index = 0; index < fields.length; index += 1) slot[index] = Math.floor(present / 2 ** index) % 2 === 1 ? next++ : 0;
      if (next !== packed.length) return null;
      const doc: Record<string, unknown> = {};
      for (let index = 0; index < declared.length; index += 1) {
        const at = slot[sortedIndex[index]!]!;
        if (at !== 0) doc[declared[index]!] = packed[at];
      }
      return doc;
    },
  };
}

async function sealedInstance(storage: AnyStorage, params: RxStorageInstanceCreationParams<Plain, unknown>,
  cipher: () => DocumentCipher, onUnreadable: (error: ToteError) => void, compact: boolean): Promise<AnyInstance> {
  const { schema, collectionName } = params;
  if (SEALED_FIELD in schema.properties) {
    throw new ToteError('INVALID_INPUT', `Tote cannot store "${collectionName}" encrypted: its documents have a field named "${SEALED_FIELD}".`, { collection: collectionName });
  }
  if (schema.attachments) {
    throw new ToteError('INVALID_INPUT', `Tote cannot store "${collectionName}" encrypted: it has attachments, which would stay readable.`, { collection: collectionName });
  }
  const primary = getPrimaryFieldOfPrimaryKey(schema.primaryKey);
  const clear = clearFieldsOf(schema);
  const innerSchema = storedSchema(schema, clear);
  const inner = await storage.createStorageInstance({ ...params, schema: innerSchema }) as AnyInstance;
  const aad = (id: string) => `${collectionName}:${id}`;
  const layout = compactLayout(schema, clear);

  /** The last write handed to the inner storage: each waits for the one before (rule 7). */
  let writes: Promise<unknown> = Promise.resolve();
  /** Plaintext of the rows this instance wrote, so its own change events need no decryption. */
  const written = new WeakMap<object, Doc>();
  const reported = new Set<string>();

  async function seal(doc: Doc): Promise<Doc> {
    const stored: Record<string, unknown> = {};
    const secret: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(doc)) (clear.has(field) ? stored : secret)[field] = value;
    stored[SEALED_FIELD] = toByteString(await cipher().encryptToBytes(aad(doc[primary] as string), compact ? layout.pack(secret) : secret));
    written.set(stored, doc);
    return stored as Doc;
  }

  function clearPart(row: Doc): Doc {
    const { [SEALED_FIELD]: sealed, ...rest } = row;
    void sealed;
    return rest as Doc;
  }

  function report(row: Doc, reason: string, cause?: ToteError): void {
    const id = row[primary] as string;
    const key = `${id}\n${row._rev}`;
    if (reported.has(key)) return;
    reported.add(key);
    const message = cause?.message ?? (reason === 'key'
      ? 'Tote cannot read your cart on this device until it is unlocked. Sign in again to unlock it.'
      : 'An item in your cart could not be read: it was changed or damaged on the way. Your other items are fine.');
    onUnreadable(new ToteError('DECRYPT_FAILED', message, { documentId: id, collection: collectionName, revision: row._rev, reason }));
  }

  /**
   * The document a stored row holds, or null (reported) when it cannot be read. `bytes`: the envelope's
   * bytes when the caller has them already (openAll).
   */
  async function open(row: Doc, bytes?: Uint8Array<ArrayBuffer>): Promise<Doc | null> {
    const mine = written.get(row);
    if (mine) return mine;
    const envelope = row[SEALED_FIELD];
    if (typeof envelope !== 'string') {
      report(row, 'format');
      return null;
    }
    let secret: unknown;
    try {
      const id = aad(row[primary] as string);
      secret = await (bytes ? cipher().decryptBytes(id, bytes) : decryptStored(cipher(), id, envelope));
    } catch (error) {
      // Anything else (no key at hand) is set aside the same way: a read must never break the change
      // stream, which RxDB cannot resubscribe.
      const failure = isToteError(error, 'DECRYPT_FAILED') ? error : undefined;
      report(row, failure ? String(failure.details?.reason ?? 'authentication') : 'key', failure);
      return null;
    }
    if (Array.isArray(secret)) secret = layout.unpack(secret);
    if (typeof secret !== 'object' || secret === null || Array.isArray(secret)) {
      report(row, 'format');
      return null;
    }
    // Clear fields win: they are what the storage indexes and checks revisions by. `secret` was just
    // parsed and belongs to no one else, so it takes them in place (one object per document at load).
    const doc = secret as Record<string, unknown>;
    for (const field in row) if (field !== SEALED_FIELD) doc[field] = row[field];
    return doc as Doc;
  }

  /**
   * `open` of every row, all at once. The byte-string envelopes are copied into one buffer rather than
   * one each: the cipher copies its input anyway, and 10 000 small buffers at start were a good part of
   * the garbage collector's work (docs/benchmarks.md, `cart10k.load_ms`). The copy is made by the
   * engine where it can (latin1Bytes).
   */
  async function openAll(rows: readonly Doc[]): Promise<Doc[]> {
    const envelopes = rows.map((row) => {
      const envelope = row[SEALED_FIELD];
      return typeof envelope === 'string' && isByteString(envelope) && !written.has(row) ? envelope : null;
    });
    let total = 0;
    for (const envelope of envelopes) if (envelope !== null) total += envelope.length;
    const buffer = new Uint8Array(total);
    const copied = latin1Bytes(envelopes, buffer);
    let offset = 0;
    const docs = await Promise.all(rows.map((row, index) => {
      const envelope = envelopes[index] ?? null;
      if (envelope === null) return open(row);
      const start = offset;
      offset += envelope.length;
      if (!copied) {
        for (let i = 0; i < envelope.length; i += 1) {
          const code = envelope.charCodeAt(i);
          if (code > 0xff) return open(row); // not a byte string after all: open() reports it
          buffer[start + i] = code;
        }
      }
      return open(row, buffer.subarray(start, offset));
    }));
    return docs.filter((doc): doc is Doc => doc !== null);
  }

  const needsPlaintext = (query: FilledMangoQuery<Plain>) => {
    const fields = queriedFields(query.selector, new Set());
    for (const part of query.sort) fields.add(topField(Object.keys(part)[0]!));
    return [...fields].some((field) => !clear.has(field));
  };

  /** Rule 2: the rows the clear part of the selector allows, then RxDB's matcher over the plaintext. */
  async function queryPlaintext(query: FilledMangoQuery<Plain>): Promise<Doc[]> {
    const clearSelector = Object.fromEntries(Object.entries(query.selector).filter(([key]) => !key.startsWith('$') && clear.has(topField(key))));
    const wide = prepareQuery<Plain>(innerSchema, { selector: clearSelector, sort: [{ [primary]: 'asc' }], skip: 0 } as FilledMangoQuery<Plain>);
    const docs = await openAll((await inner.query(wide)).documents);
    const matches = getQueryMatcher(schema, query);
    const found = docs.filter((doc) => matches(doc)).sort(getSortComparator(schema, query));
    const skip = query.skip ?? 0;
    return found.slice(skip, query.limit === undefined ? undefined : skip + query.limit);
  }

  // Change events must all be out before the write that caused them resolves (RxDB's contract).
  const processing = new BehaviorSubject(0);

  return {
    databaseName: inner.databaseName,
    internals: inner.internals,
    options: inner.options,
    schema,
    collectionName: inner.collectionName,

    async bulkWrite(rows: BulkWriteRow<Plain>[], context: string): Promise<RxStorageBulkWriteResponse<Plain>> {
      const originals = new Map<string, BulkWriteRow<Plain>>();
      const sealing = Promise.all(rows.map(async (row) => {
        originals.set(row.document[primary] as string, row);
        return { previous: row.previous, document: await seal(row.document) };
      }));
      // Stored in the order asked (rule 7): sealed side by side, written one after another.
      const turn = writes.then(async () => inner.bulkWrite(await sealing, context));
      writes = turn.catch(() => undefined);
      const result = await turn;
      await firstValueFrom(processing.pipe(filter((count) => count === 0)));
      const error = await Promise.all(result.error.map(async (failure): Promise<RxStorageWriteError<Plain>> => {
        const writeRow = originals.get(failure.documentId) ?? failure.writeRow;
        if (failure.status !== 409) return { ...failure, writeRow };
        const inDb = failure.documentInDb;
        return { ...failure, writeRow, documentInDb: (await open(inDb)) ?? clearPart(inDb) };
      }));
      return { error };
    },

    async findDocumentsById(ids: string[], withDeleted: boolean) {
      return openAll(await inner.findDocumentsById(ids, withDeleted));
    },

    async query(prepared: PreparedQuery<Plain>) {
      if (needsPlaintext(prepared.query)) return { documents: await queryPlaintext(prepared.query) };
      // A storage that reads in parts (dexie-bulk-reads.ts): each part is opened while the next is read.
      const inParts = (inner as Partial<QueryInParts>).queryInParts;
      if (inParts) {
        const opening: Promise<Doc[]>[] = [];
        if (await inParts.call(inner, prepared, (rows) => opening.push(openAll(rows)))) return { documents: (await Promise.all(opening)).flat() };
      }
      return { documents: await openAll((await inner.query(prepared)).documents) };
    },

    async count(prepared: PreparedQuery<Plain>) {
      // Through the storage, the count includes unreadable rows; after decryption, only readable ones.
      if (needsPlaintext(prepared.query)) {
        return { count: (await queryPlaintext({ ...prepared.query, skip: 0, limit: undefined })).length, mode: 'slow' as const };
      }
      return inner.count(prepared);
    },

    getChangedDocumentsSince: inner.getChangedDocumentsSince && (async (limit: number, checkpoint?: unknown) => {
      const changed = await inner.getChangedDocumentsSince!(limit, checkpoint);
      return { documents: await openAll(changed.documents), checkpoint: changed.checkpoint };
    }),

    changeStream(): Observable<EventBulk<RxStorageChangeEvent<Plain>, unknown>> {
      return new Observable((subscriber) => {
        // Bulks this listener has taken but not yet handed on. A listener that leaves (a replication
        // cancelled) must give them back, or every later write would wait for them forever.
        let outstanding = 0;
        const settle = (count: number) => {
          outstanding -= count;
          processing.next(processing.value - count);
        };
        const subscription = inner.changeStream().pipe(
          tap(() => {
            outstanding += 1;
            processing.next(processing.value + 1);
          }),
          // concatMap, not mergeMap: bulks stay in the order they were written.
          concatMap(async (bulk) => {
            const events = await Promise.all(bulk.events.map(async (event) => {
              const documentData = await open(event.documentData);
              if (!documentData) return null;
              const previous = event.previousDocumentData;
              // A write's `previous` is the caller's plaintext (rule 3); only sealed rows need opening.
              const previousDocumentData = previous && SEALED_FIELD in previous ? (await open(previous)) ?? undefined : previous;
              return { ...event, documentData, previousDocumentData };
            }));
            return { ...bulk, events: events.filter((event) => event !== null) } as EventBulk<RxStorageChangeEvent<Plain>, unknown>;
          }),
          tap(() => settle(1)),
          filter((bulk) => bulk.events.length > 0),
        ).subscribe(subscriber);
        return () => {
          subscription.unsubscribe();
          if (outstanding > 0) settle(outstanding);
        };
      });
    },

    getAttachmentData: (documentId, attachmentId, digest) => inner.getAttachmentData(documentId, attachmentId, digest),
    cleanup: (minimumDeletedTime) => inner.cleanup(minimumDeletedTime),
    close: () => inner.close(),
    remove: () => inner.remove(),
  };
}
