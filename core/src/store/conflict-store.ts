/**
 * The shopper's conflict notices on this device: every field where a merge kept one device's change over
 * another's (persistence/item-conflicts.ts) is recorded here, with how it was resolved, and stays as the
 * record after the shopper dismisses it or chooses the other value. Pure log logic: merge/conflict-log.ts.
 *
 * Kept in a local document of the cart database (it never syncs: the device that merged is the one that
 * saw both values). "Use the other value" is an ordinary cart change made now: it carries a fresh stamp,
 * later than both sides, so it syncs and wins on every device.
 */
import { BehaviorSubject, type Observable } from 'rxjs';
import { ToteError } from '../errors.ts';
import { conflictLogActions, conflictLogReducer, initialConflictLog, overrideNotice, type ConflictLogAction, type ConflictLogState, type ConflictNotice } from '../merge/conflict-log.ts';
import type { FieldConflict } from '../merge/field-merge.ts';
import { createHlc } from '../merge/hlc.ts';
import type { CartDatabase } from '../persistence/cart-database.ts';
import type { Clock, DeviceInfo } from '../ports.ts';
import type { CartStore } from './cart-store.ts';

const LOG_ID = 'conflict-log';

export interface ConflictStore {
  readonly state$: Observable<ConflictLogState>;
  getState(): ConflictLogState;
  /** Called by the merge: new notices (the same conflict reported twice is one notice). */
  record(conflicts: readonly FieldConflict[]): void;
  dismiss(id: string): Promise<void>;
  /** Applies the value that lost, as a new change. */
  override(id: string): Promise<void>;
  /** Resolves when everything recorded so far is stored. */
  flush(): Promise<void>;
  close(): void;
}

export async function createConflictStore(options: { db: CartDatabase; cart: CartStore; device: DeviceInfo; clock: Clock }): Promise<ConflictStore> {
  const { db, cart, device, clock } = options;
  const saved = await db.getLocal<{ notices: ConflictNotice[] }>(LOG_ID);
  const savedNotices = (saved?.get('notices') ?? []) as ConflictNotice[];
  const state = new BehaviorSubject<ConflictLogState>(savedNotices.length > 0
    ? Object.freeze({ notices: Object.freeze(savedNotices.map((notice) => Object.freeze({ ...notice }))) })
    : initialConflictLog);
  let writes: Promise<unknown> = Promise.resolve();
  let closed = false;

  const apply = (action: ConflictLogAction) => {
    const next = conflictLogReducer(state.value, action);
    if (next === state.value) return;
    state.next(next);
    if (closed) return;
    writes = writes.then(() => db.upsertLocal(LOG_ID, { notices: next.notices.map((notice) => ({ ...notice })) })).catch(() => undefined);
  };
  const find = (id: string) => {
    const notice = state.value.notices.find((candidate) => candidate.id === id);
    if (!notice || notice.status !== 'open') throw new ToteError('NOT_FOUND', 'This notice was already dealt with.', { id });
    return notice;
  };

  return {
    state$: state.asObservable(),
    getState: () => state.value,
    record(conflicts) {
      apply(conflictLogActions.recorded(conflicts, clock.now()));
    },
    async dismiss(id) {
      find(id);
      apply(conflictLogActions.dismissed(id, clock.now()));
      await writes;
    },
    async override(id) {
      const notice = find(id);
      const { override } = overrideNotice(notice, createHlc(device.id), clock.now());
      if (!override.command) throw new ToteError('INVALID_INPUT', 'That change cannot be made from here.', { id });
      await cart.dispatch(override.command);
      apply(conflictLogActions.overridden(id, override.stamp, clock.now()));
      await writes;
    },
    flush: () => writes.then(() => undefined),
    close() {
      closed = true;
      state.complete();
    },
  };
}
