/**
 * History and restore across devices, through the real gateway and CouchDB, with encryption on and a
 * controllable clock shared by the devices (simulated days pass in milliseconds). Spec: docs/history.md.
 *
 * - Restoring to arbitrary minutes of the last 30 days gives exactly the cart of that minute, on every
 *   device; restore then undo gives back the cart before the restore.
 * - History travels sealed: a device that never saw the changes (a new device) can restore from it.
 * - After cleanup, points older than 30 days are gone on the devices and on the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, isToteError, selectItems, syncTargetOf, type CartState } from '@tote/core';
import { startDevice, waitForAgreement, waitForPhase, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The time both devices read: starts 45 days ago, moved forward by the test. */
const sim = { t: Date.now() - 45 * DAY, now() { return this.t; } };
const advance = (ms: number) => { sim.t += ms; };

let server: TestServer;
const devices: Device[] = [];

async function sealedDevice(name: string): Promise<Device> {
  const device = await startDevice(name, server.account, { deviceClock: sim });
  devices.push(device);
  await device.client.configureSync(syncTargetOf(device.saved.session!), { keyring: device.account.keyring() });
  await waitForPhase(device, 'in-sync');
  return device;
}

/** What the shopper sees: visible items with their shopper fields, by title (sorted, comparable). */
const view = (state: CartState) => selectItems(state)
  .map((item) => `${item.title}|${item.quantity}|${item.note}|${item.listId}`).sort();

const admin = () => {
  const { url, admin: credentials } = server.running;
  const auth = `Basic ${Buffer.from(`${credentials.name}:${credentials.password}`).toString('base64')}`;
  return async <T>(pathname: string): Promise<T> => (await (await fetch(`${url}${pathname}`, { headers: { authorization: auth } })).json()) as T;
};

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  for (const device of devices) await device.close();
  await server?.dispose();
});

