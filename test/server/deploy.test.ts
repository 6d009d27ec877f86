/**
 * The deployment files (deploy/, docs/deploy.md), as far as they can be checked without a Docker daemon:
 * the compose file parses and wires the parts as the docs say, the proxy serves TLS 1.3 only in front of
 * both gateways, the internal certificate script makes a certificate the gateways serve, and a gateway
 * starts with exactly the environment the compose file gives it (values from .env.example), against the
 * embedded CouchDB-compatible server and a real Redis with a password, instead of the cluster.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromEnv, freePort, startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { startRedis } from '../support/processes.ts';

const deploy = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../deploy');
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  ports?: string[];
  networks?: string[] | Record<string, { ipv4_address?: string; aliases?: string[] } | null>;
  depends_on?: string[] | Record<string, { condition: string }>;
  command?: string[];
  volumes?: string[];
}
interface Compose {
  services: Record<string, Service>;
  networks: Record<string, { internal?: boolean; ipam?: { config: { subnet: string }[] } }>;
}

/** `.env.example` as compose reads an env file. */
async function envExample(): Promise<Record<string, string>> {
  const text = await readFile(path.join(deploy, '.env.example'), 'utf8');
  return Object.fromEntries(text.split('\n').filter((line) => /^[A-Z_]+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR:?message}`, `$$`. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (whole, name: string | undefined, kind: string | undefined, rest: string | undefined) => {
    if (whole === '$$') return '$';
    const value = env[name!];
    if (value) return value;
    if (kind === '-') return rest!;
    throw new Error(`${name} is not set: ${rest ?? ''}`);
  });
}

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const task of cleanup.splice(0).reverse()) await task();
});

describe('deploy/: Apache CouchDB cluster, Redis, two gateways behind a TLS proxy', async () => {
  const env = await envExample();
  const compose = yaml.load(interpolate(await readFile(path.join(deploy, 'compose.yaml'), 'utf8'), env)) as Compose;
  const { services } = compose;

  it('runs three CouchDB nodes that share their secrets, joined by a setup job once all three are up', () => {
    const nodes = ['couchdb-1', 'couchdb-2', 'couchdb-3'].map((name) => services[name]!);
    expect(nodes.map((node) => node.image)).toEqual(Array(3).fill(nodes[0]!.image));
    expect(nodes[0]!.image).toMatch(/^couchdb:3\./);
    expect(nodes.map((node) => node.environment!.NODENAME)).toEqual(['couchdb-1.tote', 'couchdb-2.tote', 'couchdb-3.tote']);
    for (const key of ['COUCHDB_USER', 'COUCHDB_PASSWORD', 'COUCHDB_SECRET', 'ERL_FLAGS']) {
      expect(new Set(nodes.map((node) => node.environment![key])).size, key).toBe(1);
    }
    const setup = services['couchdb-cluster-setup']!;
    expect(setup.depends_on).toEqual({ 'couchdb-1': { condition: 'service_healthy' }, 'couchdb-2': { condition: 'service_healthy' }, 'couchdb-3': { condition: 'service_healthy' } });
    expect(setup.environment).toMatchObject({ COORDINATOR: 'couchdb-1.tote', OTHER_NODES: 'couchdb-2.tote couchdb-3.tote' });
    for (const node of nodes) expect(node.ports).toBeUndefined(); // only through the gateways
  });

  it('gives both gateways the same settings but their own CouchDB node, and publishes only the proxy', () => {
    const [one, two] = [services['gateway-1']!, services['gateway-2']!];
    const { COUCHDB_URL: url1, ...rest1 } = one.environment!;
    const { COUCHDB_URL: url2, ...rest2 } = two.environment!;
    expect(rest1).toEqual(rest2);
    expect([url1, url2]).toEqual(['http://couchdb-1.tote:5984', 'http://couchdb-2.tote:5984']);
    expect(one.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
    expect(rest1.REDIS_URL).toBe(`redis://:${env.REDIS_PASSWORD}@redis:6379`);
    expect(services.redis!.command).toEqual(expect.arrayContaining(['--requirepass', env.REDIS_PASSWORD, '--appendonly', 'yes']));
    expect(Object.entries(services).filter(([, service]) => service.ports).map(([name]) => name)).toEqual(['proxy']);
    expect(services.proxy!.ports).toEqual(['443:443', '80:80']);
    // The gateways trust X-Forwarded-For from the proxy's fixed address only, which is in the private network.
    const proxyAddress = (services.proxy!.networks as Record<string, { ipv4_address?: string }>).back!.ipv4_address;
    expect(rest1.TOTE_TRUST_PROXY).toBe(proxyAddress);
    expect(compose.networks.back!.ipam!.config[0]!.subnet).toBe('172.28.0.0/24');
    expect(proxyAddress).toMatch(/^172\.28\.0\./);
    expect(compose.networks.back!.internal).toBe(true);
  });

  it('serves TLS 1.3 only at the proxy, in front of both gateways, trusting the internal authority', async () => {
    const caddyfile = await readFile(path.join(deploy, 'Caddyfile'), 'utf8');
    expect(caddyfile).toMatch(/tls \{\s*protocols tls1\.3\s*\}/);
    const port = services['gateway-1']!.environment!.TOTE_GATEWAY_PORT;
    expect(caddyfile).toContain(`reverse_proxy gateway-1:${port} gateway-2:${port} {`);
    expect(caddyfile).toContain('tls_trusted_ca_certs /internal-tls/ca.crt');
  });

  let server: RunningSyncServer | null = null;
  it('starts a gateway with the environment compose gives it, serving the internal certificate over TLS 1.3', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tote-deploy-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const tlsDir = path.join(dir, 'internal-tls');
    execFileSync('sh', [path.join(deploy, 'internal-tls.sh')], { env: { ...process.env, TLS_DIR: tlsDir, GATEWAY_NAMES: 'gateway-1 gateway-2', GATEWAY_UID: String(process.getuid?.() ?? 0) } });
    // A second run keeps what is there.
    expect(execFileSync('sh', [path.join(deploy, 'internal-tls.sh')], { env: { ...process.env, TLS_DIR: tlsDir }, encoding: 'utf8' })).toMatch(/kept/);

    // The CouchDB the cluster stands for: the embedded server, with the compose file's admin.
    const couch = await startSyncServer({
      dataDir: path.join(dir, 'couch'), port: 0, gatewayPort: 0, trustPagePort: -1, backupIntervalMs: 0,
      admin: { name: env.COUCHDB_ADMIN_USER!, password: env.COUCHDB_ADMIN_PASSWORD! },
      shopper: { name: env.TOTE_SHOPPER_USER!, password: env.TOTE_SHOPPER_PASSWORD! },
    });
    cleanup.push(() => couch.stop());
    const redisPort = await freePort();
    const redis: ChildProcess = await startRedis(redisPort, { password: env.REDIS_PASSWORD! });
    cleanup.push(async () => {
      const exited = new Promise((resolve) => redis.once('exit', resolve));
      redis.kill('SIGTERM');
      await exited;
    });

    // gateway-1's environment as compose sets it; only the addresses of the parts that stand in differ.
    // Compose passes every value as a string.
    const gatewayEnv = Object.fromEntries(Object.entries(services['gateway-1']!.environment!).map(([key, value]) => [key, String(value)]));
    const config = configFromEnv({
      ...gatewayEnv,
      COUCHDB_URL: couch.url,
      REDIS_URL: gatewayEnv.REDIS_URL!.replace('@redis:6379', `@127.0.0.1:${redisPort}`),
      TOTE_TLS_CERT: gatewayEnv.TOTE_TLS_CERT!.replace('/internal-tls', tlsDir),
      TOTE_TLS_KEY: gatewayEnv.TOTE_TLS_KEY!.replace('/internal-tls', tlsDir),
      TOTE_DATA_DIR: path.join(dir, 'data'),
      TOTE_GATEWAY_PORT: '0',
    });
    expect(config).toMatchObject({ gatewayHost: '0.0.0.0', trustPagePort: -1, trustProxy: ['172.28.0.10'], backupIntervalMs: 86_400_000 });
    server = await startSyncServer(config);
    cleanup.push(() => server!.stop());

    // As the proxy reaches it: by the name gateway-1, trusting only the internal authority.
    const ca = await readFile(path.join(tlsDir, 'ca.crt'), 'utf8');
    const answer = await new Promise<{ status: number; protocol: string | null }>((resolve, reject) => {
      const sent = request({ host: '127.0.0.1', port: server!.gateway.port, path: '/_tote/session', servername: 'gateway-1', ca }, (response) => {
        response.resume();
        resolve({ status: response.statusCode!, protocol: (response.socket as TLSSocket).getProtocol() });
      });
      sent.on('error', reject);
      sent.end();
    });
    expect(answer).toEqual({ status: 401, protocol: 'TLSv1.3' });
  }, 120_000);
});
