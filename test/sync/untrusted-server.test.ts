/**
 * Whoever runs the sync server can write into a shopper's databases. A sealed device takes nothing
 * from it that is not an envelope of its id, sealed with the shopper's key, whose values pass the
 * commands' rules (docs/encryption.md, "Decrypting"): everything else is reported as unreadable (the
 * shopper sees a notice) and never reaches the cart; the device's own copy of an item is kept.
 * Through the real gateway and CouchDB; the server's admin writes with CouchDB's Basic auth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, itemSeal, selectItems, type CartState, type ToteError } from '@tote/core';
import { startDevice, waitFor, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const passwordKdf = { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 } as const;

let server: TestServer;
let shopper: Device;
const reported: ToteError[] = [];

/**
 * The server's admin, straight to CouchDB: `path` inside the shopper's cart database or its history's.
 * A write there is announced on no live channel: the device reads it at its next catch-up pull
 * (docs/sync.md, rule 6), started here rather than waited for.
 */
async function asAdmin(method: string, db: 'cart' | 'history', path: string, body?: unknown): Promise<Response> {
  const { url, admin, shopper: account } = server.running;
  const name = db === 'cart' ? account.dbName : `${account.dbName}-history`;
  const response = await fetch(`${url}/${name}/${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (method !== 'GET') shopper.client.sync?.pull();
  return response;
}

/** An item as a device writes it, with `overrides`. */
function itemBody(id: string, overrides: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    id, listId: 'cart', url: 'https://shop.example/p/planted', shop: 'shop.example', title: 'Planted 7701', priceMinor: 100, currency: 'EUR',
    imageUrl: null, variant: null, quantity: 1, note: '', addedAt: now, addedBy: 'server', updatedAt: now, updatedBy: 'server', deleted: false,
    addedPriceMinor: 100, priceHistory: [], ...overrides,
  };
}

const reportFor = (id: string) => waitFor(shopper.client.unreadableNotices.notices$, (notices) => notices.some((notice) => notice.id === id), 15_000);
const visible = (state: CartState) => selectItems(state).map((item) => `${item.title}|${item.quantity}|${item.url}`);
const reasonFor = (id: string) => reported.find((error) => error.details?.documentId === id)?.details?.reason;

beforeAll(async () => {
  server = await startTestServer();
  shopper = await startDevice('shopper', server.account, { passwordKdf });
  shopper.client.unreadable$.subscribe((error) => reported.push(error));
  await shopper.client.sync!.awaitInSync();
});

afterAll(async () => {
  await shopper?.close();
  await server?.dispose();
});

describe('a document the server wrote in a sealed cart', () => {
  it('a plain item (quantity −5, a foreign link) is reported and never shown', async () => {
    const id = 'planted-plain-1';
    const { id: _, ...body } = itemBody(id, { quantity: -5, url: 'https://attacker.example/pay', title: 'Planted plain 7702' });
    void _;
    expect((await asAdmin('PUT', 'cart', id, body)).status).toBe(201);
    await reportFor(id);
    expect(reasonFor(id)).toBe('unsealed');
    expect(visible(shopper.client.store.getState()).join()).not.toMatch(/Planted plain|attacker/);
    expect(shopper.client.store.getState().items[id]?.deleted ?? true).toBe(true);
  });

  it('a plain history document is reported and never read into the history', async () => {
    const id = '0mwww9sm50000:server';
    expect((await asAdmin('PUT', 'history', encodeURIComponent(id), { e: [{ i: 'planted-plain-1', s: id, q: 5 }], d: 'Planted device 7703' })).status).toBe(201);
    await reportFor(id);
    expect(reasonFor(id)).toBe('unsealed');
    const history = await shopper.client.history.read();
    expect(JSON.stringify(history)).not.toContain('Planted device 7703');
  });

  it('a sealed envelope whose values break the commands\' rules (quantity −5, a javascript: link) is reported and never shown', async () => {
    // Only the shopper's devices hold the key: sealed here as a device with a fault, or someone with
    // the key but not the app, would seal it. The seal itself checks nothing; opening does.
    const seal = itemSeal(shopper.account.keyring()!);
    for (const [id, overrides] of [
      ['sealed-bad-quantity', { quantity: -5, title: 'Sealed bad quantity 7704' }],
      ['sealed-bad-link', { url: 'javascript:alert(document.cookie)', title: 'Sealed bad link 7705' }],
    ] as const) {
      const { enc, fp } = await seal.seal(itemBody(id, overrides));
      expect((await asAdmin('PUT', 'cart', id, { enc, fp })).status).toBe(201);
      await reportFor(id);
      expect(reasonFor(id)).toBe('values');
    }
    expect(visible(shopper.client.store.getState()).join()).not.toMatch(/Sealed bad|javascript/);
  });

  it('an item of the cart overwritten in plain, or given clear fields, or another item\'s envelope, keeps this device\'s copy, named in the notice', async () => {
    const kept: string[] = [];
    for (const title of ['Kept teapot 7706', 'Kept kettle 7707', 'Kept mugs 7708']) {
      const { written } = await shopper.client.store.dispatch(cartCommands.add({ url: `https://shop.example/p/${kept.length}`, title, priceMinor: 2500, currency: 'EUR', imageUrl: null, variant: null }));
      kept.push(written[0]!.id);
    }
    await shopper.client.sync!.awaitInSync();
    const current = async (id: string) => (await (await asAdmin('GET', 'cart', id)).json()) as { _rev: string; enc: string; fp: string };
    const [teapot, kettle, mugs] = kept as [string, string, string];
    const { _rev: teapotRev } = await current(teapot);
    expect((await asAdmin('PUT', 'cart', teapot, { ...itemBody(teapot, { quantity: -5, title: 'Kept teapot 7706' }), id: undefined, _rev: teapotRev })).status).toBe(201);
    const kettleNow = await current(kettle);
    expect((await asAdmin('PUT', 'cart', kettle, { ...kettleNow, quantity: 40 })).status).toBe(201);
    const mugsNow = await current(mugs);
    expect((await asAdmin('PUT', 'cart', mugs, { _rev: mugsNow._rev, enc: kettleNow.enc, fp: kettleNow.fp })).status).toBe(201);
    for (const id of kept) await reportFor(id);
    expect([reasonFor(teapot), reasonFor(kettle), reasonFor(mugs)]).toEqual(['unsealed', 'format', 'authentication']);
    const notices = shopper.client.unreadableNotices.getNotices();
    expect(notices.find((notice) => notice.id === teapot)?.message).toContain('“Kept teapot 7706” could not be read from the sync server');
    const shown = visible(shopper.client.store.getState());
    ['Kept teapot 7706', 'Kept kettle 7707', 'Kept mugs 7708'].forEach((title, index) => expect(shown).toContain(`${title}|1|https://shop.example/p/${index}`));

    // The next change to one sends this device's copy again, sealed: the server's copy is repaired.
    await shopper.client.store.dispatch(cartCommands.setQuantity(teapot, 2));
    await shopper.client.sync!.awaitInSync();
    await expect.poll(async () => Object.keys(await current(teapot)).sort()).toEqual(['_id', '_rev', 'enc', 'fp']);
    await waitForState(shopper, (state) => state.items[teapot]?.quantity === 2);
  });

  it('an item deleted by the server (a CouchDB deletion, sealed removals being inside the envelope) stays in the cart, reported', async () => {
    const { written } = await shopper.client.store.dispatch(cartCommands.add({ url: 'https://shop.example/p/lamp', title: 'Kept lamp 7709', priceMinor: 900, currency: 'EUR', imageUrl: null, variant: null }));
    const id = written[0]!.id;
    await shopper.client.sync!.awaitInSync();
    const { _rev } = (await (await asAdmin('GET', 'cart', id)).json()) as { _rev: string };
    expect((await asAdmin('DELETE', 'cart', `${id}?rev=${_rev}`)).status).toBe(200);
    await reportFor(id);
    expect(visible(shopper.client.store.getState())).toContain('Kept lamp 7709|1|https://shop.example/p/lamp');
    // A removal by the shopper still syncs: it travels inside the envelope.
    await shopper.client.store.dispatch(cartCommands.remove(id));
    await shopper.client.sync!.awaitInSync();
    const stored = (await (await asAdmin('GET', 'cart', id)).json()) as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual(['_id', '_rev', 'enc', 'fp']);
  });

  it('a recent history document deleted by the server stays in this device\'s history, reported; pruning\'s removals of old ones still sync', async () => {
    const rows = ((await (await asAdmin('GET', 'history', '_all_docs')).json()) as { rows: { id: string; value: { rev: string } }[] }).rows;
    const mine = rows.find((row) => row.id.endsWith(':shopper'))!;
    const entryIds = async () => (await shopper.client.history.read()).entries.map((entry) => entry.id);
    const before = await entryIds();
    expect(before.length).toBeGreaterThan(0);
    expect((await asAdmin('DELETE', 'history', `${encodeURIComponent(mine.id)}?rev=${mine.value.rev}`)).status).toBe(200);
    await reportFor(mine.id);
    expect(reasonFor(mine.id)).toBe('removed');
    // Every entry the device held is still in its history (a change recorded meanwhile may join them).
    expect(await entryIds()).toEqual(expect.arrayContaining(before));
    // (Old documents' removals, which every device makes when it prunes, are taken: test/sync/history.test.ts.)
  });
});
