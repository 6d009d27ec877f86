import { describe, expect, it } from 'vitest';
import { BackupError, checkDay, dayOf, oldestKeptDay } from './backups.ts';

describe('backup days', () => {
  it('names days in UTC and keeps a backup of day D until day D + 30', () => {
    expect(dayOf(Date.parse('2026-11-26T23:59:59.999Z'))).toBe('2026-11-26');
    expect(dayOf(Date.parse('2026-11-27T00:00:00Z'))).toBe('2026-11-27');
    // on 2026-11-30 the backups of 2026-11-01 .. 2026-11-30 (30 days) are kept
    expect(oldestKeptDay(Date.parse('2026-11-30T08:00:00Z'))).toBe('2026-11-01');
    expect(oldestKeptDay(Date.parse('2026-12-01T00:00:00Z'))).toBe('2026-11-02');
  });

  it('takes a day only as YYYY-MM-DD of a real date', () => {
    expect(checkDay('2026-02-28')).toBe('2026-02-28');
    for (const day of ['2026-02-30', '26-11-26', '2026-1-5', 'yesterday', '2026-11-26T00:00']) {
      expect(() => checkDay(day), day).toThrow(BackupError);
      expect(() => checkDay(day)).toThrow(/write it as YYYY-MM-DD/);
    }
  });
});
