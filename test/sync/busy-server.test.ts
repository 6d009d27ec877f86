/**
 * A gateway that refuses requests for a while (its per-address limit, 429 with Retry-After): the
 * device says so in its sync status instead of looking busy for ever, keeps every change, and sends
 * them all once the server takes requests again. The gateway's clock is the test's, so the limit's
 * minute passes at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems, type SyncStatus } from '@tote/core';
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
    // One change after another, each sent on its own, until the server refuses: on a busy machine the
    // replication sends several changes per request, so how many it takes varies.
    const seen: { busy: SyncStatus | null } = { busy: null };
    const watching = laptop.client.syncStatus$.subscribe((status) => { if (status.problem?.code === 'RATE_LIMITED') seen.busy ??= status; });
    let made = 0;
    while (seen.busy === null && made < 400) {
      await laptop.client.store.dispatch(cartCommands.add({
        url: `https://shop.example/p/${made}`, title: `Product ${made}`, priceMinor: 100 + made, currency: 'EUR', imageUrl: null, variant: null,
      }));
      made += 1;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    watching.unsubscribe();
    const busy = seen.busy;
    if (busy === null) throw new Error(`the server never refused, after ${made} changes`);
    expect(busy.phase).toBe('error');
    expect(busy.problem?.message).toContain('your changes are kept on this device');
    expect(selectItems(laptop.client.store.getState())).toHaveLength(made);

    offset += 61_000; // the limit's minute is over
    await waitFor(laptop.client.syncStatus$, (status) => status.phase === 'in-sync', 20_000);
    const phone = await startDevice('phone', server.account, { clock });
    devices.push(phone);
    await waitForState(phone, (state) => selectItems(state).length === made, 30_000);
  });
});
