/**
 * Simulated devices for multi-device tests: each one is a real Tote core (RxDB on storage-memory,
 * the store, the account session, live replication and the live channel) talking to the real sync
 * server over HTTPS through its own network switch.
 */
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { combineLatest, firstValueFrom, throwError, type Observable } from 'rxjs';
import { filter, tap, timeout } from 'rxjs/operators';
import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';
import {
  accountApi, createAccountSession, createToteClient,
  type AccountSession, type AccountState, type Argon2idParams, type KeyStorePort, type CartState, type StoredSession, type SyncPhase, type SyncStatus, type ToteClient, type WebSocketLike,
} from '@tote/core';
import { startNetworkSwitch, type NetworkSwitch } from './network-switch.ts';

export interface Device {
  readonly name: string;
  readonly client: ToteClient;
  readonly account: AccountSession;
  readonly network: NetworkSwitch;
  /** The server address as this device reaches it (through its network switch). */
  readonly serverUrl: string;
  /** What the device keeps between runs. */
  readonly saved: { session: StoredSession | null };
  /**
   * The app restarting with the same database and stored session: the account session is closed, sync
   * stops, and a new session starts from what was stored (`account` is then the new one).
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface Account {
  readonly serverUrl: string;
  readonly username: string;
  readonly password: string;
  /** The gateway's certificate (self-signed in tests): trusted by the devices. */
  readonly cert: string;
}

export async function createDevice(name: string, account: Account, options: {
  clock?: { now(): number };
  /** The device's own clock for its cart changes (skewed clocks); the real time when absent. */
  deviceClock?: { now(): number };
  /** False: no live channel. A function: the device's sockets are made by it (a test that cuts the channel). */
  webSocket?: boolean | ((url: string) => WebSocketLike);
  warnBeforeMs?: number;
  /** Argon2id settings for the account's keys; the production ones when absent. */
  passwordKdf?: Argon2idParams;
  /** Where the unlocked key is kept across `restart()`; absent: memory only (locked after a restart). */
  keyStore?: KeyStorePort;
  /**
   * False: the device talks to the server directly, as a real one does, and cannot be taken offline
   * (benchmarks). By default its connections go through a relay that can cut them (network-switch.ts);
   * a function makes the relay (a fault proxy, test/faults/fault-proxy.ts).
   */
  relay?: boolean | ((serverUrl: string) => Promise<NetworkSwitch>);
  /** Wraps the device's fetch (a test that holds some answers back, or counts requests). */
  fetchVia?: (fetch: typeof globalThis.fetch) => typeof globalThis.fetch;
} = {}): Promise<Device> {
  const network = options.relay === false ? directNetwork(account.serverUrl)
    : typeof options.relay === 'function' ? await options.relay(account.serverUrl) : await startNetworkSwitch(account.serverUrl);
  const agent = new Agent({ connect: { ca: account.cert } });
  const directFetch = ((input: string, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;
  const trustingFetch = options.fetchVia ? options.fetchVia(directFetch) : directFetch;
  const client = await createToteClient({
    storage: getRxStorageMemory(),
    name: `device-${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`,
    device: { id: name, name },
    fetch: trustingFetch,
    retryMs: 200,
    ...(options.deviceClock ? { clock: options.deviceClock } : {}),
  });
  const saved: { session: StoredSession | null } = { session: null };
  const open = () => createAccountSession({
    client,
    api: accountApi(trustingFetch, { name }, options.clock),
    store: { load: async () => saved.session, save: async (next) => { saved.session = next; } },
    ...(options.webSocket === false ? {} : {
      webSocket: typeof options.webSocket === 'function' ? options.webSocket : (url: string) => new WebSocket(url, { ca: account.cert }) as unknown as WebSocketLike,
    }),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.warnBeforeMs ? { warnBeforeMs: options.warnBeforeMs } : {}),
    ...(options.passwordKdf ? { passwordKdf: options.passwordKdf } : {}),
    ...(options.keyStore ? { keyStore: options.keyStore } : {}),
  });
  let session = open();
  return {
    name, client, network, serverUrl: network.url, saved,
    get account() {
      return session;
    },
    async restart() {
      await session.close();
      await client.configureSync(null);
      session = open();
      await session.start();
    },
    async close() {
      await session.close();
      await client.close();
      await network.close();
      await agent.destroy(); // not close(): that waits for the live pull's open long poll
    },
  };
}

/** No relay: the server's own address, which cannot be switched off. */
function directNetwork(url: string): NetworkSwitch {
  const cannot = () => {
    throw new Error('This device has no relay: start it without `relay: false` to take it offline.');
  };
  return { url, goOffline: cannot, goOnline: cannot, close: async () => undefined };
}

/** A device signed in to the account. */
export async function startDevice(name: string, account: Account, options: Parameters<typeof createDevice>[2] = {}): Promise<Device> {
  const device = await createDevice(name, account, options);
  await device.account.signIn(device.serverUrl, account.username, account.password);
  return device;
}

/** `what` names the wait in the error a timeout throws (a test waiting on several things says which one failed). */
export function waitFor<T>(source$: Observable<T>, predicate: (value: T) => boolean, ms = 10_000, what = 'a value'): Promise<T> {
  let last: T | undefined;
  return firstValueFrom(source$.pipe(
    tap((value) => { last = value; }),
    filter(predicate),
    timeout({ first: ms, with: () => throwError(() => new Error(`waited ${ms / 1000} s for ${what}; the last was ${JSON.stringify(last)?.slice(0, 600)}`)) }),
  ));
}

export function waitForPhase(device: Device, phase: SyncPhase, ms = 10_000): Promise<SyncStatus> {
  return waitFor(device.client.syncStatus$, (status) => status.phase === phase, ms);
}

export function waitForState(device: Device, predicate: (state: CartState) => boolean, ms = 10_000): Promise<CartState> {
  return firstValueFrom(device.client.store.state$.pipe(
    filter(predicate),
    timeout({ first: ms, with: () => throwError(() => new Error(`waited ${ms / 1000} s for a cart state on ${device.name} (${JSON.stringify(device.client.sync?.getStatus())}): ${predicate.toString().slice(0, 300)}`)) }),
  ));
}

/**
 * Waits until two devices show the same thing (`view` of each state), checked whenever either changes
 * (a device can settle after the other: checking on one device's changes alone would miss it).
 */
export function waitForAgreement(a: Device, b: Device, view: (state: CartState) => unknown, ms = 10_000): Promise<unknown> {
  return firstValueFrom(combineLatest([a.client.store.state$, b.client.store.state$]).pipe(
    filter(([left, right]) => JSON.stringify(view(left)) === JSON.stringify(view(right))),
    timeout({ first: ms, with: () => throwError(() => new Error(`waited ${ms / 1000} s for ${a.name} and ${b.name} to agree: ${JSON.stringify(view(a.client.store.getState())).slice(0, 600)} against ${JSON.stringify(view(b.client.store.getState())).slice(0, 600)}`)) }),
  ));
}

export function waitForAccount(device: Device, predicate: (state: AccountState) => boolean, ms = 10_000): Promise<AccountState> {
  return waitFor(device.account.state$, predicate, ms);
}
