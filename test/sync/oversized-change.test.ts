/**
 * A change the sync server refuses for its size (413): retrying cannot help, so the device says so
 * instead of "Syncing…" for good, and keeps the change. Against the real server, its per-document limit
 * lowered so that an item with a long title is over it.
 */
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems } from '@tote/core';
import { createDevice, waitFor, waitForPhase, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let device: Device;

beforeAll(async () => {
  server = await startTestServer({ tuning: { maxDocBytes: 700 } });
  device = await createDevice('laptop', server.account, { passwordKdf: { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 } });
  await device.account.signIn(device.serverUrl, server.account.username, server.account.password);
  await waitForPhase(device, 'in-sync');
});

afterAll(async () => {
  await device?.close();
  await server?.dispose();
});

describe('a change larger than the server takes', () => {
  it('shows a sync problem saying it stays on this device, and keeps it there', async () => {
    // A title near the longest a product may have, of letters that do not compress: its document is over the lowered limit.
    const title = `Oversized lamp 5512 ${Array.from({ length: 270 }, (_, index) => 'abcdefghijklmnopqrstuvwxyz'[(index * 7919 + 13) % 26]).join('')}`;
    await device.client.store.dispatch(cartCommands.add({
      url: 'https://shop.example/p/lamp', title, priceMinor: 4999, currency: 'EUR', imageUrl: null, variant: null, shop: 'shop.example',
    }));
    const status = await waitFor(device.client.syncStatus$, (next) => next.phase === 'error', 20_000);
    expect(status.problem?.message).toMatch(/larger than the sync server accepts.*stays on this device/);
    expect(selectItems(device.client.store.getState()).map((item) => item.title)).toEqual([title]);
    // Other requests keep answering (the changes feed): the problem stays shown until a write goes through.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await firstValueFrom(device.client.syncStatus$)).phase).toBe('error');
  });
});
