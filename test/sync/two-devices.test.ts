/**
 * Two devices, one shopper, the real sync server over HTTP: changes made on either side, online or
 * offline, end up on both, and nothing is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems, type CartState } from '@tote/core';
import { startDevice, waitForAgreement, waitForPhase, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const product = (slug: string, priceMinor = 1000) => ({
  url: `https://shop.example/p/${slug}`, title: `Product ${slug}`, priceMinor, currency: 'EUR', imageUrl: null, variant: null,
});

/** What the shopper sees, in a form two devices can be compared by. */
function view(state: CartState) {
  return selectItems(state).map(({ id, listId, title, quantity, note, priceMinor }) => ({ id, listId, title, quantity, note, priceMinor }));
}

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

describe('two devices through the sync server', () => {
  it('an item added on one device appears on the other', async () => {
    await laptop.client.store.dispatch(cartCommands.add(product('kettle', 2999)));
    const seen = await waitForState(phone, (state) => selectItems(state).some((item) => item.title === 'Product kettle'));
    expect(selectItems(seen)[0]).toMatchObject({ priceMinor: 2999, addedBy: 'laptop' });
  });

  it('a device that goes offline keeps its changes and both agree once it is back', async () => {
    for (const slug of ['a', 'b', 'c']) await laptop.client.store.dispatch(cartCommands.add(product(slug)));
    await waitForState(phone, (state) => selectItems(state).length === 4);
    const byName = (title: string) => selectItems(phone.client.store.getState()).find((item) => item.title === `Product ${title}`)!;
    const [kettle, a, b, c] = ['kettle', 'a', 'b', 'c'].map(byName);

    phone.network.goOffline();
    await waitForPhase(phone, 'offline');

    // Both change things while apart.
    await laptop.client.store.dispatch(cartCommands.setQuantity(a!.id, 4));
    await laptop.client.store.dispatch(cartCommands.add(product('from-laptop')));
    await phone.client.store.dispatch(cartCommands.remove(b!.id));
    await phone.client.store.dispatch(cartCommands.add(product('from-phone')));
    await phone.client.store.dispatch(cartCommands.setNote(c!.id, 'gift wrap'));
    await phone.client.store.dispatch(cartCommands.move(kettle!.id, 'saved'));
    expect(phone.client.sync?.getStatus().phase).toBe('offline');

    phone.network.goOnline();
    phone.client.sync?.reconnect();
    await waitForPhase(phone, 'in-sync');
    await laptop.client.sync?.awaitInSync();
    await phone.client.sync?.awaitInSync();
    const agreed = (state: CartState) => selectItems(state).length === 5;
    await Promise.all([waitForState(laptop, agreed), waitForState(phone, agreed)]);
    await waitForAgreement(laptop, phone, view);

    const titles = view(laptop.client.store.getState()).map((item) => item.title).sort();
    expect(titles).toEqual(['Product a', 'Product c', 'Product from-laptop', 'Product from-phone', 'Product kettle']);
    const byTitle = new Map(view(laptop.client.store.getState()).map((item) => [item.title, item]));
    expect(byTitle.get('Product a')?.quantity).toBe(4);
    expect(byTitle.get('Product c')?.note).toBe('gift wrap');
    expect(byTitle.get('Product kettle')?.listId).toBe('saved');
  });

  it('a server that is down shows offline, and changes made meanwhile sync when it is back', async () => {
    await server.stop();
    await waitForPhase(laptop, 'offline');
    const status = laptop.client.sync!.getStatus();
    expect(status.problem?.code).toBe('SYNC_OFFLINE');
    await laptop.client.store.dispatch(cartCommands.add(product('while-down')));

    await server.restart();
    laptop.client.sync?.reconnect();
    phone.client.sync?.reconnect();
    await waitForState(phone, (state) => selectItems(state).some((item) => item.title === 'Product while-down'), 20_000);
    await waitForPhase(laptop, 'in-sync');
  });
});
