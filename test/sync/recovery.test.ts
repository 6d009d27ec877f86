/**
 * "Forgot password? Use your recovery key" across devices, through the real sync server: the recovery
 * key written down at sign-up signs a new device in with a new password, unlocks the same data key and
 * signs every other device out. A mistyped key and another cart's key change nothing.
 * Production Argon2id settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authSecret, cartCommands, isToteError, newRecoveryKey, parseAccountKeyRecord, selectItems, unlockWithPassword, type Keyring } from '@tote/core';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { createDevice, waitForAccount, waitForPhase, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const crypto = globalThis.crypto;
const NAME = 'nina@example.com';
let server: TestServer;
let http: GatewayClient;
let laptop: Device;
let phone: Device;
let recoveryKey: string;

async function sameKey(a: Keyring, b: Keyring): Promise<void> {
  const item = { title: 'Walnut desk', priceMinor: 12_900, note: 'for the study' };
  expect(await b.cipher.decrypt('item-1', await a.cipher.encrypt('item-1', item))).toEqual(item);
  expect(await a.cipher.decrypt('item-2', await b.cipher.encrypt('item-2', item))).toEqual(item);
}

/**
 * Whether the server still takes this password for the account (a 401 counts as one failed sign-in),
 * sent as a device sends it: its auth secret.
 */
async function signsIn(password: string): Promise<boolean> {
  const answer = await http.logIn(NAME, await authSecret(crypto, NAME, password));
  if (answer.status === 200) await http.request('POST', '/_tote/logout', { token: (answer.body as { token: string }).token });
  return answer.status === 200;
}

beforeAll(async () => {
  server = await startTestServer();
  http = gatewayClient(server.account.serverUrl, server.account.cert);
  laptop = await createDevice('laptop', server.account);
  phone = await createDevice('phone', server.account);
  await laptop.account.signUp(laptop.serverUrl, NAME, 'nina first password');
  recoveryKey = laptop.account.getState().recoveryKey!;
  laptop.account.acknowledgeRecoveryKey();
  await laptop.client.store.dispatch(cartCommands.add({
    url: 'https://shop.example/p/kettle', title: 'Kettle', priceMinor: 2999, currency: 'EUR', imageUrl: null, variant: null,
  }));
  await laptop.client.sync!.awaitInSync();
});

afterAll(async () => {
  await laptop?.close();
  await phone?.close();
  await http?.close();
  await server?.dispose();
});

describe('signing in with the recovery key when the password is forgotten', () => {
  it('a mistyped recovery key says what to check, and nothing changes', async () => {
    const last = recoveryKey.at(-1)!;
    const typo = `${recoveryKey.slice(0, -1)}${last === '7' ? '8' : '7'}`;
    const error = await phone.account.recover(phone.serverUrl, NAME, typo, 'nina new password').catch((caught: unknown) => caught);
    expect(isToteError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toMatch(/typo.*Compare it with the one you wrote down/);
    const short = await phone.account.recover(phone.serverUrl, NAME, recoveryKey.slice(0, -5), 'nina new password').catch((caught: unknown) => caught);
    expect(short).toMatchObject({ code: 'INVALID_INPUT', details: { reason: 'length' } });
    expect(phone.account.getState()).toMatchObject({ phase: 'signed-out', unlocked: false });
    expect(await signsIn('nina first password')).toBe(true);
  });

  it('another cart\'s recovery key (well-formed) is refused with WRONG_RECOVERY_KEY, and nothing changes', async () => {
    const error = await phone.account.recover(phone.serverUrl, NAME, newRecoveryKey(crypto), 'nina new password').catch((caught: unknown) => caught);
    expect(isToteError(error, 'WRONG_RECOVERY_KEY')).toBe(true);
    expect((error as Error).message).toMatch(/does not match the account/);
    // The same for a name with no account: nothing tells the two apart.
    const nobody = await phone.account.recover(phone.serverUrl, 'nobody@example.com', recoveryKey, 'nina new password').catch((caught: unknown) => caught);
    expect(nobody).toMatchObject({ code: 'WRONG_RECOVERY_KEY', message: (error as Error).message });
    expect(phone.account.getState()).toMatchObject({ phase: 'signed-out', unlocked: false });
    expect(phone.account.keyring()).toBeNull();
    expect(phone.saved.session).toBeNull();
    expect(await signsIn('nina first password')).toBe(true);
    await laptop.account.staySignedIn();
    expect(laptop.account.getState()).toMatchObject({ phase: 'signed-in', unlocked: true });
  });

  it('the right recovery key signs the new device in with a new password, unlocked with the same key, and signs the others out', async () => {
    await phone.account.recover(phone.serverUrl, `  ${NAME.toUpperCase()}`, recoveryKey.toLowerCase(), 'nina new password');
    expect(phone.account.getState()).toMatchObject({ phase: 'signed-in', name: NAME, unlocked: true, recoveryKey: null });
    await sameKey(laptop.account.keyring()!, phone.account.keyring()!);
    await waitForPhase(phone, 'in-sync');
    await waitForState(phone, (state) => selectItems(state).some((item) => item.title === 'Kettle'));

    // The laptop's session ended with the old password; it forgets the key.
    await laptop.account.staySignedIn();
    await waitForAccount(laptop, (state) => state.phase === 'expired');
    expect(laptop.account.keyring()).toBeNull();

    // The new password is the password now, and it opens the key record.
    expect(await signsIn('nina first password')).toBe(false);
    const record = parseAccountKeyRecord((await http.request<{ keyring: unknown }>('GET', '/_tote/keyring', { token: phone.saved.session!.token })).body.keyring);
    await sameKey(await unlockWithPassword(crypto, record, 'nina new password'), phone.account.keyring()!);
    await laptop.account.signIn(laptop.serverUrl, NAME, 'nina new password');
    expect(laptop.account.getState()).toMatchObject({ phase: 'signed-in', unlocked: true });
    await sameKey(laptop.account.keyring()!, phone.account.keyring()!);

    // The recovery key keeps working: it was not used up.
    const again = await createDevice('tablet', server.account);
    try {
      await again.account.recover(again.serverUrl, NAME, recoveryKey, 'nina third password');
      expect(again.account.getState()).toMatchObject({ phase: 'signed-in', unlocked: true });
      await sameKey(again.account.keyring()!, phone.account.keyring()!);
    } finally {
      await again.close();
    }
  });
});
