/**
 * A gateway that refuses requests for a while (its per-address limit, 429 with Retry-After): the
 * device says so in its sync status instead of looking busy for ever, keeps every change, and sends
 * them all once the server takes requests again. The gateway's clock is the test's, so the limit's
 * minute passes at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems } from '@tote/core';
import { startDevice, waitFor, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let offset = 0;
const clock = { now: () => Date.now() + offset };
let server: TestServer;
const devices: Device[] = [];

beforeAll(async () => {
  server = await startTestServer({ tuning: { now: clock.now, rateLimits: { requestsPerMinute: 60 } } });
});

afterAll(async () => {
  for (const device of devices) await device.close();
  await server?.dispose();
});

describe('a busy sync server', () => {
  it('shows that the server is busy, keeps every change, and sends them all when it takes requests again', async () => {
    const laptop = await startDevice('laptop', server.account, { clock });
    devices.push(laptop);
    for (let i = 0; i < 40; i += 1) {
      await laptop.client.store.dispatch(cartCommands.add({
        url: `https://shop.example/p/${i}`, title: `Product ${i}`, priceMinor: 100 + i, currency: 'EUR', imageUrl: null, variant: null,
      }));
      await new Promise((resolve) => setTimeout(resolve, 25)); // one change after another, each sent on its own
    }
    const busy = await waitFor(laptop.client.syncStatus$, (status) => status.problem?.code === 'RATE_LIMITED', 20_000);
    expect(busy.phase).toBe('error');
    expect(busy.problem?.message).toContain('your changes are kept on this device');
    expect(selectItems(laptop.client.store.getState())).toHaveLength(40);

    offset += 61_000; // the limit's minute is over
    await waitFor(laptop.client.syncStatus$, (status) => status.phase === 'in-sync', 20_000);
    const phone = await startDevice('phone', server.account, { clock });
    devices.push(phone);
    await waitForState(phone, (state) => selectItems(state).length === 40, 20_000);
  });
});
