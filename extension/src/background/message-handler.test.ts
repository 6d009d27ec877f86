/** The background's request handler over a real core client (RxDB on storage-memory). */
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  accountApi, cartCommands, createAccountSession, createAnalyticsReporter, memoryAnalyticsStorage, createToteClient, formatHlc, hlc, noticeViews, SIGNED_OUT, SYNC_OFF, selectItems,
  ToteError, type AccountSession, type DatabaseKeyOwner, type FieldConflict, type StoredSession, type ToteClient,
} from '@tote/core';
import type { Message, RequestType } from '../messaging/protocol.ts';
import { addFromTab, createMessageHandler } from './message-handler.ts';
import type { RequestSender } from './senders.ts';
import type { TabProducts } from './settings.ts';
import type { CapturedProduct } from '../capture/index.ts';

let client: ToteClient;
let account: AccountSession;
let stored: StoredSession | null;
let badges: number[];
let notices: string[];
let found: Map<number, CapturedProduct>;
const tabProducts: TabProducts = {
  get: async (tabId) => found.get(tabId) ?? null,
  set: async (tabId, product) => { found.set(tabId, product); },
};
/** The popup: the extension's own page. */
const POPUP: RequestSender = { kind: 'extension' };
const page = (tabId: number): RequestSender => ({ kind: 'page', tabId });
let handler: ReturnType<typeof createMessageHandler>;
const handle = <K extends RequestType>(message: Message<K>, sender: RequestSender | null = POPUP) => handler(message, sender);


beforeEach(async () => {
  stored = null;
  badges = [];
  notices = [];
  found = new Map();
  client = await createToteClient({
    storage: getRxStorageMemory(), name: `ext-${Math.random().toString(36).slice(2)}`,
    device: { id: 'ext', name: 'Chrome extension' }, fetch: () => Promise.reject(new TypeError('offline')),
  });
  const offline = () => Promise.reject(new TypeError('offline'));
  account = createAccountSession({
    client, api: accountApi(offline, { name: 'Chrome extension' }),
    store: { load: async () => stored, save: async (session) => { stored = session; } },
  });
  handler = createMessageHandler({
    client: async () => client, account: async () => account, lastServer: { get: async () => 'https://sync.example' }, tabProducts,
    notify: (title, message) => notices.push(`${title}: ${message}`),
    snapshot: async () => ({ phase: 'open' as const, opening: null, problem: null, state: client.store.getState(), syncStatus: SYNC_OFF, account: SIGNED_OUT, notices: noticeViews(client.conflicts.getState(), 'ext', 'this browser'), unreadable: client.unreadableNotices.getNotices(), deviceLocked: null, atRest: 'no-password' }),
    markProductFound: (tabId) => badges.push(tabId),
  });
});

afterEach(async () => {
  await account.close();
  await client.close();
});

const kettle = { url: 'https://shop.example/kettle', title: 'Kettle', priceMinor: 2000, currency: 'EUR', imageUrl: null, variant: null };

