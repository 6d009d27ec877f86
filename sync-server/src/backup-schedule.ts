/**
 * When backups run (docs/backups.md, "When"): a run goes through every shopper, backs up those whose data
 * changed and prunes what is older than 30 days; the schedule runs one shortly after start and then
 * every interval (a day), never two at once. Several gateway instances sharing Redis run each interval's
 * backup once between them (`sharedBackupLock`). What a backup is: backups.ts.
 */
import { randomBytes } from 'node:crypto';
import { CouchError, type CouchAdmin } from './couch-admin.ts';
import { backUpShopper, dayOf, listShoppers, pruneBackups, type Shopper } from './backups.ts';
import type { AuditLog } from './gateway/audit.ts';
import type { SharedState } from './gateway/shared-state.ts';
import { pruneSignals } from './server-signals.ts';

export interface BackupRun {
  readonly day: string;
  readonly shoppers: number;
  readonly backedUp: number;
  readonly unchanged: number;
  readonly pruned: number;
  readonly failed: number;
  readonly bytes: number;
  readonly ms: number;
}

/** One run over every shopper: back up what changed, prune what is too old, audit the run (counts only). */
export async function runBackups(
  couch: CouchAdmin,
  options: { now: () => number; audit?: AuditLog; onError?: (shopper: Shopper, error: unknown) => void; interval?: string },
): Promise<BackupRun> {
  const started = options.now();
  const shoppers = await listShoppers(couch);
  let backedUp = 0;
  let unchanged = 0;
  let pruned = 0;
  let failed = 0;
  let bytes = 0;
  for (const shopper of shoppers) {
    try {
      const taken = await backUpShopper(couch, shopper, options.now());
      if (taken.taken) backedUp += 1;
      else unchanged += 1;
      bytes += taken.bytes;
      pruned += await pruneBackups(couch, shopper, options.now());
    } catch (error) {
      failed += 1;
      options.onError?.(shopper, error);
      options.audit?.append({
        at: options.now(), actor: 'system', role: 'system', device: null, action: 'backup.failed', target: shopper.dbName,
        detail: { error: error instanceof CouchError ? `${error.status} ${error.error}` : error instanceof Error ? error.name : 'unknown' },
      });
    }
  }
  await pruneSignals(couch, options.now()).catch(() => 0);
  const run: BackupRun = { day: dayOf(started), shoppers: shoppers.length, backedUp, unchanged, pruned, failed, bytes, ms: options.now() - started };
  options.audit?.append({
    at: options.now(), actor: 'system', role: 'system', device: null, action: 'backup.run', target: null,
    detail: { ...run, ...(options.interval ? { interval: options.interval } : {}) },
  });
  return run;
}

/** Who runs a scheduled backup when several gateway instances share one CouchDB. */
export interface BackupLock {
  /**
   * Takes the scheduled run of the interval that starts at `intervalStart` (ms since the epoch): a release
   * function when this instance is to run it, null when another instance has run it or is running one.
   */
  take(intervalStart: number): Promise<(() => Promise<void>) | null>;
}

/** How long the running lock is held without a renewal: a gateway that dies mid-run frees it after this. */
const RUNNING_TTL_MS = 60_000;

/**
 * The lock in the gateways' shared state (Redis with `REDIS_URL`, else this process): two keys, both
 * taken with an atomic set-if-absent. `backup:interval:<start>` marks an interval's scheduled run as
 * taken and lasts past the interval's end, so an instance whose timer fires later in the same interval
 * skips it: each interval gets one run, whichever instance's timer fires first. `backup:running` keeps
 * runs from overlapping across instances; it is renewed while the run goes on and released by its holder
 * only. Intervals are counted on the gateways' clocks from the epoch (a day's interval is a UTC day), so
 * instances started at different times agree on them.
 */
export function sharedBackupLock(state: SharedState, intervalMs: number): BackupLock {
  return {
    async take(intervalStart) {
      const token = randomBytes(12).toString('hex');
      if (!(await state.claim('backup:running', token, RUNNING_TTL_MS))) return null;
      if (!(await state.claim(`backup:interval:${intervalStart}`, token, intervalMs + 60_000))) {
        await state.release('backup:running', token);
        return null;
      }
      const renewal = setInterval(() => void state.renew('backup:running', token, RUNNING_TTL_MS).catch(() => false), RUNNING_TTL_MS / 3);
      renewal.unref();
      return async () => {
        clearInterval(renewal);
        await state.release('backup:running', token).catch(() => undefined);
      };
    },
  };
}

export interface BackupSchedule {
  /** A run now, after the run already going (if any) ends; what it did. */
  run(): Promise<BackupRun>;
  close(): Promise<void>;
}

/**
 * A run just after start and then every `intervalMs` (a day by default, TOTE_BACKUP_INTERVAL_MS); `intervalMs`
 * 0: no automatic runs (tests call `run()`). Runs never overlap: a scheduled run while one is going is
 * skipped, a requested one waits for it. A failed run is reported and the next one comes at its time.
 * With `lock`, a scheduled run goes ahead only when the lock gives it this interval (another instance
 * ran it, or is running one: skipped). When the lock cannot be asked (Redis down) the run goes ahead
 * anyway and that is reported: a backup taken twice is harmless (rule 7), a day without one is not.
 * `run()` asked for directly (tests, tools) runs here whatever other instances do.
 */
export function backupSchedule(
  couch: CouchAdmin,
  options: { intervalMs: number; now: () => number; audit?: AuditLog; lock?: BackupLock; onError?: (error: unknown) => void },
): BackupSchedule {
  let last: Promise<unknown> = Promise.resolve();
  let busy = false;
  const run = (interval?: string): Promise<BackupRun> => {
    const next = last.catch(() => undefined).then(async () => {
      busy = true;
      try {
        return await runBackups(couch, { now: options.now, audit: options.audit, interval, onError: (_shopper, error) => options.onError?.(error) });
      } finally {
        busy = false;
      }
    });
    last = next;
    return next;
  };
  const scheduled = async () => {
    if (busy) return;
    const at = options.now();
    const intervalStart = at - (at % options.intervalMs);
    let release: (() => Promise<void>) | null = async () => {};
    if (options.lock) {
      release = await options.lock.take(intervalStart).catch((error: unknown) => {
        options.onError?.(new Error(`The backup lock could not be asked (${error instanceof Error ? error.message : String(error)}); backing up without it.`));
        return async () => {};
      });
    }
    if (!release) return; // another instance has this interval's run
    try {
      await run(new Date(intervalStart).toISOString());
    } finally {
      await release();
    }
  };
  let timer: ReturnType<typeof setInterval> | null = null;
  // The first run comes shortly after start (10 s, or the interval if shorter), not during it: starting
  // stays as fast as before, and clients connecting at start are served first.
  const fire = () => void scheduled().catch((error: unknown) => options.onError?.(error));
  const first = options.intervalMs > 0 ? setTimeout(() => {
    fire();
    timer = setInterval(fire, options.intervalMs);
    timer.unref();
  }, Math.min(options.intervalMs, 10_000)) : null;
  first?.unref();
  return {
    run: () => run(),
    async close() {
      if (first) clearTimeout(first);
      if (timer) clearInterval(timer);
      await last.catch(() => undefined);
    },
  };
}
