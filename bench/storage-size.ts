/**
 * Bytes per item, metadata included.
 * - server: the shopper database's folder on the sync server's disk (LevelDB files), after 1000 items
 *   were synced and the database compacted, divided by the number of items.
 * - local_document_bytes_per_item: the documents as the device's storage keeps them (RxDB's stored form,
 *   with _rev, _meta, _deleted and _attachments), serialised; the IndexedDB engine's own overhead is
 *   measured in real Chromium by cart1000-browser.ts.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { cartCommands } from '@tote/core';
import { startDevice, waitForPhase, type Account } from '../test/support/devices.ts';
import { round } from './stats.ts';

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    total += entry.isDirectory() ? await folderBytes(full) : (await stat(full)).size;
  }
  return total;
}

/** Compaction is an admin task on CouchDB itself (loopback), not something clients can ask the gateway for. */
async function compact(dbUrl: string, admin: { name: string; password: string }) {
  const headers = { authorization: `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}`, 'content-type': 'application/json' };
  await fetch(`${dbUrl}/_compact`, { method: 'POST', headers });
  for (let i = 0; i < 50; i += 1) {
    const info = await (await fetch(dbUrl, { headers })).json() as { compact_running?: boolean };
    if (!info.compact_running) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function benchStorage(account: Account, couchDbUrl: string, admin: { name: string; password: string }, dbFolder: string, count = 1000) {
  await compact(couchDbUrl, admin);
  const before = await folderBytes(dbFolder);
  const device = await startDevice('bench-size', account);
  try {
    await waitForPhase(device, 'in-sync');
    for (let i = 0; i < count; i += 1) {
      await device.client.store.dispatch(cartCommands.add({
        url: `https://shop-${i % 25}.example/products/item-${i}?variant=${i}`, title: `Product number ${i}, a realistic name of a product`,
        priceMinor: 1999 + i, currency: 'EUR', imageUrl: `https://cdn.shop-${i % 25}.example/images/products/${i}-large.jpg`,
        variant: i % 3 === 0 ? 'Blue / M' : null,
      }));
    }
    await device.client.sync!.awaitInSync();
    const docs = await device.client.db.items.find().exec();
    const localBytes = docs.reduce((sum, doc) => sum + Buffer.byteLength(JSON.stringify(doc.toMutableJSON(true))), 0);
    await compact(couchDbUrl, admin);
    const after = await folderBytes(dbFolder);
    return {
      items: count,
      local_document_bytes_per_item: round(localBytes / count, 0),
      server_bytes_per_item: round((after - before) / count, 0),
    };
  } finally {
    await device.close();
  }
}