describe('background message handler', () => {
  it('dispatches a cart command and reports success', async () => {
    expect(await handle({ type: 'cart/dispatch', command: cartCommands.add(kettle) })).toEqual({ ok: true });
    expect(selectItems(client.store.getState()).map((item) => item.title)).toEqual(['Kettle']);
    const snapshot = await handle({ type: 'cart/get' } as Message<'cart/get'>);
    expect(Object.keys(snapshot.state.items)).toHaveLength(1);
  });

  it('answers a bad command with its code and the shopper-readable message, and stores nothing', async () => {
    const result = await handle({ type: 'cart/dispatch', command: cartCommands.add({ ...kettle, url: 'javascript:alert(1)' }) });
    expect(result).toEqual({ ok: false, code: 'INVALID_INPUT', message: 'The product link must start with http or https.' });
    const unknown = await handle({ type: 'cart/dispatch', command: { type: 'item/explode' } as never });
    expect(unknown).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(selectItems(client.store.getState())).toEqual([]);
  });

  it('refuses a sign-in it cannot use with the reason, and stays signed out', async () => {
    const plain = await handle({ type: 'account/signIn', serverUrl: 'http://127.0.0.1:5984', name: 'shopper', password: 'pw', create: false });
    expect(plain).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: 'The server address must start with https://.' });
    const noName = await handle({ type: 'account/signIn', serverUrl: 'https://sync.example', name: ' ', password: 'pw', create: false });
    expect(noName).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: 'Enter your user name or email address.' });
    const unreachable = await handle({ type: 'account/signIn', serverUrl: 'https://sync.example', name: 'shopper', password: 'pw', create: false });
    expect(unreachable).toMatchObject({ ok: false, code: 'SYNC_OFFLINE' });
    expect(await handle({ type: 'account/get' } as Message<'account/get'>)).toEqual({ account: SIGNED_OUT, lastServerUrl: 'https://sync.example' });
    expect(client.sync).toBeNull();
    expect(stored).toBeNull();
  });

  it('refuses a recovery key with a typo before anything is sent, and stays signed out', async () => {
    const answer = await handle({ type: 'account/recover', serverUrl: 'https://sync.example', name: 'shopper', recoveryKey: 'ABCD-EFGH', newPassword: 'a new password' });
    expect(answer).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(stored).toBeNull();
    expect(client.sync).toBeNull();
  });

  it('answers an unlock while not signed in with the reason, and leaves sync off', async () => {
    expect(await handle({ type: 'account/unlock', password: 'pw' })).toMatchObject({ ok: false, code: 'SESSION_EXPIRED', message: 'Sign in first.' });
    expect(client.sync).toBeNull();
  });

  it('answers a request type it does not know with INVALID_INPUT', async () => {
    expect(await handle({ type: 'cart/explode' } as never)).toEqual({ ok: false, code: 'INVALID_INPUT', message: 'Unknown request.' });
  });

  it('signing out of nothing is fine and leaves sync off', async () => {
    expect(await handle({ type: 'account/signOut' } as Message<'account/signOut'>)).toEqual({ ok: true });
    expect(client.sync).toBeNull();
    expect(stored).toBeNull();
  });

  it('marks the tab whose page has a product', async () => {
    const product = { ...kettle, shop: 'shop.example', source: 'json-ld' as const, brand: null, sku: null, gtin: null, availability: null, origins: {}, otherPrices: [] };
    expect(await handle({ type: 'capture/found', product }, page(7))).toEqual({ ok: true });
    expect(badges).toEqual([7]);
  });

  it('records how long a page took to read, from the page itself, and only a believable time', async () => {
    const times: number[] = [];
    const timed = createMessageHandler({
      client: async () => client, account: async () => account, lastServer: { get: async () => null }, tabProducts,
      snapshot: async () => { throw new Error('unused'); },
      analytics: { setAnalyticsConsent: async () => undefined, recordShopSignal: async () => undefined, recordCaptureTime: async (ms) => { times.push(ms); } },
    });
    const product = { ...kettle, shop: 'shop.example', source: 'json-ld' as const, brand: null, sku: null, gtin: null, availability: null, origins: {}, otherPrices: [] };
    expect(await timed({ type: 'capture/found', product, captureMs: 4.5 }, page(7))).toEqual({ ok: true });
    expect(await timed({ type: 'capture/found', product, captureMs: -1 }, page(7))).toEqual({ ok: true });
    expect(await timed({ type: 'capture/found', product, captureMs: 'slow' as never }, page(7))).toEqual({ ok: true });
    expect(await timed({ type: 'capture/found', product, captureMs: 3 }, null)).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(times).toEqual([4.5]);
  });

  it('lets a shop\'s page only report and add its own product: no other change, no account, no snapshot', async () => {
    const product = { ...kettle, shop: 'shop.example', source: 'json-ld' as const, brand: null, sku: null, gtin: null, availability: null, origins: {}, otherPrices: [] };
    const refused = { ok: false, code: 'NOT_ALLOWED' };
    for (const message of [
      { type: 'cart/dispatch', command: cartCommands.add(kettle) }, { type: 'cart/get' }, { type: 'account/get' },
      { type: 'account/signIn', serverUrl: 'https://evil.example', name: 'x', password: 'y', create: true }, { type: 'account/signOut' },
      { type: 'account/recover', serverUrl: 'https://evil.example', name: 'x', recoveryKey: 'k', newPassword: 'p' },
      { type: 'capture/forTab', tabId: 3 }, { type: 'capture/addFromTab', tabId: 3 }, { type: 'device/forget' },
    ] as Message[]) {
      expect(await handle(message, page(7)), message.type).toMatchObject(refused);
    }
    expect(await handle({ type: 'cart/dispatch', command: cartCommands.add(kettle) }, null)).toMatchObject(refused);
    expect(selectItems(client.store.getState())).toEqual([]);
    // Its own tab's product, through the page's button: added, and stored as that tab's.
    expect(await handle({ type: 'capture/addOwnTab', product }, page(7))).toEqual({ ok: true });
    expect(selectItems(client.store.getState()).map((item) => item.title)).toEqual(['Kettle']);
    expect(found.get(7)).toEqual(product);
    // The popup does not report or add as a page does.
    expect(await handle({ type: 'capture/found', product })).toMatchObject(refused);
    expect(await handle({ type: 'capture/addOwnTab', product })).toMatchObject(refused);
  });

  it('never answers a one-off message with the recovery key', async () => {
    const withKey = createMessageHandler({
      client: async () => client, account: async () => ({ ...account, getState: () => ({ ...SIGNED_OUT, recoveryKey: 'SECRET-RECOVERY-KEY' }) }),
      lastServer: { get: async () => null }, tabProducts,
      snapshot: async () => ({ phase: 'open' as const, opening: null, problem: null, state: client.store.getState(), syncStatus: SYNC_OFF, account: { ...SIGNED_OUT, recoveryKey: 'SECRET-RECOVERY-KEY' }, notices: [], unreadable: [], deviceLocked: null, atRest: 'no-password' }),
    });
    expect(JSON.stringify(await withKey({ type: 'cart/get' } as Message<'cart/get'>, POPUP))).not.toContain('SECRET-RECOVERY-KEY');
    expect(JSON.stringify(await withKey({ type: 'account/get' } as Message<'account/get'>, POPUP))).not.toContain('SECRET-RECOVERY-KEY');
    expect((await withKey({ type: 'cart/get' } as Message<'cart/get'>, POPUP)).account.recoveryKey).toBeNull();
  });

  it('adds the product recognised on a tab, with the shopper\'s corrections', async () => {
    const product = { ...kettle, shop: 'shop.example', source: 'json-ld' as const, brand: null, sku: null, gtin: null, availability: null, origins: {}, otherPrices: [] };
    expect(await handle({ type: 'capture/addFromTab', tabId: 3 })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    await handle({ type: 'capture/found', product }, page(3));
    expect(await handle({ type: 'capture/forTab', tabId: 3 })).toEqual({ product });
    expect(await handle({ type: 'capture/addFromTab', tabId: 3, corrections: { title: 'Kettle 1.7 l', priceMinor: 1800 } })).toEqual({ ok: true });
    expect(selectItems(client.store.getState())).toMatchObject([{ title: 'Kettle 1.7 l', priceMinor: 1800, addedPriceMinor: 1800 }]);
  });

  it('watches prices: visiting an item\'s page cheaper than when it was added records it and announces the drop', async () => {
    const product = { ...kettle, shop: 'shop.example', source: 'json-ld' as const, brand: null, sku: null, gtin: null, availability: null, origins: {}, otherPrices: [] };
    await handle({ type: 'cart/dispatch', command: cartCommands.add(kettle) });
    await handle({ type: 'capture/found', product: { ...product, priceMinor: 2000 } }, page(1));
    expect(notices).toEqual([]);
    await handle({ type: 'capture/found', product: { ...product, priceMinor: 1500 } }, page(1));
    expect(selectItems(client.store.getState())[0]).toMatchObject({ priceMinor: 1500, addedPriceMinor: 2000 });
    expect(notices).toEqual(['Price drop in your Tote: Kettle is now €15.00 (was €20.00 when you added it).']);
  });

  it('watches availability too: a sold-out page that shows no price marks the item out of stock and keeps its price', async () => {
    const product = { ...kettle, shop: 'shop.example', source: 'json-ld' as const, brand: null, sku: null, gtin: null, availability: null, origins: {}, otherPrices: [] };
    await handle({ type: 'cart/dispatch', command: cartCommands.add(kettle) });
    await handle({ type: 'capture/found', product: { ...product, priceMinor: null, currency: 'unknown' } }, page(1));
    expect(selectItems(client.store.getState())[0]).not.toHaveProperty('availability'); // the page said nothing: nothing changes
    await handle({ type: 'capture/found', product: { ...product, priceMinor: null, currency: 'unknown', availability: 'out_of_stock' as const } }, page(1));
    expect(selectItems(client.store.getState())[0]).toMatchObject({ availability: 'out_of_stock', priceMinor: 2000, priceHistory: [] });
    expect(notices).toEqual([]);
  });

  it('overrides and dismisses conflict notices, and answers a notice dealt with or an item removed since with the reason', async () => {
    await handle({ type: 'cart/dispatch', command: cartCommands.add(kettle) });
    const [item] = selectItems(client.store.getState());
    // What a merge reports when this device set 5 and another device had set 3 (docs/merge.md rule 6).
    const quantity = (id: string, kept: number, lost: number): FieldConflict => ({
      id, itemId: item!.id, title: 'Kettle', currency: 'EUR', field: 'quantity', kind: 'same-field', resolution: 'later-wins',
      winner: { value: kept, stamp: formatHlc(hlc(Date.now() - 1000, 0, 'ext')), device: 'ext' },
      loser: { value: lost, stamp: formatHlc(hlc(Date.now() - 2000, 0, 'phone')), device: 'phone' },
    });
    client.conflicts.record([quantity('q1', 5, 3)]);
    const snapshot = await handle({ type: 'cart/get' } as Message<'cart/get'>);
    expect(snapshot.notices).toEqual([{ id: 'q1', itemId: item!.id, overrideLabel: 'Use 3 instead', text: '"Kettle": the quantity was changed on two devices. Kept 5 from this browser; another device had 3.' }]);

    expect(await handle({ type: 'conflicts/override', id: 'q1' })).toEqual({ ok: true });
    expect(client.store.getState().items[item!.id]?.quantity).toBe(3);
    expect((await handle({ type: 'cart/get' } as Message<'cart/get'>)).notices).toEqual([]);
    expect(await handle({ type: 'conflicts/dismiss', id: 'q1' })).toMatchObject({ ok: false, code: 'NOT_FOUND', message: 'This notice was already dealt with.' });
    expect(await handle({ type: 'conflicts/dismiss', id: 42 } as never)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await handle({ type: 'unreadable/dismiss', id: 42 } as never)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await handle({ type: 'unreadable/dismiss', id: 'nothing-to-dismiss' })).toEqual({ ok: true });

    client.conflicts.record([quantity('q2', 3, 7)]);
    await handle({ type: 'cart/dispatch', command: cartCommands.remove(item!.id) });
    expect(await handle({ type: 'conflicts/override', id: 'q2' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await handle({ type: 'conflicts/dismiss', id: 'q2' })).toEqual({ ok: true });
    expect(client.conflicts.getState().notices.map((notice) => notice.status)).toEqual(['overridden', 'dismissed']);
  });

  it('"I have written it down" clears the recovery key from the account state', async () => {
    expect(await handle({ type: 'account/acknowledgeRecoveryKey' } as Message<'account/acknowledgeRecoveryKey'>)).toEqual({ ok: true });
    expect(account.getState().recoveryKey).toBeNull();
  });

  it('while the cart is locked on this browser: cart changes and captures are refused with the reason, and the owner\'s password opens it', async () => {
    let owner: DatabaseKeyOwner | null = { serverUrl: 'https://sync.example', name: 'ada' };
    const locked = () => new ToteError('LOCKED', 'Your cart is encrypted on this browser and locked since it was closed. Open Tote and enter the password of ada to unlock it.');
    const lockedHandle = createMessageHandler({
      client: async () => { if (owner) throw locked(); return client; },
      account: async () => { if (owner) throw locked(); return account; },
      lastServer: { get: async () => 'https://sync.example' }, tabProducts, snapshot: async () => { throw new Error('not used'); },
      deviceLock: {
        locked: async () => owner,
        async unlock(secret) {
          if (!('password' in secret) || secret.password !== 'the right one') throw new ToteError('WRONG_PASSWORD', 'That is not the password of ada. Nothing was opened; try again.');
          owner = null;
        },
        async forget() { owner = null; },
      },
    });
    expect(await lockedHandle({ type: 'cart/dispatch', command: cartCommands.add(kettle) }, POPUP)).toMatchObject({ ok: false, code: 'LOCKED', message: expect.stringContaining('password of ada') });
    found.set(7, { ...kettle, shop: 'shop.example', source: 'json-ld' as const, brand: null, sku: null, gtin: null, availability: null, origins: {}, otherPrices: [] });
    expect(await lockedHandle({ type: 'capture/addFromTab', tabId: 7 }, POPUP)).toMatchObject({ ok: false, code: 'LOCKED' });
    expect(await lockedHandle({ type: 'unreadable/dismiss', id: 'x' }, POPUP)).toMatchObject({ ok: false, code: 'LOCKED' });
    expect((await lockedHandle({ type: 'account/get' } as Message<'account/get'>, POPUP)).account).toMatchObject({ name: 'ada', locked: true, phase: 'signed-out' });
    expect(await lockedHandle({ type: 'account/unlock', password: 'not it' }, POPUP)).toMatchObject({ ok: false, code: 'WRONG_PASSWORD' });
    expect(selectItems(client.store.getState())).toEqual([]);

    expect(await lockedHandle({ type: 'account/unlock', password: 'the right one' }, POPUP)).toEqual({ ok: true });
    expect(await lockedHandle({ type: 'capture/addFromTab', tabId: 7 }, POPUP)).toEqual({ ok: true });
    expect(selectItems(client.store.getState()).map((item) => item.title)).toEqual(['Kettle']);
  });

  it('records where each add came from: the page\'s button as \'page\', the popup as \'popup\', the menu and shortcut as theirs', async () => {
    const product = (url: string) => ({ ...kettle, url, shop: 'shop.example', source: 'json-ld' as const, brand: null, sku: null, gtin: null, availability: null, origins: {}, otherPrices: [] });
    expect(await handle({ type: 'capture/addOwnTab', product: product('https://shop.example/a') }, page(1))).toEqual({ ok: true });
    await handle({ type: 'capture/found', product: product('https://shop.example/b') }, page(2));
    expect(await handle({ type: 'capture/addFromTab', tabId: 2 })).toEqual({ ok: true });
    await handle({ type: 'capture/found', product: product('https://shop.example/c') }, page(3));
    await handle({ type: 'capture/found', product: product('https://shop.example/d') }, page(4));
    const deps = { client: async () => client, account: async () => account, lastServer: { get: async () => null }, tabProducts, snapshot: async () => { throw new Error('unused'); } };
    expect(await addFromTab(deps, 3, 'context-menu')).toEqual({ ok: true });
    expect(await addFromTab(deps, 4, 'shortcut')).toEqual({ ok: true });
    const items = client.store.getState().items;
    const sourceOf = async () => Object.fromEntries((await client.history.read()).entries.filter((entry) => entry.source).map((entry) => [items[entry.itemId]!.url, entry.source]));
    // The history is written just after the cart.
    await expect.poll(sourceOf).toEqual({ 'https://shop.example/a': 'page', 'https://shop.example/b': 'popup', 'https://shop.example/c': 'context-menu', 'https://shop.example/d': 'shortcut' });
  });

  it('keeps what the page says of availability: at adding, and at every later visit of the item\'s page', async () => {
    const product = (availability: 'in_stock' | 'out_of_stock' | null) => ({ ...kettle, url: 'https://shop.example/lantern', shop: 'shop.example',
      source: 'json-ld' as const, brand: null, sku: null, gtin: null, availability, origins: {}, otherPrices: [] });
    const lantern = () => selectItems(client.store.getState()).find((item) => item.url === 'https://shop.example/lantern');
    expect(await handle({ type: 'capture/addOwnTab', product: product('out_of_stock') }, page(11))).toEqual({ ok: true });
    expect(lantern()?.availability).toBe('out_of_stock');
    await handle({ type: 'capture/found', product: product(null) }, page(12)); // the page did not say: kept
    expect(lantern()?.availability).toBe('out_of_stock');
    await handle({ type: 'capture/found', product: product('in_stock') }, page(12));
    expect(lantern()?.availability).toBe('in_stock');
    // A page cannot put a value Tote does not know into the cart.
    expect(await handle({ type: 'capture/addOwnTab', product: { ...product(null), url: 'https://shop.example/odd', availability: 'maybe' } as never }, page(13)))
      .toMatchObject({ ok: false, code: 'INVALID_INPUT' });
  });

  it('takes the analytics choice from the popup only; a shop page cannot change it', async () => {
    const choices: boolean[] = [];
    const withAnalytics = createMessageHandler({
      client: async () => client, account: async () => account, lastServer: { get: async () => null }, tabProducts,
      snapshot: async () => { throw new Error('unused'); },
      analytics: { setAnalyticsConsent: async (on) => { choices.push(on); }, recordShopSignal: async () => undefined },
    });
    expect(await withAnalytics({ type: 'analytics/setConsent', on: true }, page(7))).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(await withAnalytics({ type: 'analytics/setConsent', on: true }, null)).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(await withAnalytics({ type: 'analytics/setConsent', on: 'yes' } as never, POPUP)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(choices).toEqual([]);
    expect(await withAnalytics({ type: 'analytics/setConsent', on: true }, POPUP)).toEqual({ ok: true });
    expect(await withAnalytics({ type: 'analytics/setConsent', on: false }, POPUP)).toEqual({ ok: true });
    expect(choices).toEqual([true, false]);
    // A device app that keeps no analytics, or refuses the choice, answers with the reason.
    expect(await handle({ type: 'analytics/setConsent', on: true })).toMatchObject({ ok: false, code: 'NOT_ALLOWED', message: 'Usage counts are not kept on this browser.' });
    const refusing = createMessageHandler({
      client: async () => client, account: async () => account, lastServer: { get: async () => null }, tabProducts, snapshot: async () => { throw new Error('unused'); },
      analytics: { setAnalyticsConsent: async () => { throw new ToteError('NOT_ALLOWED', 'Usage figures are not kept on this device.'); }, recordShopSignal: async () => undefined },
    });
    expect(await refusing({ type: 'analytics/setConsent', on: true }, POPUP)).toEqual({ ok: false, code: 'NOT_ALLOWED', message: 'Usage figures are not kept on this device.' });
  });

  it('files a checkout or order confirmation under the reporting page\'s own shop, as the browser names it; refuses the popup, other kinds and non-web pages', async () => {
    const reporter = createAnalyticsReporter({ deviceId: 'ext', storage: memoryAnalyticsStorage(), read: async () => ({ entries: [], items: {} }), transport: async () => undefined });
    const withSignals = createMessageHandler({
      client: async () => client, account: async () => account, lastServer: { get: async () => null }, tabProducts,
      snapshot: async () => { throw new Error('unused'); },
      analytics: { setAnalyticsConsent: async () => undefined, recordShopSignal: (signal) => reporter.recordSignal(signal) },
    });
    const shopPage = (url: string): RequestSender => ({ kind: 'page', tabId: 3, url });
    expect(await withSignals({ type: 'capture/purchasePage', kind: 'orderPlaced' }, shopPage('https://www.shop.example/checkout/onepage/success/'))).toEqual({ ok: true });
    expect(await withSignals({ type: 'capture/purchasePage', kind: 'checkout' }, shopPage('https://other.example/kasse/'))).toEqual({ ok: true });
    expect(await withSignals({ type: 'capture/purchasePage', kind: 'checkout' }, POPUP)).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(await withSignals({ type: 'capture/purchasePage', kind: 'checkout' }, null)).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(await withSignals({ type: 'capture/purchasePage', kind: 'recognised' } as never, shopPage('https://a.example/'))).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await withSignals({ type: 'capture/purchasePage', kind: 'checkout' }, page(3))).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await withSignals({ type: 'capture/purchasePage', kind: 'checkout' }, shopPage('file:///home/a/checkout.html'))).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect((await reporter.signals()).map((signal) => [signal.kind, signal.shop])).toEqual([['orderPlaced', 'www.shop.example'], ['checkout', 'other.example']]);
    // A product a page reports is the funnel's first step, under the page's own host; from nowhere else.
    const product = { ...kettle, url: 'https://claims.example/p/1', shop: 'claims.example', source: 'json-ld' as const, brand: null, sku: null, gtin: null, availability: null, origins: {}, otherPrices: [] };
    expect(await withSignals({ type: 'capture/found', product }, shopPage('https://lamps.example/p/1'))).toEqual({ ok: true });
    expect(await withSignals({ type: 'capture/found', product }, POPUP)).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    await expect.poll(async () => (await reporter.signals()).map((signal) => [signal.kind, signal.shop]).at(-1)).toEqual(['recognised', 'lamps.example']);
    expect((await reporter.signals()).filter((signal) => signal.kind === 'recognised')).toHaveLength(1);
  });
});
