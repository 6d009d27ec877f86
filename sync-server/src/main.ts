/** `npm start`: runs the sync server until Ctrl+C. Configuration: docs/sync-server.md. */
import { configFromEnv, startSyncServer } from './index.ts';

async function main() {
  const config = configFromEnv();
  const server = await startSyncServer(config);
  const lines = [
    `Tote sync server is running at ${server.url}`,
    server.embedded ? `  embedded CouchDB-compatible server, data in ${config.dataDir}` : `  using CouchDB at ${server.url}`,
    `  admin UI (Fauxton): ${server.url}/_utils  (admin: ${server.admin.name})`,
    `  shopper account: ${server.shopper.name}, cart database ${server.shopper.dbUrl}`,
  ];
  if (server.admin.generated) lines.push(`  generated admin password (shown once, kept in ${config.dataDir}/admin.json): ${server.admin.password}`);
  if (server.shopper.generated) lines.push(`  generated shopper password (shown once, kept in ${config.dataDir}/shopper.json): ${server.shopper.password}`);
  lines.push('Point the extension and the desktop app (Settings) at the URL above. Press Ctrl+C to stop.');
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`Tote sync server could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
