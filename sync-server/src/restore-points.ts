/**
 * When a shopper's cart changed, read from their history's document ids alone (never the entries, which
 * are sealed when the shopper's keys are on): each id carries the HLC stamp of its change (docs/history.md
 * rule 3; the format of core/src/merge/hlc.ts `formatHlc`: 9 base-36 digits of wall time, 4 of counter,
 * ":" and the device id). Support uses it to find the minute to suggest to a shopper ("Restore to…").
 */
import { unlessMissing, type CouchAdmin } from './couch-admin.ts';
import { BACKUP_KEEP_DAYS, DAY_MS, type Shopper } from './backups.ts';
import { historyDbOf } from './shopper-dbs.ts';

/** The same pattern as core's `tryParseHlc`. */
const STAMP_PATTERN = /^([0-9a-z]{9})([0-9a-z]{4}):([^\u0000-\u001f\u007f]{1,64})$/;
/** Stamps further from now than this are not a change's time (an id that only looks like a stamp). */
const PLAUSIBLE_MS = 20 * 365 * DAY_MS;

export interface IdStamp {
  readonly wall: number;
  readonly counter: number;
  readonly device: string;
}

/**
 * The stamp in a history document id: the id itself (`<stamp>`), or what follows an item id
 * (`<itemId>:<stamp>`). Null when there is none with a plausible time (within 20 years of `now`).
 */
export function stampOfHistoryId(id: string, now: number): IdStamp | null {
  const candidates = [id];
  for (let at = id.indexOf(':'); at >= 0; at = id.indexOf(':', at + 1)) candidates.push(id.slice(at + 1));
  for (const candidate of candidates) {
    const match = STAMP_PATTERN.exec(candidate);
    if (!match) continue;
    const wall = Number.parseInt(match[1]!, 36);
    if (Math.abs(wall - now) > PLAUSIBLE_MS) continue;
    return { wall, counter: Number.parseInt(match[2]!, 36), device: match[3]! };
  }
  return null;
}

export interface RestorePoint {
  /** The minute's start, ms since the epoch (UTC). */
  readonly minute: number;
  readonly changes: number;
  readonly devices: number;
}

/** Changes per minute of the ids given, within the last `days` (30) before `now`, oldest first. */
export function restorePointsOf(ids: Iterable<string>, now: number, days = BACKUP_KEEP_DAYS): { points: RestorePoint[]; unreadable: number } {
  const from = now - days * DAY_MS;
  const minutes = new Map<number, { changes: number; devices: Set<string> }>();
  let unreadable = 0;
  for (const id of ids) {
    if (id.startsWith('_design/')) continue;
    const stamp = stampOfHistoryId(id, now);
    if (!stamp) { unreadable += 1; continue; }
    if (stamp.wall < from || stamp.wall > now + DAY_MS) continue;
    const minute = stamp.wall - (stamp.wall % 60_000);
    const entry = minutes.get(minute) ?? { changes: 0, devices: new Set<string>() };
    entry.changes += 1;
    entry.devices.add(stamp.device);
    minutes.set(minute, entry);
  }
  const points = [...minutes.entries()].sort(([a], [b]) => a - b).map(([minute, { changes, devices }]) => ({ minute, changes, devices: devices.size }));
  return { points, unreadable };
}

/** Every id of the shopper's history database (ids only: no entry is read), in pages. */
export async function historyIds(couch: CouchAdmin, shopper: Shopper): Promise<string[]> {
  const ids: string[] = [];
  const db = couch.db(historyDbOf(shopper.dbName));
  let startkey: string | null = null;
  for (;;) {
    const page: { rows: { id: string }[] } | null = await unlessMissing(db.list({ limit: 1000, ...(startkey === null ? {} : { startkey, skip: 1 }) }));
    if (!page) return ids;
    for (const row of page.rows) ids.push(row.id);
    if (page.rows.length < 1000) return ids;
    startkey = page.rows.at(-1)!.id;
  }
}
