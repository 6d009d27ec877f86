import { describe, expect, it } from 'vitest';
import { lastSyncedText } from './last-synced.ts';

describe('lastSyncedText', () => {
  const now = Date.UTC(2026, 2, 3, 18, 0);

  it('says when this device last synced: never, a time today, or a day and time before', () => {
    expect(lastSyncedText(null, now, 'en-GB', 'UTC')).toBe('Last synced: never');
    expect(lastSyncedText(Date.UTC(2026, 2, 3, 14, 5), now, 'en-GB', 'UTC')).toBe('Last synced 14:05');
    expect(lastSyncedText(Date.UTC(2026, 2, 2, 23, 59), now, 'en-GB', 'UTC')).toBe('Last synced 2 Mar, 23:59');
  });
});
