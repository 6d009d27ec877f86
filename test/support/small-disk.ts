/**
 * A small filesystem of its own (tmpfs) for a server's data folder, to run it out of space on purpose
 * (test/faults/disk-full.test.ts). Mounting takes root (CI runs as root); where it is not allowed,
 * `mountSmallDisk` says why instead, so the test can skip with that reason.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, statfs, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SmallDisk {
  /** The mounted folder. */
  readonly dir: string;
  /** Bytes still free for files. */
  free(): Promise<number>;
  /** Writes a filler file that takes all the space left but `leaveBytes`. */
  fill(leaveBytes?: number): Promise<void>;
  /** Deletes the filler file (space returns). */
  removeFiller(): Promise<void>;
  /** Remounts the filesystem with a new size, files kept (space returns). */
  grow(sizeMiB: number): Promise<void>;
  unmount(): Promise<void>;
}

/** A tmpfs of `sizeMiB` mounted on a new folder, or the reason it cannot be. */
export async function mountSmallDisk(sizeMiB: number): Promise<SmallDisk | { readonly cannot: string }> {
  if (process.platform !== 'linux') return { cannot: `mounting a small filesystem needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { cannot: 'mounting a small filesystem (tmpfs) needs root; CI runs as root' };
  const dir = await mkdtemp(path.join(tmpdir(), 'tote-small-disk-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tote-small-disk', dir]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    return { cannot: `mount -t tmpfs was refused here (${(error as { stderr?: string }).stderr?.trim() || (error as Error).message})` };
  }
  const filler = path.join(dir, 'filler');
  const free = async () => {
    const stats = await statfs(dir);
    return stats.bavail * stats.bsize;
  };
  return {
    dir,
    free,
    async fill(leaveBytes = 0) {
      await writeFile(filler, Buffer.alloc(Math.max(0, (await free()) - leaveBytes))).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOSPC') throw error; // full before the last byte: full is what was asked
      });
    },
    async removeFiller() {
      await unlink(filler);
    },
    async grow(size) {
      await run('mount', ['-o', `remount,size=${size}m`, dir]);
    },
    async unmount() {
      await run('umount', ['--lazy', dir]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
