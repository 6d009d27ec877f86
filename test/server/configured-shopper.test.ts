/**
 * The shopper account the server makes from its configuration (`<dataDir>/shopper.json` here): when the
 * operator changes its password, the account's key record stays (docs/sync-server.md, provisioning step
 * 7). A device signing in with the new password is asked for the recovery key, which unlocks the same
 * cart: nothing sealed before is lost.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems, syncTargetOf } from '@tote/core';
import { createDevice, startDevice, waitForPhase, waitForState, type Device } from '../support/devices.ts';
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

describe('the configured shopper\'s password changed by the operator', () => {
  it('keeps the cart\'s key: the recovery key unlocks the same, sealed cart with the new password', async () => {
    const laptop = await startDevice('laptop', server.account);
    devices.push(laptop);
    const recoveryKey = laptop.account.getState().recoveryKey!;
    expect(recoveryKey).toBeTruthy();
    await laptop.client.configureSync(syncTargetOf(laptop.saved.session!), { keyring: laptop.account.keyring() });
    await waitForPhase(laptop, 'in-sync');
    await laptop.client.store.dispatch(cartCommands.add({ url: 'https://shop.example/p/globe', title: 'Brass globe 6631', priceMinor: 8800, currency: 'EUR', imageUrl: null, variant: null }));
    await laptop.client.sync!.awaitInSync();

    // The operator writes a new password into the configuration and restarts the server.
    const file = path.join(server.dataDir, 'shopper.json');
    const newPassword = 'operator set this 7741';
    await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')) as object, password: newPassword }));
    await server.stop();
    await server.restart();

    const phone = await createDevice('phone', server.account);
    devices.push(phone);
    await expect(phone.account.signIn(phone.serverUrl, server.account.username, newPassword)).rejects.toMatchObject({
      code: 'WRONG_PASSWORD', message: expect.stringMatching(/recovery key/),
    });
    await phone.account.recover(phone.serverUrl, server.account.username, recoveryKey, 'the shopper now chose 5520');
    await waitForState(phone, (state) => selectItems(state).some((item) => item.title === 'Brass globe 6631'));
  });
});
