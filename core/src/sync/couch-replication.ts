/**
 * Live two-way replication of the cart with the sync server (CouchDB's HTTP replication contract,
 * through RxDB's replication-couchdb plugin: https://rxdb.info/replication-couchdb.html).
 *
 * The fetch is passed in and wrapped: it adds credentials, turns HTTP failures into typed errors and
 * tells the status which requests succeed. RxDB keeps retrying on errors (every `retryMs`), so going
 * offline is a state, never an error the shopper has to handle: local writes wait in the database and
 * go out when the server answers again.
 *
 * With a seal, the server is not trusted with the cart's content: only sealed documents of their id
 * whose values pass the commands' rules are taken (`arrive`, docs/encryption.md "Decrypting", rules
 * 1–6); everything else is reported and this device's copy kept.
 */
import type { WithDeleted } from 'rxdb';
import { BehaviorSubject, type Observable } from 'rxjs';
import { distinctUntilChanged } from 'rxjs/operators';
import { couchDBDocToRxDocData, replicateCouchDB, type RxCouchDBReplicationState } from 'rxdb/plugins/replication-couchdb';
import { sameItem } from '../cart/cart-reducer.ts';
import type { CartItem } from '../cart/cart-types.ts';
import { validateStoredItem } from '../cart/cart-validation.ts';
import { ToteError } from '../errors.ts';
import { HISTORY_KEEP_MS } from '../history/history-entry.ts';
import { tryParseHlc } from '../merge/hlc.ts';
import type { ClockedItem } from '../merge/item-clocks.ts';
import type { HistoryCollection, ItemCollection } from '../persistence/cart-database.ts';
import { validateHistoryDoc, type HistoryDoc } from '../persistence/history-schema.ts';
import { alwaysOnline, systemClock, type Clock, type ConnectivityPort, type FetchPort } from '../ports.ts';
import { HISTORY_UNREADABLE, isSealed, ITEM_UNREADABLE, type DocumentSeal, type ItemSeal, type SealedItem } from './sealed-items.ts';
import { damagedItemRepair, type DamagedItems } from './damaged-items.ts';
import { recordSealedCopies, sealedCopiesDone, sealPlainCopies } from './sealed-migration.ts';
import type { ServerDocument } from './live-channel.ts';
import { knownRevisions, oneTripPush, type KnownRevisions } from './known-revisions.ts';
import { historyDbUrl } from './sync-target.ts';
import type { ServerRevisions } from './server-revisions.ts';
import type { SyncStatus } from './sync-status.ts';

export interface SyncTarget {
  /** The shopper's database behind the sync server's gateway, e.g. "https://sync.example/userdb-616c696365". */
  readonly dbUrl: string;
  /** The session token from signing in (account-api.ts). */
  readonly token: string;
}

export interface CartSyncOptions {
  readonly items: ItemCollection;
  readonly target: SyncTarget;
  readonly fetch: FetchPort;
  readonly connectivity?: ConnectivityPort;
  readonly clock?: Clock;
  /** Wait between retries after a failure. */
  readonly retryMs?: number;
  /**
   * With the shopper's keys unlocked: items leave this device sealed and are opened on arrival
   * (sealed-items.ts); the server only ever holds ciphertext. Null: documents travel as they are.
   */
  readonly seal?: ItemSeal | null;
  /**
   * The history collection, replicated to the shopper's history database next to the cart's
   * (`<db>-history`), sealed with `historySeal` when items are sealed.
   */
  readonly history?: { readonly collection: HistoryCollection; readonly seal: DocumentSeal<HistoryDoc> | null };
  /** A document from the server could not be opened: it is set aside (this device's copy is kept) and reported. */
  readonly onUnreadable?: (error: ToteError) => void;
  /** Where the revisions the server holds are noted (server-revisions.ts), for the conflict handler's check of late pulls. */
  readonly revisions?: ServerRevisions;
  /** Item rows of this device that do not open: the server's copy takes their place when it opens (damaged-items.ts). */
  readonly damaged?: DamagedItems;
  /** Told each item the server took, by id, for the sync round trip's time (docs/analytics.md, "Monitoring"). */
  readonly onPushed?: (id: string) => void;
  /**
   * Whether this device's copy of an item knows its availability (the store's state, in memory): spares a
   * read of the database for every pulled item that has none (`keepAvailability`). Absent: the database is read.
   */
  readonly knowsAvailability?: (id: string) => boolean;
  /**
   * While the live channel delivers (`setLiveDelivery`), how often a catch-up pull reads `_changes`
   * anyway: the checkpoint moves, and a write the channel never announced arrives (docs/sync.md, rule 6).
   */
  readonly catchUpEveryMs?: number;
}

