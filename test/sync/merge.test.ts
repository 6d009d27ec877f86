/**
 * The merge rules of docs/merge.md, between two devices through the real gateway and CouchDB: each
 * device goes offline, both change the same item, then they meet again. The laptop comes back first,
 * so the phone is the device that merges (and the one that shows the notice).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, openNotices, selectItems, type CartItem, type CartState } from '@tote/core';
import { startDevice, waitFor, waitForAgreement, waitForPhase, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const product = (slug: string) => ({
  url: `https://shop.example/p/${slug}`, title: `Product ${slug}`, priceMinor: 1000, currency: 'EUR', imageUrl: null, variant: null,
});

let server: TestServer;
let laptop: Device;
let phone: Device;
/** The phone's clock runs ten minutes behind. */
const PHONE_SKEW_MS = -10 * 60_000;

beforeAll(async () => {
  server = await startTestServer();
  laptop = await startDevice('laptop', server.account);
  phone = await startDevice('phone', server.account, { deviceClock: { now: () => Date.now() + PHONE_SKEW_MS } });
  await Promise.all([waitForPhase(laptop, 'in-sync'), waitForPhase(phone, 'in-sync')]);
});

afterAll(async () => {
  await laptop?.close();
  await phone?.close();
  await server?.dispose();
});

const find = (state: CartState, title: string): CartItem | undefined => selectItems(state).find((item) => item.title === title);

/** Adds an item on the laptop and waits until the phone has it. */
async function shared(slug: string): Promise<string> {
  const { written } = await laptop.client.store.dispatch(cartCommands.add(product(slug)));
  await waitForState(phone, (state) => find(state, `Product ${slug}`) !== undefined);
  return written[0]!.id;
}

