/**
 * Answers the typed requests of the popup and content scripts. Platform-free apart from what is passed
 * in, so it is unit-tested with a real core client on storage-memory.
 *
 * Every request is decided on its sender (senders.ts): a content script may only report and add the
 * product of its own tab. The recovery key is never in an answer to a one-off message: the popup gets it
 * over its port (tote-service.ts), which only the extension's own pages may open.
 */
import { cartCommands, type AddSource, formatMoney, isToteError, lockedAccount, newPriceDrops, type AccountSession, type DeviceApp, type ItemCorrections, type ToteClient } from '@tote/core';
import type { CapturedProduct } from '../capture/index.ts';
import type { CartSnapshot, Failure, Message, RequestType, Response } from '../messaging/protocol.ts';
import type { LastServer, TabProducts } from './settings.ts';
import { mayRequest, type RequestSender } from './senders.ts';

/** What the handler needs of the device's lock (the device app's), so tests can pass their own. */
export type DeviceLock = Pick<DeviceApp, 'locked' | 'unlock' | 'forget'>;

export interface HandlerDeps {
  readonly client: () => Promise<ToteClient>;
  readonly account: () => Promise<AccountSession>;
  readonly lastServer: LastServer;
  readonly snapshot: () => Promise<CartSnapshot>;
  /** Shows on the toolbar that the tab's page has a product. */
  readonly markProductFound?: (tabId: number) => void;
  readonly tabProducts: TabProducts;
  /** Shows a system notification (price drops). */
  readonly notify?: (title: string, message: string) => void;
  /** The cart's encryption at rest: while it is locked, the cart and the account wait for the password. */
  readonly deviceLock?: DeviceLock;
  /** The shopper's analytics choice (the device app's); absent: the choice is refused as not kept here. */
  readonly analytics?: Pick<DeviceApp, 'setAnalyticsConsent' | 'recordShopSignal'> & Partial<Pick<DeviceApp, 'recordCaptureTime'>>;
}

function failure(error: unknown): Failure {
  if (isToteError(error)) return { ok: false, code: error.code, message: error.message };
  return { ok: false, code: 'UNKNOWN', message: 'Something went wrong in Tote. Please try again.' };
}

/** The recognised product with the shopper's corrections applied. */
function corrected(product: CapturedProduct, corrections: ItemCorrections = {}): CapturedProduct {
  const defined = Object.fromEntries(Object.entries(corrections).filter(([, value]) => value !== undefined));
  return { ...product, ...defined };
}

/** Price watch: a visited page of an item in the cart records its price; a drop is announced. */
async function watchPrice(deps: HandlerDeps, product: CapturedProduct): Promise<void> {
  // The page's availability rides along: a product back in stock (or sold out) shows under its filter at once,
  // also from a sold-out page that shows no price.
  const priced = product.priceMinor !== null && product.currency !== 'unknown';
  if (!priced && !product.availability) return;
  const { written, before } = await (await deps.client()).store.dispatch(cartCommands.priceSeen(product.url, priced ? product.priceMinor : null,
    priced ? product.currency : 'unknown', product.availability));
  for (const item of newPriceDrops(written, before)) {
    deps.notify?.('Price drop in your Tote', `${item.title} is now ${formatMoney(item.priceMinor!, item.currency)} (was ${formatMoney(item.addedPriceMinor!, item.currency)} when you added it).`);
  }
}

/**
 * Adds the product recognised on a tab. `source` says where the shopper asked for it (docs/analytics.md):
 * the page's own button, the popup, the context menu or the keyboard shortcut; the background sets it
 * from the request and its sender, never from what a page says.
 */
export async function addFromTab(deps: HandlerDeps, tabId: number, source: AddSource, corrections?: ItemCorrections) {
  const product = await deps.tabProducts.get(tabId);
  if (!product) return { ok: false as const, code: 'NOT_FOUND' as const, message: 'Tote did not recognise a product on this page. Open a product page and try again.' };
  try {
    await (await deps.client()).store.dispatch(cartCommands.add(corrected(product, corrections), { source }));
    (await deps.account()).activity();
    return { ok: true as const };
  } catch (error) {
    return failure(error);
  }
}

/** Runs `work`; its ToteError becomes the answer the popup shows. */
async function attempt(work: () => Promise<unknown>) {
  try {
    await work();
    return { ok: true as const };
  } catch (error) {
    return failure(error);
  }
}

