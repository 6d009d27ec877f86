/**
 * Random cart operations on several devices of one shopper, and what must hold once they settle
 * (docs/merge.md): every device holds the same cart; no item is lost (every item added exists
 * everywhere, removed only if someone removed it); each field of each item holds the value of the
 * change with the latest stamp, and where a removal lost to a concurrent edit, a notice says so.
 * Used by the property-based tests that add offline periods (test/sync/randomised.test.ts) and network
 * faults (test/faults/network-faults.test.ts) around the same operations.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { cartCommands, compareHlc, formatHlc, parseHlc, selectItems, stampAt, type CartCommand, type CartState } from '@tote/core';
import { createDevice, waitForPhase, type Account, type Device } from './devices.ts';

type Field = 'quantity' | 'note' | 'listId' | 'deleted';
export type CartOp =
  | { readonly kind: 'add'; readonly device: number }
  | { readonly kind: 'quantity'; readonly device: number; readonly target: number; readonly value: number }
  | { readonly kind: 'note'; readonly device: number; readonly target: number; readonly value: string }
  | { readonly kind: 'move'; readonly device: number; readonly target: number; readonly value: 'cart' | 'saved' }
  | { readonly kind: 'remove'; readonly device: number; readonly target: number };

/** Cart operations of `devices` devices, weighted as shoppers use them. */
export function cartOps(devices: number): fc.Arbitrary<CartOp>[] {
  const device = fc.integer({ min: 0, max: devices - 1 });
  const target = fc.nat({ max: 20 });
  return [
    fc.record({ kind: fc.constant('add' as const), device }),
    fc.record({ kind: fc.constant('quantity' as const), device, target, value: fc.integer({ min: 1, max: 9 }) }),
    fc.record({ kind: fc.constant('note' as const), device, target, value: fc.constantFrom('gift', 'blue one', 'ask first', '') }),
    fc.record({ kind: fc.constant('move' as const), device, target, value: fc.constantFrom('cart' as const, 'saved' as const) }),
    fc.record({ kind: fc.constant('remove' as const), device, target }),
  ];
}

/** The cart operations as `fc.oneof` takes them, weighted as shoppers use them (adds and quantities most). */
export function weightedCartOps(devices: number): { weight: number; arbitrary: fc.Arbitrary<CartOp> }[] {
  const [add, quantity, note, move, remove] = cartOps(devices);
  return [{ weight: 3, arbitrary: add! }, { weight: 3, arbitrary: quantity! }, { weight: 2, arbitrary: note! }, { weight: 1, arbitrary: move! }, { weight: 1, arbitrary: remove! }];
}

/**
 * `count` devices of a new account `name` on `account`'s server: the first signs up, the others sign in,
 * all in sync. Each device is pushed to `opened` as soon as it exists, so the caller closes it whatever happens.
 */
export async function newAccountDevices(account: Account, count: number, name: string, opened: Device[],
  options: (index: number) => Parameters<typeof createDevice>[2] = () => ({})): Promise<Device[]> {
  const kdf = { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 } as const;
  for (let index = 0; index < count; index += 1) {
    const created = await createDevice(`device${index}`, account, { passwordKdf: kdf, ...options(index) });
    opened.push(created);
    if (index === 0) await created.account.signUp(created.serverUrl, name, 'random run password');
    else await created.account.signIn(created.serverUrl, name, 'random run password');
  }
  await Promise.all(opened.map((each) => waitForPhase(each, 'in-sync')));
  return opened;
}

/** `count` items added on `device` one after another, as fast as the shopper's store takes them; their ids. */
export async function addItems(device: Device, label: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const { written } = await device.client.store.dispatch(cartCommands.add({
      url: `https://shop.example/${label}/${index}`, title: `Item ${label}-${index}`, priceMinor: 100 + index, currency: 'EUR', imageUrl: null, variant: null,
    }));
    ids.push(written[0]!.id);
  }
  return ids;
}

/** A change that was applied: the field it set, the value and the stamp it carries. */
interface Change { readonly itemId: string; readonly field: Field; readonly value: unknown; readonly stamp: string }

const FIELD_OF: Record<Exclude<CartOp['kind'], 'add'>, Field> = { quantity: 'quantity', note: 'note', move: 'listId', remove: 'deleted' };

function commandOf(next: Exclude<CartOp, { kind: 'add' }>, itemId: string): CartCommand {
  switch (next.kind) {
    case 'quantity': return cartCommands.setQuantity(itemId, next.value);
    case 'note': return cartCommands.setNote(itemId, next.value);
    case 'move': return cartCommands.move(itemId, next.value);
    case 'remove': return cartCommands.remove(itemId);
  }
}

