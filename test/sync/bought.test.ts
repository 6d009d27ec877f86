/**
 * "Mark bought" between two devices through the real gateway and CouchDB (docs/analytics.md, B1-B6):
 * a purchase reaches the other device as an item out of the cart, filed under "bought"; its undo brings
 * it back there too; and a purchase made while the other device, offline, moved the item is kept in the
 * cart with a notice, in the list the other device chose, on both devices alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOUGHT_LIST_ID, cartCommands, openNotices, selectItems, type CartItem, type CartState } from '@tote/core';
import { startDevice, waitForAgreement, waitForPhase, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const product = (slug: string) => ({
  url: `https://shop.example/p/${slug}`, title: `Product ${slug}`, priceMinor: 1000, currency: 'EUR', imageUrl: null, variant: null,
});

let server: TestServer;
let laptop: Device;
let phone: Device;

beforeAll(async () => {
  server = await startTestServer();
  laptop = await startDevice('laptop', server.account);
  phone = await startDevice('phone', server.account);
  await Promise.all([waitForPhase(laptop, 'in-sync'), waitForPhase(phone, 'in-sync')]);
});

afterAll(async () => {
  await laptop?.close();
  await phone?.close();
  await server?.dispose();
});

const find = (state: CartState, title: string): CartItem | undefined => selectItems(state).find((item) => item.title === title);

async function shared(slug: string): Promise<string> {
  const { written } = await laptop.client.store.dispatch(cartCommands.add(product(slug)));
  await waitForState(phone, (state) => find(state, `Product ${slug}`) !== undefined);
  return written[0]!.id;
}

/** Both offline, each makes its change; the laptop reconnects first, then the phone (which merges). */
async function apart(onLaptop: () => Promise<unknown>, onPhone: () => Promise<unknown>) {
  laptop.network.goOffline();
  phone.network.goOffline();
  await Promise.all([waitForPhase(laptop, 'offline'), waitForPhase(phone, 'offline')]);
  await onLaptop();
  await new Promise((resolve) => setTimeout(resolve, 5));
  await onPhone();
  laptop.network.goOnline();
  laptop.client.sync?.reconnect();
  await waitForPhase(laptop, 'in-sync');
  await laptop.client.sync?.awaitInSync();
  phone.network.goOnline();
  phone.client.sync?.reconnect();
  await waitForPhase(phone, 'in-sync');
  await phone.client.sync?.awaitInSync();
  await laptop.client.sync?.awaitInSync();
}

const shown = (item: CartItem | undefined) => (item ? JSON.stringify(Object.entries(item).sort(([a], [b]) => a.localeCompare(b))) : 'none');

describe('mark bought on two devices', () => {
  it('a purchase leaves the other device\'s cart too, filed under "bought"; its undo brings it back there', async () => {
    const id = await shared('kettle');
    await laptop.client.store.dispatch(cartCommands.markBought(id));
    const seen = await waitForState(phone, (state) => state.items[id]?.deleted === true);
    expect(seen.items[id]).toMatchObject({ listId: BOUGHT_LIST_ID, priceMinor: 1000, quantity: 1 });
    expect(find(seen, 'Product kettle')).toBeUndefined();
    // The phone's history says so too.
    await phone.client.store.historySettled();
    await expect.poll(async () => (await phone.client.history.read()).entries.some((entry) => entry.itemId === id && entry.changes.listId === BOUGHT_LIST_ID && entry.changes.deleted === true), { timeout: 10_000 }).toBe(true);

    await phone.client.store.dispatch(cartCommands.unmarkBought([id], 'cart'));
    await waitForState(laptop, (state) => find(state, 'Product kettle')?.listId === 'cart');
  });

  it('a purchase made while the other device moved the item: kept in the cart with a notice, in the list the move chose, on both', async () => {
    const id = await shared('lamp');
    await apart(
      () => laptop.client.store.dispatch(cartCommands.markBought(id)),
      () => phone.client.store.dispatch(cartCommands.move(id, 'saved')),
    );
    await waitForAgreement(laptop, phone, (state) => shown(state.items[id]));
    for (const device of [laptop, phone]) expect(device.client.store.getState().items[id]).toMatchObject({ deleted: false, listId: 'saved' });
    const notice = openNotices(phone.client.conflicts.getState()).find((candidate) => candidate.conflict.itemId === id);
    expect(notice?.conflict).toMatchObject({ kind: 'delete-vs-edit', resolution: 'delete-vs-edit-kept' });
  });
});
