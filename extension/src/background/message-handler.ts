/**
 * Answers the typed requests of the popup and content scripts. Platform-free apart from what is passed
 * in, so it is unit-tested with a real core client on storage-memory.
 */
import { cartCommands, formatMoney, isToteError, newPriceDrops, syncTargetFrom, type ItemCorrections, type ToteClient } from '@tote/core';
import type { CapturedProduct } from '../capture/index.ts';
import type { CartSnapshot, Failure, Message, RequestType, Response, SyncSettings } from '../messaging/protocol.ts';
import type { SettingsStore, TabProducts } from './settings.ts';

export interface HandlerDeps {
  readonly client: () => Promise<ToteClient>;
  readonly settings: SettingsStore;
  readonly snapshot: () => Promise<CartSnapshot>;
  /** Shows on the toolbar that the tab's page has a product. */
  readonly markProductFound?: (tabId: number) => void;
  readonly tabProducts: TabProducts;
  /** Shows a system notification (price drops). */
  readonly notify?: (title: string, message: string) => void;
}

function failure(error: unknown): Failure {
  if (isToteError(error)) return { ok: false, code: error.code, message: error.message };
  return { ok: false, code: 'UNKNOWN', message: 'Something went wrong in Tote. Please try again.' };
}

export async function applySettings(client: ToteClient, settings: SyncSettings | null): Promise<void> {
  await client.configureSync(settings ? syncTargetFrom(settings) : null);
}

/** The recognised product with the shopper's corrections applied. */
function corrected(product: CapturedProduct, corrections: ItemCorrections = {}): CapturedProduct {
  const defined = Object.fromEntries(Object.entries(corrections).filter(([, value]) => value !== undefined));
  return { ...product, ...defined };
}

/** Price watch: a visited page of an item in the cart records its price; a drop is announced. */
async function watchPrice(deps: HandlerDeps, product: CapturedProduct): Promise<void> {
  if (product.priceMinor === null || product.currency === 'unknown') return;
  const { written, before } = await (await deps.client()).store.dispatch(cartCommands.priceSeen(product.url, product.priceMinor, product.currency));
  for (const item of newPriceDrops(written, before)) {
    deps.notify?.('Price drop in your Tote', `${item.title} is now ${formatMoney(item.priceMinor!, item.currency)} (was ${formatMoney(item.addedPriceMinor!, item.currency)} when you added it).`);
  }
}

export async function addFromTab(deps: HandlerDeps, tabId: number, corrections?: ItemCorrections) {
  const product = await deps.tabProducts.get(tabId);
  if (!product) return { ok: false as const, code: 'NOT_FOUND' as const, message: 'Tote did not recognise a product on this page. Open a product page and try again.' };
  try {
    await (await deps.client()).store.dispatch(cartCommands.add(corrected(product, corrections)));
    return { ok: true as const };
  } catch (error) {
    return failure(error);
  }
}

export function createMessageHandler(deps: HandlerDeps) {
  return async function handle<K extends RequestType>(message: Message<K>, sender?: { tab?: { id?: number } }): Promise<Response<K>> {
    const m = message as Message;
    switch (m.type) {
      case 'cart/dispatch': {
        try {
          await (await deps.client()).store.dispatch((m as Message<'cart/dispatch'>).command);
          return { ok: true } as Response<K>;
        } catch (error) {
          return failure(error) as Response<K>;
        }
      }
      case 'cart/get':
        return (await deps.snapshot()) as Response<K>;
      case 'settings/get':
        return { settings: await deps.settings.get() } as Response<K>;
      case 'settings/save': {
        const { settings } = m as Message<'settings/save'>;
        try {
          if (settings) syncTargetFrom(settings); // refuse bad settings before storing them
          await applySettings(await deps.client(), settings);
          await deps.settings.set(settings);
          return { ok: true } as Response<K>;
        } catch (error) {
          return failure(error) as Response<K>;
        }
      }
      case 'capture/found': {
        const { product } = m as Message<'capture/found'>;
        const tabId = sender?.tab?.id;
        if (tabId !== undefined) {
          deps.markProductFound?.(tabId);
          await deps.tabProducts.set(tabId, product);
        }
        try {
          await watchPrice(deps, product);
        } catch {
          // A page's odd price never breaks browsing; the next visit tries again.
        }
        return { ok: true } as Response<K>;
      }
      case 'capture/forTab':
        return { product: await deps.tabProducts.get((m as Message<'capture/forTab'>).tabId) } as Response<K>;
      case 'capture/addFromTab': {
        const { tabId, corrections } = m as Message<'capture/addFromTab'>;
        return (await addFromTab(deps, tabId, corrections)) as Response<K>;
      }
      default:
        return { ok: false, code: 'INVALID_INPUT', message: 'Unknown request.' } as Response<K>;
    }
  };
}