/** Runs an account action (see `attempt`). */
function accountAction(deps: HandlerDeps, action: (account: AccountSession) => Promise<void>) {
  return attempt(async () => action(await deps.account()));
}

/**
 * "Use the other value" or "Dismiss" on a conflict notice. A notice already dealt with, or an item
 * removed since, answers with the core's NOT_FOUND message for the popup to show.
 */
async function noticeAction(deps: HandlerDeps, action: 'override' | 'dismiss', id: unknown) {
  if (typeof id !== 'string' || id === '') return { ok: false as const, code: 'INVALID_INPUT' as const, message: 'Tote did not understand which notice that was. Close and reopen this window.' };
  try {
    const { conflicts } = await deps.client();
    await (action === 'override' ? conflicts.override(id) : conflicts.dismiss(id));
    (await deps.account()).activity();
    return { ok: true as const };
  } catch (error) {
    return failure(error);
  }
}

/** The host name of an http(s) page, or null. */
function shopOfPage(url: string | undefined): string | null {
  if (url === undefined) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.hostname : null;
  } catch {
    return null;
  }
}

/** The account as a one-off answer shows it: never with the recovery key. */
const withoutRecoveryKey = <T extends { recoveryKey: string | null }>(account: T): T => (account.recoveryKey === null ? account : { ...account, recoveryKey: null });

