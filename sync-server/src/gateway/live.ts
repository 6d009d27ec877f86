/**
 * The live channel: one WebSocket per signed-in device. When a shopper's data changes, their other
 * devices hear of it at once (with the changed documents themselves when they are small) and pull
 * only what did not come with it; the channel also tells which devices are online and warns
 * before a session ends. It only speeds things up: sync works without it (clients keep long-polling).
 *
 * Protocol (JSON text frames): the client's first message is `{type:"hello", token}` (never in the URL,
 * so it stays out of logs). The server answers `ready`, then sends `changed` (with the written documents,
 * sealed as they came, when they fit and the shopper's `live-docs` flag is on: live-docs.ts, flags.ts),
 * `flags` (the feature flags changed: read `GET /_tote/flags` again), `devices`,
 * `session-expiring` (with `expiresInMs`), `session-expired` and `session-ended` (revoked or signed out),
 * and a `ping` every `pingEveryMs` (20 s by default): a message received keeps a Chrome extension's
 * service worker alive, and a WebSocket-level ping finds devices that vanished without closing (no pong
 * by the next round: the socket is dropped). Fan-out goes through the shared state's pub/sub, so a write
 * through one gateway instance reaches devices connected to another.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { SessionService, Session } from './sessions.ts';
import type { SharedState } from './shared-state.ts';


/** For work whose failure only means the live channel says less (the shared state is unreachable). */
const ignore = () => undefined;
export type LiveEvent =
  | {
    type: 'changed'; db: string; by: string;
    /** The written documents, sealed as sent, with their new revisions (live-docs.ts); absent: fetch with `_changes`. */
    docs?: readonly object[];
    /** When it was published (set by `publish`), for the lag metric. */ at?: number;
  }
  | { type: 'devices' }
  | { type: 'session-ended'; sessionId: string; reason: 'revoked' | 'signed-out' }
  | { type: 'session-renewed'; sessionId: string };

export interface LiveOptions {
  /** How long before the end of a session its devices are warned. */
  readonly warnBeforeMs: number;
  /** How often sessions of connected devices are checked. */
  readonly checkEveryMs: number;
  /** How often connected devices get a `ping` (and must answer the WebSocket-level ping). Default 20 s. */
  readonly pingEveryMs?: number;
  readonly now?: () => number;
  /** A `changed` message went to a device, `ms` after its write was published (metrics.ts). */
  readonly onNotified?: (ms: number) => void;
}

interface Connection {
  readonly id: string;
  readonly socket: WebSocket;
  session: Session;
  readonly token: string;
  warnedFor: number | null;
  /** Answered the last WebSocket-level ping. */
  alive: boolean;
}

export interface LiveHub {
  /** Serves one socket; closes it if the first message is not a valid hello within 10 s. */
  accept(socket: WebSocket): void;
  publish(name: string, event: LiveEvent): Promise<void>;
  /** Sends `message` to every device connected to this instance (feature flags changed: flags.ts). */
  tellAll(message: { readonly type: 'flags' }): void;
  /** Connected devices on this instance. */
  readonly connections: number;
  close(): Promise<void>;
}

const channel = (name: string) => `live:${name}`;
const onlineKey = (name: string) => `online:${name}`;

