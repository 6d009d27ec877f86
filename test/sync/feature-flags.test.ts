/**
 * Rollout and rollback (docs/operations.md): the gateway serves feature flags, the devices read them when
 * they connect and whenever the live channel says they changed, and turning `live-docs` off brings the
 * devices back to the path from before it (documents fetched with `_changes`) without losing a change,
 * writes in flight included. Real devices, sealed, through the real gateway over HTTPS; the admin uses the
 * gateway's routes as an operator would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems, type CartState } from '@tote/core';
import { startDevice, waitFor, waitForAgreement, waitForPhase, waitForState, type Device } from '../support/devices.ts';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const passwordKdf = { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 } as const;
const product = (slug: string) => ({
  url: `https://shop.example/p/${slug}`, title: `Product ${slug}`, priceMinor: 1200, currency: 'EUR', imageUrl: null, variant: null,
});
const titles = (state: CartState) => selectItems(state).map((item) => item.title).sort();

/** A device's fetch whose `_changes` answers can be held back: the request reaches the server, its answer waits for `release`. */
function changesGate() {
  const held: (() => void)[] = [];
  const gate = {
    cut: false,
    release() {
      gate.cut = false;
      held.splice(0).forEach((resume) => resume());
    },
    via: (inner: typeof fetch): typeof fetch => (async (input: string, init?: RequestInit) => {
      const response = await inner(input, init);
      if (gate.cut && String(input).includes('/_changes?')) await new Promise<void>((resume) => held.push(resume));
      return response;
    }) as typeof fetch,
  };
  return gate;
}

let server: TestServer;
let client: GatewayClient;
let adminToken: string;
let shopperToken: string;

const setShare = (share: unknown, flag = 'live-docs') => client.request<{ flags: { name: string; share: number }[] }>('PUT', `/_tote/admin/flags/${flag}`, { token: adminToken, body: { share } });

beforeAll(async () => {
  server = await startTestServer();
  client = gatewayClient(server.account.serverUrl, server.account.cert);
  adminToken = ((await client.logIn(server.running.admin.name, server.running.admin.password, 'operator')).body as { token: string }).token;
  shopperToken = ((await client.logIn(server.account.username, server.account.password, 'flags reader')).body as { token: string }).token;
});

afterAll(async () => {
  await client?.close();
  await server?.dispose();
});

describe('the gateway\'s feature flags', () => {
  it('tells a shopper their flags, lets only an admin set a share, and refuses bad shares and unknown flags', async () => {
    expect((await client.request('GET', '/_tote/flags', { token: shopperToken })).body).toEqual({ flags: { 'live-docs': true } });
    expect((await client.request('GET', '/_tote/flags')).status).toBe(401);
    expect((await client.request('PUT', '/_tote/admin/flags/live-docs', { token: shopperToken, body: { share: 0 } })).status).toBe(403);
    expect((await client.request('GET', '/_tote/admin/flags', { token: shopperToken })).status).toBe(403);
    for (const share of [150, -1, '0', 12.345]) expect((await setShare(share)).status, String(share)).toBe(400);
    expect((await setShare(0, 'live-dcos')).status).toBe(404);
    const listed = await client.request<{ flags: { name: string; share: number; defaultShare: number }[] }>('GET', '/_tote/admin/flags', { token: adminToken });
    expect(listed.body.flags).toEqual([expect.objectContaining({ name: 'live-docs', share: 100, defaultShare: 100 })]);
  });
});

describe('rolling `live-docs` back', () => {
  let laptop: Device;
  let phone: Device;
  const gate = changesGate();

  beforeAll(async () => {
    laptop = await startDevice('laptop', server.account, { passwordKdf });
    phone = await startDevice('phone', server.account, { passwordKdf, fetchVia: gate.via });
    await Promise.all([waitForPhase(laptop, 'in-sync'), waitForPhase(phone, 'in-sync')]);
    await waitFor(phone.account.state$, (state) => state.devicesOnline.length === 1 && state.flags['live-docs'] === true);
  });

  afterAll(async () => {
    gate.release();
    await laptop?.close();
    await phone?.close();
    await setShare(100);
  });

  it('moves the devices back to `_changes` at once, loses no change made across the switch, and comes back when turned on', async () => {
    // On: a change reaches the phone on the live channel alone.
    gate.cut = true;
    const { written } = await laptop.client.store.dispatch(cartCommands.add(product('before')));
    await waitForState(phone, (state) => state.items[written[0]!.id] !== undefined, 20_000);
    gate.release();

    // Off, while the laptop keeps writing: both devices hear of it and read their flags again.
    const burst = (label: string) => (async () => {
      for (let index = 0; index < 10; index += 1) await laptop.client.store.dispatch(cartCommands.add(product(`${label}-${index}`)));
    })();
    const writing = burst('across');
    expect((await setShare(0)).status).toBe(200);
    await Promise.all([laptop, phone].map((device) => waitFor(device.account.state$, (state) => state.flags['live-docs'] === false, 10_000)));
    await writing;
    await waitForAgreement(laptop, phone, titles, 20_000);
    expect(titles(phone.client.store.getState()).filter((title) => title.startsWith('Product across-'))).toHaveLength(10);

    // Off: with `_changes` held back, a change no longer arrives; once it answers, it does.
    gate.cut = true;
    const off = (await laptop.client.store.dispatch(cartCommands.add(product('while-off')))).written[0]!.id;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(phone.client.store.getState().items[off]).toBeUndefined();
    gate.release();
    await waitForState(phone, (state) => state.items[off] !== undefined, 20_000);

    // A device that connects while it is off reads it when it connects.
    const tablet = await startDevice('tablet', server.account, { passwordKdf });
    try {
      await waitFor(tablet.account.state$, (state) => state.phase === 'signed-in' && state.flags['live-docs'] === false, 10_000);
    } finally {
      await tablet.close();
    }

    // On again: the live path is back.
    expect((await setShare(100)).status).toBe(200);
    await waitFor(phone.account.state$, (state) => state.flags['live-docs'] === true, 10_000);
    gate.cut = true;
    const on = (await laptop.client.store.dispatch(cartCommands.add(product('back-on')))).written[0]!.id;
    await waitForState(phone, (state) => state.items[on] !== undefined, 20_000);
    gate.release();
    await waitForAgreement(laptop, phone, titles, 20_000);
    expect(titles(laptop.client.store.getState())).toHaveLength(1 + 10 + 1 + 1);

    // Each change is audited with who made it (newest first).
    await expect.poll(async () => {
      const audit = await client.request<{ entries: { actor: string; target: string; detail: { share: number } }[] }>('GET', '/_tote/admin/audit?action=admin.flag-set', { token: adminToken });
      return audit.body.entries.map((entry) => [entry.actor, entry.target, entry.detail.share]);
    }, { timeout: 10_000 }).toEqual([[server.running.admin.name, 'live-docs', 100], [server.running.admin.name, 'live-docs', 0]]);
  });
});
