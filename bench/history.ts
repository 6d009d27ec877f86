/**
 * History: a 1000-item cart with 30 days of changes (1000 adds, then 19 000 quantity, note, list and
 * removal changes, each on a random item still in the cart, through the real cart reducer, stamped as the store stamps them), recorded as history
 * entries (core/src/history). Measures:
 * - `restore_1000_ms`: bringing the cart back to a point 29 days back through the store, as the apps
 *   do (`store.restore`): reading the whole history from the history collection, planning, and writing
 *   the items in one bulk write (Node, RxDB storage-memory), history recorded one document per write;
 *   The first restore reads and decodes every history document (`restore_1000_cold_ms`); the history
 *   log then keeps them decoded, following the collection's changes;
 * - `restore_read_ms`, `restore_plan_ms`: reading the (decoded) history, and planning alone;
 * - `bytes_per_change`: the stored size of the entries over their number (adds included), and
 *   `change_bytes_per_change` for the changes after the adds, and `sealed_bytes_per_change`: the history
 *   documents as the server keeps them with encryption on (`{ id, enc, fp }`, JSON), over their changes;
 * against keeping a whole item document per change (what a revision history keeps):
 * `whole_document_bytes_per_change`.
 *
 * `npm run bench:history` runs it alone; `npm run bench` includes it.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import {
  cartCommands, cartReducer, changedItems, compareHlc, createCartStore, createHistoryLog, createKeyring, entriesForWrite, formatHlc, historySeal,
  historySize, initialCartState, openCartDatabase, planRestore, randomId, stampChange, tickHlc, toHistoryRecord, validateCommand,
  type CartState, type ClockedItem, type HistoryDoc, type HistoryEntry, type Hlc,
} from '@tote/core';
import { percentile, round } from './stats.ts';

const DAY = 24 * 60 * 60_000;

function randomSource(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

/** The cart and its history after 30 days of shopping on one device. */
function thirtyDays(items: number, changes: number) {
  const random = randomSource(42);
  const start = Date.UTC(2026, 9, 1);
  let state: CartState = { ...initialCartState, loaded: true };
  const device = randomId(); // ids as the apps make them: entries carry the item's and the device's
  let clock: Hlc = { wall: 0, counter: 0, node: device };
  const docs: Record<string, ClockedItem> = {};
  const entries: HistoryEntry[] = [];
  /** The entries of each write, as the store records them: one history document per write. */
  const writes: HistoryEntry[][] = [];
  let wholeDocumentBytes = 0;
  const apply = (command: ReturnType<typeof cartCommands.add>, at: number) => {
    const action = { ...validateCommand(command, state.lists), meta: { at, device, newId: randomId() } } as Parameters<typeof cartReducer>[1];
    const next = cartReducer(state, action);
    clock = tickHlc(clock, at);
    const written: HistoryEntry[] = [];
    writes.push(written);
    for (const item of changedItems(state, next)) {
      const before = docs[item.id] ?? null;
      const doc = stampChange(before, item, clock);
      docs[doc.id] = doc;
      written.push(...entriesForWrite(before, doc));
      entries.push(...entriesForWrite(before, doc));
      wholeDocumentBytes += Buffer.byteLength(JSON.stringify(doc));
    }
    state = next;
  };
  for (let i = 0; i < items; i += 1) {
    apply(cartCommands.add({ url: `https://www.shop-${i % 40}.example/products/item-${i}-with-a-descriptive-slug`, title: `Product ${i}: a title as long as shops make them, colour and size`, priceMinor: 1000 + i, currency: 'EUR', imageUrl: `https://cdn.shop-${i % 40}.example/img/${i}.jpg`, variant: i % 3 === 0 ? 'Blue / M' : null }), start + i * 1000);
  }
  const step = (30 * DAY - items * 1000) / changes;
  const ids = Object.keys(docs);
  for (let c = 0; c < changes; c += 1) {
    const at = start + items * 1000 + Math.round(c * step);
    let id = ids[random.int(ids.length)]!;
    while (state.items[id]!.deleted) id = ids[random.int(ids.length)]!; // removed items are not changed again
    const item = state.items[id]!;
    const roll = random.next();
    const command = roll < 0.45 ? cartCommands.setQuantity(id, (item.quantity % 9) + 1)
      : roll < 0.75 ? cartCommands.setNote(id, `note ${c}`)
        : roll < 0.99 ? cartCommands.move(id, item.listId === 'cart' ? 'saved' : 'cart')
          : cartCommands.remove(id); // 1 %: about 1 item in 5 is removed by the end
    apply(command as ReturnType<typeof cartCommands.add>, at);
  }
  return { docs, entries, writes: writes.filter((written) => written.length > 0), device, clock, now: start + 30 * DAY, wholeDocumentBytes, adds: items };
}

