/**
 * What a kill test's devices do while the server is killed, and what must hold after it is back
 * (test/faults/server-kill.test.ts, gateway-kill.test.ts; docs/reliability.md). Each round is one of:
 * - a bulk sync: the writer adds a run of items, pushed in batches;
 * - a history restore: the writer brings the cart back to how it stood after an earlier round
 *   (docs/history.md), one local write of every item it changes, removes or brings back, then pushed.
 * After the restart the devices settle, and: both hold the same cart, with no item twice; it is the
 * cart of every round so far (a restore counts wholly or not at all: never half of one); the server
 * holds every item ever added, once. A restore is then retried on the other device: it changes nothing
 * further, and the devices still agree.
 */
import { expect } from 'vitest';
import { isToteError, selectItems } from '@tote/core';
import { addItems, settle } from '../support/cart-scenario.ts';
import type { Device } from '../support/devices.ts';
import { recordFaultRun } from './ledger.ts';

export type RoundKind = 'bulk' | 'restore';

interface Snapshot {
  readonly at: number;
  readonly ids: readonly string[];
}

const visible = (device: Device) => selectItems(device.client.store.getState()).map((item) => item.id);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface KillRounds {
  /**
   * Starts a round's work on the writer; the promise settles when the writer's own write is done (it
   * never waits for the server). `pick` chooses the earlier round a restore goes back to.
   */
  begin(kind: RoundKind, pick: number): Promise<void>;
  /** After the server is back: settles the devices, records the run in the ledger, then checks the rules above. */
  check(label: string, options: { kind: string; crashes: number; serverIds?: () => Promise<string[]> }): Promise<void>;
}

/** The rounds of one writer and one reader, both in sync and with an empty cart to start from. */
export function killRounds(writer: Device, reader: Device, perRound: number): KillRounds {
  const snapshots: Snapshot[] = [{ at: Date.now(), ids: [] }];
  let expected = new Set<string>();
  const everAdded = new Set<string>();
  let round = 0;
  let changes = 0;
  let retry: number | null = null;

  return {
    async begin(kind, pick) {
      round += 1;
      retry = null;
      // The shopper is using the app, as the shells report it: a long run (100 kill points, about half an
      // hour) outlasts a session's 30 minutes without activity, which would rightly end it.
      writer.account.activity();
      reader.account.activity();
      if (kind === 'bulk') {
        const ids = await addItems(writer, `r${round}`, perRound);
        for (const id of ids) {
          expected.add(id);
          everAdded.add(id);
        }
        changes += ids.length;
        return;
      }
      // An earlier round's cart (the last one is the cart as it stands: restoring to it changes nothing).
      const point = snapshots[pick % Math.max(1, snapshots.length - 1)]!;
      try {
        const result = await writer.client.store.restore(point.at);
        changes += result.changed + result.removed + result.broughtBack;
        expected = new Set(point.ids);
        retry = point.at;
      } catch (error) {
        // A restore the device refused changed nothing (docs/history.md, rule 23): the cart stays as it was.
        if (!isToteError(error)) throw error;
      }
    },

    async check(label, options) {
      for (const device of [writer, reader]) device.client.sync?.reconnect();
      let settled: unknown = null;
      await settle([writer, reader], 60_000).catch((error: unknown) => { settled = error; });
      const want = [...expected].sort();
      const held = [writer, reader].map(visible);
      const onServer = options.serverIds ? await options.serverIds() : null;
      const missing = (ids: readonly string[]) => want.filter((id) => !ids.includes(id)).length;
      recordFaultRun({
        kind: options.kind, faults: 1, changesWritten: changes,
        lost: Math.max(...held.map(missing), onServer ? [...everAdded].filter((id) => !onServer.includes(id)).length : 0),
        duplicated: Math.max(...held.map((ids) => ids.length - new Set(ids).size), onServer ? onServer.length - new Set(onServer).size : 0),
        notConverged: held.filter((ids) => JSON.stringify([...ids].sort()) !== JSON.stringify(want)).length,
        crashes: options.crashes,
      });
      changes = 0;
      if (settled) throw settled;
      for (const [index, device] of [writer, reader].entries()) {
        expect(new Set(held[index]).size, `${device.name} holds an item twice`).toBe(held[index]!.length);
        expect([...held[index]!].sort(), `${device.name} after ${label}`).toEqual(want);
      }
      if (onServer) expect([...onServer].sort(), `the server after ${label}`).toEqual([...everAdded].sort());

      // The restore again, on the other device: it is already done, so the cart stays the same everywhere.
      if (retry !== null) {
        await reader.client.store.restore(retry);
        await settle([writer, reader], 60_000);
        for (const device of [writer, reader]) expect(visible(device).sort(), `${device.name} after the restore was retried`).toEqual(want);
      }
      await pause(5);
      snapshots.push({ at: Date.now(), ids: want });
      await pause(5);
    },
  };
}
