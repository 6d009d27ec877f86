/**
 * The sync server of the load benchmark, in a process of its own (as in production, the devices are not
 * in the server's process). Started by bench/load.ts through `fork`; reports its address (and the token
 * that reads its metrics, where the benchmark counts the requests it served) over IPC and stops when
 * asked or when its parent goes away.
 */
import { randomBytes } from 'node:crypto';
import { startSyncServer } from '@tote/sync-server';

const dataDir = process.argv[2];
if (!dataDir || !process.send) throw new Error('bench/load-server.ts is started by bench/load.ts');

const metricsToken = randomBytes(32).toString('hex');
// All simulated devices share one address here: the per-address budgets are raised for the run.
const server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0, requestsPerMinute: 10_000_000, metricsToken }, {
  rateLimits: { signupsPerAddressPerHour: 1_000_000, loginFailuresPerAddress: 1_000_000 },
});
process.send({ url: server.gateway.url, cert: server.gateway.cert, metricsToken });
const stop = () => {
  void server.stop().finally(() => process.exit(0));
};
process.on('message', (message) => {
  if (message === 'stop') stop();
});
process.on('disconnect', stop);
