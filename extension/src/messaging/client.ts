/** Sends typed requests to the background service worker. */
import { browser } from 'wxt/browser';
import type { Message, RequestType, Requests, Response } from './protocol.ts';

export async function request<K extends RequestType>(type: K, body: Requests[K]['request']): Promise<Response<K>> {
  const message = { type, ...body } as Message<K>;
  return (await browser.runtime.sendMessage(message)) as Response<K>;
}
