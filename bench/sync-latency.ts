/**
 * Cross-device sync latency: a change on device A until it is visible on device B, through the real
 * sync server. Tote's core (RxDB + replication-couchdb, through the HTTPS gateway with its access
 * checks and live channel) against the alternative a developer would pick: two plain PouchDB databases
 * live-syncing with the same CouchDB directly over plain HTTP, same workload.
 */
import { performance } from 'node:perf_hooks';
import PouchDB from 'pouchdb-core';
import PouchHttp from 'pouchdb-adapter-http';
import PouchMemory from 'pouchdb-adapter-memory';
import PouchReplication from 'pouchdb-replication';
import { cartCommands, selectItems } from '@tote/core';
import { startDevice, waitForPhase, waitForState } from '../test/support/devices.ts';
import type { Account } from '../test/support/devices.ts';
import { sleep, summary } from './stats.ts';

PouchDB.plugin(PouchHttp).plugin(PouchMemory).plugin(PouchReplication);

// Each run its own products: an add of a product already in the cart (from an earlier run on the same
// server) would only raise its quantity, which the other device already has.
const run = Date.now().toString(36);
let runs = 0;
const product = (i: number, batch = '') => ({
  url: `https://shop.example/p/${run}${batch}/${i}`, title: `Product ${i}`, priceMinor: 1000 + i, currency: 'EUR', imageUrl: null, variant: null,
});

export async function benchToteSync(account: Account, changes: number, { relay = false } = {}): Promise<number[]> {
  // Straight to the gateway, as real devices connect (the tests' offline relay would add a hop each way).
  const a = await startDevice('bench-a', account, { relay });
  const b = await startDevice('bench-b', account, { relay });
  try {
    await Promise.all([waitForPhase(a, 'in-sync'), waitForPhase(b, 'in-sync')]);
    const samples: number[] = [];
    const ids: string[] = [];
    const batch = `-${(runs += 1)}`;
    for (let i = 0; i < changes; i += 1) {
      const start = performance.now();
      if (i < changes / 2) {
        const { written } = await a.client.store.dispatch(cartCommands.add(product(i, batch)));
        const id = written[0]!.id;
        ids.push(id);
        await waitForState(b, (state) => state.items[id] !== undefined);
      } else {
        const id = ids[i % ids.length]!;
        const quantity = 2 + i;
        await a.client.store.dispatch(cartCommands.setQuantity(id, quantity));
        await waitForState(b, (state) => state.items[id]?.quantity === quantity);
      }
      samples.push(performance.now() - start);
      await sleep(10);
    }
    if (selectItems(b.client.store.getState()).length < ids.length) throw new Error('device B is missing items');
    return samples;
  } finally {
    await a.close();
    await b.close();
  }
}

/** Direct CouchDB access for the comparison (the gateway never lets clients do this). */
export interface DirectCouch {
  readonly dbUrl: string;
  readonly auth: { readonly username: string; readonly password: string };
}

export async function benchPouchSync(couch: DirectCouch, changes: number): Promise<number[]> {
  // The same shopper database on the same server; runs after Tote's devices have closed, with its own ids.
  const remoteUrl = couch.dbUrl;
  const { auth } = couch;
  const makeRemote = () => new PouchDB(remoteUrl, { auth, skip_setup: true });
  const a = new PouchDB(`pouch-a-${Date.now()}`, { adapter: 'memory' });
  const b = new PouchDB(`pouch-b-${Date.now()}`, { adapter: 'memory' });
  const syncA = a.sync(makeRemote(), { live: true, retry: true });
  const syncB = b.sync(makeRemote(), { live: true, retry: true });
  const waiters = new Map<string, () => void>();
  const feed = b.changes({ live: true, since: 'now', include_docs: true }).on('change', (change: { id: string; doc?: { n?: number } }) => {
    const key = `${change.id}@${change.doc?.n}`;
    waiters.get(key)?.();
  });
  try {
    await sleep(500);
    const samples: number[] = [];
    const revs = new Map<string, string>();
    for (let i = 0; i < changes; i += 1) {
      const id = `pouch-${i % Math.ceil(changes / 2)}`;
      const seen = new Promise<void>((resolve) => waiters.set(`${id}@${i}`, resolve));
      const start = performance.now();
      const rev = revs.get(id);
      const result = await a.put({ _id: id, ...(rev ? { _rev: rev } : {}), ...product(i), n: i });
      revs.set(id, result.rev);
      await seen;
      samples.push(performance.now() - start);
      waiters.delete(`${id}@${i}`);
      await sleep(10);
    }
    return samples;
  } finally {
    feed.cancel();
    syncA.cancel();
    syncB.cancel();
    await a.destroy();
    await b.destroy();
  }
}

export async function benchSync(account: Account, couch: DirectCouch, changes = 120) {
  const tote = await benchToteSync(account, changes);
  const pouch = await benchPouchSync(couch, changes);
  const t = summary(tote);
  const p = summary(pouch);
  return { changes, p50_ms: t.p50, p95_ms: t.p95, max_ms: t.max, pouchdb_p50_ms: p.p50, pouchdb_p95_ms: p.p95, pouchdb_max_ms: p.max };
}
