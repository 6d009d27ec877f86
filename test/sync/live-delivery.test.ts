/**
 * Two paths bring a change to a shopper's other devices (docs/sync.md, rule 6): the documents on the
 * live channel, and `_changes` (the long poll while the channel is down, catch-up pulls while it is up).
 * Each alone delivers every change: with `_changes` answering nothing, changes still arrive (through
 * the same checks as a pull: an unreadable document is refused); with no live channel, they arrive by
 * `_changes`. A change made while the channel was down arrives by the catch-up when it is back, and one
 * whose message the channel dropped arrives all the same. Real devices, sealed, through the real gateway
 * over HTTPS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cartCommands, selectItems, type CartState, type ToteError, type WebSocketLike } from '@tote/core';
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

/**
 * A device's long polls whose answers can be held back (`cut`), as `changesGate` does for every
 * `_changes`; catch-up pulls go through. A held poll the device gives up on (its signal) ends there.
 */
function longPollGate() {
  const held: (() => void)[] = [];
  const gate = {
    cut: false,
    sent: 0,
    answered: 0,
    held: 0,
    release() {
      gate.cut = false;
      held.splice(0).forEach((resume) => resume());
    },
    via: (inner: typeof fetch): typeof fetch => (async (input: string, init?: RequestInit) => {
      const poll = String(input).includes('feed=longpoll');
      if (poll) gate.sent += 1;
      const response = await inner(input, init);
      if (!poll) return response;
      if (gate.cut) {
        gate.held += 1;
        await new Promise<void>((resume, refuse) => {
          held.push(resume);
          init?.signal?.addEventListener('abort', () => refuse(new DOMException('The operation was aborted.', 'AbortError')));
        });
      }
      gate.answered += 1;
      return response;
    }) as typeof fetch,
  };
  return gate;
}

/**
 * A device's live-channel sockets, real ones to the gateway, that the test can cut (`cut`: the socket
 * dropped, new ones refused until `restore`) or have drop the next `changed` message as it arrives,
 * the socket with it (`dropNextChanged`). `sockets` counts the sockets made.
 */
function channelSwitch(cert: string) {
  let refused = false;
  let dropNext = false;
  let current: WebSocket | null = null;
  const control = {
    sockets: 0,
    dropped: 0,
    factory: (url: string): WebSocketLike => {
      if (refused) throw new Error('the live channel is cut');
      const socket = new WebSocket(url, { ca: cert });
      current = socket;
      control.sockets += 1;
      const wrapped = {
        get readyState() {
          return socket.readyState;
        },
        send: (data: string) => socket.send(data),
        close: (code?: number, reason?: string) => socket.close(code, reason),
        addEventListener: (type: 'open' | 'close' | 'error' | 'message', listener: (event: { data: unknown }) => void) => {
          if (type !== 'message') {
            socket.on(type, () => listener({ data: null }));
            return;
          }
          socket.on('message', (data) => {
            const text = String(data);
            if (dropNext && text.includes('"type":"changed"')) {
              dropNext = false;
              control.dropped += 1;
              socket.terminate();
              return;
            }
            listener({ data: text });
          });
        },
      };
      return wrapped as WebSocketLike;
    },
    cut() {
      refused = true;
      current?.terminate();
    },
    restore() {
      refused = false;
    },
    dropNextChanged() {
      dropNext = true;
    },
  };
  return control;
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

    // Nothing came by `_changes` meanwhile: while the channel brings documents the long poll rests, and
    // any answer was held.
    expect(gate.answered).toBe(answeredBefore);
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

describe('the live channel cut and back', () => {
  let laptop: Device;
  let phone: Device;
  const polls = longPollGate();
  let channel: ReturnType<typeof channelSwitch>;

  beforeAll(async () => {
    channel = channelSwitch(server.account.cert);
    laptop = await startDevice('cut-laptop', server.account, { passwordKdf });
    phone = await startDevice('cut-phone', server.account, { passwordKdf, fetchVia: polls.via, webSocket: channel.factory });
    await Promise.all([waitForPhase(laptop, 'in-sync'), waitForPhase(phone, 'in-sync')]);
    await waitFor(phone.account.state$, (state) => state.devicesOnline.some((device) => device.device === 'cut-laptop'));
  });

  afterAll(async () => {
    channel?.restore();
    polls.release();
    await laptop?.close();
    await phone?.close();
  });

  it('a change made while the channel was down arrives by the catch-up pull when it is back', async () => {
    const answeredBefore = polls.answered;
    const sentBefore = polls.sent;
    polls.cut = true;
    channel.cut();
    // Without the channel the long poll goes out at once (its answers are held here, so it brings nothing).
    await expect.poll(() => polls.sent, { timeout: 10_000 }).toBeGreaterThan(sentBefore);
    const { written } = await laptop.client.store.dispatch(cartCommands.add(product('kettle', 3900)));
    const kettle = written[0]!.id;
    await laptop.client.sync!.awaitInSync();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(phone.client.store.getState().items[kettle]).toBeUndefined();

    const socketsBefore = channel.sockets;
    channel.restore();
    await waitForState(phone, (state) => state.items[kettle]?.title === 'Product kettle', 20_000);
    expect(channel.sockets).toBeGreaterThan(socketsBefore); // the channel connected again …
    expect(polls.answered).toBe(answeredBefore); // … and no long poll answered: the catch-up pull brought it
    polls.release();
  });

  it('nothing is lost when the channel drops while a change is on its way', async () => {
    await waitFor(phone.account.state$, (state) => state.devicesOnline.some((device) => device.device === 'cut-laptop'), 20_000);
    const socketsBefore = channel.sockets;
    channel.dropNextChanged();
    const { written } = await laptop.client.store.dispatch(cartCommands.add(product('tray', 1200)));
    const tray = written[0]!.id;
    await laptop.client.store.dispatch(cartCommands.setQuantity(tray, 4));
    await waitForState(phone, (state) => state.items[tray]?.quantity === 4, 20_000);
    expect(channel.dropped).toBe(1);
    await expect.poll(() => channel.sockets, { timeout: 20_000 }).toBeGreaterThan(socketsBefore);
    // The history entries of both changes arrive too.
    await laptop.client.sync!.awaitInSync();
    const historyAfter = (await laptop.client.history.read()).entries.length;
    await expect.poll(async () => (await phone.client.history.read()).entries.length, { timeout: 20_000 }).toBe(historyAfter);
  });
});
