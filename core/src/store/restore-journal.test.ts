import { describe, expect, it } from 'vitest';
import { planRestore } from '../history/restore.ts';
import { randomCommand } from '../history/test/random-commands.ts';
import { DAY, HOUR, kettleAndLamp, randomSource, RecordingCart, T0 } from '../history/test/recording-cart.ts';
import { formatHlc, hlc } from '../merge/hlc.ts';
import { stampChange, type ClockedItem } from '../merge/item-clocks.ts';
import { createRestoreJournal, planRestoreReplay, restoreEntry, type RestoreEntry } from './restore-journal.ts';

/** The entry stored for a restore, as the journal keeps it (JSON, the way the database hands it back). */
const stored = (entry: RestoreEntry): RestoreEntry => JSON.parse(JSON.stringify(entry)) as RestoreEntry;

describe('finishing a stored restore (planRestoreReplay)', () => {
  it('writes exactly the documents of the plan when the items are as the plan read them (random carts)', () => {
    for (let seed = 1; seed <= 20; seed += 1) {
      const random = randomSource(seed);
      const cart = new RecordingCart();
      for (let i = 0; i < 60; i += 1) {
        cart.time += Math.floor(random.next() * 6 * HOUR);
        cart.dispatch(randomCommand(random, cart.docs));
      }
      const to = T0 + Math.floor(random.next() * (cart.time - T0));
      const plan = planRestore(cart.docs, cart.entries, to, { at: cart.time, clock: cart.clock });
      const entry = stored(restoreEntry(plan, cart.time, (id) => cart.docs[id]));
      const { writes, kept } = planRestoreReplay(entry, (id) => cart.docs[id]);
      expect(kept).toEqual([]);
      expect(writes.map(({ document }) => document)).toEqual(plan.writes);
    }
  });

  it('leaves alone what the restore already wrote, and writes an item this device did not hold whole', () => {
    const { cart, kettle, lamp } = kettleAndLamp();
    const plan = planRestore(cart.docs, cart.entries, T0 + DAY + HOUR, { at: cart.time, clock: cart.clock });
    const entry = stored(restoreEntry(plan, cart.time, (id) => cart.docs[id]));
    cart.applyRestore(plan);
    expect(planRestoreReplay(entry, (id) => cart.docs[id]).writes).toEqual([]);
    // Without the kettle's document (lost on this device): the restore brings it back whole.
    const without = stored(restoreEntry(plan, cart.time, (id) => (id === kettle ? undefined : cart.docs[id])));
    const replay = planRestoreReplay(without, (id) => (id === kettle || id === lamp ? undefined : cart.docs[id]));
    expect(replay.writes.map(({ document }) => [document.id, document.deleted, document.quantity])).toEqual([[kettle, false, 3]]);
  });

  it('keeps another device\'s changes it had not read: an edited item it removes stays, a later change stays, each told', () => {
    const { cart, kettle, lamp } = kettleAndLamp();
    // Back to the first hour: the kettle back with quantity 1, the lamp removed.
    const plan = planRestore(cart.docs, cart.entries, T0 + HOUR, { at: cart.time, clock: cart.clock });
    const entry = stored(restoreEntry(plan, cart.time, (id) => cart.docs[id]));
    const restore = plan.stamp;
    // Written by the replication before the app stopped: the phone's note on the lamp (earlier than the
    // restore by the clocks), and the phone's quantity on the kettle, later than the restore.
    const lamp2 = stampChange(cart.docs[lamp]!, { ...cart.docs[lamp]!, note: 'gift' }, hlc(restore.wall - 10, 0, 'phone'));
    const kettle2 = stampChange(cart.docs[kettle]!, { ...cart.docs[kettle]!, quantity: 7 }, hlc(restore.wall + 10, 0, 'phone'));
    const now: Record<string, ClockedItem> = { ...cart.docs, [lamp]: lamp2, [kettle]: kettle2 };
    const { writes, kept } = planRestoreReplay(entry, (id) => now[id]);
    // The kettle comes back (its removal was read), keeping the phone's later quantity; the lamp stays.
    expect(writes.map(({ document }) => [document.id, document.deleted, document.quantity])).toEqual([[kettle, false, 7]]);
    expect(writes[0]!.document.fieldClocks?.deleted).toBe(formatHlc(restore));
    expect(kept).toMatchObject([
      { itemId: kettle, field: 'quantity', kind: 'same-field', winner: { value: 7, device: 'phone' }, loser: { value: 1, stamp: formatHlc(restore) } },
      { itemId: lamp, kind: 'delete-vs-edit', resolution: 'delete-vs-edit-kept', winner: { device: 'phone' }, loser: { value: true, stamp: formatHlc(restore) } },
    ]);
  });

  it('sets back a field changed meanwhile by an earlier change, telling the value it replaced', () => {
    const { cart, kettle } = kettleAndLamp();
    const plan = planRestore(cart.docs, cart.entries, T0 + HOUR, { at: cart.time, clock: cart.clock });
    const entry = stored(restoreEntry(plan, cart.time, (id) => cart.docs[id]));
    // The phone had set the kettle to 5, before the restore by the clocks, and the restore had not read it.
    const phone = stampChange(cart.docs[kettle]!, { ...cart.docs[kettle]!, quantity: 5 }, hlc(plan.stamp.wall - 10, 0, 'phone'));
    const { writes, kept } = planRestoreReplay(entry, (id) => (id === kettle ? phone : cart.docs[id]));
    expect(writes.find(({ document }) => document.id === kettle)?.document).toMatchObject({ deleted: false, quantity: 1 });
    expect(kept).toMatchObject([{ itemId: kettle, field: 'quantity', winner: { value: 1, stamp: formatHlc(plan.stamp) }, loser: { value: 5, device: 'phone' } }]);
  });
});

describe('the restore journal (createRestoreJournal)', () => {
  it('keeps entries in order, removes them by key, and leaves out a damaged entry', async () => {
    const docs = new Map<string, unknown>();
    const db = {
      getLocal: async (id: string) => (docs.has(id) ? { get: (field: string) => (docs.get(id) as Record<string, unknown>)[field] } : null),
      upsertLocal: async (id: string, data: object) => docs.set(id, structuredClone(data)),
    } as unknown as Parameters<typeof createRestoreJournal>[0];
    const entry = (wall: number): RestoreEntry => ({ key: formatHlc(hlc(wall, 0, 'laptop')), to: 1000, at: wall, writes: [['k1', formatHlc(hlc(500, 0, 'laptop')), { quantity: 3 }]] });
    const journal = createRestoreJournal(db);
    await Promise.all([journal.add(entry(5000)), journal.add(entry(6000))]);
    await journal.remove(entry(5000).key);
    expect((await journal.read()).map((e) => e.at)).toEqual([6000]);
    docs.set('restore-journal', { entries: [entry(7000), { ...entry(8000), writes: [['k1', 'not a stamp', {}]] }, { key: 'x', to: 1, at: 1, writes: [] }, 'junk'] });
    expect((await createRestoreJournal(db).read()).map((e) => e.at)).toEqual([7000]);
  });
});
