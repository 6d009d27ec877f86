/**
 * Simulated devices for multi-device tests: each one is a real Tote core (RxDB on storage-memory,
 * the store, live replication) talking to the real sync server over HTTP through its own network switch.
 */
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { firstValueFrom, type Observable } from 'rxjs';
import { filter, timeout } from 'rxjs/operators';
import { createToteClient, syncTargetFrom, type CartState, type SyncPhase, type SyncStatus, type ToteClient } from '@tote/core';
import { startNetworkSwitch, type NetworkSwitch } from './network-switch.ts';

export interface Device {
  readonly name: string;
  readonly client: ToteClient;
  readonly network: NetworkSwitch;
  close(): Promise<void>;
}

export interface Account {
  readonly serverUrl: string;
  readonly username: string;
  readonly password: string;
}

export async function startDevice(name: string, account: Account): Promise<Device> {
  const network = await startNetworkSwitch(account.serverUrl);
  const client = await createToteClient({
    storage: getRxStorageMemory(),
    name: `device-${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`,
    device: { id: name, name },
    fetch: (input, init) => fetch(input, init),
    retryMs: 200,
  });
  await client.configureSync(syncTargetFrom({ ...account, serverUrl: network.url }));
  return {
    name, client, network,
    async close() {
      await client.close();
      await network.close();
    },
  };
}

export function waitFor<T>(source$: Observable<T>, predicate: (value: T) => boolean, ms = 10_000): Promise<T> {
  return firstValueFrom(source$.pipe(filter(predicate), timeout(ms)));
}

export function waitForPhase(device: Device, phase: SyncPhase, ms = 10_000): Promise<SyncStatus> {
  return waitFor(device.client.syncStatus$, (status) => status.phase === phase, ms);
}

export function waitForState(device: Device, predicate: (state: CartState) => boolean, ms = 10_000): Promise<CartState> {
  return waitFor(device.client.store.state$, predicate, ms);
}
