/**
 * The apps' sync is sealed whenever the cart's key is unlocked, through the real gateway and CouchDB:
 * a signed-in shopper's items reach the server only as ciphertext; a device that starts without the key
 * (locked) syncs nothing until the password unlocks it; and a cart synced in plain before encryption
 * was switched on is sealed on the server from the copies of the device that holds it, while plain
 * documents on the server (an app not updated yet, or anyone with the server's disks) are never read:
 * the updated devices report them and show nothing of them (more in untrusted-server.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authSecret, cartCommands, memoryKeyStore, selectItems, type Argon2idParams, type CartState, type KeyStorePort } from '@tote/core';
import { createDevice, waitFor, waitForAccount, waitForPhase, waitForState, type Device } from '../support/devices.ts';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Cheap Argon2id: these tests are about sync, not the KDF's cost. */
const passwordKdf: Argon2idParams = { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 };
const product = (title: string) => ({ url: `https://shop.example/p/${encodeURIComponent(title)}`, title, priceMinor: 2500, currency: 'EUR', imageUrl: null, variant: null });
const hasTitle = (title: string) => (state: CartState) => selectItems(state).some((item) => item.title === title);

let server: TestServer;
let http: GatewayClient;
const devices: Device[] = [];

async function device(name: string, keyStore?: KeyStorePort): Promise<Device> {
  const created = await createDevice(name, server.account, { passwordKdf, ...(keyStore ? { keyStore } : {}) });
  devices.push(created);
  return created;
}

/** The latest revision of every document in the shopper's database (or its history's), as the server's admin reads it. */
async function serverDocs(db: 'cart' | 'history' = 'cart'): Promise<Record<string, unknown>[]> {
  const { url, admin, shopper } = server.running;
  const name = db === 'cart' ? shopper.dbName : `${shopper.dbName}-history`;
  const response = await fetch(`${url}/${name}/_all_docs?include_docs=true`, {
    headers: { authorization: `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}` },
  });
  return ((await response.json()) as { rows: { doc: Record<string, unknown> }[] }).rows.map((row) => row.doc);
}

const serverText = async () => JSON.stringify(await serverDocs());

beforeAll(async () => {
  server = await startTestServer();
  http = gatewayClient(server.account.serverUrl, server.account.cert);
});

afterAll(async () => {
  for (const created of devices) await created.close();
  await http?.close();
  await server?.dispose();
});

