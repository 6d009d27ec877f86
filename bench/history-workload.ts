/**
 * The history benchmark's workload, without anything of Node or the browser (bench/history.ts drives
 * it in Chromium through bench/browser/history-bench-entry.ts): a 1000-item cart with 30 days of
 * changes (1000 adds, then 19 000 quantity, note, list and removal changes, each on a random item still
 * in the cart, through the real cart reducer, stamped as the store stamps them), its history documents
 * in either layout, and a restore 29 days back through the store, as the apps run it.
 */
import {
  batchDocuments, cartAt, cartCommands, cartReducer, changedItems, compareHlc, createCartStore, createHistoryLog, entriesForWrite, formatHlc,
  historySeal, initialCartState, openCartDatabase, planRestore, randomId, selectItems, stampChange, tickHlc, timeline, toHistoryRecord, validateCommand,
  type CartState, type ClockedItem, type HistoryDoc, type HistoryEntry, type Hlc, type Keyring,
} from '@tote/core';
import type { RxStorage } from 'rxdb';

const DAY = 24 * 60 * 60_000;
const encoder = new TextEncoder();
const bytesOf = (text: string) => encoder.encode(text).length;

function randomSource(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

export type HistoryLayout = 'batches' | 'one-write-per-document';

/** The cart and its history after 30 days of shopping on one device (the same for the same arguments). */
export function thirtyDays(items = 1000, changes = 19_000) {
  const random = randomSource(42);
  const ids = randomSource(7);
  // Ids as the apps make them (16 characters, randomId), from a fixed seed so both layouts get the same history.
  const makeId = () => Array.from({ length: 16 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[ids.int(36)]).join('');
  const start = Date.UTC(2026, 9, 1);
  let state: CartState = { ...initialCartState, loaded: true };
  const device = makeId();
  let clock: Hlc = { wall: 0, counter: 0, node: device };
  const docs: Record<string, ClockedItem> = {};
  const entries: HistoryEntry[] = [];
  /** The entries of each write, as the store records them. */
  const writes: HistoryEntry[][] = [];
  let wholeDocumentBytes = 0;
  const apply = (command: ReturnType<typeof cartCommands.add>, at: number) => {
    const action = { ...validateCommand(command, state.lists), meta: { at, device, newId: makeId() } } as Parameters<typeof cartReducer>[1];
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
      wholeDocumentBytes += bytesOf(JSON.stringify(doc));
    }
    state = next;
  };
  for (let i = 0; i < items; i += 1) {
    apply(cartCommands.add({ url: `https://www.shop-${i % 40}.example/products/item-${i}-with-a-descriptive-slug`, title: `Product ${i}: a title as long as shops make them, colour and size`, priceMinor: 1000 + i, currency: 'EUR', imageUrl: `https://cdn.shop-${i % 40}.example/img/${i}.jpg`, variant: i % 3 === 0 ? 'Blue / M' : null }), start + i * 1000);
  }
  const step = (30 * DAY - items * 1000) / changes;
  const itemIds = Object.keys(docs);
  for (let c = 0; c < changes; c += 1) {
    const at = start + items * 1000 + Math.round(c * step);
    let id = itemIds[random.int(itemIds.length)]!;
    while (state.items[id]!.deleted) id = itemIds[random.int(itemIds.length)]!; // removed items are not changed again
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

export type ThirtyDays = ReturnType<typeof thirtyDays>;
const DEVICE_NAME = 'Chrome on laptop';

/** The history documents the device keeps in `layout`: batches as the history log writes them today, or one document per write as before. */
export function historyDocuments(history: ThirtyDays, layout: HistoryLayout): HistoryDoc[] {
  if (layout === 'batches') return batchDocuments(history.writes.map((entries) => ({ entries })), DEVICE_NAME);
  return history.writes.map((written) => {
    let latest = written[0]!.stamp;
    for (const entry of written) if (compareHlc(entry.stamp, latest) > 0) latest = entry.stamp;
    return { id: formatHlc(latest), e: written.map(toHistoryRecord), d: DEVICE_NAME };
  });
}

/** Bytes of the documents as the server keeps them with the shopper's keys on: `{ _id, _rev, enc, fp }`, JSON. */
export async function syncedBytes(docs: readonly HistoryDoc[], keyring: Keyring): Promise<number> {
  const seal = historySeal(keyring);
  let bytes = 0;
  for (const doc of docs) {
    const { id, enc, fp } = await seal.seal(doc);
    bytes += bytesOf(JSON.stringify({ _id: id, _rev: '1-0123456789abcdef0123456789abcdef', enc, fp }));
  }
  return bytes;
}

// RxDB storages are generic over their internals; any storage works here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStorage = RxStorage<any, any>;

/** Writes the cart and its history documents into a new database `name`, and closes it. */
export async function seedHistory(storage: AnyStorage, name: string, history: ThirtyDays, docs: readonly HistoryDoc[]): Promise<void> {
  const db = await openCartDatabase({ storage, name });
  await db.items.bulkInsert(Object.values(history.docs).map((doc) => ({ ...doc })));
  for (let i = 0; i < docs.length; i += 2000) await db.history.bulkInsert(docs.slice(i, i + 2000).map((doc) => ({ ...doc })));
  await db.close();
}

export interface RestoreFigures {
  /**
   * The History panel's opening after the database is opened (desktop/src/components/HistoryPanel.svelte):
   * the first read of history (every history document read from storage, decrypted and decoded) and the
   * timeline made of it, which the shopper picks a moment to restore to from. (The panel's usage line is
   * worked out after the timeline is on screen, and is not part of this figure.)
   */
  readonly coldReadMs: number;
  /**
   * The first restore after opening the database and that read, from `store.restore` until it resolves:
   * the plan (its code run for the first time), its journal entry stored (sealed, in IndexedDB) and the
   * state showing the restored cart. What the shopper waits for after choosing the moment.
   */
  readonly coldMs: number;
  /** The same restore until its items are all written too (`store.settled()`), sealed, in one bulk write. */
  readonly coldAppliedMs: number;
  /** The restores after it (the history log keeps the documents decoded, following the collection). */
  readonly warmMs: number[];
  readonly warmAppliedMs: number[];
  readonly readMs: number[];
  readonly planMs: number[];
  /** The plan's item documents written alone, in one bulk write. */
  readonly writeMs: number[];
  readonly historyDocuments: number;
}

/**
 * Opens the database `name` as an app does at start (the store over the items, the history log over
 * the history), reads history once as the History panel does, then restores 29 days back `runs` times
 * through the store, setting the items back to
 * today and removing the restore's history document between runs.
 */
export async function measureRestores(storage: AnyStorage, name: string, history: ThirtyDays, runs: number): Promise<RestoreFigures> {
  const db = await openCartDatabase({ storage, name });
  // The store runs as another device than the one that made the history: resetting the items between
  // runs (old stamps of that device) records nothing, and only the restore's own document is recorded.
  const log = createHistoryLog(db.history, { id: randomId(), name: 'bench' });
  const clock = { now: () => history.now };
  const restores: number[] = [];
  const applied: number[] = [];
  const reads: number[] = [];
  const plans: number[] = [];
  const writes: number[] = [];
  try {
    const store = createCartStore({ items: db.items, device: { id: randomId(), name: 'bench' }, clock, history: log });
    await store.ready;
    await store.historySettled();
    const historyDocuments = await db.history.count().exec();
    const read0 = performance.now();
    // As the History panel opens: history read, and the timeline the shopper restores from made of it.
    const opened = await log.read();
    const points = timeline(opened.entries, { thisDevice: 'bench', devices: opened.devices, restores: opened.restores });
    const coldReadMs = performance.now() - read0;
    if (points.length === 0) throw new Error('the history showed no timeline');
    const target = history.now - 29 * DAY;
    // The cart the shopper must see once a restore resolves: the visible items of that moment.
    const expected = JSON.stringify(Object.values(cartAt(history.entries, target)).filter((item) => !item.deleted)
      .map((item) => `${item.id}|${item.quantity}|${item.note}|${item.listId}`).sort());
    const shown = () => JSON.stringify(selectItems(store.getState()).map((item) => `${item.id}|${item.quantity}|${item.note}|${item.listId}`).sort());
    for (let run = 0; run < runs; run += 1) {
      const started = performance.now();
      const result = await store.restore(target);
      restores.push(performance.now() - started);
      // Resolved means shown (and stored): checked after the clock stopped, before the items are written.
      if (shown() !== expected) throw new Error('the restored cart was not shown when the restore resolved');
      await store.settled();
      applied.push(performance.now() - started);
      if (result.changed + result.removed + result.broughtBack < Object.keys(history.docs).length / 2) throw new Error('the restore changed less than expected');
      if (shown() !== expected) throw new Error('the cart shown after the items were written is not the restored one');
      const read0 = performance.now();
      const read = await log.read();
      reads.push(performance.now() - read0);
      const plan0 = performance.now();
      const plan = planRestore(history.docs, read.entries, target, { at: history.now, clock: history.clock });
      plans.push(performance.now() - plan0);
      // The same items written alone (stamped as the history's device: the store records nothing of them).
      await store.historySettled();
      await db.items.bulkUpsert(Object.values(history.docs).map((doc) => ({ ...doc })));
      await store.historySettled();
      // As the store writes a restore: one bulk write to the storage, against the stored versions.
      const stored = new Map((await db.items.storageInstance.findDocumentsById(plan.writes.map((doc) => doc.id), false)).map((doc) => [doc.id, doc]));
      const rows = plan.writes.map((doc) => {
        const previous = stored.get(doc.id)!;
        return { previous, document: { ...doc, _deleted: false, _attachments: {}, _meta: previous._meta, _rev: previous._rev } };
      });
      const write0 = performance.now();
      const written = await db.items.storageInstance.bulkWrite(rows, 'bench-restore-write');
      writes.push(performance.now() - write0);
      if (written.error.length > 0) throw new Error(`${written.error.length} items of the plan were refused`);
      // Back to today for the next run: the items as they were, the restore's history document gone.
      await store.historySettled();
      await db.items.bulkUpsert(Object.values(history.docs).map((doc) => ({ ...doc })));
      await store.historySettled();
      const restoreDocs = await db.history.find({ selector: { r: { $exists: true } } }).exec();
      await db.history.bulkRemove(restoreDocs.map((doc) => doc.id));
    }
    store.close();
    return { coldReadMs, coldMs: restores[0]!, coldAppliedMs: applied[0]!, warmMs: restores.slice(1), warmAppliedMs: applied.slice(1), readMs: reads, planMs: plans, writeMs: writes, historyDocuments };
  } finally {
    await db.remove();
  }
}
