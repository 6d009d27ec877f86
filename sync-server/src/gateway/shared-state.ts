/**
 * The gateway's only state: sessions, rate-limit counters, who is online and the live-channel
 * fan-out. Behind this port so that one process uses memory and several gateway instances share Redis
 * (`REDIS_URL`): nothing another instance would need is ever kept only in a process.
 */
import { Redis } from 'ioredis';
import { GatewayError } from './errors.ts';

export interface SharedState {
  get(key: string): Promise<string | null>;
  /** Sets a value that expires after `ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Pushes the expiry of an existing key out to `ttlMs` from now; false when the key is gone. */
  touch(key: string, ttlMs: number): Promise<boolean>;
  /** Counts one more event in a window of `windowMs` that starts at the first event. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
  /** Fields of a small hash (a shopper's sessions, their online devices). */
  hset(key: string, field: string, value: string): Promise<void>;
  hdel(key: string, field: string): Promise<void>;
  hgetall(key: string): Promise<Record<string, string>>;
  /**
   * A lock: sets `key` to `value` (its holder's token) for `ttlMs` unless the key is set. True when this
   * call took it (Redis `SET NX PX`: atomic across instances).
   */
  claim(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Extends a lock to `ttlMs` from now while it is still held with `value`; false when it is not. */
  renew(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Releases a lock only while it is still held with `value` (never another holder's, taken after it expired). */
  release(key: string, value: string): Promise<void>;
  publish(channel: string, message: string): Promise<void>;
  /** Returns a function that stops listening. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  /** Only a store in another process (Redis) has one: resolves when it answers (readiness, health.ts). */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

/** What a single-process state keeps across restarts (sessions must survive a restart of the server). */
export interface StateSnapshot {
  readonly values: [string, { value: string; expiresAt: number }][];
  readonly hashes: [string, [string, string][]][];
}

export interface MemoryState extends SharedState {
  snapshot(): StateSnapshot;
}

/** One process: everything in memory, optionally starting from a snapshot. */
export function memoryState(now: () => number = Date.now, from?: StateSnapshot): MemoryState {
  const values = new Map<string, { value: string; expiresAt: number }>(from?.values ?? []);
  const hashes = new Map<string, Map<string, string>>((from?.hashes ?? []).map(([key, fields]) => [key, new Map(fields)]));
  const listeners = new Map<string, Set<(message: string) => void>>();
  const locks = new Map<string, { value: string; expiresAt: number }>();
  const live = (key: string) => {
    const entry = values.get(key);
    if (entry && entry.expiresAt <= now()) {
      values.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    async get(key) { return live(key)?.value ?? null; },
    async set(key, value, ttlMs) { values.set(key, { value, expiresAt: now() + ttlMs }); },
    async del(key) { values.delete(key); hashes.delete(key); },
    async touch(key, ttlMs) {
      const entry = live(key);
      if (!entry) return false;
      entry.expiresAt = now() + ttlMs;
      return true;
    },
    async hit(key, windowMs) {
      const entry = live(key);
      if (!entry) {
        values.set(key, { value: '1', expiresAt: now() + windowMs });
        return { count: 1, resetInMs: windowMs };
      }
      entry.value = String(Number(entry.value) + 1);
      return { count: Number(entry.value), resetInMs: entry.expiresAt - now() };
    },
    async hset(key, field, value) {
      let hash = hashes.get(key);
      if (!hash) hashes.set(key, (hash = new Map()));
      hash.set(field, value);
    },
    async hdel(key, field) { hashes.get(key)?.delete(field); },
    async hgetall(key) { return Object.fromEntries(hashes.get(key) ?? []); },
    // Locks coordinate instances; one process has nothing to coordinate after a restart, so they are kept
    // out of the snapshot (a lock held when the process died must not hold up the next start).
    async claim(key, value, ttlMs) {
      const held = locks.get(key);
      if (held && held.expiresAt > now()) return false;
      locks.set(key, { value, expiresAt: now() + ttlMs });
      return true;
    },
    async renew(key, value, ttlMs) {
      const held = locks.get(key);
      if (!held || held.value !== value || held.expiresAt <= now()) return false;
      held.expiresAt = now() + ttlMs;
      return true;
    },
    async release(key, value) {
      if (locks.get(key)?.value === value) locks.delete(key);
    },
    async publish(channel, message) {
      for (const listener of [...(listeners.get(channel) ?? [])]) queueMicrotask(() => listener(message));
    },
    async subscribe(channel, listener) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return async () => { set.delete(listener); };
    },
    async close() { values.clear(); hashes.clear(); listeners.clear(); locks.clear(); },
    snapshot() {
      const at = now();
      return {
        values: [...values].filter(([, entry]) => entry.expiresAt > at),
        hashes: [...hashes].map(([key, fields]) => [key, [...fields]]),
      };
    },
  };
}

/**
 * The single-process state kept in a file (0600) in the data folder: written every few seconds when
 * it changed and when the server stops, read at start. Tokens in it are hashed.
 */
export async function fileBackedState(file: string, now: () => number = Date.now): Promise<SharedState> {
  const { readFile, writeFile, rename } = await import('node:fs/promises');
  let snapshot: StateSnapshot | undefined;
  try {
    snapshot = JSON.parse(await readFile(file, 'utf8')) as StateSnapshot;
  } catch {
    snapshot = undefined; // first start, or an unreadable file: everyone signs in again
  }
  const state = memoryState(now, snapshot);
  let last = JSON.stringify(state.snapshot());
  const save = async () => {
    const text = JSON.stringify(state.snapshot());
    if (text === last) return;
    await writeFile(`${file}.tmp`, text, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    last = text; // only once written: a save that failed (a full disk) is tried again on the next tick
  };
  const timer = setInterval(() => void save().catch(() => undefined), 2000);
  timer.unref();
  return {
    ...state,
    async close() {
      clearInterval(timer);
      await save().catch(() => undefined);
      await state.close();
    },
  };
}

/** Connection attempts at start before the start fails (after a lost connection later, ioredis retries without end). */
const START_ATTEMPTS = 3;

/** `host:port` of a Redis URL, without the credentials it may carry. */
function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '6379'}`;
  } catch {
    return 'the address in REDIS_URL';
  }
}

/** Connects one client at start, a few times; leaves nothing retrying behind when it gives up. */
async function connectAtStart(client: Redis, address: string): Promise<void> {
  let lastError: Error | null = null;
  const remember = (error: Error) => { lastError = error; }; // also keeps ioredis from printing "Unhandled error event"
  client.on('error', remember);
  try {
    for (let attempt = 1; ; attempt += 1) {
      lastError = null;
      try {
        await client.connect();
        return;
      } catch (error) {
        // the socket's own error (ECONNREFUSED, ENOTFOUND, WRONGPASS) says more than "Connection is closed."
        lastError ??= error as Error;
        if (attempt >= START_ATTEMPTS) break;
        await new Promise((resolve) => setTimeout(resolve, attempt * 200));
      }
    }
  } finally {
    client.off('error', remember);
  }
  const cause = lastError as Error | null;
  throw new Error(
    `Redis at ${address} could not be reached (${cause?.message ?? 'no answer'}). Start Redis there or correct REDIS_URL; `
    + 'without REDIS_URL, sessions and limits are kept in memory (one gateway instance only).',
    { cause },
  );
}

/** Several gateway instances: Redis holds the state and carries the fan-out (pub/sub). */
export async function redisState(url: string, prefix = 'tote:'): Promise<SharedState> {
  const address = redisAddress(url);
  let started = false;
  const options = {
    lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 5_000,
    // Before the start succeeded no background reconnects (connectAtStart retries); afterwards ioredis's default backoff.
    retryStrategy: (attempt: number) => (started ? Math.min(attempt * 50, 2_000) : null),
  };
  const client = new Redis(url, options);
  const subscriber = new Redis(url, options);
  try {
    await connectAtStart(client, address);
    await connectAtStart(subscriber, address);
  } catch (error) {
    client.disconnect();
    subscriber.disconnect();
    throw error;
  }
  started = true;
  // After the start, a lost connection is retried by ioredis; say so once per outage instead of per attempt.
  let reported = false;
  const onError = (error: Error) => {
    if (reported) return;
    reported = true;
    console.error(`Redis at ${address} is unreachable (${error.message}); retrying. Sign-ins and the live channel wait for it.`);
  };
  for (const connection of [client, subscriber]) {
    connection.on('error', onError);
    connection.on('ready', () => { reported = false; });
  }
  const listeners = new Map<string, Set<(message: string) => void>>();
  subscriber.on('message', (channel: string, message: string) => {
    for (const listener of [...(listeners.get(channel) ?? [])]) listener(message);
  });
  const k = (key: string) => `${prefix}${key}`;
  /**
   * While Redis is gone, each command fails after a couple of retries (`maxRetriesPerRequest`): the request
   * that needed it is answered 503 with Retry-After (gateway.ts's error handler), never held or
   * answered as if CouchDB had failed. ioredis reconnects by itself; the next request works again.
   */
  const guard = async <T>(command: () => Promise<T>): Promise<T> => {
    try {
      return await command();
    } catch (cause) {
      throw new GatewayError(503, 'unavailable', 'The sync server is briefly unavailable: its session store is restarting. Your changes are kept on your device; try again in a moment.', 2, 'state_unavailable');
    }
  };
  return {
    get: (key) => guard(() => client.get(k(key))),
    set: (key, value, ttlMs) => guard(async () => { await client.set(k(key), value, 'PX', Math.max(1, Math.round(ttlMs))); }),
    del: (key) => guard(async () => { await client.del(k(key)); }),
    touch: (key, ttlMs) => guard(async () => (await client.pexpire(k(key), Math.max(1, Math.round(ttlMs)))) === 1),
    hit: (key, windowMs) => guard(async () => {
      const [[, count], [, ttl]] = (await client.multi().incr(k(key)).pttl(k(key)).exec()) as [[null, number], [null, number]];
      if (ttl < 0) {
        await client.pexpire(k(key), windowMs);
        return { count, resetInMs: windowMs };
      }
      return { count, resetInMs: ttl };
    }),
    hset: (key, field, value) => guard(async () => { await client.hset(k(key), field, value); }),
    hdel: (key, field) => guard(async () => { await client.hdel(k(key), field); }),
    hgetall: (key) => guard(() => client.hgetall(k(key))),
    claim: (key, value, ttlMs) => guard(async () => (await client.set(k(key), value, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK'),
    // Compare and act in one script, so a lock that expired and was taken by another holder meanwhile is left alone.
    renew: (key, value, ttlMs) => guard(async () => (await client.eval(
      'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end',
      1, k(key), value, String(Math.max(1, Math.round(ttlMs))),
    )) === 1),
    release: (key, value) => guard(async () => {
      await client.eval('if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end', 1, k(key), value);
    }),
    ping: async () => { await client.ping(); },
    publish: (channel, message) => guard(async () => { await client.publish(k(channel), message); }),
    async subscribe(channel, listener) {
      const name = k(channel);
      let set = listeners.get(name);
      if (!set) {
        listeners.set(name, (set = new Set()));
        await subscriber.subscribe(name);
      }
      set.add(listener);
      return async () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(name) === set) {
          listeners.delete(name);
          await subscriber.unsubscribe(name).catch(() => {});
        }
      };
    },
    async close() {
      subscriber.disconnect();
      await client.quit().catch(() => client.disconnect());
    },
  };
}
