/**
 * Accounts from the devices' side, through the real gateway over TLS: sessions that end (revoked,
 * idle) never cost the shopper a change, the idle warning and "stay signed in", and guest carts that
 * merge into an account on sign-in.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems, type CartState } from '@tote/core';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { createDevice, waitForAccount, waitForPhase, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const product = (slug: string, variant: string | null = null) => ({
  url: `https://shop.example/p/${slug}`, title: `Product ${slug}`, priceMinor: 1000, currency: 'EUR', imageUrl: null, variant,
});
const titles = (state: CartState) => selectItems(state).map((item) => `${item.title} x${item.quantity}`).sort();

let offset = 0;
const clock = { now: () => Date.now() + offset };
let server: TestServer;
let admin: GatewayClient;
const devices: Device[] = [];

async function device(name: string): Promise<Device> {
  const created = await createDevice(name, server.account, { clock });
  devices.push(created);
  return created;
}

beforeAll(async () => {
  server = await startTestServer({ tuning: { now: clock.now, live: { warnBeforeMs: 2 * 60_000, checkEveryMs: 200 } } });
  admin = gatewayClient(server.account.serverUrl, server.account.cert);
});

// Each test's devices are closed after it: RxDB's open core allows 13 open collections per process.
afterEach(async () => {
  for (const created of devices.splice(0)) await created.close();
});

afterAll(async () => {
  await admin?.close();
  await server?.dispose();
});

describe('the live channel', () => {
  it('only speeds sync up: with it down, changes still reach the other device (long-polling)', async () => {
    const laptop = await createDevice('quiet-laptop', server.account, { clock, webSocket: false });
    const phone = await createDevice('quiet-phone', server.account, { clock, webSocket: false });
    devices.push(laptop, phone);
    await laptop.account.signUp(laptop.serverUrl, 'quiet@example.com', 'quiet password');
    await phone.account.signIn(phone.serverUrl, 'quiet@example.com', 'quiet password');
    await Promise.all([waitForPhase(laptop, 'in-sync'), waitForPhase(phone, 'in-sync')]);
    expect(server.running.gateway.liveConnections()).toBe(0); // the first devices of this file: no socket anywhere
    await laptop.client.store.dispatch(cartCommands.add(product('without-live-channel')));
    await waitForState(phone, (state) => titles(state).includes('Product without-live-channel x1'));
    const [item] = selectItems(phone.client.store.getState());
    await phone.client.store.dispatch(cartCommands.setQuantity(item!.id, 3));
    await waitForState(laptop, (state) => titles(state).includes('Product without-live-channel x3'));
  });
});

describe('sessions that end', () => {
  it('a device signed out from another device keeps its changes and sends them after signing in again', async () => {
    const laptop = await device('laptop');
    const phone = await device('phone');
    await laptop.account.signUp(laptop.serverUrl, 'grace@example.com', 'grace password');
    await phone.account.signIn(phone.serverUrl, 'grace@example.com', 'grace password');
    await Promise.all([waitForPhase(laptop, 'in-sync'), waitForPhase(phone, 'in-sync')]);
    await waitForAccount(laptop, (state) => state.devicesOnline.some((other) => other.device === 'phone'));

    // The phone ends the laptop's session (lost laptop, say).
    const phoneSession = phone.saved.session!;
    const list = await admin.request<{ sessions: { id: string; device: string }[] }>('GET', '/_tote/sessions', { token: phoneSession.token });
    const laptopId = list.body.sessions.find((session) => session.device === 'laptop')!.id;
    expect((await admin.request('DELETE', `/_tote/sessions/${laptopId}`, { token: phoneSession.token })).status).toBe(204);
    const ended = await waitForAccount(laptop, (state) => state.phase === 'expired');
    expect(ended.notice).toMatch(/signed out from another device/);

    // Changes made meanwhile stay on the laptop …
    await laptop.client.store.dispatch(cartCommands.add(product('while-signed-out')));
    await laptop.client.store.dispatch(cartCommands.add(product('also-while-signed-out')));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(titles(phone.client.store.getState())).toEqual([]);

    // … and reach the phone once the shopper signs in again.
    await laptop.account.signIn(laptop.serverUrl, 'grace@example.com', 'grace password');
    expect(laptop.account.getState().phase).toBe('signed-in');
    const seen = await waitForState(phone, (state) => selectItems(state).length === 2);
    expect(titles(seen)).toEqual(['Product also-while-signed-out x1', 'Product while-signed-out x1']);
  });

  it('warns before an idle session ends, stays signed in on request, and after the end asks to sign in without losing anything', async () => {
    const tablet = await device('tablet');
    await tablet.account.signUp(tablet.serverUrl, 'heidi@example.com', 'heidi password');
    await waitForPhase(tablet, 'in-sync');
    const { expiresAt } = tablet.account.getState();
    expect(expiresAt! - clock.now()).toBeGreaterThan(29 * 60_000); // the default: 30 minutes

    offset += expiresAt! - clock.now() - 60_000; // a minute left
    const warned = await waitForAccount(tablet, (state) => state.phase === 'expiring');
    expect(Math.abs(warned.expiresAt! - expiresAt!)).toBeLessThan(2000);
    await tablet.account.staySignedIn();
    expect(tablet.account.getState().phase).toBe('signed-in');
    expect(tablet.account.getState().expiresAt! - clock.now()).toBeGreaterThan(29 * 60_000);

    offset += 31 * 60_000; // away for longer than the timeout
    await waitForAccount(tablet, (state) => state.phase === 'expired');
    await tablet.client.store.dispatch(cartCommands.add(product('added-after-timeout')));
    await tablet.account.signIn(tablet.serverUrl, 'heidi@example.com', 'heidi password');
    await tablet.client.sync!.awaitInSync();
    const check = await createDevice('check', server.account, { clock });
    devices.push(check);
    await check.account.signIn(check.serverUrl, 'heidi@example.com', 'heidi password');
    await waitForState(check, (state) => titles(state).includes('Product added-after-timeout x1'));
  });

  it('a wrong password is refused with a clear error and changes nothing', async () => {
    const stranger = await device('stranger');
    await expect(stranger.account.signIn(stranger.serverUrl, 'heidi@example.com', 'not heidi')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(stranger.account.getState().phase).toBe('signed-out');
    expect(stranger.client.sync).toBeNull();
  });
});

describe('guest carts', () => {
  it('a guest cart syncs, and on sign-in merges into the account: same product and variant summed, the rest added, the guest removed', async () => {
    const home = await device('home');
    await home.account.signUp(home.serverUrl, 'ivan@example.com', 'ivan password');
    await home.client.store.dispatch(cartCommands.add(product('kettle'), { quantity: 2 }));
    await home.client.store.dispatch(cartCommands.add(product('shirt', 'M')));
    await home.client.sync!.awaitInSync();

    const shop = await device('shop-floor');
    await shop.account.continueAsGuest(shop.serverUrl);
    expect(shop.account.getState()).toMatchObject({ phase: 'signed-in', guest: true });
    await shop.client.store.dispatch(cartCommands.add(product('kettle'), { quantity: 3 }));
    await shop.client.store.dispatch(cartCommands.add(product('shirt', 'L')));
    await shop.client.store.dispatch(cartCommands.add(product('mug')));
    await shop.client.sync!.awaitInSync();
    const guest = shop.saved.session!;

    await shop.account.signIn(shop.serverUrl, 'ivan@example.com', 'ivan password');
    const notice = shop.account.getState().notice;
    expect(notice).toMatch(/2 items from this device added/);
    expect(notice).toMatch(/"Product kettle" was in both: quantity now 5 \(was 2 and 3\)/);
    expect(shop.account.getState()).toMatchObject({ guest: false, name: 'ivan@example.com' });

    const expected = ['Product kettle x5', 'Product mug x1', 'Product shirt x1', 'Product shirt x1'];
    await waitForState(home, (state) => JSON.stringify(titles(state)) === JSON.stringify(expected));
    await waitForState(shop, (state) => JSON.stringify(titles(state)) === JSON.stringify(expected));
    // The guest is gone from the server.
    expect((await admin.logIn(guest.name, guest.guestSecret!)).status).toBe(401);
  });
});
