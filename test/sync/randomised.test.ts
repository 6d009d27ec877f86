/**
 * Three devices of one shopper doing random cart operations with random offline periods, through the
 * real gateway and CouchDB (property-based, fast-check). After everyone reconnects, in every run:
 * - all devices hold the same cart;
 * - no item is lost: every item added exists everywhere, and is removed only if someone removed it;
 * - every change is accounted for: each field of each item holds the value of the change with the
 *   latest stamp (docs/merge.md), and where a removal lost to a concurrent edit, a notice says so.
 * The seed and the number of runs are printed, so a failure can be replayed (TOTE_MERGE_SEED).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, compareHlc, parseHlc, selectItems, type CartCommand, type CartState } from '@tote/core';
import { createDevice, waitForPhase, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

type Field = 'quantity' | 'note' | 'listId' | 'deleted';
type Op =
  | { readonly kind: 'add'; readonly device: number }
  | { readonly kind: 'quantity'; readonly device: number; readonly target: number; readonly value: number }
  | { readonly kind: 'note'; readonly device: number; readonly target: number; readonly value: string }
  | { readonly kind: 'move'; readonly device: number; readonly target: number; readonly value: 'cart' | 'saved' }
  | { readonly kind: 'remove'; readonly device: number; readonly target: number }
  | { readonly kind: 'offline'; readonly device: number }
  | { readonly kind: 'online'; readonly device: number };

const device = fc.integer({ min: 0, max: 2 });
const target = fc.nat({ max: 20 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), device }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('quantity' as const), device, target, value: fc.integer({ min: 1, max: 9 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('note' as const), device, target, value: fc.constantFrom('gift', 'blue one', 'ask first', '') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('move' as const), device, target, value: fc.constantFrom('cart' as const, 'saved' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), device, target }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('offline' as const), device }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('online' as const), device }) },
);

const RUNS = Number(process.env.TOTE_MERGE_RUNS ?? 8);
const SEED = Number(process.env.TOTE_MERGE_SEED ?? Date.now() % 2_147_483_647);

let server: TestServer;
let run = 0;

beforeAll(async () => {
  // Three devices on one address, many runs: the per-address budgets are raised (they are tested in test/server).
  server = await startTestServer({ tuning: { rateLimits: { signupsPerAddressPerHour: 10_000, requestsPerMinute: 1_000_000 } } });
});

afterAll(async () => {
  await server?.dispose();
});

/** A change that was applied: the field it set, the value and the stamp it carries. */
interface Change { readonly itemId: string; readonly field: Field; readonly value: unknown; readonly stamp: string }

const FIELD_OF: Record<Exclude<Op['kind'], 'add' | 'offline' | 'online'>, Field> = { quantity: 'quantity', note: 'note', move: 'listId', remove: 'deleted' };

function commandOf(next: Exclude<Op, { kind: 'add' | 'offline' | 'online' }>, itemId: string): CartCommand {
  switch (next.kind) {
    case 'quantity': return cartCommands.setQuantity(itemId, next.value);
    case 'note': return cartCommands.setNote(itemId, next.value);
    case 'move': return cartCommands.move(itemId, next.value);
    case 'remove': return cartCommands.remove(itemId);
  }
}

async function stampOf(device: Device, itemId: string, field: Field): Promise<string> {
  const doc = (await device.client.db.items.findOne(itemId).exec())!.toJSON() as { fieldClocks?: Record<string, string>; addedAt: number; addedBy: string };
  return doc.fieldClocks?.[field] ?? `creation:${doc.addedAt}:${doc.addedBy}`;
}

const view = (state: CartState) => JSON.stringify(Object.values(state.items)
  .map(({ id, listId, quantity, note, deleted, title }) => ({ id, listId, quantity, note, deleted, title }))
  .sort((a, b) => a.id.localeCompare(b.id)));

