/**
 * Rule 6 of docs/cart-manager.md ("Availability"): a device still on the version before availability
 * (item schema 1), beside one on this version, through the real gateway and CouchDB. The older device is
 * the real older core: its sources are taken from the commit before item schema 2 (`git archive`) into
 * `.tmp/`, and run as they were. Without the repository's history (a shallow clone) the test is skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands, selectItems } from '@tote/core';
import { startDevice, waitFor, waitForPhase, waitForState, type Account, type Device } from '../support/devices.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const olderDir = path.join(root, '.tmp/core-item-schema-1');

/** The commit before the one that made the item schema version 2, or null without the history. */
function olderCommit(): string | null {
  try {
    // The first commit that wrote "version: 2," (a later schema version removing it must not be taken).
    const v2 = execFileSync('git', ['-C', root, 'log', '--reverse', '--format=%H', '-G', 'version: 2,', '--', 'core/src/persistence/item-schema.ts'],
      { encoding: 'utf8' }).split('\n')[0]!.trim();
    return v2 ? execFileSync('git', ['-C', root, 'rev-parse', `${v2}^`], { encoding: 'utf8' }).trim() : null;
  } catch {
    return null;
  }
}
const commit = olderCommit();

// The older core's public entry, typed as this one's (its shape for what the test uses is the same).
type Core = typeof import('@tote/core');
let older: Core;
let server: TestServer;
let laptop: Device;
let phone: { client: ReturnType<Core['createToteClient']> extends Promise<infer C> ? C : never; close(): Promise<void> };

/** A device of the older version, signed in: what test/support/devices.ts does, with the older core. */
async function startOlderDevice(account: Account) {
  const agent = new Agent({ connect: { ca: account.cert } });
  const trustingFetch = ((input: string, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;
  const client = await older.createToteClient({ storage: getRxStorageMemory(), name: 'device-older-phone', device: { id: 'phone', name: 'phone' }, fetch: trustingFetch, retryMs: 200 });
  let saved: unknown = null;
  const session = older.createAccountSession({
    client, api: older.accountApi(trustingFetch, { name: 'phone' }),
    store: { load: async () => saved as never, save: async (next) => { saved = next; } },
    webSocket: (url: string) => new WebSocket(url, { ca: account.cert }) as never,
  });
  await session.signIn(account.serverUrl, account.username, account.password);
  return {
    client,
    async close() {
      await session.close();
      await client.close();
      await agent.destroy();
    },
  };
}

const product = (slug: string, availability?: 'in_stock' | 'out_of_stock') => ({
  url: `https://camp.example/p/${slug}`, title: `Product ${slug}`, priceMinor: 2450, currency: 'EUR', imageUrl: null, variant: null,
  ...(availability ? { availability } : {}),
});

describe.skipIf(commit === null)('a device still on the version before availability', () => {
  beforeAll(async () => {
    rmSync(olderDir, { recursive: true, force: true });
    mkdirSync(olderDir, { recursive: true });
    const archive = execFileSync('git', ['-C', root, 'archive', commit!, 'core/src']);
    execFileSync('tar', ['-x', '-C', olderDir], { input: archive });
    older = await import(/* @vite-ignore */ path.join(olderDir, 'core/src/index.ts')) as Core;
    // Truly the older core: it has no availability filter.
    expect('isUnavailable' in older).toBe(false);
    server = await startTestServer();
    laptop = await startDevice('laptop', server.account);
    phone = await startOlderDevice(server.account);
    await waitForPhase(laptop, 'in-sync');
  }, 60_000);

  afterAll(async () => {
    await phone?.close();
    await laptop?.close();
    await server?.dispose();
    rmSync(olderDir, { recursive: true, force: true });
  });

  const onPhone = () => selectItems(phone.client.store.getState()).map((item) => item.title).sort();
  const phoneHas = (predicate: (titles: string[]) => boolean) =>
    waitFor(phone.client.store.state$, () => predicate(onPhone()), 15_000, 'the older device\'s cart');
  const unreadableOnPhone = (id: string) =>
    waitFor(phone.client.unreadableNotices.notices$, (notices) => notices.some((notice) => notice.id === id), 15_000, 'a notice');

  it('reads every item whose availability is unknown, and sets aside, never misreads, one that knows it', async () => {
    const stove = (await laptop.client.store.dispatch(cartCommands.add(product('stove')))).written[0]!.id;
    const lantern = (await laptop.client.store.dispatch(cartCommands.add(product('lantern', 'out_of_stock')))).written[0]!.id;
    await phoneHas((titles) => titles.includes('Product stove'));
    const notices = await unreadableOnPhone(lantern);
    expect(notices.find((notice) => notice.id === lantern)?.message).toMatch(/could not be read/);
    expect(onPhone()).toEqual(['Product stove']);
    expect(phone.client.store.getState().items[stove]).not.toHaveProperty('availability');
  });

  it('keeps its own copy of an item that came to know its availability; its edit of that copy does not take the reading away', async () => {
    const tent = (await laptop.client.store.dispatch(cartCommands.add(product('tent')))).written[0]!.id;
    await phoneHas((titles) => titles.includes('Product tent'));
    await laptop.client.store.dispatch(cartCommands.priceSeen(product('tent').url, 2450, 'EUR', 'out_of_stock'));
    const notices = await unreadableOnPhone(tent);
    expect(notices.find((notice) => notice.id === tent)?.message).toContain('“Product tent” could not be read from the sync server');
    expect(phone.client.store.getState().items[tent]).toMatchObject({ title: 'Product tent', quantity: 1 });
    // The older device's change carries its whole copy, without availability: this version takes the
    // change and keeps the reading it had, and its next change sends the reading again.
    await phone.client.store.dispatch(older.cartCommands.setQuantity(tent, 2));
    const state = await waitForState(laptop, (s) => s.items[tent]?.quantity === 2, 15_000);
    expect(state.items[tent]).toMatchObject({ title: 'Product tent', deleted: false, availability: 'out_of_stock' });
    await laptop.client.store.dispatch(cartCommands.setNote(tent, 'for the trip'));
    await laptop.client.sync?.awaitInSync();
    // What the server now holds, as a new device of this version gets it.
    const tablet = await startDevice('tablet', server.account);
    try {
      const fresh = await waitForState(tablet, (s) => s.items[tent]?.note === 'for the trip', 15_000);
      expect(fresh.items[tent]).toMatchObject({ quantity: 2, availability: 'out_of_stock' });
    } finally {
      await tablet.close();
    }
    // And the older device, set aside again, still has its own copy with its quantity.
    expect(phone.client.store.getState().items[tent]).toMatchObject({ quantity: 2 });
  });
});