describe('a cart synced in plain before encryption was switched on', () => {
  let old: Device;
  let phone: Device;
  const plainTitles = ['Plain era teapot 5521', 'Plain era kettle 5522', 'Plain era mugs 5523'];

  it('is sealed on the server from the copies of the device that holds it: no plaintext left in any latest revision', async () => {
    // The device as an older Tote ran it: signed in, syncing items as they are.
    old = await device('old');
    const login = await http.logIn(server.account.username, server.account.password, 'old app');
    expect(login.status).toBe(200);
    const { token, account } = login.body as { token: string; account: { dbName: string } };
    await old.client.configureSync({ dbUrl: `${old.serverUrl}/${account.dbName}`, token });
    for (const title of plainTitles) await old.client.store.dispatch(cartCommands.add(product(title)));
    await old.client.sync!.awaitInSync();
    for (const title of plainTitles) expect(await serverText()).toContain(title); // the control: plain on the server
    expect(JSON.stringify(await serverDocs('history'))).toContain(plainTitles[0]); // history too
    await old.client.configureSync(null);

    // Changed while the app was being updated: waits on the device, was never sent in plain.
    const teapot = selectItems(old.client.store.getState()).find((item) => item.title === plainTitles[0])!;
    await old.client.store.dispatch(cartCommands.setNote(teapot.id, 'the blue one 5524'));

    // Another device with the new app is already signed in. It holds none of the plain items, and the
    // server's plain copies are not trusted: it reports each of them and shows none.
    const plainIds = selectItems(old.client.store.getState()).map((item) => item.id);
    phone = await device('phone');
    await phone.account.signIn(phone.serverUrl, server.account.username, server.account.password);
    await waitFor(phone.client.unreadableNotices.notices$, (notices) => plainIds.every((id) => notices.some((notice) => notice.id === id)));
    expect(selectItems(phone.client.store.getState())).toEqual([]);
    expect(await phone.client.sync!.sealedCopies).toMatchObject({ sealed: 0, left: 0, foreign: expect.any(Number) });

    // The updated app signs in: sealed sync, and the server's plain copies are replaced by its own, sealed.
    await old.account.signIn(old.serverUrl, server.account.username, server.account.password);
    expect(old.account.getState()).toMatchObject({ unlocked: true, locked: false });
    const result = await old.client.sync!.sealedCopies;
    expect(result).toMatchObject({ left: 0, foreign: 0 });
    // The kettle and the mugs by the pass (the teapot went out sealed with its note, and so did the
    // history batch of the three adds, which the note's entry joined).
    expect(result!.sealed).toBeGreaterThanOrEqual(plainTitles.length - 1);

    const docs = await serverDocs();
    expect(docs.length).toBeGreaterThanOrEqual(plainTitles.length);
    for (const doc of docs) expect(Object.keys(doc).sort()).toEqual(['_id', '_rev', 'enc', 'fp']);
    const text = JSON.stringify(docs);
    for (const secret of [...plainTitles, 'the blue one 5524', 'shop.example']) expect(text).not.toContain(secret);
    // The history database's copies too.
    const history = await serverDocs('history');
    expect(history.length).toBeGreaterThanOrEqual(1); // one batch: the three adds and the note, minutes apart
    for (const doc of history) expect(Object.keys(doc).sort()).toEqual(['_id', '_rev', 'enc', 'fp']);
    for (const secret of [...plainTitles, 'the blue one 5524', 'shop.example']) expect(JSON.stringify(history)).not.toContain(secret);

    // Done once: recorded on the device.
    const record = await old.client.db.getLocal<{ dbUrls: string[] }>('sealed-copies');
    expect(record?.get('dbUrls')).toEqual(expect.arrayContaining([`${old.serverUrl}/${account.dbName}/`, `${old.serverUrl}/${account.dbName}-history/`]));

    // Now sealed, everything reads on both devices, with the change made during the update; the old
    // device reported nothing (the plain copies it pulled before were its own).
    await waitForState(phone, (state) => state.items[teapot.id]?.note === 'the blue one 5524');
    expect(old.client.unreadableNotices.getNotices()).toEqual([]);
    for (const title of plainTitles) await waitForState(phone, hasTitle(title));
  });

  it('a plain document from a device not yet updated is not read: each updated device reports it and shows nothing', async () => {
    // The account took its derived secret at its first sign-in from a current device, so the password
    // no longer signs in: this sign-in sends the secret, then writes plain as an old app would.
    const secret = await authSecret(globalThis.crypto, server.account.username, server.account.password);
    const login = await http.logIn(server.account.username, secret, 'not updated');
    const { token, account } = login.body as { token: string; account: { dbName: string } };
    const id = 'written-by-an-old-app-1';
    const now = Date.now();
    const written = await http.request('PUT', `/${account.dbName}/${id}`, {
      token,
      body: {
        listId: 'cart', url: 'https://shop.example/p/old-app', shop: 'shop.example', title: 'From an old app 5525', priceMinor: 990, currency: 'EUR',
        imageUrl: null, variant: null, quantity: 1, note: '', addedAt: now, addedBy: 'old app', updatedAt: now, updatedBy: 'old app', deleted: false,
        addedPriceMinor: 990, priceHistory: [],
      },
    });
    expect(written.status).toBe(201);
    // The server cannot tell an old app's write from its operator's: neither is sealed with the shopper's
    // key, so neither is taken. (An old app's changes reach the cart once it is updated and sealing.)
    for (const each of [phone, old]) {
      const notices = await waitFor(each.client.unreadableNotices.notices$, (shown) => shown.some((notice) => notice.id === id));
      expect(notices.find((notice) => notice.id === id)).toMatchObject({ title: null, message: expect.stringContaining('could not be read') });
      expect(selectItems(each.client.store.getState()).map((item) => item.title)).not.toContain('From an old app 5525');
    }
    // No device holds a copy of it, so none seals it: it stays on the server as it was written.
    await phone.client.store.dispatch(cartCommands.add(product('A change after it 5528')));
    await waitForState(old, hasTitle('A change after it 5528'));
    expect((await serverDocs()).find((doc) => doc._id === id)).toMatchObject({ title: 'From an old app 5525' });
    expect(selectItems(old.client.store.getState()).map((item) => item.title)).not.toContain('From an old app 5525');
  });
});

