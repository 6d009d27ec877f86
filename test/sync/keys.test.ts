/**
 * The shopper's data key across devices, through the real sync server: made and wrapped at sign-up
 * (with the password and a recovery key shown once), kept wrapped on the server, unlocked on every
 * device the shopper signs in on, and re-wrapped by a password change. Production Argon2id settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isToteError, newRecoveryKey, openGuestKey, parseAccountKeyRecord, unlockWithPassword, unlockWithRecoveryKey,
  wrapAccountKeys, createKeyring, DEFAULT_PASSWORD_KDF, type AccountKeyRecord, type Keyring,
} from '@tote/core';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { createDevice, waitForAccount, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const crypto = globalThis.crypto;
let server: TestServer;
let http: GatewayClient;
const devices: Device[] = [];

async function device(name: string): Promise<Device> {
  const created = await createDevice(name, server.account);
  devices.push(created);
  return created;
}

async function recordOn(token: string): Promise<AccountKeyRecord | null> {
  const answer = await http.request<{ keyring: unknown }>('GET', '/_tote/keyring', { token });
  expect(answer.status).toBe(200);
  return answer.body.keyring === null ? null : parseAccountKeyRecord(answer.body.keyring);
}

/** The same data key: what one device's document cipher encrypts, the other's decrypts. */
async function sameKey(a: Keyring, b: Keyring): Promise<void> {
  const item = { title: 'Walnut desk', priceMinor: 12_900, note: 'for the study' };
  expect(await b.cipher.decrypt('item-1', await a.cipher.encrypt('item-1', item))).toEqual(item);
  expect(await a.cipher.decrypt('item-2', await b.cipher.encrypt('item-2', item))).toEqual(item);
}

beforeAll(async () => {
  server = await startTestServer();
  http = gatewayClient(server.account.serverUrl, server.account.cert);
});

afterAll(async () => {
  for (const created of devices) await created.close();
  await http?.close();
  await server?.dispose();
});