export function liveHub(state: SharedState, sessions: SessionService, options: LiveOptions): LiveHub {
  const now = options.now ?? Date.now;
  const byAccount = new Map<string, { connections: Set<Connection>; unsubscribe: Promise<() => Promise<void>> }>();
  const send = (connection: Connection, message: object) => {
    if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(JSON.stringify(message));
  };

  const sendDevices = async (name: string) => {
    const group = byAccount.get(name);
    if (!group) return;
    const online = Object.values(await state.hgetall(onlineKey(name))).map((text) => JSON.parse(text) as { sessionId: string; device: string; since: number });
    for (const connection of group.connections) send(connection, { type: 'devices', online });
  };

  const onEvent = (name: string, text: string) => {
    const event = JSON.parse(text) as LiveEvent;
    const group = byAccount.get(name);
    if (!group) return;
    if (event.type === 'devices') {
      void sendDevices(name).catch(ignore);
      return;
    }
    for (const connection of group.connections) {
      if (event.type === 'changed' && connection.session.id !== event.by) {
        send(connection, event.docs ? { type: 'changed', db: event.db, docs: event.docs } : { type: 'changed', db: event.db });
        if (event.at !== undefined) options.onNotified?.(now() - event.at);
      }
      if (event.type === 'session-ended' && connection.session.id === event.sessionId) {
        send(connection, { type: 'session-ended', reason: event.reason });
        connection.socket.close(4401, 'session ended');
      }
      if (event.type === 'session-renewed' && connection.session.id === event.sessionId) void recheck(connection).catch(ignore);
    }
  };

  const recheck = async (connection: Connection) => {
    const session = await sessions.check(connection.token);
    if (!session) {
      send(connection, { type: 'session-expired' });
      connection.socket.close(4401, 'session expired');
      return;
    }
    connection.session = session;
    if (session.expiresAt - now() <= options.warnBeforeMs && connection.warnedFor !== session.expiresAt) {
      connection.warnedFor = session.expiresAt;
      // expiresInMs as well: device clocks differ from the server's
      send(connection, { type: 'session-expiring', expiresAt: session.expiresAt, expiresInMs: session.expiresAt - now() });
    }
  };

  const timer = setInterval(() => {
    for (const group of byAccount.values()) for (const connection of group.connections) void recheck(connection).catch(ignore);
  }, options.checkEveryMs);
  timer.unref();

  const pinger = setInterval(() => {
    for (const group of byAccount.values()) {
      for (const connection of group.connections) {
        if (!connection.alive) {
          connection.socket.terminate(); // gone without closing: 'close' follows and the device is shown offline
          continue;
        }
        connection.alive = false;
        connection.socket.ping();
        send(connection, { type: 'ping' });
      }
    }
  }, options.pingEveryMs ?? 20_000);
  pinger.unref();

  const join = async (connection: Connection) => {
    const name = connection.session.name;
    let group = byAccount.get(name);
    if (!group) {
      group = { connections: new Set(), unsubscribe: state.subscribe(channel(name), (text) => onEvent(name, text)) };
      byAccount.set(name, group);
    }
    group.connections.add(connection);
    await group.unsubscribe;
    await state.hset(onlineKey(name), connection.id, JSON.stringify({ sessionId: connection.session.id, device: connection.session.device, since: now() }));
    send(connection, { type: 'ready', sessionId: connection.session.id, expiresAt: connection.session.expiresAt });
    await state.publish(channel(name), JSON.stringify({ type: 'devices' }));
  };

  const leave = async (connection: Connection) => {
    const name = connection.session.name;
    const group = byAccount.get(name);
    group?.connections.delete(connection);
    await state.hdel(onlineKey(name), connection.id);
    if (group && group.connections.size === 0) {
      byAccount.delete(name);
      await (await group.unsubscribe)();
    }
    await state.publish(channel(name), JSON.stringify({ type: 'devices' }));
  };

  return {
    accept(socket) {
      let connection: Connection | null = null;
      const helloTimer = setTimeout(() => socket.close(4400, 'expected hello'), 10_000);
      socket.on('message', (data, isBinary) => {
        if (connection || isBinary) return;
        clearTimeout(helloTimer);
        let hello: { type?: unknown; token?: unknown };
        try {
          hello = JSON.parse(String(data)) as typeof hello;
        } catch {
          socket.close(4400, 'expected hello');
          return;
        }
        if (hello.type !== 'hello' || typeof hello.token !== 'string') {
          socket.close(4400, 'expected hello');
          return;
        }
        const token = hello.token;
        void sessions.check(token).then(async (session) => {
          if (!session) {
            socket.send(JSON.stringify({ type: 'session-expired' }));
            socket.close(4401, 'sign in again');
            return;
          }
          connection = { id: randomBytes(9).toString('base64url'), socket, session, token, warnedFor: null, alive: true };
          await join(connection);
          await recheck(connection);
        }).catch(() => {
          // The shared state is unreachable (Redis restarting): the device reconnects later and long-polls meanwhile.
          socket.close(1013, 'try again later');
        });
      });
      socket.on('pong', () => {
        if (connection) connection.alive = true;
      });
      socket.on('close', () => {
        clearTimeout(helloTimer);
        if (connection) void leave(connection).catch(ignore);
      });
      socket.on('error', () => socket.terminate());
    },
    async publish(name, event) {
      // Best effort: the channel only speeds sync up (devices long-poll too), so a lost event costs a moment, not data.
      await state.publish(channel(name), JSON.stringify(event.type === 'changed' ? { ...event, at: now() } : event)).catch(ignore);
    },
    tellAll(message) {
      for (const group of byAccount.values()) for (const connection of group.connections) send(connection, message);
    },
    get connections() {
      let count = 0;
      for (const group of byAccount.values()) count += group.connections.size;
      return count;
    },
    async close() {
      clearInterval(timer);
      clearInterval(pinger);
      for (const group of byAccount.values()) for (const connection of group.connections) connection.socket.close(1001, 'server stopping');
    },
  };
}
