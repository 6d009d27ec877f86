/**
 * The cart store: Redux's shape over an RxDB collection.
 *
 * - `dispatch(command)` validates the command at the boundary, stamps it (time, device, new id) into an
 *   action, runs the pure reducer, and writes the documents the action changed in ONE bulk write.
 *   Dispatches are serialised, so each action is atomic with respect to the others.
 * - Every write to the collection, local or pulled from the server, flows back in as `sync/received`,
 *   so `state$` always shows what the database holds.
 * - Each field an action changes is stamped with the device's hybrid logical clock (merge/hlc.ts),
 *   which has seen every stamp in the database: a change made after seeing another is always later,
 *   however wrong this device's wall clock is. The stamps are what the merge decides by (docs/merge.md).
 */
import { getChangedDocumentsSince, type RxDocumentData } from 'rxdb';
import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import { distinctUntilChanged } from 'rxjs/operators';
import { stamp, type AddSource, type CartAction, type CartCommand, type CommandAction } from '../cart/cart-actions.ts';
import { cartReducer, changedItems } from '../cart/cart-reducer.ts';
import { initialCartState, listNameKey, type CartItem, type CartState } from '../cart/cart-types.ts';
import { validateCommand } from '../cart/cart-validation.ts';
import { ToteError } from '../errors.ts';
import { planRestore } from '../history/restore.ts';
import { compare, createHlc, parseHlc, receive, tick, type Hlc } from '../merge/hlc.ts';
import { mergeItem, type FieldConflict } from '../merge/field-merge.ts';
import { fieldStamps, stampChange, type ClockedItem } from '../merge/item-clocks.ts';
import { commandOperation } from '../monitoring/command-operation.ts';
import type { LatencyMonitor } from '../monitoring/latency-monitor.ts';
import type { ItemCollection } from '../persistence/cart-database.ts';
import { randomId, systemClock, type Clock, type DeviceInfo, type IdFactory } from '../ports.ts';
import { createCartSnapshot, sizeOf, SNAPSHOT_MAX_CHANGED, type RowCheckpoint } from './cart-snapshot.ts';
import { clearEntry, createClearJournal, planClearReplay, type ClearEntry } from './clear-journal.ts';
import { commandEntry, createCommandJournal, type CommandEntry } from './command-journal.ts';
import { createRestoreJournal, planRestoreReplay, restoreEntry, type RestoreEntry } from './restore-journal.ts';
import type { HistoryLog, WrittenDocument } from './history-log.ts';

export interface CartStoreOptions {
  readonly items: ItemCollection;
  readonly device: DeviceInfo;
  readonly clock?: Clock;
  readonly newId?: IdFactory;
  /** Where this device's changes are recorded (history-log.ts). Without it there is no history and no restore. */
  readonly history?: HistoryLog;
  /** A change could not be recorded in history (the change itself is stored). */
  readonly onHistoryError?: (error: unknown) => void;
  /**
   * An action met a version another device wrote meanwhile, and one change replaced the other (or a
   * removal kept the item): the shopper's notices, as the replication's merge reports them.
   */
  readonly onConflicts?: (conflicts: readonly FieldConflict[]) => void;
  /**
   * A clear's or a restore's items could not be written after it was stored: it stays in its journal and
   * is finished at the next start (the cart shows what the database holds meanwhile).
   */
  readonly onWriteError?: (error: unknown) => void;
  /** Where each dispatch's time until committed, and each write's wait for the server, are recorded (docs/analytics.md, "Monitoring"). */
  readonly monitor?: LatencyMonitor;
  /**
   * Told when the first load has shown the cart's snapshot, 'tote:snapshot-shown' (when there is one), read
   * (and opened) every item, 'tote:items-read', and built the state from them, 'tote:state-built'; and when
   * the snapshot is first written after that, 'tote:snapshot-saving' and 'tote:snapshot-saved'.
   */
  readonly mark?: (name: string) => void;
  /**
   * A cart of at least this many items (deleted ones and list records counted) keeps a snapshot to open
   * with (cart-snapshot.ts); default 2000.
   */
  readonly snapshotFromItems?: number;
  /** How long the cart stays unchanged before its snapshot is written (default 5000 ms; cart-snapshot.ts rule 2). */
  readonly snapshotDelayMs?: number;
}

