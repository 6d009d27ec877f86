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
import { basicAuth, type CouchAdmin } from './couch-admin.ts';
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
  await couch.request('PUT', `/${SIGNALS_DB}/${signalId(signal.at)}`, { type: 'data-changed', ...signal });
}

/** Removes signals older than SIGNAL_TTL_MS (ids start with their time). */
export async function pruneSignals(couch: CouchAdmin, now: number): Promise<number> {
  const old = await couch.request<{ rows: { id: string; value: { rev: string } }[] }>(
    'GET', `/${SIGNALS_DB}/_all_docs?startkey=%220%22&endkey=${encodeURIComponent(JSON.stringify(String(now - SIGNAL_TTL_MS).padStart(15, '0')))}`, undefined, [404],
  );
  if (old.status === 404 || old.body.rows.length === 0) return 0;
  await couch.request('POST', `/${SIGNALS_DB}/_bulk_docs`, { docs: old.body.rows.map((row) => ({ _id: row.id, _rev: row.value.rev, _deleted: true })) });
  return old.body.rows.length;
}

export interface SignalWatch {
  close(): Promise<void>;
}

/**
 * Follows `tote-signals` from now on (long-polled `_changes`), calling `onSignal` for each new signal.
 * A CouchDB that does not answer is retried every `retryMs`; nothing is lost meanwhile (the feed resumes
 * from the last sequence read).
 */
export function watchSignals(
  couchUrl: string, admin: Credentials, onSignal: (id: string, signal: DataChangedSignal) => void,
  options: { retryMs?: number; pollTimeoutMs?: number; onError?: (error: unknown) => void } = {},
): SignalWatch {
  const abort = new AbortController();
  const headers = { accept: 'application/json', authorization: basicAuth(admin) };
  const retryMs = options.retryMs ?? 5000;
  const pollTimeoutMs = options.pollTimeoutMs ?? 30_000;
  let since: string | number = 'now';
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const response = await fetch(
          `${couchUrl}/${SIGNALS_DB}/_changes?feed=longpoll&include_docs=true&timeout=${pollTimeoutMs}&since=${encodeURIComponent(String(since))}`,
          { headers, signal: abort.signal },
        );
        if (!response.ok) throw new Error(`CouchDB answered ${response.status} to the signals feed`);
        const body = (await response.json()) as { results: { id: string; deleted?: boolean; doc?: DataChangedSignal }[]; last_seq: string | number };
        since = body.last_seq;
        for (const { id, deleted, doc } of body.results) if (!deleted && doc?.type === 'data-changed') onSignal(id, doc);
      } catch (error) {
        if (abort.signal.aborted) return;
        options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
      }
    }
  })();
  return {
    async close() {
      abort.abort();
      await loop;
    },
  };
}