describe('the shopper\'s data key across devices', () => {
  let recoveryKey: string;
  let envelope: string;

  it('sign-up makes the key, stores it wrapped on the server and shows the recovery key once', async () => {
    const laptop = await device('laptop');
    await laptop.account.signUp(laptop.serverUrl, 'kim@example.com', 'kim first password');
    const state = laptop.account.getState();
    expect(state).toMatchObject({ phase: 'signed-in', unlocked: true });
    expect(state.recoveryKey).toMatch(/^([0-9A-Z]{4}-){13}[0-9A-Z]{4}$/);
    recoveryKey = state.recoveryKey!;
    const keyring = laptop.account.keyring()!;
    expect(keyring).not.toBeNull();
    envelope = await keyring.cipher.encrypt('item-1', { title: 'Kettle' });

    const record = await recordOn(laptop.saved.session!.token);
    expect(record).toMatchObject({ version: 1, password: { kind: 'password', kdf: DEFAULT_PASSWORD_KDF }, recovery: { kind: 'recovery' } });
    const onServer = JSON.stringify(record);
    expect(onServer).not.toContain('kim first password');
    expect(onServer).not.toContain(recoveryKey);
    // Neither the recovery key nor the data key is kept by the device's session store.
    expect(JSON.stringify(laptop.saved.session)).not.toContain(recoveryKey);
    expect(laptop.saved.session!.guestKey ?? null).toBeNull();

    laptop.account.acknowledgeRecoveryKey();
    expect(laptop.account.getState().recoveryKey).toBeNull();
    expect(laptop.account.keyring()).toBe(keyring);
  });

  it('a second device signing in unlocks the same key; no recovery key is shown there', async () => {
    const laptop = devices.find((created) => created.name === 'laptop')!;
    const phone = await device('phone');
    await phone.account.signIn(phone.serverUrl, 'kim@example.com', 'kim first password');
    expect(phone.account.getState()).toMatchObject({ phase: 'signed-in', unlocked: true, recoveryKey: null });
    await sameKey(laptop.account.keyring()!, phone.account.keyring()!);
    expect(await phone.account.keyring()!.cipher.decrypt('item-1', envelope)).toEqual({ title: 'Kettle' });
  });

  it('a password change re-wraps the same key: the other device signs in with the new password and still reads the cart', async () => {
    const laptop = devices.find((created) => created.name === 'laptop')!;
    const phone = devices.find((created) => created.name === 'phone')!;
    const before = await recordOn(laptop.saved.session!.token);
    await laptop.account.changePassword('kim first password', 'kim second password');
    expect(laptop.account.getState()).toMatchObject({ phase: 'signed-in', unlocked: true, recoveryKey: null });
    const after = (await recordOn(laptop.saved.session!.token))!;
    expect(after.password.salt).not.toBe(before!.password.salt);
    expect(after.recovery).toEqual(before!.recovery);

    // The change signed the phone out: it learns so at its next request, and forgets the key with the session.
    await phone.account.staySignedIn();
    await waitForAccount(phone, (state) => state.phase === 'expired');
    expect(phone.account.keyring()).toBeNull();
    expect(phone.account.getState().unlocked).toBe(false);

    await phone.account.signIn(phone.serverUrl, 'kim@example.com', 'kim second password');
    expect(phone.account.getState().unlocked).toBe(true);
    expect(await phone.account.keyring()!.cipher.decrypt('item-1', envelope)).toEqual({ title: 'Kettle' });
    await sameKey(laptop.account.keyring()!, phone.account.keyring()!);
  });

  it('the old password no longer unlocks anything; the recovery key does', async () => {
    const laptop = devices.find((created) => created.name === 'laptop')!;
    const tablet = await device('tablet');
    await expect(tablet.account.signIn(tablet.serverUrl, 'kim@example.com', 'kim first password')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(tablet.account.keyring()).toBeNull();

    const record = (await recordOn(laptop.saved.session!.token))!;
    await expect(unlockWithPassword(crypto, record, 'kim first password')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    const recovered = await unlockWithRecoveryKey(crypto, record, recoveryKey);
    expect(await recovered.cipher.decrypt('item-1', envelope)).toEqual({ title: 'Kettle' });
    await sameKey(recovered, laptop.account.keyring()!);
    await expect(unlockWithRecoveryKey(crypto, record, newRecoveryKey(crypto))).rejects.toMatchObject({ code: 'WRONG_RECOVERY_KEY' });
  });

  it('signing out forgets the key', async () => {
    const laptop = devices.find((created) => created.name === 'laptop')!;
    await laptop.account.signOut();
    expect(laptop.account.keyring()).toBeNull();
    expect(laptop.account.getState().unlocked).toBe(false);
  });
});

describe('accounts without a record, records that do not open, and guests', () => {
  it('an account from before keys were kept on the server gets its record at the next sign-in', async () => {
    const desk = await device('desk');
    expect(await recordOn((await http.logIn(server.account.username, server.account.password)).body.token as string)).toBeNull();
    await desk.account.signIn(desk.serverUrl, server.account.username, server.account.password);
    expect(desk.account.getState()).toMatchObject({ unlocked: true, recoveryKey: expect.stringMatching(/^[0-9A-Z-]{69}$/) });
    const record = (await recordOn(desk.saved.session!.token))!;
    await sameKey(await unlockWithPassword(crypto, record, server.account.password), desk.account.keyring()!);
  });

  it('when the password signs in but does not open the record, sign-in is refused with a clear error and nothing is kept', async () => {
    const opened = await http.signUp('lee@example.com', 'lee password one');
    // A record this password does not open (the password was reset on the server, say).
    const { record } = await wrapAccountKeys(crypto, await createKeyring(crypto), 'some other password');
    expect((await http.request('PUT', '/_tote/keyring', { token: opened.token, body: { keyring: record } })).status).toBe(201);

    const shelf = await device('shelf');
    const error = await shelf.account.signIn(shelf.serverUrl, 'lee@example.com', 'lee password one').catch((caught: unknown) => caught);
    expect(isToteError(error, 'WRONG_PASSWORD')).toBe(true);
    expect((error as Error).message).toMatch(/does not unlock your cart's keys.*recovery key/);
    expect(shelf.account.getState()).toMatchObject({ phase: 'signed-out', unlocked: false });
    expect(shelf.account.keyring()).toBeNull();
    expect(shelf.saved.session).toBeNull();
    expect(shelf.client.sync).toBeNull();
  });

  it('a guest\'s key is made on the device and kept with its stored session, never on the server', async () => {
    const kiosk = await device('kiosk');
    await kiosk.account.continueAsGuest(kiosk.serverUrl);
    expect(kiosk.account.getState()).toMatchObject({ guest: true, unlocked: true, recoveryKey: null });
    const guestKey = kiosk.saved.session!.guestKey!;
    expect(guestKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await sameKey(kiosk.account.keyring()!, await openGuestKey(crypto, guestKey));
    expect((await http.request('GET', '/_tote/keyring', { token: kiosk.saved.session!.token })).status).toBe(403);

    // The same stored session opened again (the app restarted) has the same key.
    const restarted = await device('kiosk-restarted');
    restarted.saved.session = kiosk.saved.session;
    await restarted.account.start();
    await sameKey(kiosk.account.keyring()!, restarted.account.keyring()!);
  });
});