/** What a restore did (history/restore.ts). */
export interface RestoreResult {
  /** The moment the cart was brought back to. */
  readonly to: number;
  /** Restoring to this moment undoes the restore. */
  readonly undoAt: number;
  readonly changed: number;
  readonly removed: number;
  readonly broughtBack: number;
}

export interface DispatchResult {
  readonly action: CommandAction;
  /** The items the action wrote (empty when it changed nothing). */
  readonly written: readonly CartItem[];
  /** The state the action was applied to. */
  readonly before: CartState;
}

export interface CartStore {
  readonly state$: Observable<CartState>;
  getState(): CartState;
  /** Resolves once the change is stored on this device; rejects with a ToteError and changes nothing. */
  dispatch(command: CartCommand): Promise<DispatchResult>;
  /**
   * Brings the cart back to how it stood at `to` (ms since epoch, within the last 30 days) as one
   * change of this device: it syncs to every device and is undone by `restore(undoAt)`. Resolves once the
   * restore is stored as one journal entry and the state shows the restored cart; its items are written
   * right after (restore-journal.ts, docs/history.md rule 23; `settled()` waits for them).
   * Rejects with ToteError('INVALID_INPUT') for a moment history cannot restore to, and changes nothing.
   */
  restore(to: number): Promise<RestoreResult>;
  /**
   * Resolves when every change so far is written to the items. A clear and a restore resolve once each
   * is stored as one journal entry; their items are written right after (clear-journal.ts,
   * restore-journal.ts, docs/cart.md, docs/history.md).
   */
  settled(): Promise<void>;
  /** Resolves when every change so far is written and recorded in history. */
  historySettled(): Promise<void>;
  /** Resolves when the local database has been read into the state. */
  readonly ready: Promise<void>;
  /**
   * Resolves when the state first shows the cart: its snapshot (cart-snapshot.ts), or else the database
   * read. Dispatches still wait for `ready`.
   */
  readonly shown: Promise<void>;
  /** Resolves once the cart's snapshot holds the state shown now (cart-snapshot.ts rule 2): before closing. */
  flush(): Promise<void>;
  close(): void;
}

const STORAGE_FIELDS = new Set(['_rev', '_meta', '_attachments', '_deleted']);
/** An item document without the storage's fields (_rev, _meta, _attachments, _deleted). */
function withoutStorageFields(doc: RxDocumentData<ClockedItem>): ClockedItem {
  // A loop, not `const { _rev, ...item } = doc`: V8 runs rest with excluded keys in its slow runtime path,
  // and a restore strips every item of the cart.
  const item: Record<string, unknown> = {};
  for (const key of Object.keys(doc)) if (!STORAGE_FIELDS.has(key)) item[key] = (doc as unknown as Record<string, unknown>)[key];
  return item as unknown as ClockedItem;
}

const ID_COMMANDS = new Set(['item/setQuantity', 'item/remove', 'item/move', 'item/setNote', 'item/edit']);
const BULK_COMMANDS = new Set(['items/move', 'items/remove', 'items/setQuantity', 'items/copy', 'items/markBought']);

