import { describe, expect, it } from 'vitest';
import { isToteError } from '../errors.ts';
import {
  compare, createHlc, formatHlc, hlc, HLC_MAX_COUNTER, HLC_MAX_DRIFT_MS, isBeyondDrift, parseHlc, receive,
  stampAfter, stampAt, tick, tryParseHlc, type Hlc,
} from './hlc.ts';

const T = Date.UTC(2026, 10, 1, 12, 0, 0);
const MINUTE = 60_000;

describe('tick', () => {
  it('follows the wall clock when it moves forward', () => {
    const first = tick(createHlc('laptop'), T);
    expect(first).toEqual({ wall: T, counter: 0, node: 'laptop' });
    expect(tick(first, T + 5)).toEqual({ wall: T + 5, counter: 0, node: 'laptop' });
  });

  it('counts within one millisecond and never runs backwards when the wall clock does', () => {
    const a = tick(createHlc('laptop'), T);
    const b = tick(a, T);
    const c = tick(b, T - 60 * MINUTE); // the device clock was set back an hour
    expect([b.wall, b.counter]).toEqual([T, 1]);
    expect([c.wall, c.counter]).toEqual([T, 2]);
    expect(compare(a, b)).toBe(-1);
    expect(compare(b, c)).toBe(-1);
  });

  it('carries a full counter into the wall time', () => {
    expect(tick(hlc(T, HLC_MAX_COUNTER, 'laptop'), T)).toEqual({ wall: T + 1, counter: 0, node: 'laptop' });
  });

  it('treats a clock that returns nonsense as no time at all', () => {
    const a = tick(createHlc('laptop'), T);
    expect(tick(a, Number.NaN)).toEqual({ wall: T, counter: 1, node: 'laptop' });
    expect(tick(a, -5)).toEqual({ wall: T, counter: 1, node: 'laptop' });
  });
});

describe('receive', () => {
  it('moves past the remote stamp, so the next local change is ordered after it', () => {
    const local = tick(createHlc('phone'), T);
    const remote: Hlc = { wall: T + 3 * MINUTE, counter: 4, node: 'laptop' };
    const seen = receive(local, remote, T);
    expect(seen).toEqual({ wall: T + 3 * MINUTE, counter: 5, node: 'phone' });
    expect(compare(tick(seen, T + 1), remote)).toBe(1);
  });

  it('keeps the local clock when it is ahead, and the wall clock when both stamps are behind', () => {
    const local: Hlc = { wall: T + 10, counter: 2, node: 'phone' };
    expect(receive(local, { wall: T, counter: 9, node: 'laptop' }, T)).toEqual({ wall: T + 10, counter: 3, node: 'phone' });
    expect(receive(local, { wall: T + 10, counter: 7, node: 'laptop' }, T)).toEqual({ wall: T + 10, counter: 8, node: 'phone' });
    expect(receive(local, { wall: T, counter: 9, node: 'laptop' }, T + 50)).toEqual({ wall: T + 50, counter: 0, node: 'phone' });
  });

  it('skewed clocks: a device 10 minutes behind still orders its later change after the one it saw', () => {
    // Laptop's clock is right; the phone's is 10 minutes slow.
    let laptop = createHlc('laptop');
    let phone = createHlc('phone');
    laptop = tick(laptop, T); // laptop sets the quantity to 3
    const laptopChange = laptop;
    phone = receive(phone, laptopChange, T - 10 * MINUTE + 2_000); // phone syncs 2 s later (its clock says 11:50:02)
    phone = tick(phone, T - 10 * MINUTE + 5_000); // and then sets the quantity to 5
    expect(compare(phone, laptopChange)).toBe(1);
    // By wall time alone the phone's change would look ten minutes older.
    expect(T - 10 * MINUTE + 5_000 < laptopChange.wall).toBe(true);
  });

  it('follows a remote clock up to a day ahead', () => {
    const remote: Hlc = { wall: T + HLC_MAX_DRIFT_MS, counter: 0, node: 'laptop' };
    expect(isBeyondDrift(remote, T)).toBe(false);
    expect(receive(createHlc('phone'), remote, T).wall).toBe(T + HLC_MAX_DRIFT_MS);
  });

  it('does not follow a remote stamp more than a day ahead, which is still ordered as written', () => {
    const absurd: Hlc = { wall: T + 365 * 24 * 60 * MINUTE, counter: 0, node: 'wrong-clock' };
    expect(isBeyondDrift(absurd, T)).toBe(true);
    const local = tick(createHlc('phone'), T);
    const after = receive(local, absurd, T + 1);
    expect(after).toEqual({ wall: T + 1, counter: 0, node: 'phone' });
    expect(compare(absurd, after)).toBe(1);
    // A change that must beat it (a later edit of the same field, an override) is stamped past it.
    const beaten = stampAfter(tick(after, T + 2), absurd);
    expect(compare(beaten, absurd)).toBe(1);
    expect(beaten).toEqual({ wall: absurd.wall, counter: 1, node: 'phone' });
  });
});

