/** The "last synced" part of the always-visible sync state. */

/**
 * "Last synced: never", "Last synced 14:05" (today) or "Last synced 3 Mar, 14:05" (an earlier day), so
 * a shopper who left the app open overnight is not misled by a bare time.
 */
export function lastSyncedText(lastSyncedAt: number | null, now: number, locale?: string, timeZone?: string): string {
  if (lastSyncedAt === null) return 'Last synced: never';
  const time = new Date(lastSyncedAt);
  const day = (at: Date) => at.toLocaleDateString(locale, { timeZone });
  const clock = time.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', timeZone });
  if (day(time) === day(new Date(now))) return `Last synced ${clock}`;
  return `Last synced ${time.toLocaleDateString(locale, { day: 'numeric', month: 'short', timeZone })}, ${clock}`;
}
