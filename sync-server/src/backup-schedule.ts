/**
 * When backups run (docs/backups.md, "When"): a run goes through every shopper, backs up those whose data
 * changed and prunes what is older than 30 days; the schedule runs one shortly after start and then
 * every interval (a day), never two at once. What a backup is: backups.ts.
 */
import { CouchError, type CouchAdmin } from './couch-admin.ts';
import { backUpShopper, dayOf, listShoppers, pruneBackups, type Shopper } from './backups.ts';
import type { AuditLog } from './gateway/audit.ts';
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
export async function runBackups(couch: CouchAdmin, options: { now: () => number; audit?: AuditLog; onError?: (shopper: Shopper, error: unknown) => void }): Promise<BackupRun> {
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
  options.audit?.append({ at: options.now(), actor: 'system', role: 'system', device: null, action: 'backup.run', target: null, detail: { ...run } });
  return run;
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
 */
export function backupSchedule(couch: CouchAdmin, options: { intervalMs: number; now: () => number; audit?: AuditLog; onError?: (error: unknown) => void }): BackupSchedule {
  let last: Promise<unknown> = Promise.resolve();
  let busy = false;
  const run = (): Promise<BackupRun> => {
    const next = last.catch(() => undefined).then(async () => {
      busy = true;
      try {
        return await runBackups(couch, { now: options.now, audit: options.audit, onError: (_shopper, error) => options.onError?.(error) });
      } finally {
        busy = false;
      }
    });
    last = next;
    return next;
  };
  const scheduled = () => {
    if (!busy) void run().catch((error: unknown) => options.onError?.(error));
  };
  let timer: ReturnType<typeof setInterval> | null = null;
  // The first run comes shortly after start (10 s, or the interval if shorter), not during it: starting
  // stays as fast as before, and clients connecting at start are served first.
  const first = options.intervalMs > 0 ? setTimeout(() => {
    scheduled();
    timer = setInterval(scheduled, options.intervalMs);
    timer.unref();
  }, Math.min(options.intervalMs, 10_000)) : null;
  first?.unref();
  return {
    run,
    async close() {
      if (first) clearTimeout(first);
      if (timer) clearInterval(timer);
      await last.catch(() => undefined);
    },
  };
}