async function stampOf(device: Device, itemId: string, field: Field): Promise<string> {
  const doc = (await device.client.db.items.findOne(itemId).exec())!.toJSON() as { fieldClocks?: Record<string, string>; addedAt: number; addedBy: string };
  return doc.fieldClocks?.[field] ?? formatHlc(stampAt(doc.addedAt, doc.addedBy)); // unchanged since added: the creation stamp
}

const view = (state: CartState) => JSON.stringify(Object.values(state.items)
  .map(({ id, listId, quantity, note, deleted, title }) => ({ id, listId, quantity, note, deleted, title }))
  .sort((a, b) => a.id.localeCompare(b.id)));

/** What a run did: the items added and every change applied. */
export interface CartRun {
  readonly label: string;
  readonly added: Set<string>;
  readonly changes: Change[];
  products: number;
}

export const newRun = (label: string): CartRun => ({ label, added: new Set(), changes: [], products: 0 });

/** Applies one operation on its device, noting what it changed. */
export async function applyCartOp(devices: readonly Device[], next: CartOp, run: CartRun): Promise<void> {
  const actor = devices[next.device]!;
  if (next.kind === 'add') {
    run.products += 1;
    const { written } = await actor.client.store.dispatch(cartCommands.add({
      url: `https://shop.example/p/${run.label}-${run.products}`, title: `Product ${run.label}-${run.products}`, priceMinor: 100 * run.products, currency: 'EUR', imageUrl: null, variant: null,
    }));
    run.added.add(written[0]!.id);
    return;
  }
  const live = selectItems(actor.client.store.getState());
  if (live.length === 0) return;
  const item = live[next.target % live.length]!;
  const field = FIELD_OF[next.kind];
  // What the device showed before the change: the change must be stamped after it, whatever the
  // device's clock says, or the shopper's newer choice loses to the one it replaced when devices merge.
  const shown = await stampOf(actor, item.id, field);
  let written: readonly unknown[];
  try {
    ({ written } = await actor.client.store.dispatch(commandOf(next, item.id)));
  } catch (error) {
    if ((error as { code?: string }).code === 'NOT_FOUND') return; // removed by a sync just now
    throw error;
  }
  if (written.length === 0) return; // no change (the same value again)
  const stamp = await stampOf(actor, item.id, field);
  expect(compareHlc(parseHlc(stamp), parseHlc(shown)), `${field} of ${item.id} changed on ${actor.name}: stamped ${stamp}, not after ${shown} that it replaced`).toBe(1);
  run.changes.push({ itemId: item.id, field, value: (written[0] as unknown as Record<string, unknown>)[field], stamp });
}

/** Waits until every device is in sync and all hold the same cart; throws with what differs. */
export async function settle(devices: readonly Device[], timeoutMs = 30_000): Promise<void> {
  await Promise.all(devices.map((each) => waitForPhase(each, 'in-sync', 20_000).catch(() => {
    throw new Error(`${each.name} did not get back in sync: ${JSON.stringify(each.client.sync?.getStatus())}`);
  })));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const each of devices) await each.client.sync?.awaitInSync();
    const views = devices.map((each) => view(each.client.store.getState()));
    if (views.every((shown) => shown === views[0])) return;
    if (Date.now() > deadline) throw new Error(`devices disagree after reconnecting:\n${views.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * What a run's outcome counts for the reliability ledger (test/faults/ledger.ts), taken before the rules
 * are checked so a failing run is counted too: items added that some device lacks, products held as two
 * items somewhere, and devices whose cart differs from the first device's.
 */
export function outcomeCounts(devices: readonly Device[], run: CartRun): { lost: number; duplicated: number; notConverged: number } {
  const states = devices.map((each) => each.client.store.getState());
  const lost = new Set([...run.added].filter((id) => states.some((state) => state.items[id] === undefined))).size;
  const duplicated = Math.max(...states.map((state) => {
    const urls = selectItems(state).map((item) => item.url);
    return urls.length - new Set(urls).size;
  }));
  const views = states.map(view);
  return { lost, duplicated, notConverged: views.filter((shown) => shown !== views[0]).length };
}

/** The outcome rules of the module's header, on settled devices. */
export function checkOutcome(devices: readonly Device[], run: CartRun): void {
  const final = devices[0]!.client.store.getState();
  for (const id of run.added) expect(final.items[id], `item ${id} lost`).toBeDefined();
  const notices = devices.flatMap((each) => each.client.conflicts.getState().notices);
  for (const [id, item] of Object.entries(final.items)) {
    const mine = run.changes.filter((change) => change.itemId === id);
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
}
