/**
 * The background's message protocol fuzzed (fast-check): any message, well-formed or not, from any sender
 * (the popup, a shop page's content script, nobody) gets an answer and never an exception; nothing but
 * the popup changes the cart or the account, apart from a page adding its own tab's product; and no
 * answer carries the recovery key. Over a real core client (RxDB on storage-memory).
 */
import fc from 'fast-check';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountApi, createAccountSession, createToteClient, noticeViews, SIGNED_OUT, SYNC_OFF, type AccountSession, type StoredSession, type ToteClient,
} from '@tote/core';
import type { CapturedProduct } from '../capture/index.ts';
import type { Message, RequestType } from '../messaging/protocol.ts';
import { createMessageHandler } from './message-handler.ts';
import { PAGE_REQUESTS, type RequestSender } from './senders.ts';

const TYPES: RequestType[] = [
  'cart/dispatch', 'cart/get', 'account/get', 'account/signIn', 'account/guest', 'account/signOut', 'account/stay', 'account/dismissNotice',
  'account/recover', 'account/unlock', 'device/forget', 'account/acknowledgeRecoveryKey', 'conflicts/override', 'conflicts/dismiss',
  'unreadable/dismiss', 'capture/found', 'capture/addOwnTab', 'capture/forTab', 'capture/addFromTab', 'analytics/setConsent',
];

let client: ToteClient;
let account: AccountSession;
let stored: StoredSession | null = null;
const found = new Map<number, CapturedProduct>();
let handle: ReturnType<typeof createMessageHandler>;

beforeAll(async () => {
  const offline = () => Promise.reject(new TypeError('offline'));
  client = await createToteClient({ storage: getRxStorageMemory(), name: `fuzz-${Math.random().toString(36).slice(2)}`, device: { id: 'ext', name: 'Chrome extension' }, fetch: offline });
  account = createAccountSession({ client, api: accountApi(offline, { name: 'Chrome extension' }), store: { load: async () => stored, save: async (session) => { stored = session; } } });
  handle = createMessageHandler({
    client: async () => client, account: async () => account, lastServer: { get: async () => null },
    tabProducts: { get: async (tabId) => found.get(tabId) ?? null, set: async (tabId, product) => { found.set(tabId, product); } },
    // The account's state as right after sign-up: its recovery key still to be written down.
    snapshot: async () => ({ phase: 'open' as const, opening: null, problem: null, state: client.store.getState(), syncStatus: SYNC_OFF, account: { ...SIGNED_OUT, recoveryKey: 'FUZZ-RECOVERY-KEY-0001' }, notices: noticeViews(client.conflicts.getState(), 'ext', 'this browser'), unreadable: [], deviceLocked: null, atRest: 'no-password' }),
  });
});

afterAll(async () => {
  await account.close();
  await client.close();
});

const sender: fc.Arbitrary<RequestSender | null> = fc.oneof(
  fc.constant({ kind: 'extension' } as const),
  fc.integer({ min: 0, max: 5 }).map((tabId) => ({ kind: 'page', tabId }) as const),
  fc.constant(null),
);
const junk = fc.oneof(fc.anything({ maxDepth: 2 }), fc.string(), fc.integer(), fc.constant(undefined), fc.constant(null));
const product = fc.record({
  url: fc.oneof(fc.constant('https://shop.example/p/1'), fc.webUrl(), fc.string()), title: fc.oneof(fc.string({ maxLength: 40 }), junk),
  priceMinor: fc.oneof(fc.integer({ min: -10, max: 10_000 }), fc.constant(null), junk), currency: fc.oneof(fc.constantFrom('EUR', 'USD', 'unknown'), junk),
  imageUrl: fc.oneof(fc.constant(null), fc.webUrl(), junk), variant: fc.constant(null), shop: fc.constant('shop.example'), source: fc.constant('json-ld'),
}, { requiredKeys: [] });
const message = fc.record({
  type: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...TYPES) }, { weight: 1, arbitrary: fc.string() }),
  command: fc.oneof(junk, fc.record({ type: fc.constantFrom('item/add', 'item/remove', 'item/setQuantity', 'cart/clear'), id: fc.string(), quantity: junk, product })),
  product, tabId: fc.oneof(fc.integer({ min: -1, max: 6 }), junk), id: junk, serverUrl: fc.oneof(fc.constant('https://sync.example'), junk),
  name: junk, password: junk, create: junk, on: fc.oneof(fc.boolean(), junk), recoveryKey: junk, newPassword: junk, corrections: junk,
}, { requiredKeys: ['type'] });

describe('the background\'s message protocol, fuzzed', () => {
  it('answers anything from anyone without throwing, lets pages change nothing but their own product, and never hands out the recovery key', async () => {
    await fc.assert(fc.asyncProperty(message, sender, async (sent, from) => {
      const before = JSON.stringify(client.store.getState().items);
      const accountBefore = JSON.stringify(account.getState());
      const answer = await handle(sent as Message, from);
      expect(answer).toBeTypeOf('object');
      expect(JSON.stringify(answer) ?? '').not.toContain('FUZZ-RECOVERY-KEY-0001');
      const mayChange = from?.kind === 'extension' || (from?.kind === 'page' && PAGE_REQUESTS.has(sent.type as RequestType));
      if (!mayChange) {
        expect(JSON.stringify(client.store.getState().items)).toBe(before);
        expect(JSON.stringify(account.getState())).toBe(accountBefore);
        if (TYPES.includes(sent.type as RequestType)) expect(answer).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
      }
    }), { numRuns: 400 });
  }, 120_000);
});