export function createCartStore({
  items, device, clock = systemClock, newId = randomId, history, onHistoryError, onConflicts, onWriteError, monitor, mark,
  snapshotFromItems = 2000, snapshotDelayMs = 5000,
}: CartStoreOptions): CartStore {
  const state = new BehaviorSubject<CartState>(initialCartState);
  let closed = false;
  // Whether the state holds what the database holds (read once at least), not only the snapshot shown before.
  let checked = false;
  // The newest row seen (RxDB's `_meta.lwt`, then id): what a snapshot of the state holds (cart-snapshot.ts).
  let newestRow: RowCheckpoint = { id: '', lwt: 0 };
  const noteRow = (doc: RxDocumentData<ClockedItem>) => {
    const lwt = doc._meta?.lwt ?? 0;
    if (lwt > newestRow.lwt || (lwt === newestRow.lwt && doc.id > newestRow.id)) newestRow = { id: doc.id, lwt };
  };
  /** Ids written while a load is reading, each load's own set: the write's version is newer than what the load read. */
  const loading = new Set<Set<string>>();
  let queue: Promise<unknown> = Promise.resolve();
  const apply = (action: CartAction) => state.next(cartReducer(state.value, action));
  // The stored form (with _rev and _meta) of every document, so a dispatch can write all the documents
  // of one action in a single storage write that names the revision it replaces.
  const stored = new Map<string, RxDocumentData<ClockedItem>>();
  const journal = createClearJournal(items.database);
  const restores = createRestoreJournal(items.database);
  const commands = createCommandJournal(items.database);
  let hlc: Hlc = createHlc(device.id);
  const seen = (doc: ClockedItem) => {
    // A stamp of this device's own (its store's, or its merge's, which stamps a kept change just after
    // another device's) is always taken in, whatever the clock says: dropped as "beyond drift" on a
    // device whose clock went back, it would let this device's next change carry an earlier stamp and
    // lose to it (test/faults/clock-jumps.test.ts). Other devices' stamps go through the drift check.
    let latest: Hlc | null = null;
    for (const stamp of Object.values(fieldStamps(doc))) {
      if (stamp.node === device.id && compare(stamp, hlc) > 0) hlc = stamp;
      if (latest === null || compare(stamp, latest) > 0) latest = stamp;
    }
    if (latest) hlc = receive(hlc, latest, clock.now());
  };

  // History is recorded in order, one write after another, right after the items are written.
  let recording: Promise<void> = Promise.resolve();
  let pendingRestore: { stamp: string; to: number } | null = null;
  const record = (written: WrittenDocument[], restoredTo?: number) => {
    if (!history || written.length === 0) return;
    recording = recording.then(() => history.recordWrite(written, restoredTo)).catch((error) => onHistoryError?.(error));
  };

  // This store's writes whose change event has not come back yet, by id: the revision each replaced. The
  // next action on such an item waits for it, so it is made on the stored version, not the one before
  // (a bulk removal undone at once would otherwise meet its own removal as another device's change).
  const unseen = new Map<string, string>();
  let onSeen: (() => void) | null = null;
  const caughtUp = async (ids: readonly string[]) => {
    const deadline = Date.now() + 10_000;
    while (ids.some((id) => unseen.has(id)) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        onSeen = resolve;
        setTimeout(resolve, 100);
      });
    }
    for (const id of ids) unseen.delete(id);
  };

  // Changes written by anyone (this store, the replication) come back here.
  // Where the adds being written came from, by item, until their write comes back (docs/analytics.md).
  const addSources = new Map<string, AddSource>();
  let subscription: Subscription | undefined = items.eventBulks$.subscribe((bulk) => {
    const written: WrittenDocument[] = [];
    for (const event of bulk.events) {
      const after = event.documentData as RxDocumentData<ClockedItem>;
      const source = addSources.get(event.documentId);
      addSources.delete(event.documentId);
      written.push({ before: stored.get(event.documentId) ?? null, after, ...(source ? { source } : {}) });
      stored.set(event.documentId, after);
      noteRow(after);
      for (const ids of loading) ids.add(event.documentId);
      seen(after);
      if (unseen.has(event.documentId) && unseen.get(event.documentId) !== after._rev) unseen.delete(event.documentId);
    }
    if (onSeen) {
      const resolve = onSeen;
      onSeen = null;
      resolve();
    }
    if (!checked) return; // the initial load below reads them anyway (and repairs their history)
    const restore = pendingRestore;
    const restoredTo = restore && written.some(({ after }) => Object.values(after.fieldClocks ?? {}).includes(restore.stamp)) ? restore.to : undefined;
    record(written, restoredTo);
    apply({ type: 'sync/received', docs: bulk.events.map((event) => event.documentData as CartItem) });
  });

  const load = async () => {
    // Straight from the storage, as the dispatches write: RxDB's documents (a cache entry, a frozen
    // object and a deep copy per item) would only be thrown away. The rows are read, never changed.
    const during = new Set<string>();
    loading.add(during);
    let docs: RxDocumentData<ClockedItem>[];
    try {
      const { documents } = await items.storageInstance.query(items.find().getPreparedQuery());
      docs = documents as RxDocumentData<ClockedItem>[];
    } finally {
      loading.delete(during);
    }
    const first = !checked;
    if (first) mark?.('tote:items-read');
    // A document written while the rows were read (the replication runs meanwhile): its change event
    // brought the version written, which the read may predate.
    if (during.size > 0) {
      const read = new Set(docs.map((doc) => doc.id));
      docs = docs.map((doc) => (during.has(doc.id) ? stored.get(doc.id) ?? doc : doc));
      for (const id of during) if (!read.has(id) && stored.has(id)) docs.push(stored.get(id)!);
    }
    for (const doc of docs) {
      stored.set(doc.id, doc);
      noteRow(doc);
      seen(doc);
    }
    apply({ type: 'sync/loaded', docs });
    checked = true;
    if (first) mark?.('tote:state-built');
    if (history) recording = recording.then(() => history.repair(docs, clock.now())).then(() => undefined, (error) => onHistoryError?.(error));
    // A clear that cannot be finished now is reported and tried again at the next start; the cart opens.
    await replayJournal().catch((error) => onWriteError?.(error));
  };

  type Row = { previous?: RxDocumentData<ClockedItem>; document: RxDocumentData<ClockedItem> };
  const toRow = (previous: RxDocumentData<ClockedItem> | undefined, doc: ClockedItem): Row => {
    const document: RxDocumentData<ClockedItem> = {
      ...doc, _deleted: false, _attachments: previous?._attachments ?? {}, _meta: previous?._meta ?? { lwt: 0 }, _rev: previous?._rev ?? '',
    };
    return previous ? { previous, document } : { document };
  };

  /** The documents of one action, each changed field stamped, against the versions the action saw. */
  function prepare(written: readonly CartItem[]): { now: Hlc; rows: Row[] } {
    const now = tick(hlc, clock.now());
    hlc = now;
    return { now, rows: written.map((item) => {
      const previous = stored.get(item.id);
      return toRow(previous, stampChange(previous ?? null, item, now));
    }) };
  }

  /**
   * One bulk write for the whole action. A document changed meanwhile (the replication wrote a version
   * pulled from another device) is merged with the action's version by the merge rules (docs/merge.md),
   * the version the action was made on as their ancestor, as if the two had met through the server: a
   * change just pulled is not overwritten, an item this action removes that the other device changed is
   * kept (rule 7), and whatever one change replaced is told to `onConflicts`.
   */
  async function commit(rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const result = await items.storageInstance.bulkWrite(rows as Row[], 'tote-dispatch');
    if (result.error.length === 0) return;
    const conflicted = new Set(result.error.filter((error) => error.status === 409).map((error) => error.documentId));
    if (conflicted.size !== result.error.length) throw new Error(`${result.error.length - conflicted.size} documents were refused`);
    for (const { previous, document } of rows.filter((row) => conflicted.has(row.document.id))) {
      const ancestor = previous ? withoutStorageFields(previous) : null;
      const mine = withoutStorageFields(document);
      let found: readonly FieldConflict[] = [];
      await items.findOne(document.id).incrementalModify((current) => {
        const { merged, conflicts } = mergeItem(ancestor, mine, withoutStorageFields(current as RxDocumentData<ClockedItem>));
        found = conflicts; // the last attempt's: RxDB runs this again if the document changes meanwhile
        return { ...merged } as typeof current;
      });
      if (found.length > 0) onConflicts?.(found);
    }
  }

  // Clears and restores whose items are being written after they were stored (clear-journal.ts,
  // restore-journal.ts), by item.
  const pending = new Map<string, Promise<void>>();
  const settled = () => Promise.all(new Set(pending.values())).then(() => undefined);
  function finishLater(finished: () => Promise<void>, rows: readonly Row[]): void {
    // Begun once the caller has gone on (a macrotask later): sealing a thousand documents runs on this
    // thread before the write's first wait, and the shopper, who already sees the change, would wait for it.
    const begun = new Promise<void>((resolve) => { setTimeout(resolve, 0); });
    const done = begun.then(() => commit(rows)).then(finished).catch(async (error) => {
      if (closed) return; // the entry is finished at the next start
      onWriteError?.(error);
      await load().catch(onWriteError); // shows what the database holds, and tries the entry again
    });
    for (const row of rows) pending.set(row.document.id, done);
    void done.then(() => {
      for (const row of rows) if (pending.get(row.document.id) === done) pending.delete(row.document.id);
    });
  }

  const held = (id: string) => {
    const doc = stored.get(id);
    return doc ? withoutStorageFields(doc) : undefined;
  };

  /** Finishes the clears and restores the journals still hold, in the order they were made: after a restart, or a failed write. */
  async function replayJournal(): Promise<void> {
    type Entry = { clear: ClearEntry; stamp: string } | { restore: RestoreEntry; stamp: string } | { command: CommandEntry; stamp: string };
    // The three journals read side by side: at every start, before the cart shows.
    const [clears, restored, commanded] = await Promise.all([journal.read(), restores.read(), commands.read()]);
    const entries: Entry[] = [
      ...clears.map((clear) => ({ clear, stamp: clear.stamp })),
      ...restored.map((restore) => ({ restore, stamp: restore.key })),
      ...commanded.map((command) => ({ command, stamp: command.key })),
    ].sort((a, b) => compare(parseHlc(a.stamp), parseHlc(b.stamp)));
    for (const entry of entries) {
      hlc = receive(hlc, parseHlc(entry.stamp), clock.now());
      let plan: { writes: readonly { previous?: ClockedItem; document: ClockedItem }[]; kept: readonly FieldConflict[] };
      if ('restore' in entry) {
        plan = planRestoreReplay(entry.restore, held);
        pendingRestore = { stamp: entry.restore.key, to: entry.restore.to };
      } else if ('command' in entry) plan = planRestoreReplay(entry.command, held);
      else plan = planClearReplay(entry.clear, held);
      if (plan.writes.length > 0) apply({ type: 'sync/received', docs: plan.writes.map(({ document }) => document) });
      await commit(plan.writes.map(({ document }) => toRow(stored.get(document.id), document)));
      if (plan.kept.length > 0) onConflicts?.(plan.kept);
      if ('restore' in entry) await restores.remove(entry.restore.key);
      else if ('command' in entry) await commands.remove(entry.command.key);
      else await journal.remove(entry.clear.key);
    }
  }
  // The snapshot first (cart-snapshot.ts): shown while the rows are read, which decide.
  const snapshot = createCartSnapshot(items.database, { minItems: snapshotFromItems });
  let fromSnapshot: CartState | null = null;
  const shown = snapshot.read().then(async (read) => {
    if (!read) return false;
    // The rows written after the snapshot (rule 1): few, or none.
    const changed = (await getChangedDocumentsSince(items.storageInstance, SNAPSHOT_MAX_CHANGED + 1, read.checkpoint)).documents;
    if (changed.length > SNAPSHOT_MAX_CHANGED || closed || checked) return false;
    const docs = new Map(read.docs.map((doc) => [doc.id, doc]));
    for (const row of changed) {
      if (row._deleted) docs.delete(row.id);
      else docs.set(row.id, row);
    }
    apply({ type: 'sync/loaded', docs: [...docs.values()] });
    fromSnapshot = state.value;
    mark?.('tote:snapshot-shown');
    return true;
  }).catch(() => false); // rule 4: the rows are read as without a snapshot
  // After the snapshot, a task later: the shell shows it before the rows' reading takes the thread.
  const ready = shown.then((used) => (used ? new Promise<void>((resolve) => { setTimeout(resolve, 0); }) : undefined)).then(load);

  // The snapshot follows the state once the rows are read (rule 2): when it has been still for a moment.
  let snapshotted: CartState | null = null;
  let snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  let snapshotWrite: Promise<void> = Promise.resolve();
  let snapshotWait = snapshotDelayMs;
  const scheduleSnapshot = () => {
    clearTimeout(snapshotTimer);
    snapshotTimer = setTimeout(() => void writeSnapshot(), snapshotWait);
  };
  const writeSnapshot = (): Promise<void> => {
    clearTimeout(snapshotTimer);
    snapshotTimer = undefined;
    snapshotWrite = snapshotWrite.then(async () => {
      const now = state.value;
      if (now === snapshotted || !checked) return;
      const started = Date.now();
      if (snapshotted === null) mark?.('tote:snapshot-saving');
      await snapshot.write(now, newestRow);
      if (snapshotted === null) mark?.('tote:snapshot-saved');
      snapshotted = now;
      // A write that took long is made less often: a tenth of the time at most.
      snapshotWait = Math.max(snapshotDelayMs, (Date.now() - started) * 10);
    }).catch((error) => onWriteError?.(error));
    return snapshotWrite;
  };
  const snapshotSubscription = state.subscribe((now) => {
    if (checked && !closed && now !== snapshotted) scheduleSnapshot();
  });
  void ready.then(() => {
    // Shown from the snapshot and the rows held the same (the state did not change): it is the state.
    if (fromSnapshot !== null && state.value === fromSnapshot && sizeOf(fromSnapshot) >= snapshotFromItems) snapshotted = fromSnapshot;
    else if (!closed) scheduleSnapshot();
  }, () => undefined);

  /** The database read into the state; a dispatch made while only the snapshot is shown waits for it. */
  const readyToChange = () => ready.catch((cause) => {
    throw new ToteError('STORAGE_FAILED', 'Tote could not read your cart on this device. Please restart Tote.', { cause: String(cause) });
  });

  async function run(command: CartCommand, startedAt?: number): Promise<DispatchResult> {
    if (closed) throw new ToteError('CLOSED', 'Tote is closing. Please try again.');
    await readyToChange();
    const valid = validateCommand(command, state.value.lists);
    if (ID_COMMANDS.has(valid.type) && 'id' in valid) {
      const current = state.value.items[valid.id];
      if (!current || current.deleted) {
        throw new ToteError('NOT_FOUND', 'That item is no longer in your cart. It may have been removed on another device.', { id: valid.id });
      }
    }
    if (BULK_COMMANDS.has(valid.type) && 'ids' in valid && !valid.ids.some((id) => state.value.items[id]?.deleted === false)) {
      throw new ToteError('NOT_FOUND', 'None of the selected items is still in your cart. They may have been removed on another device.', { ids: valid.ids.length });
    }
    if (valid.type === 'list/restore') {
      // A list brought back keeps its name: refused while another list has that name (docs/cart-manager.md, "Lists").
      const record = state.value.listRecords[valid.id];
      const clash = record?.deleted ? state.value.lists.find((list) => listNameKey(list.name) === listNameKey(record.title)) : undefined;
      if (clash) {
        throw new ToteError('INVALID_INPUT', `"${record!.title}" cannot come back while another list is called "${clash.name}". Rename that list first.`, { field: 'name' });
      }
    }
    const action = stamp(valid, { at: clock.now(), device: device.id, newId: newId() });
    const before = state.value;
    const after = cartReducer(before, action);
    const written = changedItems(before, after);
    if (written.length === 0) return { action, written, before };
    // An item a clear is still writing (brought back meanwhile by another device's change): that write first.
    const waits = written.flatMap((item) => pending.get(item.id) ?? []);
    if (waits.length > 0) {
      await Promise.all(waits);
      return run(command, startedAt);
    }
    // An item whose last write by this store has not come back yet: made again on the stored version.
    if (written.some((item) => unseen.has(item.id))) {
      await caughtUp(written.map((item) => item.id));
      return run(command, startedAt);
    }
    state.next(after); // optimistic: the shopper sees the change at once
    const { now, rows } = prepare(written);
    if (action.type === 'item/add' && action.source) for (const item of written) addSources.set(item.id, action.source);
    try {
      if (action.type === 'list/clear') {
        // One small write makes the clear safe; its items are written right after (clear-journal.ts).
        const entry = clearEntry(action.meta.newId, now, action.meta.at, device.id,
          rows.flatMap(({ previous }) => (previous ? [withoutStorageFields(previous)] : [])));
        await journal.add(entry);
        finishLater(() => journal.remove(entry.key), rows);
      } else if (rows.length > 1) {
        // All or nothing (command-journal.ts): one small write first, so a device stopped between the items'
        // write and a merged item's write after it finishes the command at the next start.
        const entry = commandEntry(now, action.meta.at, rows.map(({ previous, document }) => ({
          ...(previous ? { previous: withoutStorageFields(previous) } : {}), document: withoutStorageFields(document),
        })));
        await commands.add(entry);
        for (const row of rows) unseen.set(row.document.id, row.previous?._rev ?? '');
        try {
          await commit(rows);
        } catch (cause) {
          // Told to the shopper as not saved, so not finished later either; unless the store was closed
          // inside the write (the app quitting): then it is finished at the next start, as a crash would be.
          if (!closed) await commands.remove(entry.key).catch(() => undefined);
          throw cause;
        }
        void commands.remove(entry.key).catch((error) => onWriteError?.(error));
      } else {
        for (const row of rows) unseen.set(row.document.id, row.previous?._rev ?? '');
        await commit(rows);
      }
      if (monitor && startedAt !== undefined) {
        monitor.record(commandOperation(action.type), startedAt);
        for (const row of rows) monitor.written(row.document.id, startedAt);
      }
    } catch (cause) {
      for (const item of written) addSources.delete(item.id);
      for (const row of rows) unseen.delete(row.document.id);
      if (!closed) await load(); // back to what the database really holds
      throw new ToteError('STORAGE_FAILED', 'Tote could not save that change on this device. Please try again.', {
        cause: String(cause),
      });
    }
    return { action, written, before };
  }

  /** The documents as the store holds them, without storage metadata (the history functions' input). */
  const currentItems = (): Record<string, ClockedItem> => {
    const out: Record<string, ClockedItem> = {};
    for (const [id, doc] of stored) out[id] = withoutStorageFields(doc);
    return out;
  };

  async function runRestore(to: number): Promise<RestoreResult> {
    if (closed) throw new ToteError('CLOSED', 'Tote is closing. Please try again.');
    if (!history) throw new ToteError('INVALID_INPUT', 'History is not kept on this device.');
    await readyToChange();
    await settled(); // a clear's or an earlier restore's items are written before history is read
    await recording; // every change so far is in history before it is read
    const { entries } = await history.read();
    const at = clock.now();
    const plan = planRestore(currentItems(), entries, to, { at, clock: hlc });
    if (compare(plan.stamp, hlc) > 0) hlc = plan.stamp;
    const result = { to: plan.to, undoAt: plan.undoAt, changed: plan.changed, removed: plan.removed, broughtBack: plan.broughtBack };
    if (plan.writes.length === 0) return result;
    // One small write makes the restore safe; its items are written right after (restore-journal.ts),
    // each against the version the plan read (a version written meanwhile is merged with it in `commit`).
    const entry = restoreEntry(plan, at, held);
    const rows = plan.writes.map((doc) => toRow(stored.get(doc.id), doc));
    try {
      await restores.add(entry);
    } catch (cause) {
      throw new ToteError('STORAGE_FAILED', 'Tote could not restore your cart on this device. Nothing was changed; please try again.', { cause: String(cause) });
    }
    pendingRestore = { stamp: entry.key, to: plan.to };
    apply({ type: 'sync/received', docs: plan.writes }); // the shopper sees the restored cart at once
    // Another device's change landing on an item meanwhile is merged with the restore's (commit), as
    // the two would merge through the server: the restore, later, wins the fields both set (rule 6).
    finishLater(() => restores.remove(entry.key), rows);
    return result;
  }

  return {
    restore(to) {
      const result = queue.then(() => runRestore(to));
      queue = result.catch(() => undefined);
      return result;
    },
    settled,
    async historySettled() {
      await ready;
      await settled();
      await recording;
    },
    state$: state.asObservable().pipe(distinctUntilChanged()),
    getState: () => state.value,
    dispatch(command) {
      // Timed from here: the wait behind earlier dispatches is part of what the shopper waits for.
      const startedAt = monitor?.stopwatch.now();
      const result = queue.then(() => run(command, startedAt));
      queue = result.catch(() => undefined);
      return result;
    },
    ready,
    // Without a snapshot the cart shows once the rows are read.
    shown: shown.then((used) => (used ? undefined : ready)),
    async flush() {
      if (closed || !(await ready.then(() => true, () => false))) return;
      await writeSnapshot();
    },
    close() {
      closed = true;
      clearTimeout(snapshotTimer);
      snapshotSubscription.unsubscribe();
      subscription?.unsubscribe();
      subscription = undefined;
      state.complete();
    },
  };
}
