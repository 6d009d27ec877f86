/**
 * The backup restore the issue asks for, with real Tote devices whose carts are sealed with the shopper's
 * keys, through the real gateway and CouchDB: a backup is taken, the cart is emptied on a device and
 * synced, every device is wiped, support restores the backup with the support tool (its function, then
 * the `npm run support` command as a child process), and a brand-new device signs in and reads the cart.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems, syncTargetOf, type CartState } from '@tote/core';
import { couchAdmin, dayOf, findShopper, readBackup, runSupportCommand, SUPPORT_EXIT, type AuditEntry } from '@tote/sync-server';
import { startDevice, waitForPhase, waitForState, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const CART = [
  { title: 'Quillmere linen duvet cover', url: 'https://shop.example/p/quillmere-duvet', priceMinor: 8_900, quantity: 1 },
  { title: 'Brassvale espresso tamper 58mm', url: 'https://shop.example/p/brassvale-tamper', priceMinor: 3_450, quantity: 2 },
  { title: 'Ottersley wool throw, moss green', url: 'https://shop.example/p/ottersley-throw', priceMinor: 12_000, quantity: 1 },
];
const TITLES = CART.map((item) => item.title).sort();
const NOTE = 'wrap separately for Imogen';

let server: TestServer;
const open: Device[] = [];

/** A device signed in as the shopper, syncing with the account's keys (sealed items). */
async function sealedDevice(name: string): Promise<Device> {
  const device = await startDevice(name, server.account);
  open.push(device);
  await device.client.configureSync(syncTargetOf(device.saved.session!), { keyring: device.account.keyring() });
  await waitForPhase(device, 'in-sync');
  return device;
}

/** Closes a device and drops its storage (memory storage: gone with the database; each device has its own name). */
async function wipe(device: Device): Promise<void> {
  await device.close();
  open.splice(open.indexOf(device), 1);
}

const titles = (state: CartState) => selectItems(state).map((item) => item.title).sort();
const admin = () => couchAdmin(server.running.url, server.running.admin);

/** The revision number of each document in the shopper's cart, as the server holds it. */
async function serverRevs(): Promise<Record<string, number>> {
  const all = await admin().db(server.running.shopper.dbName).list();
  return Object.fromEntries(all.rows.map((row) => [row.id, Number.parseInt(row.value.rev, 10)]));
}

/** Removes every item on `device` and waits until the server holds the removals. */
async function emptyCart(device: Device): Promise<void> {
  const before = await serverRevs();
  for (const item of selectItems(device.client.store.getState())) await device.client.store.dispatch(cartCommands.remove(item.id));
  await waitForState(device, (state) => selectItems(state).length === 0);
  await expect.poll(async () => {
    const now = await serverRevs();
    return Object.keys(before).every((id) => (now[id] ?? 0) > before[id]!);
  }).toBe(true);
}

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  for (const device of [...open]) await device.close();
  await server?.dispose();
});

