/**
 * Sync state the shopper always sees. Each phase has a short label and, where the shopper may want to
 * act, a sentence saying what happened and what to do.
 */
import type { ToteErrorCode } from '../errors.ts';

export type SyncPhase = 'off' | 'offline' | 'connecting' | 'syncing' | 'in-sync' | 'error';

export interface SyncStatus {
  readonly phase: SyncPhase;
  /** When this device last finished exchanging changes with the server (ms since epoch). */
  readonly lastSyncedAt: number | null;
  /** Set in phase 'error' (and 'offline', to explain why). */
  readonly problem: { readonly code: ToteErrorCode; readonly message: string } | null;
}

export const SYNC_OFF: SyncStatus = Object.freeze({ phase: 'off', lastSyncedAt: null, problem: null });

const LABELS: Record<SyncPhase, string> = {
  off: 'Sync is off',
  offline: 'Offline',
  connecting: 'Connecting…',
  syncing: 'Syncing…',
  'in-sync': 'In sync',
  error: 'Sync problem',
};

export function syncLabel(status: SyncStatus): string {
  return LABELS[status.phase];
}

/**
 * Signed in, but the cart's key is not unlocked on this device (`AccountState.locked`): sync is off
 * until the password unlocks it. The apps show these instead of the sync phase.
 */
export const LOCKED_SYNC_LABEL = 'Locked: not syncing';
export const LOCKED_MESSAGE = 'Your cart is locked on this device. Enter your password to unlock it and sync.';

/** One sentence for the shopper, or null when all is well. */
export function syncAdvice(status: SyncStatus): string | null {
  switch (status.phase) {
    case 'off':
      return 'Sign in (Account) to see this cart on your other devices.';
    case 'offline':
      return 'Tote cannot reach the sync server. Your changes are kept on this device and will sync when the connection is back.';
    case 'error':
      return status.problem?.message ?? 'Sync stopped because of a problem. Tote will keep retrying.';
    default:
      return null;
  }
}
