/**
 * Merging a guest cart into an account's cart when the guest signs in or signs up (pure).
 *
 * Rules (docs/accounts.md): every guest item ends up in the account. The same product and variant in
 * the same list is one line: its quantity becomes the sum of both, or the larger of the two, as the
 * shopper chose (default: sum, capped at the maximum quantity); the account's line is kept and the
 * guest's copy removed. Other guest items stay as they are. The report says what was merged, for the
 * notice the shopper sees.
 */
import type { CartCommand } from '../cart/cart-actions.ts';
import { cartCommands } from '../cart/cart-actions.ts';
import type { CartItem, CartState } from '../cart/cart-types.ts';
import { LIMITS } from '../cart/cart-validation.ts';

export type MergeRule = 'sum' | 'larger';

export interface GuestMergeReport {
  /** Guest items added to the account as they were. */
  readonly added: readonly string[];
  /** Lines that were in both: the title and the quantities before and after. */
  readonly combined: readonly { readonly title: string; readonly account: number; readonly guest: number; readonly result: number }[];
}

export interface GuestMergePlan {
  readonly commands: readonly CartCommand[];
  readonly report: GuestMergeReport;
}

const lineKey = (item: CartItem) => `${item.listId}\u0000${item.url}\u0000${item.variant ?? ''}`;

/** `guestIds`: the items the device held as a guest, before the account's items arrived. */
export function planGuestMerge(state: CartState, guestIds: ReadonlySet<string>, rule: MergeRule = 'sum'): GuestMergePlan {
  const live = Object.values(state.items).filter((item) => !item.deleted);
  const accountLines = new Map<string, CartItem>();
  for (const item of live) if (!guestIds.has(item.id) && !accountLines.has(lineKey(item))) accountLines.set(lineKey(item), item);
  const commands: CartCommand[] = [];
  const added: string[] = [];
  const combined: { title: string; account: number; guest: number; result: number }[] = [];
  for (const guest of live.filter((item) => guestIds.has(item.id)).sort((a, b) => a.addedAt - b.addedAt)) {
    const account = accountLines.get(lineKey(guest));
    if (!account) {
      added.push(guest.title);
      continue;
    }
    const result = Math.min(LIMITS.maxQuantity, rule === 'sum' ? account.quantity + guest.quantity : Math.max(account.quantity, guest.quantity));
    if (result !== account.quantity) commands.push(cartCommands.setQuantity(account.id, result));
    commands.push(cartCommands.remove(guest.id));
    combined.push({ title: account.title, account: account.quantity, guest: guest.quantity, result });
    accountLines.set(lineKey(guest), { ...account, quantity: result });
  }
  return { commands, report: { added, combined } };
}

/** One sentence for the shopper. */
export function describeGuestMerge(report: GuestMergeReport): string {
  const parts: string[] = [];
  if (report.added.length > 0) parts.push(`${report.added.length} item${report.added.length === 1 ? '' : 's'} from this device added to your cart`);
  for (const line of report.combined) parts.push(`"${line.title}" was in both: quantity now ${line.result} (was ${line.account} and ${line.guest})`);
  return parts.length === 0 ? 'Signed in. There was nothing in this device\'s guest cart to merge.' : `Signed in. ${parts.join('; ')}.`;
}
