/**
 * A hybrid logical clock (HLC): a timestamp that stays close to the device's wall clock but never runs
 * backwards and always moves past every stamp the device has seen. A change made after seeing another
 * change therefore gets a later stamp, even when this device's wall clock is behind the other's.
 * Spec: docs/merge.md ("Clocks"). After Kulkarni et al., "Logical Physical Clocks and Consistent
 * Snapshots in Globally Distributed Databases" (2014).
 *
 * All functions are pure: the device keeps its current clock value and passes the time in (the Clock port).
 */
import { ToteError } from '../errors.ts';

export interface Hlc {
  /** Milliseconds since the epoch: the latest time this clock has seen, its own or another device's. */
  readonly wall: number;
  /** Orders changes stamped within the same millisecond of `wall`. */
  readonly counter: number;
  /** The device that made the stamp. Breaks ties, so two devices' stamps are never equal. */
  readonly node: string;
}

/**
 * How far ahead of this device's time a remote stamp may pull the local clock. A day covers any clock
 * that shows the right local time in the wrong time zone; a stamp further ahead comes from a clock that
 * is simply wrong. Such a stamp is still ordered as written, but the local clock does not follow it.
 */
export const HLC_MAX_DRIFT_MS = 24 * 60 * 60 * 1000;

const WALL_DIGITS = 9;
const COUNTER_DIGITS = 4;
/** The largest wall time a stamp can carry: 36^9 - 1 ms, in the year 5188. */
export const HLC_MAX_WALL = 36 ** WALL_DIGITS - 1;
/** Changes within one millisecond beyond this many move the wall time on by a millisecond. */
export const HLC_MAX_COUNTER = 36 ** COUNTER_DIGITS - 1;
/** Device ids are at most this long (as `updatedBy` in the item schema). */
export const HLC_MAX_NODE_LENGTH = 64;

const NODE_PATTERN = /^[^\u0000-\u001f\u007f]{1,64}$/;
const STAMP_PATTERN = /^([0-9a-z]{9})([0-9a-z]{4}):([^\u0000-\u001f\u007f]{1,64})$/;

function invalid(message: string): never {
  throw new ToteError('INVALID_INPUT', message, { field: 'hlc' });
}

function make(wall: number, counter: number, node: string): Hlc {
  // A counter past its width carries into the wall time, so stamps stay strictly increasing.
  if (counter > HLC_MAX_COUNTER) return make(wall + 1, 0, node);
  if (wall > HLC_MAX_WALL) invalid('A change is stamped too far in the future to be ordered.');
  return Object.freeze({ wall, counter, node });
}

/** The platform's time as a whole, in-range millisecond count. A clock that returns nonsense counts as 0,
 * so it can never move the HLC backwards or past its range. */
function physical(now: number): number {
  if (!Number.isFinite(now) || now < 0) return 0;
  return Math.min(Math.floor(now), HLC_MAX_WALL);
}

/** Checks a clock value built elsewhere (a device id from settings, a stamp from a message). */
export function hlc(wall: number, counter: number, node: string): Hlc {
  if (!Number.isSafeInteger(wall) || wall < 0 || wall > HLC_MAX_WALL) invalid('A clock time is out of range.');
  if (!Number.isSafeInteger(counter) || counter < 0 || counter > HLC_MAX_COUNTER) invalid('A clock counter is out of range.');
  if (!NODE_PATTERN.test(node)) invalid('A device id must be 1 to 64 printable characters.');
  return make(wall, counter, node);
}

/** A device's clock before its first change. */
export function createHlc(node: string): Hlc {
  return hlc(0, 0, node);
}

/**
 * A stamp for a plain wall time, for documents that only carry a time and a device (`addedAt`/`addedBy`,
 * or `updatedAt`/`updatedBy` of documents written before field clocks). Never throws: out-of-range
 * times are clamped and an unusable device id becomes "?" so a damaged document can still be merged.
 */
export function stampAt(wall: number, node: string): Hlc {
  const text = typeof node === 'string' ? node : '';
  const safeNode = NODE_PATTERN.test(text) ? text : (text.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, HLC_MAX_NODE_LENGTH) || '?');
  return make(physical(wall), 0, safeNode);
}

/** The clock for a change made on this device now. Never earlier than any stamp it made or received. */
export function tick(local: Hlc, now: number): Hlc {
  const time = physical(now);
  if (time > local.wall) return make(time, 0, local.node);
  return make(local.wall, local.counter + 1, local.node);
}

/** True when a stamp is further ahead of `now` than HLC_MAX_DRIFT_MS: its device's clock is wrong. */
export function isBeyondDrift(remote: Hlc, now: number): boolean {
  return remote.wall - physical(now) > HLC_MAX_DRIFT_MS;
}

/**
 * The clock after seeing another device's stamp (on a pulled document): later than both, so the next
 * local change is ordered after what was seen.
 *
 * Bounded drift: a remote stamp more than HLC_MAX_DRIFT_MS ahead of `now` is not followed; the clock
 * just ticks. The stamp keeps its place in the order (it wins same-field conflicts until real time
 * passes it, and each one is a notice the shopper can override), but one wrong clock cannot push
 * every device's clock, and with it every later stamp, into the far future.
 */
export function receive(local: Hlc, remote: Hlc, now: number): Hlc {
  if (isBeyondDrift(remote, now)) return tick(local, now);
  const time = physical(now);
  const wall = Math.max(local.wall, remote.wall, time);
  if (wall === local.wall && wall === remote.wall) return make(wall, Math.max(local.counter, remote.counter) + 1, local.node);
  if (wall === local.wall) return make(wall, local.counter + 1, local.node);
  if (wall === remote.wall) return make(wall, remote.counter + 1, local.node);
  return make(wall, 0, local.node);
}

/** Total order: wall time, then counter, then device id (by UTF-16 code units, as the serialised form sorts). */
export function compare(a: Hlc, b: Hlc): -1 | 0 | 1 {
  if (a.wall !== b.wall) return a.wall < b.wall ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return 0;
}

export function maxHlc(a: Hlc, b: Hlc): Hlc {
  return compare(a, b) >= 0 ? a : b;
}

/**
 * A stamp for `stamp.node` that is later than `floor`: `stamp` itself when it already is, otherwise
 * the next stamp after `floor`. A change to a field must be later than the value it replaces, even when
 * that value was stamped by a clock beyond the drift bound that this device did not follow.
 */
export function stampAfter(stamp: Hlc, floor: Hlc): Hlc {
  if (compare(stamp, floor) > 0) return stamp;
  return make(floor.wall, floor.counter + 1, stamp.node);
}

/**
 * Compact and sortable: 9 base-36 digits of wall time, 4 of counter, ":" and the device id, e.g.
 * "0mvxs2o000001:laptop". Comparing two strings gives the same order as `compare`.
 */
export function formatHlc(stamp: Hlc): string {
  return `${stamp.wall.toString(36).padStart(WALL_DIGITS, '0')}${stamp.counter.toString(36).padStart(COUNTER_DIGITS, '0')}:${stamp.node}`;
}

/** The stamp a string holds, or null when it is not one (lower-case digits only, so each stamp has one spelling). */
export function tryParseHlc(text: string): Hlc | null {
  const match = typeof text === 'string' ? STAMP_PATTERN.exec(text) : null;
  if (!match) return null;
  return make(Number.parseInt(match[1]!, 36), Number.parseInt(match[2]!, 36), match[3]!);
}

export function parseHlc(text: string): Hlc {
  return tryParseHlc(text) ?? invalid('A change stamp is damaged.');
}