describe('restoring a backup for a shopper who lost their cart', () => {
  let day: string;

  it('takes a backup of the sealed cart that holds no plaintext', async () => {
    const laptop = await sealedDevice('laptop');
    const phone = await sealedDevice('phone');
    for (const item of CART) {
      await laptop.client.store.dispatch(cartCommands.add({ url: item.url, title: item.title, priceMinor: item.priceMinor, currency: 'EUR', imageUrl: null, variant: null }, { quantity: item.quantity }));
    }
    const lamp = selectItems(laptop.client.store.getState()).find((item) => item.title === CART[0]!.title)!;
    await laptop.client.store.dispatch(cartCommands.setNote(lamp.id, NOTE));
    await waitForState(phone, (state) => titles(state).join() === TITLES.join() && selectItems(state).some((item) => item.note === NOTE));
    await waitForPhase(laptop, 'in-sync');

    const run = await server.running.backups.run();
    expect(run).toMatchObject({ failed: 0 });
    day = dayOf(Date.now());
    const shopper = await findShopper(admin(), server.account.username);
    const { summary, content } = await readBackup(admin(), shopper, day);
    expect(summary.databases.find((db) => db.role === 'cart')!.docs).toBe(3);
    const stored = JSON.stringify(content);
    for (const secret of [...TITLES, NOTE, 'shop.example', '8900', '3450']) expect(stored).not.toContain(secret);
    expect(content.databases[shopper.dbName]!.every((doc) => typeof doc.enc === 'string' && typeof doc.fp === 'string')).toBe(true);

    // The cart is emptied on the phone and synced; then every device is wiped.
    await emptyCart(phone);
    await waitForState(laptop, (state) => selectItems(state).length === 0);
    await wipe(laptop);
    await wipe(phone);
  });

  it('support restores it with the support tool, and a brand-new device reads the original cart', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSupportCommand(
      ['restore-backup', server.account.username, day, '--reason', 'TICKET-9001 emptied the wrong cart', '--as', 'sam.support'],
      { env: { TOTE_DATA_DIR: server.dataDir, TOTE_PORT: new URL(server.running.url).port }, out: (line) => out.push(line), err: (line) => err.push(line) },
    );
    expect(err).toEqual([]);
    expect(code).toBe(SUPPORT_EXIT.ok);
    expect(out.join('\n')).toContain(`${server.running.shopper.dbName}: 3 documents written back`);
    for (const title of TITLES) expect(out.join('\n')).not.toContain(title);

    const tablet = await sealedDevice('tablet');
    const state = await waitForState(tablet, (cart) => titles(cart).join() === TITLES.join());
    expect(selectItems(state).map((item) => [item.title, item.quantity, item.priceMinor]).sort()).toEqual(
      CART.map((item) => [item.title, item.quantity, item.priceMinor]).sort(),
    );
    expect(selectItems(state).find((item) => item.title === CART[0]!.title)!.note).toBe(NOTE);

    await server.running.gateway.flushAudit();
    const audit = await admin().db<AuditEntry>('tote-audit').list({ include_docs: true });
    const restores = audit.rows.map((row) => row.doc!).filter((entry) => entry.action === 'support.restore-backup');
    expect(restores).toEqual([expect.objectContaining({
      actor: 'sam.support', role: 'support', target: server.running.shopper.dbName,
      detail: expect.objectContaining({ shopper: server.account.username, day, reason: 'TICKET-9001 emptied the wrong cart', written: 3 }),
    })]);
    for (const title of TITLES) expect(JSON.stringify(audit)).not.toContain(title);
  });

  it('works the same with `npm run support` as a child process, and a device still connected gets the cart back too', async () => {
    const tablet = open.find((device) => device.name === 'tablet')!;
    const watcher = await sealedDevice('watcher');
    await waitForState(watcher, (cart) => titles(cart).join() === TITLES.join());
    await emptyCart(tablet);
    await waitForState(watcher, (cart) => selectItems(cart).length === 0);
    await wipe(tablet);

    const root = path.resolve(import.meta.dirname, '../..');
    const child = spawn('npm', ['run', 'support', '-w', '@tote/sync-server', '--', 'restore-backup', server.account.username, day, '--reason', 'TICKET-9002', '--as', 'sam.support'], {
      cwd: root, env: { ...process.env, TOTE_DATA_DIR: server.dataDir, TOTE_PORT: new URL(server.running.url).port }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exit = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr.replace(/npm warn[^\n]*\n?/gi, '')).toBe('');
    expect(exit).toBe(0);
    expect(stdout).toContain(`Restored ${server.account.username}'s data of ${day}:`);
    for (const title of TITLES) expect(stdout).not.toContain(title);

    // The device that stayed connected is told (live channel) and pulls the restored cart. (Generous
    // waits: on a busy machine the command's own start, a child process with its own compiler, takes long.)
    await waitForState(watcher, (cart) => titles(cart).join() === TITLES.join(), 60_000);
    const desktop = await sealedDevice('desktop');
    await waitForState(desktop, (cart) => titles(cart).join() === TITLES.join(), 60_000);

    // A refusal from the command line: non-zero exit and the reason on stderr.
    const refused = spawn('npm', ['run', '--silent', 'support', '-w', '@tote/sync-server', '--', 'backups', 'nobody-at-all', '--as', 'sam.support'], {
      cwd: root, env: { ...process.env, TOTE_DATA_DIR: server.dataDir, TOTE_PORT: new URL(server.running.url).port }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let refusedErr = '';
    refused.stderr.on('data', (chunk: Buffer) => { refusedErr += chunk.toString(); });
    expect(await new Promise<number | null>((resolve) => refused.on('close', resolve))).toBe(SUPPORT_EXIT.refused);
    expect(refusedErr).toContain('There is no shopper named "nobody-at-all".');
  });
});
