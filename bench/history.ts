/**
 * History: a 1000-item cart with 30 days of changes (1000 adds, then 19 000 quantity, note, list and
 * removal changes, each on a random item still in the cart, through the real cart reducer, stamped as the store stamps them), recorded as history
 * entries (core/src/history). Measures:
 * - `restore_1000_ms`: bringing the cart back to a point 29 days back: planning the restore from the
 *   entries and writing its documents to an RxDB collection in one bulk write (Node, storage-memory;
 *   history is not yet kept in the apps' IndexedDB, docs/history.md);
 * - `restore_plan_ms`: the planning alone;
 * - `bytes_per_change`: the stored size of the entries over their number (adds included), and
 *   `change_bytes_per_change` for the changes after the adds;
 * against keeping a whole item document per change (what a revision history keeps):
 * `whole_document_bytes_per_change`.
 *
 * `npm run bench:history` runs it alone; `npm run bench` includes it.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import {
  cartCommands, cartReducer, changedItems, entriesForWrite, historySize, initialCartState, openCartDatabase, planRestore, stampChange,
  tickHlc, toHistoryRecord, validateCommand, type CartState, type ClockedItem, type HistoryEntry, type Hlc,
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
  const device = randomUUID(); // the apps' device ids and item ids are UUIDs: entries carry both
  let clock: Hlc = { wall: 0, counter: 0, node: device };
  const docs: Record<string, ClockedItem> = {};
  const entries: HistoryEntry[] = [];
  let wholeDocumentBytes = 0;
  const apply = (command: ReturnType<typeof cartCommands.add>, at: number) => {
    const action = { ...validateCommand(command, state.lists), meta: { at, device, newId: randomUUID() } } as Parameters<typeof cartReducer>[1];
    const next = cartReducer(state, action);
    clock = tickHlc(clock, at);
    for (const item of changedItems(state, next)) {
      const before = docs[item.id] ?? null;
      const doc = stampChange(before, item, clock);
      docs[doc.id] = doc;
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
  return { docs, entries, clock, now: start + 30 * DAY, wholeDocumentBytes, adds: items };
}

export async function benchHistory(items = 1000, changes = 19_000, runs = 15) {
  const history = thirtyDays(items, changes);
  const changeEntries = history.entries.slice(history.adds);
  const changeBytes = changeEntries.reduce((sum, entry) => sum + Buffer.byteLength(JSON.stringify(toHistoryRecord(entry))), 0);

  const db = await openCartDatabase({ storage: getRxStorageMemory(), name: `bench-history-${Date.now()}` });
  const plans: number[] = [];
  const restores: number[] = [];
  try {
    await db.items.bulkInsert(Object.values(history.docs).map((doc) => ({ ...doc })));
    const target = history.now - 29 * DAY;
    for (let run = 0; run < runs; run += 1) {
      const started = performance.now();
      const plan = planRestore(history.docs, history.entries, target, { at: history.now, clock: history.clock });
      const planned = performance.now();
      const result = await db.items.bulkUpsert(plan.writes.map((doc) => ({ ...doc })));
      if (result.error.length > 0) throw new Error(`${result.error.length} documents of the restore were refused`);
      restores.push(performance.now() - started);
      plans.push(planned - started);
      await db.items.bulkUpsert(Object.values(history.docs).map((doc) => ({ ...doc }))); // back to today for the next run
    }
  } finally {
    await db.remove();
  }
  return {
    items,
    entries: history.entries.length,
    storage: 'RxDB storage-memory (Node)',
    restore_1000_ms: round(percentile(restores, 50)),
    restore_1000_p95_ms: round(percentile(restores, 95)),
    restore_plan_ms: round(percentile(plans, 50)),
    bytes_per_change: round(historySize(history.entries) / history.entries.length),
    change_bytes_per_change: round(changeBytes / changeEntries.length),
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