export function createMessageHandler(deps: HandlerDeps) {
  return async function handle<K extends RequestType>(message: Message<K>, sender: RequestSender | null): Promise<Response<K>> {
    const m = message as Message;
    if (!mayRequest(sender, m.type)) {
      return { ok: false, code: 'NOT_ALLOWED', message: 'Only Tote\'s own windows can ask for this.' } as Response<K>;
    }
    switch (m.type) {
      case 'cart/dispatch': {
        try {
          await (await deps.client()).store.dispatch((m as Message<'cart/dispatch'>).command);
          (await deps.account()).activity();
          return { ok: true } as Response<K>;
        } catch (error) {
          return failure(error) as Response<K>;
        }
      }
      case 'cart/get': {
        const snapshot = await deps.snapshot();
        return { ...snapshot, account: withoutRecoveryKey(snapshot.account) } as Response<K>;
      }
      case 'account/get': {
        const owner = await deps.deviceLock?.locked();
        return { account: withoutRecoveryKey(owner ? lockedAccount(owner) : (await deps.account()).getState()), lastServerUrl: await deps.lastServer.get() } as Response<K>;
      }
      case 'account/signIn': {
        const { serverUrl, name, password, create, mergeRule } = m as Message<'account/signIn'>;
        return (await accountAction(deps, (account) => (create ? account.signUp : account.signIn)(serverUrl, name, password, mergeRule ? { mergeRule } : {}))) as Response<K>;
      }
      case 'account/guest':
        return (await accountAction(deps, (account) => account.continueAsGuest((m as Message<'account/guest'>).serverUrl))) as Response<K>;
      case 'account/signOut':
        return (await accountAction(deps, (account) => account.signOut())) as Response<K>;
      case 'account/stay':
        return (await accountAction(deps, (account) => account.staySignedIn())) as Response<K>;
      case 'account/recover': {
        const { serverUrl, name, recoveryKey, newPassword } = m as Message<'account/recover'>;
        // A locked cart opens with the recovery key first (on this device); then the new password is set.
        if (await deps.deviceLock?.locked()) {
          return (await attempt(() => deps.deviceLock!.unlock({ recoveryKey }, (device) => device.account.recover(serverUrl, name, recoveryKey, newPassword)))) as Response<K>;
        }
        return (await accountAction(deps, (account) => account.recover(serverUrl, name, recoveryKey, newPassword))) as Response<K>;
      }
      case 'account/unlock':
        if (await deps.deviceLock?.locked()) {
          return (await attempt(() => deps.deviceLock!.unlock({ password: (m as Message<'account/unlock'>).password }))) as Response<K>;
        }
        return (await accountAction(deps, (account) => account.unlock((m as Message<'account/unlock'>).password))) as Response<K>;
      case 'account/dismissNotice':
        return (await accountAction(deps, async (account) => account.dismissNotice())) as Response<K>;
      case 'account/acknowledgeRecoveryKey':
        return (await accountAction(deps, async (account) => account.acknowledgeRecoveryKey())) as Response<K>;
      case 'conflicts/override':
      case 'conflicts/dismiss':
        return (await noticeAction(deps, m.type === 'conflicts/override' ? 'override' : 'dismiss', (m as Message<'conflicts/dismiss'>).id)) as Response<K>;
      case 'unreadable/dismiss': {
        const { id } = m as Message<'unreadable/dismiss'>;
        if (typeof id !== 'string' || id === '') return { ok: false, code: 'INVALID_INPUT', message: 'Tote did not understand which notice that was. Close and reopen this window.' } as Response<K>;
        return (await attempt(async () => (await deps.client()).unreadableNotices.dismiss(id))) as Response<K>;
      }
      case 'device/forget':
        return (await attempt(async () => deps.deviceLock?.forget())) as Response<K>;
      case 'capture/found': {
        const { product, captureMs } = m as Message<'capture/found'>;
        if (sender?.kind !== 'page') return { ok: false, code: 'NOT_ALLOWED', message: 'Only a shop\'s page reports its product.' } as Response<K>;
        // How long reading the page took (docs/analytics.md, "Monitoring"): a time only, a believable one.
        if (typeof captureMs === 'number' && Number.isFinite(captureMs) && captureMs >= 0 && captureMs <= 60_000) void deps.analytics?.recordCaptureTime?.(captureMs).catch(() => undefined);
        deps.markProductFound?.(sender.tabId);
        // The funnel's first step (docs/analytics.md): a product recognised, filed under the page's own host
        // as the browser names it; kept on this device, sent only as counts and only with consent.
        const shop = shopOfPage(sender.url);
        if (shop !== null) void deps.analytics?.recordShopSignal({ kind: 'recognised', shop }).catch(() => undefined);
        await deps.tabProducts.set(sender.tabId, product);
        try {
          await watchPrice(deps, product);
        } catch {
          // A page's odd price never breaks browsing; the next visit tries again.
        }
        return { ok: true } as Response<K>;
      }
      case 'capture/addOwnTab': {
        if (sender?.kind !== 'page') return { ok: false, code: 'NOT_ALLOWED', message: 'Only a shop\'s page adds its own product this way.' } as Response<K>;
        await deps.tabProducts.set(sender.tabId, (m as Message<'capture/addOwnTab'>).product);
        return (await addFromTab(deps, sender.tabId, 'page')) as Response<K>;
      }
      case 'capture/purchasePage': {
        const { kind } = m as Message<'capture/purchasePage'>;
        if (sender?.kind !== 'page') return { ok: false, code: 'NOT_ALLOWED', message: 'Only a shop\'s page reports its own checkout.' } as Response<K>;
        if (kind !== 'checkout' && kind !== 'orderPlaced') return { ok: false, code: 'INVALID_INPUT', message: 'Unknown request.' } as Response<K>;
        const shop = shopOfPage(sender.url);
        if (shop === null) return { ok: false, code: 'INVALID_INPUT', message: 'Only a shop\'s web page reports a checkout.' } as Response<K>;
        // Kept on this device only (docs/analytics.md): what makes an item that leaves the cart a purchase.
        return (await attempt(async () => deps.analytics?.recordShopSignal({ kind, shop }))) as Response<K>;
      }
      case 'capture/forTab':
        return { product: await deps.tabProducts.get((m as Message<'capture/forTab'>).tabId) } as Response<K>;
      case 'capture/addFromTab': {
        const { tabId, corrections } = m as Message<'capture/addFromTab'>;
        return (await addFromTab(deps, tabId, 'popup', corrections)) as Response<K>;
      }
      case 'analytics/setConsent': {
        const { on } = m as Message<'analytics/setConsent'>;
        if (typeof on !== 'boolean') return { ok: false, code: 'INVALID_INPUT', message: 'Tote did not understand that choice. Close and reopen this window, then try again.' } as Response<K>;
        if (!deps.analytics) return { ok: false, code: 'NOT_ALLOWED', message: 'Usage counts are not kept on this browser.' } as Response<K>;
        return (await attempt(() => deps.analytics!.setAnalyticsConsent(on))) as Response<K>;
      }
      default:
        return { ok: false, code: 'INVALID_INPUT', message: 'Unknown request.' } as Response<K>;
    }
  };
}