describe('history and restore across devices', () => {
  let laptop: Device;
  let phone: Device;
  const snapshots: { at: number; cart: string[] }[] = [];
  /** Before any device pruned: history documents on the server, entries older than the window. */
  let storedBefore = 0;
  let oldBefore = 0;
  const historyDocs = async () => (await admin()<{ doc_count: number }>(`/${server.running.shopper.dbName}-history`)).doc_count;

  it('restoring to any minute of the 30 days gives that minute\'s cart on every device, and undo gives back the cart before', async () => {
    laptop = await sealedDevice('laptop');
    phone = await sealedDevice('phone');
    const ids: string[] = [];
    const titles = ['Kettle', 'Lamp', 'Rug', 'Mug', 'Vase'];
    // 43 simulated days of shopping on both devices, a change a day.
    for (let day = 0; day < 43; day += 1) {
      const device = day % 3 === 0 ? phone : laptop;
      const store = device.client.store;
      if (day < titles.length) {
        ids.push((await store.dispatch(cartCommands.add({
          url: `https://shop.example/${titles[day]}`, title: titles[day]!, priceMinor: 1000 + day, currency: 'EUR', imageUrl: null, variant: null,
        }))).written[0]!.id);
      } else {
        const id = ids[day % ids.length]!;
        const item = store.getState().items[id];
        if (item === undefined) throw new Error('item missing');
        // In the first days, changes that later ones replace: what cleanup may drop once they are 30 days old.
        if (day < 13 && !item.deleted) await store.dispatch(cartCommands.setQuantity(id, 10 + day));
        if (item.deleted) await store.dispatch(cartCommands.add({ url: item.url, title: item.title, priceMinor: item.priceMinor, currency: item.currency, imageUrl: null, variant: null }))
          .then(({ written }) => ids.splice(day % ids.length, 1, written[0]!.id));
        else if (day % 7 === 0) await store.dispatch(cartCommands.remove(id));
        else if (day % 4 === 0) await store.dispatch(cartCommands.setNote(id, `day ${day}`));
        else await store.dispatch(cartCommands.setQuantity(id, (day % 5) + 1));
      }
      await waitForAgreement(laptop, phone, view);
      advance(37 * MINUTE);
      snapshots.push({ at: sim.now(), cart: view(laptop.client.store.getState()) });
      advance(DAY - 37 * MINUTE);
    }
    await laptop.client.store.historySettled();
    await phone.client.store.historySettled();
    await laptop.client.sync!.awaitInSync();
    await phone.client.sync!.awaitInSync();
    const before = view(laptop.client.store.getState());

    // Points inside the last 30 days: restore on one device, see it on the other, undo on the other.
    for (const index of [15, 22, 30, 41]) {
      const point = snapshots[index]!;
      expect(sim.now() - point.at).toBeLessThan(30 * DAY);
      const result = await phone.client.store.restore(point.at);
      expect(view(phone.client.store.getState())).toEqual(point.cart);
      await waitForState(laptop, (state) => JSON.stringify(view(state)) === JSON.stringify(point.cart));
      advance(MINUTE);
      await laptop.client.store.restore(result.undoAt);
      expect(view(laptop.client.store.getState())).toEqual(before);
      await waitForState(phone, (state) => JSON.stringify(view(state)) === JSON.stringify(before));
      advance(MINUTE);
    }
  });

  it('history travels sealed, and a new device that never saw the changes can restore from it', async () => {
    await laptop.client.store.historySettled();
    await laptop.client.sync!.awaitInSync();
    const history = await admin()<{ rows: { doc: Record<string, unknown> }[] }>(
      `/${server.running.shopper.dbName}-history/_all_docs?include_docs=true`);
    const docs = history.rows.map((row) => row.doc).filter((doc) => !String(doc._id).startsWith('_design'));
    expect(docs.length).toBeGreaterThan(30);
    for (const doc of docs) expect(Object.keys(doc).sort()).toEqual(['_id', '_rev', 'enc', 'fp']);
    expect(JSON.stringify(docs)).not.toContain('Kettle');

    storedBefore = await historyDocs();
    oldBefore = (await laptop.client.history.read()).entries.filter((entry) => entry.stamp.wall < sim.now() - 30 * DAY).length;
    // A new device, signing in long after the changes were made.
    const tablet = await sealedDevice('tablet');
    await tablet.client.sync!.awaitInSync();
    const point = snapshots[28]!;
    await tablet.client.store.restore(point.at);
    expect(view(tablet.client.store.getState())).toEqual(point.cart);
    await waitForState(laptop, (state) => JSON.stringify(view(state)) === JSON.stringify(point.cart));
  });

  it('after cleanup, moments older than 30 days cannot be restored, and their history is gone from the server too', async () => {
    const windowStart = sim.now() - 30 * DAY;
    const olderThanWindow = async () => (await laptop.client.history.read()).entries.filter((entry) => entry.stamp.wall < windowStart);

    const oldest = snapshots[0]!.at;
    const error = await laptop.client.store.restore(oldest).then(() => null, (caught: unknown) => caught);
    expect(isToteError(error) && error.code).toBe('INVALID_INPUT');
    expect(isToteError(error) && error.message).toContain('30 days');

    // Each device prunes when it starts and twice a day; the removals sync, so the server holds what
    // the devices hold.
    expect(await laptop.client.history.prune(sim.now())).toBeGreaterThan(0);
    await laptop.client.sync!.awaitInSync();
    const kept = await laptop.client.db.history.count().exec();
    await expect.poll(historyDocs).toBe(kept);
    expect(kept).toBeLessThan(storedBefore);
    // What the server keeps of a removed history document: its id and revision, nothing sealed or plain.
    const changes = await admin()<{ results: { deleted?: boolean; doc: Record<string, unknown> }[] }>(
      `/${server.running.shopper.dbName}-history/_changes?include_docs=true`);
    const removedDocs = changes.results.filter((change) => change.deleted);
    expect(removedDocs.length).toBeGreaterThan(0);
    for (const { doc } of removedDocs) expect(Object.keys(doc).sort()).toEqual(['_deleted', '_id', '_rev']);
    const old = await olderThanWindow();
    // Of the days before the window, only what the cart at the window's start is rebuilt from is left.
    expect(old.length).toBeGreaterThan(0);
    expect(old.length).toBeLessThan(oldBefore);
    // Every moment still inside the window restores exactly as before the cleanup.
    const inside = snapshots.find((snapshot) => sim.now() - snapshot.at < 29 * DAY)!;
    await phone.client.sync!.awaitInSync();
    const result = await phone.client.store.restore(inside.at);
    expect(view(phone.client.store.getState())).toEqual(inside.cart);
    await phone.client.store.restore(result.undoAt);
  });

  it('changes minutes apart travel as one batch, pushed again as it grows, and restore to a minute between them on the other device', async () => {
    await laptop.client.sync!.awaitInSync();
    await phone.client.sync!.awaitInSync();
    const documentsBefore = await historyDocs();
    const added = await laptop.client.store.dispatch(cartCommands.add({
      url: 'https://shop.example/Teapot', title: 'Teapot', priceMinor: 2400, currency: 'EUR', imageUrl: null, variant: null,
    }));
    const teapot = added.written[0]!.id;
    await waitForState(phone, (state) => state.items[teapot]?.quantity === 1);
    const points: number[] = [];
    for (const quantity of [2, 3, 4]) {
      advance(3 * MINUTE);
      await laptop.client.store.dispatch(cartCommands.setQuantity(teapot, quantity));
      // The phone has each state of the laptop's open batch before the next change is made.
      await waitForState(phone, (state) => state.items[teapot]?.quantity === quantity);
      advance(MINUTE);
      points.push(sim.now());
    }
    await laptop.client.store.historySettled();
    await laptop.client.sync!.awaitInSync();
    // Four writes, one history document on the server.
    await expect.poll(historyDocs).toBe(documentsBefore + 1);
    // The batch's last version reaches the phone like any other change: on the live channel or the next pull.
    await expect.poll(async () => (await phone.client.history.read()).entries.filter((entry) => entry.itemId === teapot), { timeout: 10_000 }).toHaveLength(4);

    const result = await phone.client.store.restore(points[0]!);
    expect(phone.client.store.getState().items[teapot]?.quantity).toBe(2);
    await waitForState(laptop, (state) => state.items[teapot]?.quantity === 2);
    advance(MINUTE);
    await laptop.client.store.restore(result.undoAt);
    expect(laptop.client.store.getState().items[teapot]?.quantity).toBe(4);
    await waitForState(phone, (state) => state.items[teapot]?.quantity === 4);
  });

  it('a restore, shown once its journal entry is stored, reaches the other device: its items and its "Restored to" history document', async () => {
    await laptop.client.store.historySettled();
    await laptop.client.sync!.awaitInSync();
    await phone.client.sync!.awaitInSync();
    const before = view(phone.client.store.getState());
    const point = sim.now();
    advance(MINUTE);
    for (const title of ['Jug', 'Bowl']) {
      await laptop.client.store.dispatch(cartCommands.add({
        url: `https://shop.example/${title}`, title, priceMinor: 900, currency: 'EUR', imageUrl: null, variant: null,
      }));
    }
    await waitForAgreement(laptop, phone, view);
    advance(MINUTE);
    const result = await phone.client.store.restore(point);
    expect(result.removed).toBe(2);
    // Shown when it resolves; the items are written, recorded and pushed after.
    expect(view(phone.client.store.getState())).toEqual(before);
    await waitForState(laptop, (state) => JSON.stringify(view(state)) === JSON.stringify(before));
    await phone.client.store.historySettled();
    await phone.client.sync!.awaitInSync();
    await expect.poll(async () => (await laptop.client.history.read()).restores.map((restore) => restore.to), { timeout: 10_000 }).toContain(point);
    expect(await phone.client.db.getLocal('restore-journal').then((doc) => doc?.get('entries'))).toEqual([]);
  });
});