export async function benchHistory(items = 1000, changes = 19_000, runs = 15) {
  const history = thirtyDays(items, changes);
  const changeEntries = history.entries.slice(history.adds);
  const changeBytes = changeEntries.reduce((sum, entry) => sum + Buffer.byteLength(JSON.stringify(toHistoryRecord(entry))), 0);

  // The history documents the store would have written, as the device keeps them and as the server does.
  const historyDocs: HistoryDoc[] = history.writes.map((written) => {
    let latest = written[0]!.stamp;
    for (const entry of written) if (compareHlc(entry.stamp, latest) > 0) latest = entry.stamp;
    return { id: formatHlc(latest), e: written.map(toHistoryRecord), d: 'Chrome on laptop' };
  });
  const seal = historySeal(await createKeyring(globalThis.crypto));
  let sealedBytes = 0;
  for (const doc of historyDocs) sealedBytes += Buffer.byteLength(JSON.stringify({ _id: doc.id, ...(await seal.seal(doc)), _rev: '1-0123456789abcdef0123456789abcdef' }));

  const db = await openCartDatabase({ storage: getRxStorageMemory(), name: `bench-history-${Date.now()}` });
  const plans: number[] = [];
  const reads: number[] = [];
  const restores: number[] = [];
  // The store runs as another device than the one that made the history: resetting the items between
  // runs (old stamps of that device) records nothing, and only the restore's own document is recorded.
  const log = createHistoryLog(db.history, { id: randomId(), name: 'bench' });
  const clock = { now: () => history.now };
  try {
    await db.items.bulkInsert(Object.values(history.docs).map((doc) => ({ ...doc })));
    await db.history.bulkInsert(historyDocs.map((doc) => ({ ...doc })));
    const store = createCartStore({ items: db.items, device: { id: randomId(), name: 'bench' }, clock, history: log });
    await store.ready;
    await store.historySettled();
    const target = history.now - 29 * DAY;
    for (let run = 0; run < runs; run += 1) {
      // The first run reads the history documents from the database (cold); later runs use what the
      // history log keeps decoded in memory, as an app that has been open a while does.
      const started = performance.now();
      const result = await store.restore(target);
      restores.push(performance.now() - started);
      if (result.changed + result.removed + result.broughtBack < items / 2) throw new Error('the restore changed less than expected');
      const read0 = performance.now();
      const read = await log.read();
      reads.push(performance.now() - read0);
      const plan0 = performance.now();
      planRestore(history.docs, read.entries, target, { at: history.now, clock: history.clock });
      plans.push(performance.now() - plan0);
      // Back to today for the next run: the items as they were, the restore's history document gone.
      await store.historySettled();
      await db.items.bulkUpsert(Object.values(history.docs).map((doc) => ({ ...doc })));
      await store.historySettled();
      const restoreDocs = await db.history.find({ selector: { r: { $exists: true } } }).exec();
      await db.history.bulkRemove(restoreDocs.map((doc) => doc.id));
    }
    store.close();
  } finally {
    await db.remove();
  }
  return {
    items,
    entries: history.entries.length,
    storage: 'RxDB storage-memory (Node)',
    restore_1000_ms: round(percentile(restores, 50)),
    restore_1000_p95_ms: round(percentile(restores, 95)),
    restore_1000_cold_ms: round(restores[0]!),
    restore_read_ms: round(percentile(reads, 50)),
    restore_plan_ms: round(percentile(plans, 50)),
    history_documents: historyDocs.length,
    bytes_per_change: round(historySize(history.entries) / history.entries.length),
    change_bytes_per_change: round(changeBytes / changeEntries.length),
    sealed_bytes_per_change: round(sealedBytes / history.entries.length),
    whole_document_bytes_per_change: round(history.wholeDocumentBytes / history.entries.length),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchHistory().then((result) => {
    console.log(JSON.stringify({ history: result }, null, 2));
    process.exit(0);
  }, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
