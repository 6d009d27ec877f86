/** `npm start`: runs the sync server until Ctrl+C. Configuration: docs/sync-server.md. */
import path from 'node:path';
import { trustCommands } from './gateway/trust-commands.ts';
import { configFromEnv, startSyncServer, type RunningGateway } from './index.ts';

/** How to trust the gateway: the authority's file and fingerprint, the commands per platform, the trust page. */
function trustLines(gateway: RunningGateway): string[] {
  const lines = [`  certificate SHA-256 fingerprint: ${gateway.fingerprint256}  (the desktop app shows it on first connection: trust it only if it matches)`];
  if (gateway.authority) {
    if (gateway.migrated) lines.push('  (this data folder had a self-signed certificate: it was replaced by one the local authority below signed)');
    lines.push(
      `To trust this server, trust its local certificate authority ${gateway.authority.certFile}${gateway.authority.generated ? ' (made just now)' : ''}`,
      `  authority SHA-256 fingerprint: ${gateway.authority.fingerprint256}`,
    );
    for (const group of trustCommands(gateway.authority.certFile)) {
      lines.push(`  ${group.platform}:`, ...group.commands.map((command) => `    ${command}`));
    }
  }
  if (gateway.trustPage) lines.push(`  The same in a browser, with the authority to download: ${gateway.trustPage.url}/ (plain HTTP, this computer only; never the sync API)`);
  if (gateway.trustPageProblem) lines.push(`  No trust page: ${gateway.trustPageProblem} (set TOTE_TRUST_PAGE_PORT).`);
  return lines;
}

async function main() {
  const config = configFromEnv();
  const started = Date.now();
  const server = await startSyncServer(config);
  const lines = [
    `Tote sync server is running at ${server.gateway.url}  (ready in ${Date.now() - started} ms)`,
    `  HTTPS, TLS 1.3 only; certificate ${server.gateway.certFile}` + (config.tls ? '' : ' (signed by a local authority for this computer; or set TOTE_TLS_CERT and TOTE_TLS_KEY)'),
    `  sessions, rate limits and live channel: ${config.redisUrl ? `Redis at ${new URL(config.redisUrl).host}` : 'in this process (set REDIS_URL to run several gateways)'}`,
    server.embedded
      ? `  embedded CouchDB-compatible server (pouchdb-server) on loopback, data kept in ${server.dataDir}`
      : `  using the CouchDB at ${server.url}`,
    `  CouchDB itself: ${server.url} (loopback only; clients use the gateway above)`,
    `  admin UI (Fauxton): ${server.gateway.url}/_utils/`,
    `  monitoring: ${server.gateway.url}/_tote/ready, /_tote/metrics (${config.metricsToken ? 'admin sessions and the TOTE_METRICS_TOKEN bearer token' : 'admin sessions; set TOTE_METRICS_TOKEN for Prometheus'}); `
      + (config.logLevel === 'silent' ? 'no request log (TOTE_LOG_LEVEL=silent)' : `request log: JSON lines below (TOTE_LOG_LEVEL=${config.logLevel})`),
    `  shopper account: ${server.shopper.name} (cart database ${server.shopper.dbName})`,
  ];
  const adminPassword = server.admin.generated
    ? `the generated password below`
    : config.admin ? 'the password in TOTE_ADMIN_PASSWORD' : `the password kept in ${path.join(server.dataDir, 'admin.json')}`;
  lines.push(`Sign in as admin: open ${server.gateway.url}/_utils/ and log in as "${server.admin.name}" with ${adminPassword}; `
    + `the same name and password sign in to the gateway's admin routes (POST ${server.gateway.url}/_tote/login).`);
  if (server.admin.generated) lines.push(`  generated admin password (shown once, kept in ${path.join(server.dataDir, 'admin.json')}): ${server.admin.password}`);
  if (server.shopper.generated) lines.push(`  generated shopper password (shown once, kept in ${path.join(server.dataDir, 'shopper.json')}): ${server.shopper.password}`);
  lines.push(...trustLines(server.gateway));
  lines.push(`In the extension or the desktop app, enter ${server.gateway.url} and sign in (the shopper account above works), create an account, or continue as a guest. Press Ctrl+C to stop.`);
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the sync server…`);
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  void server.exited.then((code) => {
    if (stopping) return;
    console.error(`The embedded CouchDB server stopped unexpectedly (exit ${code}); see ${server.couchDataDir}/log.txt.`);
    process.exit(1);
  });
}

main().catch((error: unknown) => {
  console.error(`Tote sync server could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
