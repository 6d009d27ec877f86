/**
 * Changes the server itself makes to a shopper's data (a restore by support, from the gateway process or
 * from the support command line) must reach the shopper's connected devices like a write through the
 * gateway does: a `changed` message on the live channel, so they pull at once.
 *
 * The support tool is another process, possibly on another machine, and the gateway's live fan-out may
 * be in one gateway's memory: so the signal goes through CouchDB, which every gateway already reaches.
 * The writer adds a small document to `tote-signals` (server admins only; no cart contents: the shopper's
 * name and the databases that changed); every gateway follows that database's `_changes` feed and
 * publishes `changed` for each database. With several gateways sharing Redis, each one sees the signal:
 * the first to count it (a shared counter) publishes, so devices hear it once.
 */
import { randomBytes } from 'node:crypto';
import { couchAdmin, unlessMissing, type CouchAdmin } from './couch-admin.ts';
import type { Credentials } from './config.ts';
import { ADMINS_ONLY, ensureDb } from './shopper-dbs.ts';

export const SIGNALS_DB = 'tote-signals';
/** Signals older than this are removed (by `pruneSignals`, run with the backups). */
export const SIGNAL_TTL_MS = 7 * 24 * 3600_000;

export interface DataChangedSignal {
  readonly type: 'data-changed';
  /** The shopper's account name (the live channel's key). */
  readonly shopper: string;
  /** The databases the server wrote to. */
  readonly dbs: readonly string[];
  readonly at: number;
  /** What changed them, e.g. `restore-backup`. */
  readonly cause: string;
}

const signalId = (at: number) => `${String(at).padStart(15, '0')}-${randomBytes(6).toString('hex')}`;

export async function ensureSignalsDb(couch: CouchAdmin): Promise<void> {
  await ensureDb(couch, SIGNALS_DB, ADMINS_ONLY);
}

/** Tells every gateway that the server changed these databases of a shopper. */
export async function signalDataChanged(couch: CouchAdmin, signal: Omit<DataChangedSignal, 'type'>): Promise<void> {
  await ensureSignalsDb(couch);
  await couch.db<DataChangedSignal>(SIGNALS_DB).insert({ type: 'data-changed', ...signal }, signalId(signal.at));
}

/** Removes signals older than SIGNAL_TTL_MS (ids start with their time). */
export async function pruneSignals(couch: CouchAdmin, now: number): Promise<number> {
  const signals = couch.db(SIGNALS_DB);
  const old = await unlessMissing(signals.list({ startkey: '0', endkey: String(now - SIGNAL_TTL_MS).padStart(15, '0') }));
  if (!old || old.rows.length === 0) return 0;
  await signals.bulk({ docs: old.rows.map((row) => ({ _id: row.id, _rev: row.value.rev, _deleted: true })) });
  return old.rows.length;
}

export interface SignalWatch {
  close(): Promise<void>;
}

/**
 * Follows `tote-signals` from now on with nano's changes reader (long-polled `_changes`), calling
 * `onSignal` for each new signal. A failed poll (CouchDB down, restarting, refusing) is reported and the
 * feed is started again every `retryMs` from the last sequence read, so nothing is lost meanwhile. The
 * reader's own back-off (5 s doubling to a minute) is not used: a signal should reach devices within
 * seconds of CouchDB being back, and the reader gives up for good on a 4xx answer.
 */
export function watchSignals(
  couchUrl: string, admin: Credentials, onSignal: (id: string, signal: DataChangedSignal) => void,
  options: { retryMs?: number; pollTimeoutMs?: number; onError?: (error: unknown) => void } = {},
): SignalWatch {
  // No request timeout: a long poll is open by design (CouchDB ends it after `pollTimeoutMs`; the
  // embedded server keeps it open, with a heartbeat, until a change comes).
  const couch = couchAdmin(couchUrl, admin, { timeoutMs: 0 });
  const retryMs = options.retryMs ?? 5000;
  const pollTimeoutMs = options.pollTimeoutMs ?? 30_000;
  let since: string = 'now';
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let reader: ReturnType<typeof couch.db>['changesReader'] | null = null;
  let running = false;
  let ended: () => void = () => {};
  const start = () => {
    retry = null;
    if (closed) return;
    reader = couch.db<DataChangedSignal>(SIGNALS_DB).changesReader;
    running = true;
    const feed = reader.start({ since, includeDocs: true, timeout: pollTimeoutMs, batchSize: 100 });
    const current = reader;
    feed.on('seq', (seq: string | number) => { since = String(seq); });
    feed.on('change', (change: { id: string; deleted?: boolean; doc?: DataChangedSignal }) => {
      if (!change.deleted && change.doc?.type === 'data-changed') onSignal(change.id, change.doc);
    });
    feed.on('error', (error: unknown) => {
      if (closed) return;
      options.onError?.(error);
      current.stop();
    });
    feed.on('end', () => {
      running = false;
      if (closed) ended();
      else (retry = setTimeout(start, retryMs)).unref();
    });
  };
  start();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      if (!running || !reader) return;
      const done = new Promise<void>((resolve) => { ended = resolve; });
      reader.stop();
      await done;
    },
  };
}