/** Both offline, each makes its changes; the laptop reconnects first, then the phone, and they agree. */
async function apart(onLaptop: () => Promise<unknown>, onPhone: () => Promise<unknown>) {
  laptop.network.goOffline();
  phone.network.goOffline();
  await Promise.all([waitForPhase(laptop, 'offline'), waitForPhase(phone, 'offline')]);
  await onLaptop();
  await new Promise((resolve) => setTimeout(resolve, 5)); // the phone's change is the later one in real time
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

/** The item as the shopper sees it, independent of key order. */
const shown = (item: CartItem | undefined) => (item ? JSON.stringify(Object.entries(item).sort(([a], [b]) => a.localeCompare(b))) : 'none');
/** Until the laptop and the phone show the item alike (checked whenever either changes). */
const same = (id: string) => waitForAgreement(laptop, phone, (state) => shown(state.items[id]));

describe('merging one item changed on two devices', () => {
  it('changes to different fields both survive, even from a device whose clock is behind', async () => {
    const id = await shared('desk');
    await apart(
      () => laptop.client.store.dispatch(cartCommands.setNote(id, 'oak, not walnut')),
      () => phone.client.store.dispatch(cartCommands.setQuantity(id, 2)), // stamped ten minutes "earlier"
    );
    await waitForState(laptop, (state) => state.items[id]?.quantity === 2);
    await same(id);
    expect(phone.client.store.getState().items[id]).toMatchObject({ quantity: 2, note: 'oak, not walnut', deleted: false });
    expect(openNotices(phone.client.conflicts.getState()).filter((notice) => notice.conflict.itemId === id)).toEqual([]);
  });

  it('a change made after seeing another wins, however far behind the device\'s clock is', async () => {
    const id = await shared('lamp');
    await laptop.client.store.dispatch(cartCommands.setQuantity(id, 3));
    await waitForState(phone, (state) => state.items[id]?.quantity === 3);
    // The phone saw 3, then changes it: with its clock ten minutes behind, a wall-clock rule would undo it.
    await apart(
      () => laptop.client.store.dispatch(cartCommands.setNote(id, 'for the hall')),
      () => phone.client.store.dispatch(cartCommands.setQuantity(id, 1)),
    );
    await waitForState(laptop, (state) => state.items[id]?.quantity === 1 && state.items[id]?.note === 'for the hall');
    await same(id);
  });

  it('the same field changed on both: the later change wins, the shopper is told and can choose the other value', async () => {
    const id = await shared('chair');
    await apart(
      () => laptop.client.store.dispatch(cartCommands.setQuantity(id, 4)),
      () => phone.client.store.dispatch(cartCommands.setQuantity(id, 6)),
    );
    await same(id);
    const kept = phone.client.store.getState().items[id]!.quantity;
    expect([4, 6]).toContain(kept);
    const notices = await waitFor(phone.client.conflicts.state$, (state) => openNotices(state).some((notice) => notice.conflict.itemId === id));
    const notice = openNotices(notices).find((candidate) => candidate.conflict.itemId === id)!;
    expect(notice.conflict).toMatchObject({ field: 'quantity', kind: 'same-field', resolution: 'later-wins', winner: { value: kept } });
    const other = notice.conflict.loser.value;
    expect(other).toBe(kept === 4 ? 6 : 4);

    await phone.client.conflicts.override(notice.id);
    await waitForState(laptop, (state) => state.items[id]?.quantity === other);
    // Not even for a moment the old value (docs/merge.md, "A pulled version never takes a device back").
    expect(phone.client.store.getState().items[id]!.quantity).toBe(other);
    await same(id);
    expect(phone.client.conflicts.getState().notices.find((candidate) => candidate.id === notice.id)?.status).toBe('overridden');
  });

  it('an item removed on one device and changed on the other is kept, with a notice', async () => {
    const id = await shared('rug');
    await apart(
      () => laptop.client.store.dispatch(cartCommands.remove(id)),
      () => phone.client.store.dispatch(cartCommands.setQuantity(id, 2)),
    );
    await waitForState(laptop, (state) => state.items[id]?.deleted === false && state.items[id]?.quantity === 2);
    expect(phone.client.store.getState().items[id]).toMatchObject({ deleted: false, quantity: 2 });
    const notice = openNotices(phone.client.conflicts.getState()).find((candidate) => candidate.conflict.itemId === id);
    expect(notice?.conflict).toMatchObject({ kind: 'delete-vs-edit', resolution: 'delete-vs-edit-kept' });

    // The notice is kept in the device's database (it outlives the app), and stays as the record once dismissed.
    await phone.client.conflicts.flush();
    const kept = await phone.client.db.getLocal<{ notices: { id: string }[] }>('conflict-log');
    expect((kept?.get('notices') as { id: string }[]).map((saved) => saved.id)).toContain(notice!.id);
    await phone.client.conflicts.dismiss(notice!.id);
    expect(phone.client.conflicts.getState().notices.find((candidate) => candidate.id === notice!.id)?.status).toBe('dismissed');
  });

  it('the same item removed on one device while the other changes nothing stays removed', async () => {
    const id = await shared('vase');
    await apart(
      () => laptop.client.store.dispatch(cartCommands.remove(id)),
      () => phone.client.store.dispatch(cartCommands.add(product('unrelated'))),
    );
    await waitForState(phone, (state) => state.items[id]?.deleted === true);
    await waitForState(laptop, (state) => find(state, 'Product unrelated') !== undefined);
  });
});

describe('clearing a list on one device while the other changes it offline', () => {
  it('the clear removes what the clearing device saw; an item changed or added on the other device stays', async () => {
    const kettle = await shared('kettle');
    const towel = await shared('towel');
    let basket = '';
    await apart(
      () => laptop.client.store.dispatch(cartCommands.clearList('cart')),
      async () => {
        await phone.client.store.dispatch(cartCommands.setNote(kettle, 'the blue one'));
        basket = (await phone.client.store.dispatch(cartCommands.add(product('basket')))).written[0]!.id;
      },
    );
    const cartOf = (state: CartState) => selectItems(state).filter((item) => item.listId === 'cart').map((item) => item.title).sort();
    await waitForAgreement(laptop, phone, (state) => cartOf(state).join('|'));
    expect(cartOf(laptop.client.store.getState())).toEqual(['Product basket', 'Product kettle']);
    expect(laptop.client.store.getState().items[kettle]).toMatchObject({ deleted: false, note: 'the blue one' });
    expect(laptop.client.store.getState().items[towel]?.deleted).toBe(true);
    expect(laptop.client.store.getState().items[basket]?.deleted).toBe(false);
    // The kept item is named to the shopper on the device that merged (docs/merge.md rule 7).
    const notice = openNotices(phone.client.conflicts.getState()).find((candidate) => candidate.conflict.itemId === kettle);
    expect(notice?.conflict).toMatchObject({ kind: 'delete-vs-edit', resolution: 'delete-vs-edit-kept' });
  });
});