describe('compare', () => {
  it('orders by wall time, then counter, then device id', () => {
    const stamps: Hlc[] = [
      { wall: T + 1, counter: 0, node: 'a' },
      { wall: T, counter: 1, node: 'a' },
      { wall: T, counter: 0, node: 'b' },
      { wall: T, counter: 0, node: 'a' },
    ];
    const sorted = [...stamps].sort(compare);
    expect(sorted.map(formatHlc)).toEqual([stamps[3], stamps[2], stamps[1], stamps[0]].map((s) => formatHlc(s!)));
    expect(compare(stamps[0]!, { ...stamps[0]! })).toBe(0);
  });
});

describe('serialised stamps', () => {
  it('are compact, round-trip, and sort as strings exactly as compare orders them', () => {
    const stamps: Hlc[] = [
      { wall: T, counter: 0, node: 'laptop' },
      { wall: T, counter: 0, node: 'lap' },
      { wall: T, counter: 35, node: 'phone' },
      { wall: T, counter: 36, node: 'a' },
      { wall: T + 1, counter: 0, node: '0' },
      { wall: 0, counter: 0, node: 'z' },
      { wall: 99, counter: HLC_MAX_COUNTER, node: '3f2a9c1e-77b0-4c1d-9a57-0c7c1b2e8d11' },
    ];
    const text = formatHlc(stamps[0]!);
    expect(text).toMatch(/^[0-9a-z]{13}:laptop$/);
    for (const stamp of stamps) expect(parseHlc(formatHlc(stamp))).toEqual(stamp);
    const byCompare = [...stamps].sort(compare).map(formatHlc);
    const byString = stamps.map(formatHlc).sort();
    expect(byString).toEqual(byCompare);
  });

  it('refuses damaged or ambiguous text', () => {
    for (const text of ['', 'abc', `${'0'.repeat(13)}:`, `${'0'.repeat(13)}laptop`, `${'A'.repeat(13)}:laptop`, `${'0'.repeat(13)}:a\nb`, `${'0'.repeat(13)}:${'x'.repeat(65)}`]) {
      expect(tryParseHlc(text)).toBeNull();
    }
    let error: unknown;
    try { parseHlc('nonsense'); } catch (caught) { error = caught; }
    expect(isToteError(error, 'INVALID_INPUT')).toBe(true);
  });

  it('checks clock values built from outside and turns damaged document fields into usable stamps', () => {
    expect(() => hlc(-1, 0, 'a')).toThrow();
    expect(() => hlc(0, 0, '')).toThrow();
    expect(() => hlc(0.5, 0, 'a')).toThrow();
    expect(stampAt(Number.NaN, '')).toEqual({ wall: 0, counter: 0, node: '?' });
    expect(stampAt(T, 'x'.repeat(80)).node).toHaveLength(64);
  });
});
