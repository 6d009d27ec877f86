/**
 * Items sealed on the device, through the real gateway and CouchDB: the server keeps only ciphertext,
 * a damaged document on the server is reported and set aside without costing anything else, and
 * concurrent edits still merge. The devices sign in as the shopper, unlock the account's data key, and
 * sync with it (`configureSync(target, { keyring })`).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { firstValueFrom } from 'rxjs';
import { filter, take, toArray } from 'rxjs/operators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems, syncTargetOf, type CartState, type ToteError } from '@tote/core';
import { createDevice, startDevice, waitForPhase, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { tableBlocks } from '../support/leveldb.ts';

/** Values no server file, document or log may ever contain. */
const SECRETS = {
  title: 'Zyxquorn velvet tricorn hat',
  url: 'https://qwibblemart.example/p/zyxquorn-9931',
  note: 'for Aunt Philomena, hide before Thursday',
  price: 987_654,
  edited: 'grvnflx replacement note',
};

let server: TestServer;
let laptop: Device;
let phone: Device;
const devices: Device[] = [];

/** Signs in and syncs with the account's keys. */
async function sealedDevice(name: string): Promise<Device> {
  const device = await startDevice(name, server.account);
  devices.push(device);
  const keyring = device.account.keyring();
  expect(keyring).not.toBeNull();
  await device.client.configureSync(syncTargetOf(device.saved.session!), { keyring });
  await waitForPhase(device, 'in-sync');
  return device;
}

