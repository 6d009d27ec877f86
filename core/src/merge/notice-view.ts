/**
 * The conflict notices as the apps show them (docs/merge.md, "Rules"): the sentence of
 * `describeNotice` with the devices named from this device's point of view, and the "use the other
 * value" action in the shopper's words. The popup (through the background) and the desktop both use it.
 *
 * Device ids are random per install; other devices are named by the names they record with their
 * history (HistoryRead.devices, docs/history.md rule 18) when given, otherwise "another device".
 */
import { formatMoney } from '../cart/money.ts';
import { OWN_LIST_PREFIX } from '../cart/cart-types.ts';
import { describeNotice, openNotices, type ConflictLogState, type ConflictNotice } from './conflict-log.ts';

export interface NoticeView {
  readonly id: string;
  readonly itemId: string;
  /** Plain text: shown as text, never as HTML. */
  readonly text: string;
  /** The override action ("Use 6 instead", "Remove it after all"); null when it cannot be made from here. */
  readonly overrideLabel: string | null;
}

const LONGEST_VALUE = 40;

function short(value: string): string {
  return value.length > LONGEST_VALUE ? `${value.slice(0, LONGEST_VALUE - 1)}…` : value;
}

/**
 * Names the two devices of a notice: this one by `self`, another by its recorded name ("Chrome on
 * laptop"), or else "another device" (or "one device" and "another device").
 */
function namesFor(notice: ConflictNotice, ownId: string, self: string, names: Readonly<Record<string, string>>): (id: string) => string {
  const { winner, loser } = notice.conflict;
  const bothOthers = winner.device !== ownId && loser.device !== ownId && winner.device !== loser.device;
  const distinct = names[winner.device] !== undefined && names[winner.device] !== names[loser.device];
  return (id) => {
    if (id === ownId) return self;
    const name = names[id];
    if (name !== undefined && name !== self && (!bothOthers || distinct)) return name;
    return bothOthers && id === winner.device ? 'one device' : 'another device';
  };
}

function listName(value: unknown): string {
  return value === 'saved' ? 'Saved for later' : value === 'cart' ? 'Cart' : 'the other list';
}

/** The override in the shopper's words, from the value that lost. */
export function overrideLabel(notice: ConflictNotice): string | null {
  const { field, loser, currency, itemId } = notice.conflict;
  const value = loser.value;
  if (itemId.startsWith(OWN_LIST_PREFIX)) {
    // A list of one's own: its name, or its deletion (conflict-log.ts, commandFor).
    if (field === 'title') return `Use the name “${short(String(value))}” instead`;
    return field === 'deleted' && value === true ? 'Delete the list after all' : null;
  }
  switch (field) {
    case 'deleted': return value === true ? 'Remove it after all' : null;
    case 'quantity': return `Use ${String(value)} instead`;
    case 'note': return typeof value === 'string' && value !== '' ? `Use the note “${short(value)}” instead` : 'Remove the note';
    case 'title': return `Use the name “${short(String(value))}” instead`;
    case 'priceMinor': return typeof value === 'number' ? `Use ${formatMoney(value, currency)} instead` : 'Use no price instead';
    case 'currency': return `Use ${String(value)} instead`;
    case 'listId': return `Move it to ${listName(value)}`;
    case 'imageUrl': return value === null ? 'Remove the image' : 'Use the other image';
    case 'variant': return typeof value === 'string' && value !== '' ? `Use “${short(value)}” instead` : 'Remove the variant';
    default: return null;
  }
}

/**
 * The open notices, oldest first. `self` is how this device is called in the sentence ("this browser",
 * "this computer"); `names` are other devices' names by id.
 */
export function noticeViews(log: ConflictLogState, ownId: string, self: string, names: Readonly<Record<string, string>> = {}): NoticeView[] {
  return openNotices(log).map((notice) => ({
    id: notice.id,
    itemId: notice.conflict.itemId,
    text: describeNotice(notice, namesFor(notice, ownId, self, names)),
    overrideLabel: overrideLabel(notice),
  }));
}
