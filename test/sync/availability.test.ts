/**
 * Availability between two devices through the real gateway and CouchDB, sealed (docs/cart-manager.md,
 * "Availability"): an item added as out of stock arrives so; a later reading of the page on one device
 * and an edit on the other while apart both survive; two readings while apart: the later one holds, and
 * no notice asks the shopper to choose (it is what a page said, not a choice).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, openNotices, queryCart, type CartItem } from '@tote/core';
import { startDevice, waitForAgreement, waitForPhase, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

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

const url = (slug: string) => `https://camp.example/p/${slug}`;
const product = (slug: string, availability?: CartItem['availability']) => ({
  url: url(slug), title: `Product ${slug}`, priceMinor: 2450, currency: 'EUR', imageUrl: null, variant: null, ...(availability ? { availability } : {}),
});

/** Both offline, each does its part; the laptop reconnects first, then the phone (which merges), and they agree. */
async function apart(onLaptop: () => Promise<unknown>, onPhone: () => Promise<unknown>) {
  laptop.network.goOffline();
  phone.network.goOffline();
  await Promise.all([waitForPhase(laptop, 'offline'), waitForPhase(phone, 'offline')]);
  await onLaptop();
  await new Promise((resolve) => setTimeout(resolve, 5)); // the phone's change is the later one
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

const noticesFor = (id: string) => openNotices(phone.client.conflicts.getState()).filter((notice) => notice.conflict.itemId === id);

describe('availability on two devices', () => {
  it('an item added out of stock arrives out of stock, under "unavailable"; one whose page did not say arrives unknown', async () => {
    const { written } = await laptop.client.store.dispatch(cartCommands.add(product('lantern', 'out_of_stock')));
    await laptop.client.store.dispatch(cartCommands.add(product('stove')));
    const id = written[0]!.id;
    const state = await waitForState(phone, (s) => s.items[id]?.availability === 'out_of_stock' && Object.values(s.items).length === 2);
    expect(queryCart(state, { unavailable: true }).items.map((item) => item.title)).toEqual(['Product lantern']);
    expect(Object.values(state.items).find((item) => item.title === 'Product stove')).not.toHaveProperty('availability');
  });

  it('a reading of the page on one device and a quantity on the other, while apart: both survive, no notice', async () => {
    const { written } = await laptop.client.store.dispatch(cartCommands.add(product('tarp', 'out_of_stock')));
    const id = written[0]!.id;
    await waitForState(phone, (s) => s.items[id] !== undefined);
    await apart(
      () => laptop.client.store.dispatch(cartCommands.priceSeen(url('tarp'), 2450, 'EUR', 'in_stock')),
      () => phone.client.store.dispatch(cartCommands.setQuantity(id, 2)),
    );
    await waitForAgreement(laptop, phone, (s) => JSON.stringify([s.items[id]?.availability, s.items[id]?.quantity]));
    expect(phone.client.store.getState().items[id]).toMatchObject({ availability: 'in_stock', quantity: 2 });
    expect(noticesFor(id)).toEqual([]);
  });

  it('two readings while apart: the later one holds on both, and nobody is asked to choose', async () => {
    const { written } = await laptop.client.store.dispatch(cartCommands.add(product('kettle')));
    const id = written[0]!.id;
    await waitForState(phone, (s) => s.items[id] !== undefined);
    await apart(
      () => laptop.client.store.dispatch(cartCommands.priceSeen(url('kettle'), 2300, 'EUR', 'in_stock')),
      () => phone.client.store.dispatch(cartCommands.priceSeen(url('kettle'), 2200, 'EUR', 'out_of_stock')),
    );
    await waitForAgreement(laptop, phone, (s) => JSON.stringify([s.items[id]?.availability, s.items[id]?.priceMinor]));
    expect(laptop.client.store.getState().items[id]).toMatchObject({ availability: 'out_of_stock', priceMinor: 2200 });
    // The price readings of both are kept as observations.
    expect(phone.client.store.getState().items[id]?.priceHistory.map((point) => point.priceMinor)).toEqual([2300, 2200]);
    expect(noticesFor(id).map((notice) => notice.conflict.field)).not.toContain('availability');
  });
});