async function settle(devices: Device[]) {
  for (const each of devices) {
    each.network.goOnline();
    each.client.sync?.reconnect();
  }
  await Promise.all(devices.map((each) => waitForPhase(each, 'in-sync', 20_000).catch(() => {
    throw new Error(`${each.name} did not get back in sync: ${JSON.stringify(each.client.sync?.getStatus())}`);
  })));
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const each of devices) await each.client.sync?.awaitInSync();
    const views = devices.map((each) => view(each.client.store.getState()));
    if (views.every((shown) => shown === views[0])) return;
    if (Date.now() > deadline) throw new Error(`devices disagree after reconnecting:\n${views.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function scenario(ops: readonly Op[]) {
  run += 1;
  const name = `random-${SEED}-${run}@example.com`;
  const devices: Device[] = [];
  try {
    for (const index of [0, 1, 2]) {
      const created = await createDevice(`device${index}`, server.account, { passwordKdf: { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 } });
      devices.push(created);
      if (index === 0) await created.account.signUp(created.serverUrl, name, 'random run password');
      else await created.account.signIn(created.serverUrl, name, 'random run password');
    }
    await Promise.all(devices.map((each) => waitForPhase(each, 'in-sync')));

    const changes: Change[] = [];
    const added = new Set<string>();
    let products = 0;
    for (const next of ops) {
      const actor = devices[next.device]!;
      if (next.kind === 'offline') {
        actor.network.goOffline();
        continue;
      }
      if (next.kind === 'online') {
        actor.network.goOnline();
        actor.client.sync?.reconnect();
        continue;
      }
      if (next.kind === 'add') {
        products += 1;
        const { written } = await actor.client.store.dispatch(cartCommands.add({
          url: `https://shop.example/p/${run}-${products}`, title: `Product ${run}-${products}`, priceMinor: 100 * products, currency: 'EUR', imageUrl: null, variant: null,
        }));
        added.add(written[0]!.id);
        continue;
      }
      const live = selectItems(actor.client.store.getState());
      if (live.length === 0) continue;
      const item = live[next.target % live.length]!;
      let written: readonly unknown[];
      try {
        ({ written } = await actor.client.store.dispatch(commandOf(next, item.id)));
      } catch (error) {
        if ((error as { code?: string }).code === 'NOT_FOUND') continue; // removed by a sync just now
        throw error;
      }
      if (written.length === 0) continue; // no change (the same value again)
      const field = FIELD_OF[next.kind];
      changes.push({ itemId: item.id, field, value: (written[0] as unknown as Record<string, unknown>)[field], stamp: await stampOf(actor, item.id, field) });
      await new Promise((resolve) => setTimeout(resolve, 2)); // let live sync interleave with the next operation
    }

    await settle(devices);

    const final = devices[0]!.client.store.getState();
    // No item lost.
    for (const id of added) expect(final.items[id], `item ${id} lost`).toBeDefined();
    const notices = devices.flatMap((each) => each.client.conflicts.getState().notices);
    for (const [id, item] of Object.entries(final.items)) {
      const mine = changes.filter((change) => change.itemId === id);
      for (const field of ['quantity', 'note', 'listId', 'deleted'] as const) {
        const writes = mine.filter((change) => change.field === field);
        if (writes.length === 0) continue;
        const latest = writes.reduce((a, b) => (compareHlc(parseHlc(a.stamp), parseHlc(b.stamp)) >= 0 ? a : b));
        if (field === 'deleted') {
          if (item.deleted) {
            expect(latest.value, `${id} removed, but its latest change to removal was not one`).toBe(true);
            continue;
          }
          // Kept although a removal was the latest change: only by the delete-versus-edit rule, with a notice.
          if (latest.value === true) {
            expect(notices.some((notice) => notice.conflict.itemId === id && notice.conflict.kind === 'delete-vs-edit'), `removal of ${id} lost without a notice`).toBe(true);
          }
          continue;
        }
        if (item.deleted) continue; // a removed item's fields no longer matter to the shopper
        expect(item[field], `${field} of ${id}: the latest change (${latest.stamp}) must win`).toEqual(latest.value);
      }
      if (item.deleted) expect(mine.some((change) => change.field === 'deleted'), `${id} removed though nobody removed it`).toBe(true);
    }
    return changes.length;
  } finally {
    for (const each of devices) await each.close();
  }
}

describe('three devices, random operations and offline periods, through the real server', () => {
  it('always end with the same cart, lose no item, and account for every change', async () => {
    console.log(`merge property: seed ${SEED}, ${RUNS} runs (replay with TOTE_MERGE_SEED=${SEED})`);
    let total = 0;
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 25, maxLength: 45 }), async (ops) => {
      total += await scenario(ops);
    }), { seed: SEED, numRuns: RUNS, endOnFailure: true });
    console.log(`merge property: ${RUNS} runs passed, ${total} changes checked`);
  }, 600_000);
});
