/**
 * Answers the typed requests of the popup and content scripts. Platform-free apart from what is passed
 * in, so it is unit-tested with a real core client on storage-memory.
 */
import { isToteError, syncTargetFrom, type ToteClient } from '@tote/core';
import type { CartSnapshot, Failure, Message, RequestType, Response, SyncSettings } from '../messaging/protocol.ts';
import type { SettingsStore } from './settings.ts';

export interface HandlerDeps {
  readonly client: () => Promise<ToteClient>;
  readonly settings: SettingsStore;
  readonly snapshot: () => Promise<CartSnapshot>;
  /** Shows on the toolbar that the tab's page has a product. */
  readonly markProductFound?: (tabId: number) => void;
}

function failure(error: unknown): Failure {
  if (isToteError(error)) return { ok: false, code: error.code, message: error.message };
  return { ok: false, code: 'UNKNOWN', message: 'Something went wrong in Tote. Please try again.' };
}

export async function applySettings(client: ToteClient, settings: SyncSettings | null): Promise<void> {
  await client.configureSync(settings ? syncTargetFrom(settings) : null);
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
        const tabId = sender?.tab?.id;
        if (tabId !== undefined) deps.markProductFound?.(tabId);
        return { ok: true } as Response<K>;
      }
      default:
        return { ok: false, code: 'INVALID_INPUT', message: 'Unknown request.' } as Response<K>;
    }
  };
}
