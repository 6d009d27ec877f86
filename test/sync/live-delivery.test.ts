/**
 * Two paths bring a change to a shopper's other devices (docs/sync.md, rule 6): the documents on the
 * live channel, and the long-polled `_changes`. Each alone delivers every change: with `_changes`
 * answering nothing, changes still arrive (through the same checks as a pull: an unreadable document
 * is refused); with no live channel, they arrive by `_changes`. Real devices, sealed, through the real
 * gateway over HTTPS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems, type CartState, type ToteError } from '@tote/core';
import { startDevice, waitFor, waitForAgreement, waitForPhase, waitForState, type Device } from '../support/devices.ts';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const passwordKdf = { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 } as const;
const product = (slug: string, priceMinor = 1000) => ({
  url: `https://shop.example/p/${slug}`, title: `Product ${slug}`, priceMinor, currency: 'EUR', imageUrl: null, variant: null,
});
const view = (state: CartState) => selectItems(state).map(({ id, title, quantity, note }) => ({ id, title, quantity, note }));

/**
 * A device's fetch whose `_changes` answers can be held back (`cut`): the request reaches the server,
 * its answer never reaches the device until `release`. `answered` counts the answers that went through.
 */
function changesGate() {
  const held: (() => void)[] = [];
  const gate = {
    cut: false,
    answered: 0,
    held: 0,
    release() {
      gate.cut = false;
      held.splice(0).forEach((resume) => resume());
    },
    via: (inner: typeof fetch): typeof fetch => (async (input: string, init?: RequestInit) => {
      const response = await inner(input, init);
      if (!String(input).includes('/_changes?')) return response;
      if (gate.cut) {
        gate.held += 1;
        await new Promise<void>((resume) => held.push(resume));
      }
      gate.answered += 1;
      return response;
    }) as typeof fetch,
  };
  return gate;
}

let server: TestServer;
let client: GatewayClient;

beforeAll(async () => {
  server = await startTestServer();
  client = gatewayClient(server.account.serverUrl, server.account.cert);
});

afterAll(async () => {
  await client?.close();
  await server?.dispose();
});

describe('changes on the live channel', () => {
  let laptop: Device;
  let phone: Device;
  const gate = changesGate();
  const reported: ToteError[] = [];

  beforeAll(async () => {
    laptop = await startDevice('laptop', server.account, { passwordKdf });
    phone = await startDevice('phone', server.account, { passwordKdf, fetchVia: gate.via });
    phone.client.unreadable$.subscribe((error) => reported.push(error));
    await Promise.all([waitForPhase(laptop, 'in-sync'), waitForPhase(phone, 'in-sync')]);
    await waitFor(phone.account.state$, (state) => state.devicesOnline.length === 1);
  });

  afterAll(async () => {
    gate.release();
    await laptop?.close();
    await phone?.close();
  });

  it('arrive with `_changes` answering nothing: adds, edits, removals and history', async () => {
    gate.cut = true;
    const answeredBefore = gate.answered;
    const historyBefore = (await laptop.client.history.read()).entries.length;

    const { written } = await laptop.client.store.dispatch(cartCommands.add(product('lamp', 4500)));
    const lamp = written[0]!.id;
    await waitForState(phone, (state) => state.items[lamp]?.title === 'Product lamp', 20_000);
    await laptop.client.store.dispatch(cartCommands.add(product('rug')));
    await laptop.client.store.dispatch(cartCommands.setQuantity(lamp, 3));
    await laptop.client.store.dispatch(cartCommands.setNote(lamp, 'brass, not chrome'));
    const rug = selectItems(laptop.client.store.getState()).find((item) => item.title === 'Product rug')!.id;
    await laptop.client.store.dispatch(cartCommands.remove(rug));
    await waitForAgreement(laptop, phone, view, 20_000);
    expect(view(phone.client.store.getState())).toEqual([{ id: lamp, title: 'Product lamp', quantity: 3, note: 'brass, not chrome' }]);

    // The history entries of those changes came the same way.
    await laptop.client.sync!.awaitInSync();
    // (One batch of the laptop's, sent again as each change joined it: counted by the changes it holds.)
    const historyAfter = (await laptop.client.history.read()).entries.length;
    expect(historyAfter).toBeGreaterThanOrEqual(historyBefore + 5);
    await expect.poll(async () => (await phone.client.history.read()).entries.length, { timeout: 20_000 }).toBe(historyAfter);

    // Nothing came by `_changes` meanwhile: its answers were held.
    expect(gate.answered).toBe(answeredBefore);
    expect(gate.held).toBeGreaterThan(0);
  });

  it('a change made on the receiving side meanwhile is merged with one that arrives live', async () => {
    gate.cut = true;
    const lamp = selectItems(phone.client.store.getState()).find((item) => item.title === 'Product lamp')!.id;
    // Both change the same item at once, different fields: both survive on both (docs/merge.md).
    await Promise.all([
      phone.client.store.dispatch(cartCommands.setQuantity(lamp, 7)),
      laptop.client.store.dispatch(cartCommands.setNote(lamp, 'gift')),
    ]);
    await waitForAgreement(laptop, phone, view, 20_000);
    expect(view(laptop.client.store.getState())).toEqual([{ id: lamp, title: 'Product lamp', quantity: 7, note: 'gift' }]);
  });

  it('a document that does not open is refused like a pulled one, and the device keeps its copy', async () => {
    gate.cut = true;
    const lamp = selectItems(phone.client.store.getState()).find((item) => item.title === 'Product lamp')!.id;
    const before = view(phone.client.store.getState());
    // Written in plain through the gateway with the laptop's session: the phone hears of it live only.
    const { token, dbName } = laptop.saved.session!;
    const current = await client.request<{ _rev: string }>('GET', `/${dbName}/${lamp}`, { token });
    const planted = await client.request('POST', `/${dbName}/_bulk_docs`, {
      token, body: { docs: [{ _id: lamp, _rev: current.body._rev, title: 'Planted 4411', quantity: 99, url: 'https://attacker.example/pay' }] },
    });
    expect(planted.status).toBe(201);
    await expect.poll(() => reported.some((error) => error.details?.documentId === lamp), { timeout: 20_000 }).toBe(true);
    expect(view(phone.client.store.getState())).toEqual(before);
    expect(JSON.stringify(phone.client.store.getState())).not.toContain('Planted 4411');
  });
});

