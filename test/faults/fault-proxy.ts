/**
 * A TCP proxy of the tests' own between one device and the gateway, that makes the network misbehave
 * the ways real networks do (docs/faults.md): latency with jitter, a bandwidth cap, connections reset in
 * the middle of an answer, connections that go silent (half-open) and are reset later, and partitions
 * (every connection cut, new ones refused). It passes TLS through untouched: the device still talks TLS
 * 1.3 to the real gateway.
 *
 * It is also a `NetworkSwitch` (test/support/network-switch.ts), so any device can use it as its relay.
 */
import net from 'node:net';
import type { NetworkSwitch } from '../support/network-switch.ts';

export interface Faults {
  /** Added to every chunk in both directions, in ms. */
  readonly latencyMs: number;
  /** Up to this much more, at random, per chunk. */
  readonly jitterMs: number;
  /** Bytes per second in each direction per connection; 0: no cap. */
  readonly bytesPerSecond: number;
  /** Each chunk from the server is, with this probability, the last: the connection is reset mid-answer. */
  readonly resetChance: number;
  /** Each chunk makes the connection go silent (nothing forwarded either way, nothing closed) with this probability ... */
  readonly silentChance: number;
  /** ... for this long, after which the proxy resets it (as a NAT that forgot it would). */
  readonly silentForMs: number;
}

export const NO_FAULTS: Faults = { latencyMs: 0, jitterMs: 0, bytesPerSecond: 0, resetChance: 0, silentChance: 0, silentForMs: 0 };

export interface FaultProxy extends NetworkSwitch {
  setFaults(faults: Faults): void;
  /** Every open connection reset, new ones refused, until `heal()`. */
  partition(): void;
  heal(): void;
  /** What happened so far: connections, resets, silenced ones, refused during partitions. */
  readonly stats: { connections: number; resets: number; silenced: number; refused: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startFaultProxy(targetUrl: string, random: () => number = Math.random): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  /** The devices' ends of the open connections. */
  const clients = new Set<net.Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let faults = NO_FAULTS;
  let partitioned = false;
  const stats = { connections: 0, resets: 0, silenced: 0, refused: 0 };

  /** Forwards `from` to `to` chunk by chunk, with the faults of the moment; `onChunk` after each. */
  const relay = (from: net.Socket, to: net.Socket, state: { silent: boolean }, onChunk?: () => void) => {
    let queue = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      from.pause();
      queue = queue.then(async () => {
        const delay = faults.latencyMs + random() * faults.jitterMs + (faults.bytesPerSecond > 0 ? (chunk.length / faults.bytesPerSecond) * 1000 : 0);
        if (delay > 0) await sleep(delay);
        while (state.silent && !to.destroyed) await sleep(20);
        if (!to.destroyed) to.write(chunk);
        onChunk?.();
        from.resume();
      });
    });
    from.on('end', () => void queue.then(() => to.end()));
  };

  const server = net.createServer((client) => {
    if (partitioned) {
      stats.refused += 1;
      client.destroy();
      return;
    }
    stats.connections += 1;
    clients.add(client);
    client.on('close', () => clients.delete(client));
    const upstream = net.connect(Number(target.port), target.hostname);
    const kill = () => {
      client.resetAndDestroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    const state = { silent: false };
    // Faults are drawn per chunk with the faults of the moment, so long-lived (kept-alive) connections meet them too.
    const goSilent = () => {
      if (state.silent) return;
      state.silent = true;
      stats.silenced += 1;
      const end = setTimeout(() => {
        stats.resets += 1;
        kill();
      }, faults.silentForMs);
      timers.add(end);
    };
    relay(client, upstream, state, () => {
      if (random() < faults.silentChance) goSilent();
    });
    relay(upstream, client, state, () => {
      if (random() < faults.resetChance) {
        stats.resets += 1;
        kill();
      } else if (random() < faults.silentChance) goSilent();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  const partition = () => {
    partitioned = true;
    stats.resets += clients.size; // every open connection is cut
    cutAll();
  };
  const heal = () => {
    partitioned = false;
  };
  return {
    url: `${target.protocol}//127.0.0.1:${port}`,
    stats,
    setFaults(next) {
      faults = next;
    },
    partition,
    heal,
    goOffline: partition,
    goOnline: heal,
    close() {
      for (const timer of timers) clearTimeout(timer);
      cutAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
