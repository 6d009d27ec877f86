/**
 * The client side of the gateway's live channel (docs/sync-server.md): a WebSocket that says hello
 * with the session token, then hears when another device changed the cart, with the changed documents
 * themselves when they are small (sync writes them through its replication, docs/sync.md rule 6; or
 * pulls at once), which devices are online, and when the session is about to end or has ended. It
 * reconnects with backoff; sync never depends on it.
 */
import { BehaviorSubject, Subject, type Observable } from 'rxjs';

/** The part of the WebSocket API the channel uses (browsers' WebSocket; `ws` in Node). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface OnlineDevice {
  readonly sessionId: string;
  readonly device: string;
  readonly since: number;
}

export type LiveNotice =
  /**
   * Another device wrote to `db` (the cart's database or its history's). `docs`: the written documents
   * as the server now holds them (sealed, each with `_id` and `_rev`); absent when the write was too
   * large to carry or the message is not understood, so sync fetches them itself.
   */
  | { readonly type: 'changed'; readonly db?: string; readonly docs?: readonly ServerDocument[] }
  | { readonly type: 'session-expiring'; readonly expiresInMs: number }
  /** The server's feature flags changed (docs/operations.md, "Rollout and rollback"): read them again. */
  | { readonly type: 'flags' }
  | { readonly type: 'session-ended'; readonly reason: 'expired' | 'revoked' | 'signed-out' };

/** A document as CouchDB holds it: the server's id and revision, the rest as the writing device sent it. */
export type ServerDocument = Readonly<Record<string, unknown>> & { readonly _id: string; readonly _rev: string };

const isServerDocument = (value: unknown): value is ServerDocument => typeof value === 'object' && value !== null && !Array.isArray(value)
  && typeof (value as { _id?: unknown })._id === 'string' && typeof (value as { _rev?: unknown })._rev === 'string';

/** The `changed` notice of a message: its documents only when every one has the shape of a server document. */
function changedNotice(message: { db?: unknown; docs?: unknown }): LiveNotice {
  const db = typeof message.db === 'string' ? message.db : undefined;
  const docs = Array.isArray(message.docs) && message.docs.length > 0 && message.docs.every(isServerDocument) ? message.docs : undefined;
  return { type: 'changed', ...(db !== undefined ? { db } : {}), ...(db !== undefined && docs ? { docs: Object.freeze([...docs]) } : {}) };
}

export interface LiveChannel {
  readonly connected$: Observable<boolean>;
  readonly devices$: Observable<readonly OnlineDevice[]>;
  readonly notices$: Observable<LiveNotice>;
  close(): void;
}

export function openLiveChannel(options: {
  readonly serverUrl: string;
  readonly token: string;
  readonly webSocket: WebSocketFactory;
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  /**
   * Nothing heard for this long (the server sends `ping` every 20 s): the connection is taken for gone
   * (a network that dropped it without closing) and made again. While a device relies on the channel
   * for changes (docs/sync.md, rule 6), a silent socket must not pass for a live one.
   */
  readonly silentMs?: number;
}): LiveChannel {
  const connected = new BehaviorSubject(false);
  const devices = new BehaviorSubject<readonly OnlineDevice[]>([]);
  const notices = new Subject<LiveNotice>();
  const url = `${options.serverUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}/_tote/live`;
  let closed = false;
  let ended = false;
  let delay = options.retryMs ?? 1000;
  let socket: WebSocketLike | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let silenceTimer: ReturnType<typeof setTimeout> | null = null;
  const silentMs = options.silentMs ?? 50_000;

  /** `current` is no longer the channel: closed by the server or the network, or silent too long. */
  const lost = (current: WebSocketLike) => {
    if (socket !== current) return;
    socket = null;
    if (silenceTimer) clearTimeout(silenceTimer);
    connected.next(false);
    scheduleRetry();
  };
  const heard = (current: WebSocketLike) => {
    if (silenceTimer) clearTimeout(silenceTimer);
    silenceTimer = setTimeout(() => {
      if (socket !== current) return;
      lost(current);
      try {
        current.close(4000, 'silent');
      } catch {
        // already closing
      }
    }, silentMs);
  };

  const end = (reason: 'expired' | 'revoked' | 'signed-out') => {
    if (ended) return;
    ended = true;
    notices.next({ type: 'session-ended', reason });
  };

  const connect = () => {
    if (closed || ended) return;
    let current: WebSocketLike;
    try {
      current = options.webSocket(url);
    } catch {
      scheduleRetry();
      return;
    }
    socket = current;
    current.addEventListener('open', () => {
      heard(current);
      current.send(JSON.stringify({ type: 'hello', token: options.token }));
    });
    current.addEventListener('message', (event) => {
      if (socket !== current) return; // given up on (silent): its late messages are not the channel's
      heard(current);
      let message: { type?: string; online?: OnlineDevice[]; expiresInMs?: number; reason?: string; db?: unknown; docs?: unknown };
      try {
        message = JSON.parse(String(event.data)) as typeof message;
      } catch {
        return;
      }
      switch (message.type) {
        case 'ready':
          delay = options.retryMs ?? 1000;
          connected.next(true);
          break;
        case 'changed':
          notices.next(changedNotice(message));
          break;
        case 'flags':
          notices.next({ type: 'flags' });
          break;
        case 'devices':
          devices.next(Object.freeze([...(message.online ?? [])]));
          break;
        case 'session-expiring':
          notices.next({ type: 'session-expiring', expiresInMs: Number(message.expiresInMs) });
          break;
        case 'session-expired':
          end('expired');
          break;
        case 'session-ended':
          end(message.reason === 'revoked' ? 'revoked' : 'signed-out');
          break;
        default:
          break; // `ping` (it keeps the connection, and an extension's service worker, awake) and anything newer
      }
    });
    current.addEventListener('close', () => lost(current));
    current.addEventListener('error', () => undefined); // a close follows
  };

  const scheduleRetry = () => {
    if (closed || ended || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
    delay = Math.min(delay * 2, options.maxRetryMs ?? 30_000);
  };

  connect();
  return {
    connected$: connected.asObservable(),
    devices$: devices.asObservable(),
    notices$: notices.asObservable(),
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (silenceTimer) clearTimeout(silenceTimer);
      socket?.close(1000, 'closing');
      connected.next(false);
      connected.complete();
      devices.complete();
      notices.complete();
    },
  };
}