describe('changes with the live channel cut', () => {
  it('arrive by `_changes`', async () => {
    const laptop = await startDevice('quiet-laptop', server.account, { passwordKdf, webSocket: false });
    const phone = await startDevice('quiet-phone', server.account, { passwordKdf, webSocket: false });
    try {
      await Promise.all([waitForPhase(laptop, 'in-sync'), waitForPhase(phone, 'in-sync')]);
      const { written } = await laptop.client.store.dispatch(cartCommands.add(product('vase', 1900)));
      const vase = written[0]!.id;
      await laptop.client.store.dispatch(cartCommands.setQuantity(vase, 2));
      await waitForState(phone, (state) => state.items[vase]?.quantity === 2, 10_000);
      await phone.client.store.dispatch(cartCommands.remove(vase));
      await waitForState(laptop, (state) => state.items[vase]?.deleted === true, 10_000);
    } finally {
      await laptop.close();
      await phone.close();
    }
  });

  it('a change written while a new device\'s first long poll is on its way arrives by `_changes`', async () => {
    // The phone's first long poll of the cart reaches the server only after the laptop's write (a busy
    // network, a loaded machine): it must continue from what the phone's first pull read, not start at
    // the server's "now", which would be past that write.
    let releasePoll = () => undefined as void;
    const pollHeld = new Promise<void>((resolve) => { releasePoll = resolve; });
    let pollsSeen = 0;
    const holdFirstPoll = (inner: typeof fetch): typeof fetch => (async (input: string, init?: RequestInit) => {
      const url = String(input);
      if (url.includes('/_changes?') && url.includes('feed=longpoll') && !url.includes('-history/')) {
        pollsSeen += 1;
        if (pollsSeen === 1) await pollHeld;
      }
      return inner(input, init);
    }) as typeof fetch;
    const laptop = await startDevice('late-poll-laptop', server.account, { passwordKdf, webSocket: false });
    const phone = await startDevice('late-poll-phone', server.account, { passwordKdf, webSocket: false, fetchVia: holdFirstPoll });
    try {
      await Promise.all([waitForPhase(laptop, 'in-sync'), waitForPhase(phone, 'in-sync')]);
      await expect.poll(() => pollsSeen).toBe(1);
      const { written } = await laptop.client.store.dispatch(cartCommands.add(product('clock', 2900)));
      const clock = written[0]!.id;
      await laptop.client.sync!.awaitInSync();
      releasePoll();
      await waitForState(phone, (state) => state.items[clock]?.title === 'Product clock', 15_000);
    } finally {
      releasePoll();
      await laptop.close();
      await phone.close();
    }
  });
});
