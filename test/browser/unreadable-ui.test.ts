/**
 * An item whose ciphertext was changed on the server, as the extension popup shows it, in real Chromium
 * against the real gateway (docs/encryption.md, "Decrypting"): the popup names the item, the copy in
 * the extension is kept and shown, and the notice goes when the shopper dismisses it. An item the
 * server's admin writes in plain into the shopper's database is never shown, only the notice.
 * (The desktop's side is in at-rest-ui.test.ts.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartCommands } from '@tote/core';
import { extensionId, launchWithExtension, trustCertificate } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
declare const chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } };
const TITLE = 'Pewter candlestick 3318';
const PLANTED = 'Planted in plain 3319';

let server: TestServer;
let profile: string;
let extension: BrowserContext;
let popup: Page;

beforeAll(async () => {
  server = await startTestServer();
  profile = await mkdtemp(path.join(tmpdir(), 'tote-unreadable-'));
  extension = await launchWithExtension(profile, path.join(root, 'extension/.output/chrome-mv3'), trustCertificate(server.running.gateway.spkiSha256));
  popup = await extension.newPage();
  await popup.goto(`chrome-extension://${await extensionId(extension)}/popup.html`);
});

afterAll(async () => {
  await extension?.close();
  await trusting?.close();
  await server?.dispose();
  if (profile) await rm(profile, { recursive: true, force: true });
});

/**
 * The server's admin writing into the shopper's cart database through the gateway, as Fauxton does: the
 * gateway tells the shopper's devices, which pull the database (docs/sync.md, rule 6).
 */
const admin = () => {
  const { admin: credentials, shopper } = server.running;
  const headers = { authorization: `Basic ${Buffer.from(`${credentials.name}:${credentials.password}`).toString('base64')}`, 'content-type': 'application/json' };
  return { url: `${server.account.serverUrl}/${shopper.dbName}`, headers };
};
let trusting: Agent | undefined;
const fetch = (input: string, init?: RequestInit) => {
  trusting ??= new Agent({ connect: { ca: server.account.cert } });
  return undiciFetch(input, { ...(init as object), dispatcher: trusting }) as unknown as Promise<Response>;
};

describe('the popup and an item changed on the server', () => {
  it('names the item, keeps showing the copy it has, and dismisses the notice', async () => {
    await popup.getByTestId('account-server').fill(server.account.serverUrl);
    await popup.getByTestId('account-name').fill(server.account.username);
    await popup.getByTestId('account-password').fill(server.account.password);
    await popup.getByTestId('account-signin').click();
    await expect.poll(() => popup.getByTestId('sync-status').textContent(), { timeout: 15_000 }).toContain('In sync');
    const command = cartCommands.add({ url: 'https://shop.example/p/candlestick', title: TITLE, priceMinor: 3400, currency: 'EUR', imageUrl: null, variant: null });
    expect(await popup.evaluate((sent) => chrome.runtime.sendMessage({ type: 'cart/dispatch', command: sent }), command as unknown as Record<string, unknown>)).toMatchObject({ ok: true });

    // Sealed on the server; then someone with the server's disks flips a byte of it.
    const { url, headers } = admin();
    const find = async () => ((await (await fetch(`${url}/_all_docs?include_docs=true`, { headers })).json()) as { rows: { doc: { _id: string; enc?: string } }[] }).rows.map((row) => row.doc).find((doc) => doc.enc);
    await expect.poll(async () => Boolean(await find()), { timeout: 10_000 }).toBe(true);
    const stored = (await find())!;
    const flipped = stored.enc!.slice(0, 40) + (stored.enc![40] === 'A' ? 'B' : 'A') + stored.enc!.slice(41);
    expect((await fetch(`${url}/${stored._id}`, { method: 'PUT', headers, body: JSON.stringify({ ...stored, enc: flipped }) })).status).toBe(201);

    await expect.poll(() => popup.getByTestId('unreadable').textContent(), { timeout: 15_000 }).toContain(`“${TITLE}” could not be read from the sync server`);
    expect(await popup.getByTestId('item-title').allTextContents()).toContain(TITLE);
    await popup.getByTestId('unreadable-dismiss').click();
    await expect.poll(() => popup.getByTestId('unreadable').count()).toBe(0);
  });

  it('shows the notice for an item planted in plain on the server, and never the item', async () => {
    const { url, headers } = admin();
    const now = Date.now();
    const planted = {
      listId: 'cart', url: 'https://attacker.example/pay', shop: 'attacker.example', title: PLANTED, priceMinor: 100, currency: 'EUR',
      imageUrl: null, variant: null, quantity: -5, note: '', addedAt: now, addedBy: 'server', updatedAt: now, updatedBy: 'server', deleted: false,
      addedPriceMinor: 100, priceHistory: [],
    };
    expect((await fetch(`${url}/planted-in-plain-3319`, { method: 'PUT', headers, body: JSON.stringify(planted) })).status).toBe(201);

    await expect.poll(async () => (await popup.getByTestId('unreadable').allTextContents()).join('\n'), { timeout: 15_000 })
      .toContain('An item in your cart could not be read');
    // The rest of the cart is still there; the planted item never is, here or after the popup reopens.
    expect(await popup.getByTestId('item-title').allTextContents()).toContain(TITLE);
    expect(await popup.getByTestId('item-title').allTextContents()).not.toContain(PLANTED);
    await popup.reload();
    await expect.poll(() => popup.getByTestId('item-title').allTextContents(), { timeout: 10_000 }).toContain(TITLE);
    expect(await popup.getByTestId('item-title').allTextContents()).not.toContain(PLANTED);
    expect(await popup.content()).not.toContain('attacker.example');
  });
});
