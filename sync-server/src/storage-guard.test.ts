import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { storageGuard } from './storage-guard.ts';

function recorder(minFreeBytes: number) {
  const calls: string[] = [];
  const guard = storageGuard({
    dir: tmpdir(), minFreeBytes, checkEveryMs: 10,
    stop: async () => { calls.push('stop'); },
    start: async () => { calls.push('start'); },
    onError: (error) => calls.push(`error ${String(error)}`),
  });
  return { guard, calls };
}

describe('the storage guard of the embedded CouchDB', () => {
  it('stops CouchDB once at the first report of a full disk, and keeps it stopped while there is no room', async () => {
    const { guard, calls } = recorder(Number.MAX_SAFE_INTEGER);
    expect(guard.state()).toBe('ok');
    guard.reportFull();
    guard.reportFull(); // a second failure while stopped changes nothing
    expect(guard.state()).toBe('full');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toEqual(['stop']);
    expect(guard.state()).toBe('full');
    await guard.close();
  });

  it('starts it again once the disk has room, and is ready for the next time', async () => {
    const { guard, calls } = recorder(0);
    guard.reportFull();
    await expect.poll(() => guard.state(), { timeout: 2_000 }).toBe('ok');
    expect(calls).toEqual(['stop', 'start']);
    guard.reportFull();
    await expect.poll(() => calls.length, { timeout: 2_000 }).toBe(4);
    await guard.close();
  });
});