describe('a signed-in device without its key (locked)', () => {
  it('syncs nothing until the password unlocks it; a wrong password changes nothing', async () => {
    const laptop = await device('laptop');
    await laptop.account.signIn(laptop.serverUrl, server.account.username, server.account.password);
    await waitForPhase(laptop, 'in-sync');

    // The app restarts without a key store: signed in, locked, sync off.
    await laptop.restart();
    await waitForAccount(laptop, (state) => state.phase === 'signed-in');
    expect(laptop.account.getState()).toMatchObject({ locked: true, unlocked: false, name: server.account.username });
    expect(laptop.client.sync).toBeNull();
    expect(laptop.account.keyring()).toBeNull();

    const { written } = await laptop.client.store.dispatch(cartCommands.add(product('Added while locked 5526')));
    const id = written[0]!.id;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await serverDocs()).map((doc) => doc._id)).not.toContain(id);

    await expect(laptop.account.unlock('not the password')).rejects.toMatchObject({
      code: 'WRONG_PASSWORD', message: expect.stringMatching(/does not unlock your cart.*recovery key/),
    });
    expect(laptop.account.getState()).toMatchObject({ locked: true, unlocked: false });
    expect(laptop.client.sync).toBeNull();

    await laptop.account.unlock(server.account.password);
    expect(laptop.account.getState()).toMatchObject({ locked: false, unlocked: true });
    await waitForState(phone(), hasTitle('Added while locked 5526'));
    const stored = (await serverDocs()).find((doc) => doc._id === id);
    expect(Object.keys(stored!).sort()).toEqual(['_id', '_rev', 'enc', 'fp']);
  });

  it('unlocks with the password while the server cannot be reached (the key record read last time), and syncs once it can', async () => {
    const laptop = devices.find((created) => created.name === 'laptop')!;
    await laptop.restart();
    await waitForAccount(laptop, (state) => state.locked);
    laptop.network.goOffline();
    await expect(laptop.account.unlock('not the password')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    await laptop.account.unlock(server.account.password);
    expect(laptop.account.getState()).toMatchObject({ locked: false, unlocked: true });
    await laptop.client.store.dispatch(cartCommands.add(product('Unlocked offline 5529')));
    laptop.network.goOnline();
    laptop.client.sync?.reconnect();
    await waitForState(phone(), hasTitle('Unlocked offline 5529'));
    expect(await serverText()).not.toContain('Unlocked offline 5529');
  });

  it('a locked device whose session ended meanwhile is told to sign in again when it tries to unlock', async () => {
    const laptop = devices.find((created) => created.name === 'laptop')!;
    await laptop.restart();
    await waitForAccount(laptop, (state) => state.locked);
    expect((await http.request('POST', '/_tote/logout', { token: laptop.saved.session!.token })).status).toBeLessThan(300);
    await expect(laptop.account.unlock(server.account.password)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    expect(laptop.account.getState()).toMatchObject({ phase: 'expired', locked: false, unlocked: false });
    expect(laptop.client.sync).toBeNull();
  });
});

describe('the key kept by the device (KeyStorePort)', () => {
  it('a restart stays unlocked and syncs sealed; sign-out clears the kept key', async () => {
    const kept = memoryKeyStore(); // survives the restart like storage.session survives a worker restart
    const tablet = await device('tablet', kept);
    await tablet.account.signIn(tablet.serverUrl, server.account.username, server.account.password);
    const keyId = `${tablet.serverUrl}#${server.account.username}`;
    expect((await kept.load(keyId))?.length).toBe(32);

    await tablet.restart();
    await waitForAccount(tablet, (state) => state.phase === 'signed-in');
    expect(tablet.account.getState()).toMatchObject({ locked: false, unlocked: true });
    const { written } = await tablet.client.store.dispatch(cartCommands.add(product('After a restart 5527')));
    await waitForState(phone(), hasTitle('After a restart 5527'));
    expect(Object.keys((await serverDocs()).find((doc) => doc._id === written[0]!.id)!).sort()).toEqual(['_id', '_rev', 'enc', 'fp']);

    // A damaged kept key unlocks nothing: locked, the password unlocks it and it is kept again.
    await kept.save(keyId, new Uint8Array(5));
    await tablet.restart();
    await waitForAccount(tablet, (state) => state.phase === 'signed-in');
    expect(tablet.account.getState()).toMatchObject({ locked: true });
    await tablet.account.unlock(server.account.password);
    expect((await kept.load(keyId))?.length).toBe(32);

    await tablet.account.signOut();
    expect(await kept.load(keyId)).toBeNull();
  });
});

function phone(): Device {
  return devices.find((created) => created.name === 'phone')!;
}
