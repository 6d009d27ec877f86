/**
 * History follows its items a moment later (docs/history.md, rule 21a): through the real gateway and
 * CouchDB, sealed, a burst of changes (ten, 20 ms apart) sends the device's open history batch a few
 * times at most, not once per change, and the other device's history still gets every change of the burst.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands } from '@tote/core';
import { startDevice, waitForPhase, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
const devices: Device[] = [];

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  for (const device of devices) await device.close();
  await server?.dispose();
});

describe('history pushes', () => {
  it('sends a burst of changes as one version of the batch, and the other device gets every change', async () => {
    const pushes = { history: 0 };
    const counting = (inner: typeof fetch): typeof fetch => (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      if (init?.method === 'POST' && new URL(String(input)).pathname.endsWith('-history/_bulk_docs')) pushes.history += 1;
      return inner(input, init);
    }) as typeof fetch;
    const laptop = await startDevice('laptop', server.account, { fetchVia: counting });
    devices.push(laptop);
    const phone = await startDevice('phone', server.account);
    devices.push(phone);
    await Promise.all([waitForPhase(laptop, 'in-sync'), waitForPhase(phone, 'in-sync')]);

    const { written } = await laptop.client.store.dispatch(cartCommands.add({
      url: 'https://shop.example/kettle', title: 'Kettle', priceMinor: 2999, currency: 'EUR', imageUrl: null, variant: null,
    }));
    const id = written[0]!.id;
    const changesOnPhone = async () => (await phone.client.history.read()).entries.filter((entry) => entry.itemId === id).length;
    await expect.poll(changesOnPhone, { timeout: 10_000 }).toBe(1); // the add's history is out before counting starts

    pushes.history = 0;
    // A shopper stepping the quantity up: ten clicks, 20 ms apart.
    for (let quantity = 2; quantity <= 11; quantity += 1) {
      await laptop.client.store.dispatch(cartCommands.setQuantity(id, quantity));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await waitForState(phone, (state) => state.items[id]?.quantity === 11);
    await expect.poll(changesOnPhone, { timeout: 10_000 }).toBe(11);
    expect(pushes.history).toBeGreaterThanOrEqual(1);
    expect(pushes.history).toBeLessThanOrEqual(3); // one per change without the wait (10)

    // A change made just before the app closes: closing sends the waiting history at once.
    await laptop.client.store.dispatch(cartCommands.setQuantity(id, 12));
    await laptop.close();
    devices.splice(devices.indexOf(laptop), 1);
    await expect.poll(changesOnPhone, { timeout: 10_000 }).toBe(12);
  });
});
