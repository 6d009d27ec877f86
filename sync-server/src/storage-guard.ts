/**
 * A full disk under the embedded CouchDB (docs/reliability.md, "A full disk").
 *
 * LevelDB, under pouchdb-server, must take no write after one that failed for lack of space: the failed
 * write leaves its database's log short, and every write after it, answered 201 once there is room
 * again, is lost the next time the database is opened (seen: every item synced after the disk had
 * filled was gone after a restart, while the server had served them until then). A database opened
 * afresh starts a new log. So as soon as a write fails for lack of space, the embedded CouchDB is
 * stopped, and it is started again on the same port once the disk has `minFreeBytes` free: nothing is
 * written between the failure and the reopening. Meanwhile the gateway answers writes with 507 and
 * reads with 503, both with Retry-After (gateway/storage-errors.ts), and devices keep their changes.
 *
 * Apache CouchDB reopens its own files after such an error: with an external CouchDB there is no guard.
 */
import { statfs } from 'node:fs/promises';

export type StorageState = 'ok' | 'full';

export interface StorageGuard {
  state(): StorageState;
  /** A write failed for lack of space (the gateway saw it in CouchDB's answer, or the audit log in its own). */
  reportFull(): void;
  close(): Promise<void>;
}

export interface StorageGuardOptions {
  /** A folder on the filesystem CouchDB writes to. */
  readonly dir: string;
  /** Free bytes there before CouchDB is started again (room to replay its logs into tables). */
  readonly minFreeBytes: number;
  readonly checkEveryMs: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** A start that failed (it is tried again on the next check). */
  onError(error: unknown): void;
}

export function storageGuard(options: StorageGuardOptions): StorageGuard {
  let state: StorageState = 'ok';
  let closed = false;
  let recovering: Promise<void> = Promise.resolve();
  const free = async () => {
    const stats = await statfs(options.dir);
    return stats.bavail * stats.bsize;
  };
  const wait = () => new Promise((resolve) => setTimeout(resolve, options.checkEveryMs).unref());

  const recover = async () => {
    await options.stop();
    while (!closed) {
      await wait();
      if (closed) return;
      if ((await free().catch(() => 0)) < options.minFreeBytes) continue;
      try {
        await options.start();
        state = 'ok';
        return;
      } catch (error) {
        options.onError(error);
      }
    }
  };

  return {
    state: () => state,
    reportFull() {
      if (state === 'full' || closed) return;
      state = 'full';
      recovering = recover().catch((error: unknown) => options.onError(error));
    },
    async close() {
      closed = true;
      await recovering;
    },
  };
}
