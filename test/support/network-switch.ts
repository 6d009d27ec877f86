/**
 * A loopback TCP relay in front of the sync server, one per simulated device, so a test can take that
 * device offline for real: open connections are cut and new ones are dropped until it is back online.
 */
import net from 'node:net';

export interface NetworkSwitch {
  /** Base URL (http://127.0.0.1:port) the device should use instead of the server's. */
  readonly url: string;
  goOffline(): void;
  goOnline(): void;
  close(): Promise<void>;
}

export async function startNetworkSwitch(targetUrl: string): Promise<NetworkSwitch> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let online = true;
  const server = net.createServer((client) => {
    if (!online) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `${target.protocol}//127.0.0.1:${port}`,
    goOffline() {
      online = false;
      for (const socket of sockets) socket.destroy();
    },
    goOnline() {
      online = true;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
