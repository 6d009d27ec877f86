/**
 * Lists of one's own between two devices through the real gateway and sync server (docs/cart-manager.md,
 * "Lists"): a list made on one device shows on the other, with its items; rename against rename keeps
 * the later one; a list deleted on one device while the other adds into it loses nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, queryCart, type CartState } from '@tote/core';
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

const names = (state: CartState) => state.lists.map((list) => list.name);
const titlesIn = (state: CartState, listId: string) => queryCart(state, { listId }).items.map((item) => item.title).sort();

async function apart(onLaptop: () => Promise<unknown>, onPhone: () => Promise<unknown>) {
  laptop.network.goOffline();
  phone.network.goOffline();
  await Promise.all([waitForPhase(laptop, 'offline'), waitForPhase(phone, 'offline')]);
  await onLaptop();
  await new Promise((resolve) => setTimeout(resolve, 5)); // the phone's change is the later one
  await onPhone();
  for (const device of [laptop, phone]) {
    device.network.goOnline();
    device.client.sync?.reconnect();
    await waitForPhase(device, 'in-sync');
    await device.client.sync?.awaitInSync();
  }
  await laptop.client.sync?.awaitInSync();
}

describe('lists on two devices', () => {
  it('a list made on the laptop, with items moved and copied into it, shows on the phone; a reorder and a delete follow', async () => {
    const { written: [gifts] } = await laptop.client.store.dispatch(cartCommands.createList('Gifts'));
    const { written: [garden] } = await laptop.client.store.dispatch(cartCommands.createList('Garden'));
    const { written: [kettle] } = await laptop.client.store.dispatch(cartCommands.add(product('kettle')));
    const { written: [mug] } = await laptop.client.store.dispatch(cartCommands.add(product('mug')));
    await laptop.client.store.dispatch(cartCommands.moveMany([kettle!.id], gifts!.id));
    await laptop.client.store.dispatch(cartCommands.copyMany([mug!.id], gifts!.id));
    await waitForState(phone, (state) => titlesIn(state, gifts!.id).length === 2);
    expect(names(phone.client.store.getState())).toEqual(['Cart', 'Saved for later', 'Gifts', 'Garden']);
    expect(titlesIn(phone.client.store.getState(), gifts!.id)).toEqual(['Product kettle', 'Product mug']);
    expect(titlesIn(phone.client.store.getState(), 'cart')).toEqual(['Product mug']);

    await phone.client.store.dispatch(cartCommands.reorderList(garden!.id, 0));
    await waitForState(laptop, (state) => names(state)[2] === 'Garden');

    await phone.client.store.dispatch(cartCommands.deleteList(gifts!.id));
    const deleted = await waitForState(laptop, (state) => !names(state).includes('Gifts'));
    expect(titlesIn(deleted, 'cart')).toEqual(['Product kettle', 'Product mug', 'Product mug']);
    await laptop.client.store.dispatch(cartCommands.restoreList(gifts!.id)); // Undo, on the other device
    const back = await waitForState(phone, (state) => names(state).includes('Gifts'));
    expect(titlesIn(back, gifts!.id)).toEqual(['Product kettle', 'Product mug']);
  });

  it('rename against rename while apart: both devices keep the later name', async () => {
    const { written: [list] } = await laptop.client.store.dispatch(cartCommands.createList('Holiday'));
    await waitForState(phone, (state) => names(state).includes('Holiday'));
    await apart(
      () => laptop.client.store.dispatch(cartCommands.renameList(list!.id, 'Summer holiday')),
      () => phone.client.store.dispatch(cartCommands.renameList(list!.id, 'Ski trip')),
    );
    await waitForAgreement(laptop, phone, (state) => state.lists.find((found) => found.id === list!.id)?.name);
    expect(laptop.client.store.getState().lists.find((found) => found.id === list!.id)?.name).toBe('Ski trip');
  });

  it('a list deleted on one device while the other adds into it: the item is not lost, it shows under Cart', async () => {
    const { written: [list] } = await laptop.client.store.dispatch(cartCommands.createList('Kitchen'));
    await waitForState(phone, (state) => names(state).includes('Kitchen'));
    await apart(
      () => laptop.client.store.dispatch(cartCommands.deleteList(list!.id)),
      () => phone.client.store.dispatch(cartCommands.add(product('whisk'), { listId: list!.id })),
    );
    for (const device of [laptop, phone]) {
      const state = await waitForState(device, (seen) => titlesIn(seen, 'cart').includes('Product whisk') && !names(seen).includes('Kitchen'));
      expect(names(state)).not.toContain('Kitchen');
    }
  });
});
