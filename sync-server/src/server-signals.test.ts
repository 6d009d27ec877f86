import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startEmbeddedCouch, type EmbeddedCouch } from './embedded-couch.ts';
import { ensureAdmin } from './provision.ts';
import { ensureSignalsDb, signalDataChanged, watchSignals, type SignalWatch } from './server-signals.ts';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const task of cleanup.splice(0).reverse()) await task();
});

describe('the signals feed', () => {
  it('follows signals through nano\'s changes reader, and after a CouchDB outage picks up from where it was', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tote-signals-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    let couchServer: EmbeddedCouch = await startEmbeddedCouch({ dataDir, port });
    cleanup.push(() => couchServer.stop());
    const admin = { name: 'admin', password: 'signals admin password' };
    const couch = await ensureAdmin(couchServer.url, admin);
    await ensureSignalsDb(couch);

    const heard: string[] = [];
    const errors: unknown[] = [];
    const watch: SignalWatch = watchSignals(couchServer.url, admin, (_id, signal) => heard.push(signal.shopper), { retryMs: 200, onError: (error) => errors.push(error) });
    cleanup.push(() => watch.close());
    // The feed starts from "now": wait until its first poll is open before signalling.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await signalDataChanged(couch, { shopper: 'ada', dbs: ['userdb-616461'], at: Date.now(), cause: 'restore-backup' });
    await expect.poll(() => heard, { timeout: 10_000 }).toEqual(['ada']);

    await couchServer.stop();
    await expect.poll(() => errors.length, { timeout: 10_000 }).toBeGreaterThan(0);
    couchServer = await startEmbeddedCouch({ dataDir, port });
    // Written while the feed may still be waiting to retry: it is read from the last sequence seen, not missed.
    await signalDataChanged(couch, { shopper: 'bo', dbs: ['userdb-626f'], at: Date.now(), cause: 'restore-backup' });
    await expect.poll(() => heard, { timeout: 10_000 }).toEqual(['ada', 'bo']);
  }, 60_000);
});