const couch = () => {
  const { url, admin, shopper } = server.running;
  const auth = `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}`;
  return {
    db: `${url}/${shopper.dbName}`,
    async get<T>(pathname: string): Promise<T> {
      const response = await fetch(`${url}${pathname}`, { headers: { authorization: auth } });
      return (await response.json()) as T;
    },
    async put(pathname: string, body: unknown) {
      const response = await fetch(`${url}${pathname}`, { method: 'PUT', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.ok).toBe(true);
    },
  };
};

/**
 * Every file under the server's data folder, as text (LevelDB tables, logs, the gateway's state), and
 * LevelDB's tables block by block decompressed: a plain read does not see what moved into them.
 */
async function everythingOnDisk(dir: string): Promise<string> {
  let text = '';
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    // A file written beside its final name and renamed over it (the gateway's state, `*.tmp`) can be gone
    // by the time it is read: its content is in the file it became, which is read too.
    const bytes = await readFile(path.join(entry.parentPath, entry.name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (bytes === null) continue;
    text += bytes.toString('latin1');
    for (const block of tableBlocks(bytes)) text += block.toString('latin1');
  }
  return text;
}

/** Everything the server answers an admin: every database's documents, changes and replication checkpoints. */
async function everythingOverHttp(): Promise<string> {
  const api = couch();
  let text = '';
  for (const db of await api.get<string[]>('/_all_dbs')) {
    const name = encodeURIComponent(db);
    text += JSON.stringify(await api.get(`/${name}/_all_docs?include_docs=true&attachments=true`));
    text += JSON.stringify(await api.get(`/${name}/_changes?include_docs=true&style=all_docs`));
    text += JSON.stringify(await api.get(`/${name}/_local_docs?include_docs=true`).catch(() => null));
  }
  return text;
}

/**
 * The secrets found in a text. The price is looked for as a number of its own, as JSON or any text
 * writes it: its six digits inside a longer number (a timestamp, a LevelDB sequence number, a byte
 * count on the server's disk) are not the shopper's price.
 */
function leaks(text: string): string[] {
  return Object.entries(SECRETS).filter(([, value]) => (typeof value === 'number' ? new RegExp(`(?<!\\d)${value}(?!\\d)`).test(text) : text.includes(value)))
    .map(([key]) => key);
}

beforeAll(async () => {
  server = await startTestServer();
  laptop = await sealedDevice('laptop');
  phone = await sealedDevice('phone');
});

afterAll(async () => {
  for (const device of devices) await device.close();
  await server?.dispose();
});

const titled = (title: string) => (state: CartState) => selectItems(state).some((item) => item.title === title);

describe('end-to-end encryption through the real server', () => {
  it('the server keeps only ciphertext: nothing the shopper typed is found on its disk, in its documents or its logs', async () => {
    const { written } = await laptop.client.store.dispatch(cartCommands.add({
      url: SECRETS.url, title: SECRETS.title, priceMinor: SECRETS.price, currency: 'EUR', imageUrl: null, variant: 'size L',
    }));
    const id = written[0]!.id;
    await laptop.client.store.dispatch(cartCommands.setNote(id, SECRETS.note));
    await waitForState(phone, (state) => state.items[id]?.note === SECRETS.note);
    await phone.client.store.dispatch(cartCommands.setNote(id, SECRETS.edited));
    await waitForState(laptop, (state) => state.items[id]?.note === SECRETS.edited);
    expect(phone.client.store.getState().items[id]).toMatchObject({ title: SECRETS.title, url: SECRETS.url, priceMinor: SECRETS.price });
    await server.running.gateway.flushAudit();

    // What the server keeps of the item: its id, its revision and two opaque strings.
    const stored = await couch().get<Record<string, unknown>>(`/${server.running.shopper.dbName}/${id}`);
    expect(Object.keys(stored).sort()).toEqual(['_id', '_rev', 'enc', 'fp']);

    expect(leaks(await everythingOverHttp())).toEqual([]);
    expect(leaks(await everythingOnDisk(server.dataDir))).toEqual([]);

    // The search itself works: a device syncing without keys (as Tote did before encryption) leaves its
    // text in the same places.
    const plain = await createDevice('plain', server.account);
    devices.push(plain);
    await plain.account.signIn(plain.serverUrl, server.account.username, server.account.password);
    await plain.client.configureSync(syncTargetOf(plain.saved.session!));
    const marker = 'Plaintext control item 4417';
    await plain.client.store.dispatch(cartCommands.add({ url: 'https://control.example/p/1', title: marker, priceMinor: 100, currency: 'EUR', imageUrl: null, variant: null }));
    await plain.client.sync?.awaitInSync();
    expect(await everythingOverHttp()).toContain(marker);
    expect(await everythingOnDisk(server.dataDir)).toContain(marker);
    await plain.client.configureSync(null);
  });

  it('a document changed on the server is reported, the device keeps its good copy, and sync goes on', async () => {
    const { written } = await laptop.client.store.dispatch(cartCommands.add({
      url: 'https://shop.example/p/teapot', title: 'Cast-iron teapot', priceMinor: 4500, currency: 'EUR', imageUrl: null, variant: null,
    }));
    const id = written[0]!.id;
    await waitForState(phone, (state) => state.items[id]?.title === 'Cast-iron teapot');
    const reported = firstValueFrom(phone.client.unreadable$.pipe(filter((error) => error.details?.documentId === id), take(1), toArray()));

    // Someone with the server's disks flips a byte in the ciphertext.
    const api = couch();
    const stored = await api.get<{ _rev: string; enc: string }>(`/${server.running.shopper.dbName}/${id}`);
    const flipped = stored.enc.slice(0, 40) + (stored.enc[40] === 'A' ? 'B' : 'A') + stored.enc.slice(41);
    await api.put(`/${server.running.shopper.dbName}/${id}`, { ...stored, enc: flipped });
    // Written straight to CouchDB, it is announced on no live channel: the phone reads it at its next
    // catch-up pull (docs/sync.md, rule 6), started here rather than waited for.
    phone.client.sync!.pull();

    const [error] = (await reported) as ToteError[];
    expect(error).toMatchObject({ code: 'DECRYPT_FAILED' });
    expect(error!.message).toMatch(/could not be read.*other items are fine/);
    expect(phone.client.store.getState().items[id]).toMatchObject({ title: 'Cast-iron teapot', quantity: 1, deleted: false });

    // Sync goes on for everything else.
    await laptop.client.store.dispatch(cartCommands.add({ url: 'https://shop.example/p/cups', title: 'Tea cups', priceMinor: 1200, currency: 'EUR', imageUrl: null, variant: null }));
    await waitForState(phone, titled('Tea cups'));

    // The next change to the item from a device with a good copy repairs it on the server.
    await phone.client.store.dispatch(cartCommands.setQuantity(id, 2));
    await waitForState(laptop, (state) => state.items[id]?.quantity === 2 && state.items[id]?.title === 'Cast-iron teapot');
  });

  it('two devices editing one item offline still merge field by field', async () => {
    const { written } = await laptop.client.store.dispatch(cartCommands.add({
      url: 'https://shop.example/p/kettle', title: 'Kettle', priceMinor: 3000, currency: 'EUR', imageUrl: null, variant: null,
    }));
    const id = written[0]!.id;
    await waitForState(phone, (state) => state.items[id] !== undefined);
    laptop.network.goOffline();
    phone.network.goOffline();
    await Promise.all([waitForPhase(laptop, 'offline'), waitForPhase(phone, 'offline')]);
    await laptop.client.store.dispatch(cartCommands.setNote(id, 'the red one'));
    await phone.client.store.dispatch(cartCommands.setQuantity(id, 3));
    laptop.network.goOnline();
    laptop.client.sync?.reconnect();
    await laptop.client.sync?.awaitInSync();
    phone.network.goOnline();
    phone.client.sync?.reconnect();
    await phone.client.sync?.awaitInSync();
    await waitForState(laptop, (state) => state.items[id]?.quantity === 3 && state.items[id]?.note === 'the red one');
    await waitForState(phone, (state) => state.items[id]?.quantity === 3 && state.items[id]?.note === 'the red one');
  });
});
