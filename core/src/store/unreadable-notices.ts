/**
 * What the shopper is told about documents that could not be read (docs/encryption.md, "Decrypting"):
 * a document from the server that a sealed device does not take (plain, not exactly an envelope, bound
 * to another id, failing authentication, holding values no command makes, or a deletion the server
 * made), or a row of the device's own sealed database that does not open. One notice per document,
 * naming the item when this device still has a readable copy of it (it keeps that copy), until the
 * shopper dismisses it. A damaged row of this device (`details.where` 'device') has no readable copy
 * here; when the server's copy takes its place (sync/damaged-items.ts), its notice names the item.
 */
import { BehaviorSubject, EMPTY, type Observable, type Subscription } from 'rxjs';
import type { CartState } from '../cart/cart-types.ts';
import type { ToteError } from '../errors.ts';

export interface UnreadableNotice {
  /** The document that could not be read. */
  readonly id: string;
  /** The item's title from this device's copy; null when there is none (or it is not an item). */
  readonly title: string | null;
  /** For the shopper: what happened and what it means. */
  readonly message: string;
}

export interface UnreadableNotices {
  readonly notices$: Observable<readonly UnreadableNotice[]>;
  getNotices(): readonly UnreadableNotice[];
  dismiss(id: string): void;
  close(): void;
}

/**
 * `replaced$`: items whose damaged row on this device was replaced by the server's copy
 * (sync/damaged-items.ts): their notice, if the shopper has not dismissed it, then says so and names them.
 */
export function createUnreadableNotices(unreadable$: Observable<ToteError>, cart: () => CartState, replaced$: Observable<{ id: string; title: string }> = EMPTY): UnreadableNotices {
  const notices = new BehaviorSubject<readonly UnreadableNotice[]>([]);
  const replacedSubscription = replaced$.subscribe(({ id, title }) => {
    if (!notices.value.some((notice) => notice.id === id)) return;
    const message = `“${title}” could not be read on this device: its saved copy was changed or damaged. Tote took the copy the sync server had in its place. Your other items are fine.`;
    notices.next(Object.freeze(notices.value.map((notice) => (notice.id === id ? Object.freeze({ id, title, message }) : notice))));
  });
  const subscription: Subscription = unreadable$.subscribe((error) => {
    const id = typeof error.details?.documentId === 'string' ? error.details.documentId : null;
    if (id === null || notices.value.some((notice) => notice.id === id)) return;
    const item = error.details?.where === 'device' ? undefined : cart().items[id];
    const title = item && !item.deleted ? item.title : null;
    // With a readable copy here, it was the server's copy that did not open: this one is kept and will repair it.
    const message = title
      ? `“${title}” could not be read from the sync server: it was changed or damaged there. Tote keeps the copy on this device and sends it again with your next change to it. Your other items are fine.`
      : error.message;
    notices.next(Object.freeze([...notices.value, Object.freeze({ id, title, message })]));
  });
  return {
    notices$: notices.asObservable(),
    getNotices: () => notices.value,
    dismiss(id) {
      if (notices.value.some((notice) => notice.id === id)) notices.next(Object.freeze(notices.value.filter((notice) => notice.id !== id)));
    },
    close() {
      subscription.unsubscribe();
      replacedSubscription.unsubscribe();
      notices.complete();
    },
  };
}
