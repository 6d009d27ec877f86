/**
 * `npm run bench`: every benchmark in one run, against the real sync server on loopback.
 * Prints the figures and writes them to bench/results/latest.json, with the targets each is held to
 * (keeping the keys of the benchmarks that run only on their own, such as `soak`).
 * `npm run bench -- --load-1000` adds the load run with 1,000 devices of 500 shoppers (`load_1000.*`,
 * about two minutes more).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSyncServer } from '@tote/sync-server';
import { analyticsTargets, benchAnalytics } from './analytics.ts';
import { benchCart1000 } from './cart1000.ts';
import { benchCart1000Browser, cart1000Targets } from './cart1000-browser.ts';
import { benchCapture } from './capture.ts';
import { benchCart10k, cart10kTargets } from './cart10k.ts';
import { benchCrypto } from './crypto.ts';
import { benchHistory, historyTargets } from './history.ts';
import { benchLoad, loadTargets } from './load.ts';
import { benchReliability, reliabilityTargets } from './reliability.ts';
import { mergeResults } from './results-file.ts';
import { benchIndexedDbFloor } from './indexeddb-floor.ts';
import { benchStorage } from './storage-size.ts';
import { benchSync, syncTargets } from './sync-latency.ts';

async function main() {
  const load1000Wanted = process.argv.includes('--load-1000');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tote-bench-'));
  const server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0 });
  const account = { serverUrl: server.gateway.url, username: server.shopper.name, password: server.shopper.password, cert: server.gateway.cert };
  const couch = { dbUrl: server.shopper.dbUrl, auth: { username: server.shopper.name, password: server.shopper.password } };
  try {
    console.error('bench: sync latency (Tote vs plain PouchDB)…');
    const sync = await benchSync(account, couch, 120);
    console.error('bench: 1000-item cart in Chromium (real IndexedDB)…');
    const cart1000 = await benchCart1000Browser(1000, 100);
    console.error('bench: 1000-item cart in Chromium, sealed at rest…');
    const cart1000Encrypted = await benchCart1000Browser(1000, 100, { encrypted: true });
    console.error('bench: 10 000-item cart in the desktop renderer (Chromium, sealed at rest)…');
    const cart10k = await benchCart10k();
    console.error('bench: 1000-item cart in Node (fake-indexeddb)…');
    const cart1000Node = await benchCart1000(1000, 100);
    console.error('bench: storage per item…');
    const dbFolder = path.join(server.couchDataDir ?? '', server.shopper.dbName);
    const measured = await benchStorage(account, server.shopper.dbUrl, server.admin, dbFolder, 1000);
    // Local: what Chromium's IndexedDB really holds per item (the stored documents alone are smaller).
    console.error('bench: the floor under IndexedDB, per layout…');
    const floor = await benchIndexedDbFloor(1000, cart1000Encrypted.indexeddb_files_per_item?.log_rows ?? 452);
    const storage = { ...measured, local_bytes_per_item: cart1000.indexeddb_bytes_per_item, indexeddb_floor: floor };
    console.error('bench: capture corpus…');
    const capture = await benchCapture();
    console.error('bench: encryption per document (Tote vs crypto-js)…');
    const cryptoCost = await benchCrypto();
    console.error('bench: history, restoring a 1000-item cart 29 days back…');
    const history = await benchHistory();
    console.error('bench: load, 200 devices of 100 shoppers through the gateway…');
    const load = await benchLoad();
    let load1000: Awaited<ReturnType<typeof benchLoad>> | null = null;
    if (load1000Wanted) {
      console.error('bench: load, 1,000 devices of 500 shoppers through the gateway…');
      load1000 = await benchLoad({ shoppers: 500, devicesPerShopper: 2, durationMs: 30_000, writeEveryMs: 5_000 });
    }
    console.error('bench: analytics, accuracy through the gateway and cost per cart operation…');
    const analytics = await benchAnalytics(); // its own server: its shoppers sign up beyond the default limits
    console.error('bench: reliability, the fault tests\' short form with the ledger…');
    const reliability = await benchReliability('short');

    const targets = {
      ...syncTargets(sync),
      ...cart1000Targets(cart1000, cart1000Encrypted),
      'storage.local_bytes_per_item < 1024': storage.local_bytes_per_item < 1024,
      'storage.server_bytes_per_item < 1024': storage.server_bytes_per_item < 1024,
      'crypto.ours_us_per_doc * 5 <= crypto.cryptojs_us_per_doc': cryptoCost.ours_us_per_doc * 5 <= cryptoCost.cryptojs_us_per_doc,
      'crypto.stored_bytes_per_doc < 1024': cryptoCost.stored_bytes_per_doc < 1024,
      ...historyTargets(history),
      ...loadTargets('load', load),
      ...(load1000 ? loadTargets('load_1000', load1000) : {}),
      ...cart10kTargets(cart10k),
      ...reliabilityTargets(reliability),
      ...analyticsTargets(analytics),
    };
    const results = {
      measuredAt: new Date().toISOString(),
      machine: { node: process.version, platform: `${process.platform}-${process.arch}` },
      sync, cart1000, cart1000_encrypted: cart1000Encrypted, cart1000_node: cart1000Node, cart10k, storage, capture, crypto: cryptoCost, history, load,
      ...(load1000 ? { load_1000: load1000 } : {}), reliability, analytics,
    };
    // Kept from the file: what runs only on its own (`soak`, from `npm run bench:soak`).
    await mergeResults(results, targets);
    console.log(JSON.stringify({ ...results, targets }, null, 2));
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