export interface CartSync {
  readonly status$: Observable<SyncStatus>;
  getStatus(): SyncStatus;
  /** Resolves when everything written locally so far is on the server and everything there is here. */
  awaitInSync(): Promise<void>;
  /** Try again now (for a "Retry" button, or when the platform says the network is back). */
  reconnect(): void;
  /**
   * Documents another device wrote to `db`, as the live channel brought them (docs/sync.md, rule 6):
   * written through the same replication as a pull (the pull's checks, the merge, the conflict
   * handler). False when they are not for this sync's databases or it cannot take them yet (before its
   * first exchange with the server): the caller then asks for a pull (`pull`).
   */
  receive(db: string, docs: readonly ServerDocument[]): boolean;
  /**
   * Whether the live channel is up and brings the documents of every accepted write (its `live-docs`
   * flag on). While it is, the long-polled `_changes` rests and sync pulls (from its checkpoint, one
   * request for many changes) only when needed: once when it turns on (what was written before the
   * channel connected), on `pull`, and every `catchUpEveryMs`. Turning it off wakes the long poll at
   * once, from where the last catch-up read to (docs/sync.md, rules 5 and 6).
   */
  setLiveDelivery(on: boolean): void;
  /** A catch-up pull now, of `db` (the cart's or the history's database, by name) or of both. */
  pull(db?: string): void;
  /**
   * With a seal: the server's plain copies from before encryption, replaced once in sync by this
   * device's own copies, sealed (sealed-migration.ts); `foreign` counts the plain ones it does not hold
   * (left there, reported as unreadable). All 0 when this device already did it for this database, null
   * without a seal or when sync stopped first.
   */
  readonly sealedCopies: Promise<{ sealed: number; left: number; foreign: number } | null>;
  stop(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * A history push waits this long (docs/history.md, "Stored and synced"): every change rewrites this
 * device's open batch, and RxDB pushes only the newest version of a document whose push is waiting, so
 * a burst of changes (quantities stepped up, a list worked through) sends its batch once, not once per
 * change, and never competes on the server and on the other devices with the items, which are what
 * they show. Stopping sync (the app closing, signing out) sends a waiting push at once, so a change
 * made just before the app closes reaches the server with its history.
 */
export const HISTORY_PUSH_DELAY_MS = 250;
/** How long `stop` waits for the history written so far to be sent (the server slow to answer). */
const STOP_PUSH_GRACE_MS = 3000;

type Reachability = 'unknown' | 'reachable' | 'unreachable' | 'refused';

/** `error` of a JSON error answer (CouchDB's and the gateway's shape), or null. */
async function errorName(response: Response): Promise<string | null> {
  try {
    const body = (await response.clone().json()) as { error?: unknown } | null;
    return typeof body?.error === 'string' ? body.error : null;
  } catch {
    return null;
  }
}

function httpProblem(status: number, retryAfter: string | null = null, error: string | null = null): ToteError {
  const seconds = Number(retryAfter);
  const wait = Number.isFinite(seconds) && seconds > 0 ? { retryAfterSeconds: seconds } : {};
  if (status === 429) {
    return new ToteError('RATE_LIMITED', 'The sync server is busy with this network\'s devices. Tote will try again in a moment; your changes are kept on this device.', { status, ...wait });
  }
  // The gateway's answers when CouchDB cannot take writes (docs/reliability.md, "A full disk"): nothing for
  // the shopper to do, but worth saying, or the cart looks in sync while nothing reaches the server.
  if (status === 507 || (status === 503 && error === 'insufficient_storage')) {
    return new ToteError('SYNC_UNAVAILABLE', 'The sync server is out of storage space. Your changes are kept on this device and will sync once it has room again; Tote keeps trying.', { status, ...wait });
  }
  if (status === 503) {
    return new ToteError('SYNC_UNAVAILABLE', 'The sync server is unavailable for a moment. Your changes are kept on this device; Tote keeps trying.', { status, ...wait });
  }
  // A document larger than the server takes: it will not go through by retrying, so the shopper is told.
  if (status === 413) {
    return new ToteError('SYNC_HTTP', 'A change is larger than the sync server accepts, so it stays on this device only. Shorten what you changed (a long note, say); your other changes keep syncing.', { status });
  }
  if (status === 401) {
    return new ToteError('SESSION_EXPIRED', 'Your session has ended. Sign in again; changes you make meanwhile are kept on this device.', { status });
  }
  if (status === 403) {
    return new ToteError('SYNC_FORBIDDEN', 'The sync server refused access to this cart. Check the account in Settings.', { status });
  }
  return new ToteError('SYNC_HTTP', `The sync server answered with an error (${status}). Tote will keep retrying.`, { status });
}

/**
 * `work`, run at once for each call, its results handed on in the order of the calls (docs/sync.md, rule 9).
 * RxDB opens the documents of each pulled answer with `mergeMap` (rxdb 17.6, plugins/replication), so an
 * answer whose documents open sooner would enter the pull stream before an earlier one, and of two
 * versions of a document waiting to be written RxDB keeps the last to arrive.
 */
export function inCallOrder<A, R>(work: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  let last: Promise<unknown> = Promise.resolve();
  return (arg) => {
    const result = work(arg);
    const inTurn = last.then(() => result);
    last = inTurn.catch(() => undefined);
    return inTurn;
  };
}

export function startCartSync(options: CartSyncOptions): CartSync {
  const { items, target, connectivity = alwaysOnline, clock = systemClock, retryMs = 1000 } = options;
  const dbUrl = target.dbUrl.endsWith('/') ? target.dbUrl : `${target.dbUrl}/`;
  const auth = `Bearer ${target.token}`;
  /** After a 401 the token is dead: no more requests with it until sync is restarted with a new session. */
  let sessionEnded = false;

  let reachability: Reachability = 'unknown';
  let problem: ToteError | null = null;
  /** A write the server refused for its size (413): shown until a write goes through, whatever else answers. */
  let refusedWrite: ToteError | null = null;
  let initialDone = false;
  let active = false;
  let lastSyncedAt: number | null = null;
  const status = new BehaviorSubject<SyncStatus>({ phase: 'connecting', lastSyncedAt: null, problem: null });

  const publish = () => {
    const phase = !connectivity.isOnline() || reachability === 'unreachable' ? 'offline'
      : reachability === 'refused' || refusedWrite ? 'error'
        : !initialDone ? 'connecting'
          : active ? 'syncing' : 'in-sync';
    if (phase === 'in-sync') lastSyncedAt = clock.now();
    const shown = phase === 'error' || phase === 'offline' ? (reachability === 'refused' ? problem : refusedWrite ?? problem) : null;
    status.next(Object.freeze({
      phase, lastSyncedAt,
      problem: shown ? Object.freeze({ code: shown.code, message: shown.message }) : null,
    }));
  };

  /**
   * Where the live pull starts (docs/sync.md, rule 5). RxDB's live stream asks `_changes` for `since=now`
   * until its first answer, and sends that request at once, beside the catch-up pull rather than after
   * it. The server takes "now" when the request reaches it: a write that lands between the catch-up's
   * answer and that moment (another device's, on a slow network or a loaded machine) is in neither, and
   * the stream's checkpoint then passes over it for good. So a stream request for `now` waits until a
   * catch-up pull of that database has read to the end of the feed, and continues from the last
   * sequence it read (`lastSeq`); after that, from the last sequence any catch-up read (an outage before
   * the stream's first answer).
   */
  const lastSeq = new Map<string, string>(); // by database path: the cart's and the history's
  const caughtUp = new Map<string, { readonly done: Promise<void>; resolve(): void }>();
  const caughtUpOf = (path: string) => {
    let entry = caughtUp.get(path);
    if (!entry) {
      let resolve = () => undefined as void;
      const done = new Promise<void>((settle) => { resolve = settle; });
      entry = { done, resolve };
      caughtUp.set(path, entry);
    }
    return entry;
  };
  let stopped = false;
  let signalStop = () => undefined as void;
  const whenStopped = new Promise<null>((resolve) => {
    signalStop = () => resolve(null);
  });
  const continueChanges = async (input: Parameters<FetchPort>[0]): Promise<Parameters<FetchPort>[0]> => {
    if (typeof input !== 'string' || !input.includes('/_changes?')) return input;
    const url = new URL(input);
    if (url.searchParams.get('since') !== 'now') return input;
    await Promise.race([caughtUpOf(url.pathname).done, whenStopped]);
    const seen = lastSeq.get(url.pathname);
    if (seen === undefined) throw new ToteError('CLOSED', 'Sync was stopped.');
    url.searchParams.set('since', seen);
    return url.toString();
  };
  /**
   * The long poll rests while the live channel delivers (docs/sync.md, rule 6): each change then costs
   * its pushes alone, not every device's long polls answering for it (the writer's own included) and
   * being opened again. A long poll asked for meanwhile is held here, not sent; one already open is cut
   * and answered empty for the replication (no documents, its own `since`: the checkpoint stays). When
   * delivery stops, the held poll goes out at once, from where the last catch-up pull of that database
   * read to if one read since (everything before it came with that pull), else from its own `since`.
   */
  let liveDelivery = false;
  let wake = () => undefined as void;
  let woken: Promise<void> = Promise.resolve();
  const openPolls = new Set<AbortController>();
  /** Catch-up answers read, by database path: a held long poll continues from the newest when there was one. */
  const catchUpsRead = new Map<string, number>();
  const restWhileLive = async (input: string): Promise<string> => {
    const url = new URL(input);
    const readBefore = catchUpsRead.get(url.pathname) ?? 0;
    if (!liveDelivery) return input;
    while (liveDelivery && !stopped) await Promise.race([woken, whenStopped]);
    if (stopped) throw new ToteError('CLOSED', 'Sync was stopped.');
    const seen = lastSeq.get(url.pathname);
    if ((catchUpsRead.get(url.pathname) ?? 0) === readBefore || seen === undefined) return input;
    url.searchParams.set('since', seen);
    return url.toString();
  };
  /** What the replication reads for a long poll cut when delivery started: nothing new, from where it was. */
  const restedAnswer = (input: string) => new Response(JSON.stringify({ results: [], last_seq: new URL(input).searchParams.get('since') }), {
    status: 200, headers: { 'content-type': 'application/json' },
  });
  const revisions = options.revisions ?? null;
  const itemsPath = new URL(dbUrl).pathname;
  const revisionPaths = new Set(['_changes', '_bulk_docs', '_all_docs'].map((route) => `${itemsPath}${route}`));
  /** The revisions of versions seen, by database path (known-revisions.ts): pushes whose ancestor is one take one round trip. */
  const knownByPath = new Map<string, KnownRevisions>([[itemsPath, knownRevisions()]]);
  const historyPath = new URL(historyDbUrl(dbUrl)).pathname;
  if (options.history) knownByPath.set(historyPath, knownRevisions());
  /**
   * What this device reads from an answer before the replication does, parsing it once:
   * - the catch-up pulls (not the live stream's long polls) say how far this device has read (`lastSeq`),
   *   and when one has read to the end of the feed (the stream's first request waits for that);
   * - the cart's answers that name revisions are noted (server-revisions.ts).
   */
  const readAnswer = async (input: Parameters<FetchPort>[0], response: Response, init: Parameters<FetchPort>[1]) => {
    if (typeof input !== 'string') return undefined;
    const { pathname } = new URL(input);
    const catchUp = input.includes('/_changes?') && !input.includes('feed=longpoll');
    const named = revisions !== null && revisionPaths.has(pathname);
    const knownHere = knownByPath.get(pathname.slice(0, pathname.lastIndexOf('/') + 1));
    const revisionsHere = knownHere !== undefined && /\/(_changes|_all_docs|_bulk_docs)$/.test(pathname);
    if (!catchUp && !named && !revisionsHere) return undefined;
    let body: unknown;
    try {
      body = await response.clone().json();
    } catch {
      return undefined; // not JSON: the replication reports it
    }
    const lastSeqOfBody = (body as { last_seq?: unknown } | null)?.last_seq;
    if (catchUp && lastSeqOfBody !== undefined && lastSeqOfBody !== null) {
      lastSeq.set(pathname, String(lastSeqOfBody));
      catchUpsRead.set(pathname, (catchUpsRead.get(pathname) ?? 0) + 1);
      // Fewer results than asked for: this pull read to the end of the feed (RxDB's catch-up stops there too).
      const results = (body as { results?: unknown }).results;
      const limit = Number(new URL(input).searchParams.get('limit'));
      if (Array.isArray(results) && (!(limit > 0) || results.length < limit)) caughtUpOf(pathname).resolve();
    }
    if (named) revisions!.observe(pathname, body);
    if (revisionsHere) {
      let request: unknown;
      try {
        request = pathname.endsWith('/_bulk_docs') && typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
      } catch {
        request = undefined;
      }
      knownHere.observeAnswer(pathname, body, request);
    }
    return body;
  };
  /**
   * Whether a pulled cart document is an older version than one this device already knows the server
   * holds (docs/sync.md, rule 8). Answers and channel messages enter the replication's pull stream one
   * after another, and RxDB keeps only the last version of each document among those waiting to be
   * written: a long poll's answer read before another device's change, arriving after the channel brought
   * that change, would take its place, and the change would never be written here. Such versions are left
   * out of the live answers (the long poll's and the catch-up's) before they enter the stream.
   */
  const superseded = (doc: unknown) => revisions !== null && typeof doc === 'object' && doc !== null && revisions.isSuperseded(doc);
  const withoutSuperseded = (response: Response, body: unknown): Response => {
    const results = (body as { results?: unknown } | null)?.results;
    if (!Array.isArray(results)) return response;
    const kept = results.filter((row: { doc?: unknown } | null) => !superseded(row?.doc));
    if (kept.length === results.length) return response;
    return new Response(JSON.stringify({ ...(body as object), results: kept }), { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  const syncFetch: FetchPort = async (requested, init) => {
    if (sessionEnded) throw problem!;
    const continued = await continueChanges(requested);
    const longPoll = typeof continued === 'string' && continued.includes('/_changes?') && continued.includes('feed=longpoll');
    const input = longPoll ? await restWhileLive(continued) : continued;
    if (sessionEnded) throw problem!;
    if (!connectivity.isOnline()) {
      reachability = 'unreachable';
      problem = new ToteError('SYNC_OFFLINE', 'This device is offline.');
      publish();
      throw problem;
    }
    const headers = new Headers(init?.headers);
    headers.set('authorization', auth);
    let response: Response;
    // A long poll can be cut when delivery starts; its whole answer is read here, so a cut is never half an answer.
    const poll = longPoll ? new AbortController() : null;
    if (poll) openPolls.add(poll);
    try {
      response = await options.fetch(input, { ...init, headers, ...(poll ? { signal: poll.signal } : {}) });
      if (poll && response.ok) {
        response = new Response(await response.text(), { status: response.status, statusText: response.statusText, headers: response.headers });
      }
    } catch (cause) {
      if (poll?.signal.aborted) return restedAnswer(input as string);
      reachability = 'unreachable';
      problem = new ToteError('SYNC_OFFLINE', 'Tote cannot reach the sync server.', { cause: String(cause) });
      publish();
      throw problem;
    } finally {
      if (poll) openPolls.delete(poll);
    }
    const write = (init?.method ?? 'GET').toUpperCase() !== 'GET' && /\/_bulk_docs$/.test(new URL(String(input instanceof Request ? input.url : input)).pathname);
    if (!response.ok) {
      problem = httpProblem(response.status, response.headers.get('retry-after'), response.status === 503 ? await errorName(response) : null);
      if (response.status === 413) refusedWrite = problem;
      if (response.status === 401) sessionEnded = true;
      // Refused (and shown until an answer is good again): a session that ended, no access, too many
      // requests, a server that cannot take changes now (full, unavailable, failing: any 5xx), or a change
      // larger than it takes. Other answers (a 404, a 409) are part of replication.
      reachability = [401, 403, 413, 429].includes(response.status) || response.status >= 500 ? 'refused' : 'reachable';
      publish();
      throw problem;
    }
    if (reachability !== 'reachable' || (write && refusedWrite)) {
      reachability = 'reachable';
      problem = null;
      if (write) refusedWrite = null;
      publish();
    }
    const body = await readAnswer(input, response, init);
    return longPoll && typeof input === 'string' && new URL(input).pathname === `${itemsPath}_changes` ? withoutSuperseded(response, body) : response;
  };

  const seal = options.seal ?? null;
  /**
   * What a pulled document becomes on this device (docs/encryption.md, "Decrypting"). Without a seal:
   * taken as it is. With one, only a sealed item of its id whose values pass the commands' rules is
   * taken (sealed-items.ts, `open`). Anything else is unreadable: a document in plain, an envelope with
   * clear fields beside it or bound to another id, values no command makes, and a deletion by CouchDB
   * (an item is removed by the sealed `deleted` field inside its envelope, never by the server). It is
   * reported and set aside: this device's copy stays (its next change repairs the server's copy); with
   * no copy here, a removed placeholder that shows nothing. Not reported: a plain copy that is exactly
   * this device's own (a cart synced before sealing, which sealed-migration.ts seals from this copy).
   */
  const arrive = async (doc: ClockedItem & { _deleted?: boolean }): Promise<WithDeleted<CartItem>> => {
    if (!seal) return doc as WithDeleted<CartItem>;
    try {
      const opened = await seal.open(doc);
      if (opened._deleted) throw new ToteError('DECRYPT_FAILED', ITEM_UNREADABLE, { documentId: doc.id, reason: 'removed' });
      return opened as WithDeleted<CartItem>;
    } catch (error) {
      const local = (await items.findOne(doc.id).exec())?.toMutableJSON() as CartItem | undefined;
      const ownPlainCopy = local !== undefined && !isSealed(doc) && !doc._deleted && Array.isArray(doc.priceHistory) && sameItem(local, doc);
      if (!ownPlainCopy) options.onUnreadable?.(error as ToteError);
      if (local) return { ...local, _deleted: false } as WithDeleted<CartItem>;
      return {
        id: doc.id, listId: 'cart', url: '', shop: '', title: '', priceMinor: null, currency: 'unknown', imageUrl: null,
        variant: null, quantity: 1, note: '', addedAt: 0, addedBy: '', updatedAt: 0, updatedBy: '', deleted: true,
        addedPriceMinor: null, priceHistory: [], _deleted: false,
      } satisfies ClockedItem & { _deleted: boolean };
    }
  };

  /**
   * A version pushed by a device of the version before availability carries no availability and no clock
   * for it, though the item had one: that device dropped a field it does not know (docs/cart-manager.md,
   * "Availability", rule 6). This device's reading is kept, with its stamp, so the merge of this device's
   * next change keeps it too (merge/field-merge.ts, `neverReadAvailability`). This version never drops a
   * reading itself: a restore that makes it unknown stamps the field.
   */
  const keepAvailability = async (version: WithDeleted<CartItem>): Promise<WithDeleted<CartItem>> => {
    const clocks = (version as ClockedItem).fieldClocks;
    if (version.availability !== undefined || !clocks || clocks.availability !== undefined) return version;
    if (options.knowsAvailability && !options.knowsAvailability(version.id)) return version;
    const local = (await items.findOne(version.id).exec())?.toMutableJSON() as ClockedItem | undefined;
    if (!local?.availability) return version;
    const stamp = local.fieldClocks?.availability;
    return { ...version, availability: local.availability, fieldClocks: { ...clocks, ...(stamp ? { availability: stamp } : {}) } } as WithDeleted<CartItem>;
  };

  const damaged = options.damaged ?? null;
  const repairDamaged = damaged ? damagedItemRepair({ items, damaged, dbUrl, fetch: syncFetch, seal }) : null;

  const replication: RxCouchDBReplicationState<CartItem> = replicateCouchDB<CartItem>({
    replicationIdentifier: `tote-couch-${dbUrl}`,
    collection: items,
    url: dbUrl,
    fetch: syncFetch,
    live: true,
    retryTime: retryMs,
    // The extension's background and the desktop renderer are each the only owner of their database.
    waitForLeadership: false,
    pull: {
      batchSize: 100, heartbeat: 25_000,
      // Each version made of a pulled document keeps the revision it came from (server-revisions.ts).
      // Opened side by side, handed on in the order they came (rule 9).
      modifier: inCallOrder(async (doc: ClockedItem & { _deleted?: boolean }) => {
        // The replication's own write of it would be refused over the damaged row: it is taken by id instead.
        if (damaged?.rows.has(doc.id)) void repairDamaged!(doc.id);
        const generation = revisions?.pulled(doc);
        const version = await keepAvailability(await arrive(doc));
        revisions?.link(version, generation);
        return version;
      }),
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the server's form of an item is not an item
    push: { batchSize: 100, ...(seal ? { modifier: (doc: CartItem) => seal.seal(doc) as Promise<any> } : {}) },
  });

  /**
   * History travels the same way to its own database, by the same rule: only a sealed history document
   * of its id, in the form devices write, is taken. One that cannot be opened is reported and kept out:
   * this device's copy stays, and without one a removed placeholder takes its place.
   * Removals are the exception the design needs: pruning removes whole documents and pushes bare
   * tombstones (docs/history.md, rule 21), which carry nothing to authenticate. A tombstone is taken for
   * a document this device does not hold, or one older than the kept window (less a day for devices'
   * clocks and pruning times), which every device prunes by itself; the removal of a newer one is
   * refused like an unreadable document, so the server cannot shorten the history "Restore to…" reads.
   */
  const historySync = options.history;
  const historySeal = historySync?.seal ?? null;
  const arriveHistory = async (doc: HistoryDoc & { _deleted?: boolean }): Promise<WithDeleted<HistoryDoc>> => {
    if (!historySeal) return doc._deleted ? { id: doc.id, e: [], _deleted: true } : doc as WithDeleted<HistoryDoc>;
    const local = async () => (await historySync!.collection.findOne(doc.id).exec())?.toMutableJSON() ?? null;
    if (doc._deleted) {
      const written = tryParseHlc(doc.id);
      const kept = await local();
      if (!kept || (written !== null && written.wall < clock.now() - HISTORY_KEEP_MS + DAY_MS)) return { id: doc.id, e: [], _deleted: true };
      options.onUnreadable?.(new ToteError('DECRYPT_FAILED', HISTORY_UNREADABLE, { documentId: doc.id, reason: 'removed' }));
      return { ...kept, _deleted: false };
    }
    try {
      return { ...(await historySeal.open(doc)), _deleted: false };
    } catch (error) {
      const kept = await local();
      // As for items: a plain copy that is exactly this device's own is no news.
      const ownPlainCopy = kept !== null && !isSealed(doc) && JSON.stringify([doc.e, doc.b, doc.d, doc.r]) === JSON.stringify([kept.e, kept.b, kept.d, kept.r]);
      if (!ownPlainCopy) options.onUnreadable?.(error as ToteError);
      // Without a copy here, a removed placeholder: it holds nothing, and is never taken for a copy to seal.
      return kept ? { ...kept, _deleted: false } : { id: doc.id, e: [], _deleted: true };
    }
  };
  const historyUrl = historyDbUrl(dbUrl);
  const historyReplication = historySync ? replicateCouchDB<HistoryDoc>({
    replicationIdentifier: `tote-couch-${historyUrl}`,
    collection: historySync.collection,
    url: historyUrl,
    fetch: syncFetch,
    live: true,
    retryTime: retryMs,
    waitForLeadership: false,
    pull: { batchSize: 100, heartbeat: 25_000, modifier: inCallOrder(arriveHistory) },
    // A removed document (pruned) leaves only its id on the server: no content, sealed or not, stays behind.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the server's form of a history document is not one
    push: { batchSize: 50, modifier: async (doc: HistoryDoc & { _deleted?: boolean }): Promise<any> => {
      if (doc._deleted) return { id: doc.id, _deleted: true };
      return historySeal ? historySeal.seal(doc) : doc;
    } },
  }) : null;
  const replications = historyReplication ? [replication, historyReplication] as const : [replication] as const;
  // Pushes whose ancestor's revision was seen here write at once (known-revisions.ts); RxDB reads `push.handler` at each push.
  const pushItems = oneTripPush({ dbUrl, fetch: syncFetch, known: knownByPath.get(itemsPath)!, readThenWrite: replication.push!.handler });
  /**
   * The cart's push goes first: a change's history entry pushed beside its item competes with it on the
   * server and on the other devices (which open and write both), and the item is what they show. A
   * history push waits HISTORY_PUSH_DELAY_MS, then for the cart's push in flight, if there is one (not
   * for its retries).
   */
  let itemsPushing: Promise<unknown> = Promise.resolve();
  replication.push!.handler = (rows) => {
    const pushing = pushItems(rows);
    itemsPushing = pushing.catch(() => undefined);
    return pushing;
  };
  if (historyReplication) {
    const pushHistory = oneTripPush({ dbUrl: historyUrl, fetch: syncFetch, known: knownByPath.get(historyPath)!, readThenWrite: historyReplication.push!.handler });
    historyReplication.push!.handler = async (rows) => {
      // Stopping cuts the wait short: the app closing right after a change still sends its history.
      await Promise.race([new Promise((resolve) => setTimeout(resolve, HISTORY_PUSH_DELAY_MS)), whenStopped]);
      await itemsPushing;
      return pushHistory(rows);
    };
  }

  const activity = replications.map(() => false);

  const subscriptions = [
    ...replications.map((each, index) => (each.active$ as Observable<boolean>).subscribe((isActive) => {
      activity[index] = isActive;
      active = activity.some(Boolean);
      publish();
    })),
    // Errors are already reflected through syncFetch; the replications retry by themselves.
    ...replications.map((each) => (each.error$ as Observable<unknown>).subscribe(() => undefined)),
    // The replication's own word that the server took these documents (after the push's write succeeded).
    ...(options.onPushed ? [replication.sent$.subscribe((doc) => options.onPushed!(doc.id))] : []),
  ];
  Promise.all(replications.map((each) => each.awaitInitialReplication())).then(() => {
    initialDone = true;
    publish();
    // The server answers now: its copies of the items damaged on this device are taken (damaged-items.ts).
    for (const id of damaged?.rows.keys() ?? []) void repairDamaged!(id);
  }, () => undefined);

  /**
   * The server's plain copies from before encryption, replaced once per database by this device's own
   * copies, sealed (sealed-migration.ts): items, then history. A copy counts only when it passes the
   * commands' rules (a removed placeholder for an unreadable document does not).
   */
  const ownCopy = async <T extends { id: string }>(collection: ItemCollection | HistoryCollection, id: string, validate: (value: unknown) => T) => {
    const found = await (collection as ItemCollection).findOne(id).exec();
    if (!found) return null;
    const value = Object.fromEntries(Object.entries(found.toMutableJSON()).filter(([key]) => !key.startsWith('_')));
    try {
      return validate(value);
    } catch {
      return null;
    }
  };
  const sealCopies = async (): Promise<{ sealed: number; left: number; foreign: number } | null> => {
    const db = items.database;
    const passes: { url: string; local: (id: string) => Promise<{ id: string } | null>; seal: (doc: { id: string }) => Promise<SealedItem> }[] = [];
    if (seal) passes.push({ url: dbUrl, local: (id) => ownCopy(items, id, validateStoredItem), seal: (doc) => seal.seal(doc as never) });
    if (historyReplication && historySeal) {
      passes.push({ url: historyUrl, local: (id) => ownCopy(historySync!.collection, id, validateHistoryDoc), seal: (doc) => historySeal.seal(doc as never) });
    }
    const total = { sealed: 0, left: 0, foreign: 0 };
    for (const pass of passes) {
      if (await sealedCopiesDone(db, pass.url)) continue;
      for (;;) {
        if (stopped) return null;
        try {
          // In sync first: this device's own changes are out (sealed) and the server's are in.
          if (await Promise.race([Promise.all(replications.map((each) => each.awaitInSync())).then(() => true), whenStopped]) === null) return null;
          const result = await sealPlainCopies({ dbUrl: pass.url, fetch: syncFetch, local: pass.local, seal: pass.seal });
          if (result.left === 0 && !stopped) await recordSealedCopies(db, pass.url);
          total.sealed += result.sealed;
          total.left += result.left;
          total.foreign += result.foreign;
          break;
        } catch {
          // offline or a refused request: the status shows it; try again after the retry wait
          await Promise.race([new Promise((resolve) => setTimeout(resolve, retryMs)), whenStopped]);
        }
      }
    }
    return total;
  };
  const sealedCopies = seal ? sealCopies().catch(() => null) : Promise.resolve(null);

  /**
   * Documents from the live channel enter the replication's pull stream (RxDB `emitEvent`, the
   * `pull.stream$` of https://rxdb.info/replication.html), exactly as an answer of the long-polled
   * `_changes` would: the pull modifier opens them (or refuses them, as `arrive` says), the replication
   * writes them with its conflict handling. They carry no sequence, so the pull's checkpoint stays where
   * it is (RxDB stacks checkpoints, and `{}` adds nothing): the next catch-up pull goes over them and
   * finds nothing new, and it brings whatever the channel missed (a gap while it reconnected, a write
   * too large to carry).
   */
  const dbNameOf = (url: string) => decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '');
  type LiveTarget = { replication: RxCouchDBReplicationState<CartItem> | RxCouchDBReplicationState<HistoryDoc>; path: string };
  const liveTargets = new Map<string, LiveTarget>([
    [dbNameOf(dbUrl), { replication, path: itemsPath }],
    ...(historyReplication ? [[dbNameOf(historyUrl), { replication: historyReplication, path: historyPath }] as const] : []),
  ]);
  const receive = (db: string, docs: readonly ServerDocument[]): boolean => {
    const target = liveTargets.get(db);
    if (!target || stopped || sessionEnded || !initialDone) return false;
    // Only documents a device may write: never a design or local document, whatever the server sends.
    const written = docs.filter((doc) => !doc._id.startsWith('_'));
    if (written.length === 0) return false;
    // A version older than one known here (a message overtaken by a pull that read the newer one) is left out, as in a pull.
    const fresh = target.path === itemsPath ? written.filter((doc) => !superseded(doc)) : written;
    // Their revisions, noted as a pull's are (server-revisions.ts), so a later, older pull never takes this device back.
    if (target.path === itemsPath) revisions?.observe(`${itemsPath}_changes`, { results: written.map((doc) => ({ id: doc._id, doc })) });
    knownByPath.get(target.path)?.observe(written);
    const primaryPath = target.replication.collection.schema.primaryPath as string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the server's form of a document, opened by the pull modifier
    const documents = fresh.map((doc) => couchDBDocToRxDocData(primaryPath, { ...doc }) as any);
    if (documents.length === 0) return true;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- an empty checkpoint: the pull's stays as it is
    target.replication.emitEvent({ documents, checkpoint: {} as any });
    return true;
  };

  const reSync = () => replications.forEach((each) => each.reSync());

  /**
   * A catch-up pull while the channel delivers: `_changes` (the normal feed) from where this device last
   * read to, 100 at a time until the end, each answer entering the pull stream as the long poll's does
   * (its documents, and its sequence for the checkpoint). Not RxDB's own catch-up (`reSync`), which runs
   * inside the replication's queue: there, an answer slow to come (a loaded server, a stalled
   * connection) would hold back the channel's documents queued behind it. One at a time per database;
   * asked again meanwhile, it reads once more after. Before the first exchange it is RxDB's catch-up.
   */
  const catchingUp = new Map<string, { again: boolean }>();
  const pullFeed = (target: LiveTarget) => {
    const feed = `${target.path}_changes`;
    const running = catchingUp.get(feed);
    if (running) {
      running.again = true;
      return;
    }
    if (!initialDone || !lastSeq.has(feed)) {
      target.replication.reSync();
      return;
    }
    const pass = { again: false };
    catchingUp.set(feed, pass);
    const primaryPath = target.replication.collection.schema.primaryPath as string;
    void (async () => {
      try {
        do {
          pass.again = false;
          for (;;) {
            const url = new URL(feed, dbUrl);
            url.search = new URLSearchParams({ style: 'all_docs', feed: 'normal', include_docs: 'true', since: lastSeq.get(feed)!, limit: '100' }).toString();
            const answer = (await (await syncFetch(url.toString())).json()) as { results?: { doc?: object }[]; last_seq?: unknown };
            const rows = Array.isArray(answer.results) ? answer.results : [];
            // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the server's form of a document, opened by the pull modifier
            const documents = rows.flatMap((row) => (row.doc && !(target.path === itemsPath && superseded(row.doc)) ? [couchDBDocToRxDocData(primaryPath, row.doc as any) as any] : []));
            if (stopped) return;
            // eslint-disable-next-line @typescript-eslint/no-explicit-any -- RxDB's CouchDB checkpoint
            target.replication.emitEvent({ documents, checkpoint: { sequence: answer.last_seq } as any });
            if (rows.length < 100) break;
          }
        } while (pass.again && !stopped);
      } catch {
        // Offline or refused: the status says so; the next pull (the timer, the channel connecting again) tries again.
      } finally {
        catchingUp.delete(feed);
      }
    })();
  };
  const pull = (db?: string) => {
    if (stopped) return;
    const target = db === undefined ? undefined : liveTargets.get(db);
    for (const each of target ? [target] : liveTargets.values()) pullFeed(each);
  };
  const setLiveDelivery = (on: boolean) => {
    if (stopped || on === liveDelivery) return;
    liveDelivery = on;
    if (!on) {
      wake();
      return;
    }
    woken = new Promise<void>((resolve) => { wake = resolve; });
    for (const poll of openPolls) poll.abort();
    // What was written before the channel connected (or while it was down) was announced to no one here.
    pull();
  };
  // While the channel delivers: the checkpoint moves, and a write it never announced (one straight to
  // CouchDB, a fan-out lost while the shared state restarted) arrives within this time.
  const catchUpTimer = setInterval(() => {
    if (liveDelivery) pull();
  }, options.catchUpEveryMs ?? 60_000);
  const stopListening = connectivity.onChange((online) => {
    publish();
    if (online) reSync();
  });

  return {
    status$: status.asObservable().pipe(distinctUntilChanged((a, b) => a.phase === b.phase
      && a.lastSyncedAt === b.lastSyncedAt && a.problem?.message === b.problem?.message)),
    getStatus: () => status.value,
    awaitInSync: () => Promise.all(replications.map((each) => each.awaitInSync())).then(() => undefined),
    reconnect: reSync,
    receive,
    setLiveDelivery,
    pull,
    sealedCopies,
    async stop() {
      stopped = true;
      signalStop();
      // The history written so far goes now, its wait (HISTORY_PUSH_DELAY_MS) cut short, while the server
      // answers: for at most STOP_PUSH_GRACE_MS, and not at all offline or before the first sync was
      // done; what is not sent stays for the next start, as any push not answered does.
      if (historyReplication && initialDone && reachability !== 'unreachable' && connectivity.isOnline()) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([historyReplication.awaitInSync(), new Promise((resolve) => { timer = setTimeout(resolve, STOP_PUSH_GRACE_MS); })]);
        clearTimeout(timer);
      }
      clearInterval(catchUpTimer);
      stopListening();
      subscriptions.forEach((subscription) => subscription.unsubscribe());
      await Promise.all(replications.map((each) => each.cancel()));
      status.next({ phase: 'off', lastSyncedAt, problem: null });
      status.complete();
    },
  };
}
