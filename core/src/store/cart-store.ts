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
import type { RxDocumentData } from 'rxdb';
import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import { distinctUntilChanged } from 'rxjs/operators';
import { stamp, type CartAction, type CartCommand, type CommandAction } from '../cart/cart-actions.ts';
import { cartReducer, changedItems } from '../cart/cart-reducer.ts';
import { initialCartState, type CartItem, type CartState } from '../cart/cart-types.ts';
import { validateCommand } from '../cart/cart-validation.ts';
import { ToteError } from '../errors.ts';
import { createHlc, receive, tick, type Hlc } from '../merge/hlc.ts';
import { latestStamp, MERGE_FIELDS, stampChange, type ClockedItem } from '../merge/item-clocks.ts';
import type { ItemCollection } from '../persistence/cart-database.ts';
import { randomId, systemClock, type Clock, type DeviceInfo, type IdFactory } from '../ports.ts';

export interface CartStoreOptions {
  readonly items: ItemCollection;
  readonly device: DeviceInfo;
  readonly clock?: Clock;
  readonly newId?: IdFactory;
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
  /** Resolves when the local database has been read into the state. */
  readonly ready: Promise<void>;
  close(): void;
}

const ID_COMMANDS = new Set(['item/setQuantity', 'item/remove', 'item/move', 'item/setNote', 'item/edit']);

export function createCartStore({ items, device, clock = systemClock, newId = randomId }: CartStoreOptions): CartStore {
  const state = new BehaviorSubject<CartState>(initialCartState);
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();
  const apply = (action: CartAction) => state.next(cartReducer(state.value, action));
  // The stored form (with _rev and _meta) of every document, so a dispatch can write all the documents
  // of one action in a single storage write that names the revision it replaces.
  const stored = new Map<string, RxDocumentData<ClockedItem>>();
  let hlc: Hlc = createHlc(device.id);
  const seen = (doc: ClockedItem) => {
    hlc = receive(hlc, latestStamp(doc), clock.now());
  };

  // Changes written by anyone (this store, the replication) come back here.
  let subscription: Subscription | undefined = items.eventBulks$.subscribe((bulk) => {
    for (const event of bulk.events) {
      stored.set(event.documentId, event.documentData as RxDocumentData<ClockedItem>);
      seen(event.documentData as ClockedItem);
    }
    if (!state.value.loaded) return; // the initial load below reads them anyway
    apply({ type: 'sync/received', docs: bulk.events.map((event) => event.documentData as CartItem) });
  });

  const load = async () => {
    const docs = (await items.find().exec()).map((doc) => doc.toMutableJSON(true) as RxDocumentData<ClockedItem>);
    for (const doc of docs) {
      stored.set(doc.id, doc);
      seen(doc);
    }
    apply({ type: 'sync/loaded', docs });
  };

  /**
   * One bulk write for the whole action, each changed field stamped. A document changed meanwhile (by
   * the replication) is written again on its own: only the fields this action changed, over what the
   * database holds now, so a change just pulled from another device is not overwritten.
   */
  async function write(written: readonly CartItem[], before: CartState): Promise<void> {
    const now = tick(hlc, clock.now());
    hlc = now;
    const rows = written.map((item) => {
      const previous = stored.get(item.id);
      const document: RxDocumentData<ClockedItem> = {
        ...stampChange(previous ?? null, item, now), _deleted: false, _attachments: previous?._attachments ?? {},
        _meta: previous?._meta ?? { lwt: 0 }, _rev: previous?._rev ?? '',
      };
      return previous ? { previous, document } : { document };
    });
    const result = await items.storageInstance.bulkWrite(rows, 'tote-dispatch');
    if (result.error.length === 0) return;
    const conflicted = new Set(result.error.filter((error) => error.status === 409).map((error) => error.documentId));
    if (conflicted.size !== result.error.length) throw new Error(`${result.error.length - conflicted.size} documents were refused`);
    for (const item of written.filter((candidate) => conflicted.has(candidate.id))) {
      const old = before.items[item.id];
      await items.findOne(item.id).incrementalModify((current) => {
        const changed: Record<string, unknown> = { updatedAt: item.updatedAt, updatedBy: item.updatedBy, priceHistory: item.priceHistory };
        for (const field of MERGE_FIELDS) if (!old || old[field] !== item[field]) changed[field] = item[field];
        const next = { ...current, ...changed } as ClockedItem;
        return { ...stampChange(current, next, tick(hlc, clock.now())) } as typeof current;
      });
    }
  }
  const ready = load();

  async function run(command: CartCommand): Promise<DispatchResult> {
    if (closed) throw new ToteError('CLOSED', 'Tote is closing. Please try again.');
    await ready;
    const valid = validateCommand(command, state.value.lists);
    if (ID_COMMANDS.has(valid.type) && 'id' in valid) {
      const current = state.value.items[valid.id];
      if (!current || current.deleted) {
        throw new ToteError('NOT_FOUND', 'That item is no longer in your cart. It may have been removed on another device.', { id: valid.id });
      }
    }
    const action = stamp(valid, { at: clock.now(), device: device.id, newId: newId() });
    const before = state.value;
    const after = cartReducer(before, action);
    const written = changedItems(before, after);
    if (written.length === 0) return { action, written, before };
    state.next(after); // optimistic: the shopper sees the change at once
    try {
      await write(written, before);
    } catch (cause) {
      await load(); // back to what the database really holds
      throw new ToteError('STORAGE_FAILED', 'Tote could not save that change on this device. Please try again.', {
        cause: String(cause),
      });
    }
    return { action, written, before };
  }

  return {
    state$: state.asObservable().pipe(distinctUntilChanged()),
    getState: () => state.value,
    dispatch(command) {
      const result = queue.then(() => run(command));
      queue = result.catch(() => undefined);
      return result;
    },
    ready,
    close() {
      closed = true;
      subscription?.unsubscribe();
      subscription = undefined;
      state.complete();
    },
  };
}
