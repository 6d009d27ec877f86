/** Configuration from the environment and the credentials kept in the data folder. */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, ensureCredentials } from './config.ts';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(path.join(tmpdir(), 'tote-config-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

describe('configFromEnv', () => {
  it('has defaults that need nothing set', () => {
    const config = configFromEnv({});
    expect(config).toMatchObject({ port: 5984, couchUrl: null, admin: null, shopper: null, corsOrigins: ['*'], metricsToken: null, logLevel: 'info' });
    expect(path.basename(config.dataDir)).toBe('data');
  });

  it('reads every variable', () => {
    const config = configFromEnv({
      TOTE_PORT: '6001', TOTE_DATA_DIR: dir, TOTE_ADMIN_USER: 'root', TOTE_ADMIN_PASSWORD: 'pw',
      TOTE_SHOPPER_USER: 'anna', TOTE_SHOPPER_PASSWORD: 'pw2', TOTE_CORS_ORIGINS: 'http://localhost:5173, app://tote',
      TOTE_GATEWAY_PORT: '7443', TOTE_GATEWAY_HOST: '0.0.0.0', TOTE_GATEWAY_ORIGINS: 'chrome-extension://abc, app://tote',
      TOTE_TLS_CERT: '/etc/tote/cert.pem', TOTE_TLS_KEY: '/etc/tote/key.pem', REDIS_URL: 'redis://127.0.0.1:6379', TOTE_REQUESTS_PER_MINUTE: '300',
      TOTE_BACKUP_INTERVAL_MS: '3600000', TOTE_TRUST_PAGE_PORT: '7444', TOTE_TRUST_PROXY: '172.28.0.10, fd00::/8',
      TOTE_METRICS_TOKEN: 'scrape-token-0123456789abcdefghijklmnop', TOTE_LOG_LEVEL: 'warn',
    });
    expect(config).toEqual({
      port: 6001, dataDir: dir, couchUrl: null, admin: { name: 'root', password: 'pw' },
      shopper: { name: 'anna', password: 'pw2' }, corsOrigins: ['http://localhost:5173', 'app://tote'],
      gatewayPort: 7443, gatewayHost: '0.0.0.0', gatewayOrigins: ['chrome-extension://abc', 'app://tote'],
      tls: { certFile: '/etc/tote/cert.pem', keyFile: '/etc/tote/key.pem' }, redisUrl: 'redis://127.0.0.1:6379', requestsPerMinute: 300,
      backupIntervalMs: 3_600_000, trustPagePort: 7444, trustProxy: ['172.28.0.10', 'fd00::/8'],
      metricsToken: 'scrape-token-0123456789abcdefghijklmnop', logLevel: 'warn',
    });
  });

  it('takes an external CouchDB with admin credentials from the variables or the URL', () => {
    expect(configFromEnv({ COUCHDB_URL: 'https://couch.example:6984/', TOTE_ADMIN_USER: 'a', TOTE_ADMIN_PASSWORD: 'b' }))
      .toMatchObject({ couchUrl: 'https://couch.example:6984', admin: { name: 'a', password: 'b' } });
    expect(configFromEnv({ COUCHDB_URL: 'http://ad%40min:p%3Ass@127.0.0.1:5984' }))
      .toMatchObject({ couchUrl: 'http://127.0.0.1:5984', admin: { name: 'ad@min', password: 'p:ss' } });
  });

  it.each([
    [{ TOTE_PORT: 'abc' }, /TOTE_PORT/],
    [{ TOTE_PORT: '70000' }, /TOTE_PORT/],
    [{ TOTE_HOST: '0.0.0.0' }, /TOTE_HOST/],
    [{ TOTE_GATEWAY_PORT: 'https' }, /TOTE_GATEWAY_PORT/],
    [{ TOTE_BACKUP_INTERVAL_MS: 'daily' }, /TOTE_BACKUP_INTERVAL_MS/],
    [{ TOTE_BACKUP_INTERVAL_MS: '-5' }, /TOTE_BACKUP_INTERVAL_MS/],
    [{ TOTE_TLS_CERT: '/etc/tote/cert.pem' }, /TOTE_TLS_KEY/],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL/],
    [{ TOTE_REQUESTS_PER_MINUTE: '0' }, /TOTE_REQUESTS_PER_MINUTE/],
    [{ TOTE_GATEWAY_ORIGINS: 'not an origin' }, /origin/],
    [{ TOTE_ADMIN_USER: 'root' }, /TOTE_ADMIN_PASSWORD/],
    [{ COUCHDB_URL: 'http://127.0.0.1:5984' }, /TOTE_ADMIN_USER/],
    [{ COUCHDB_URL: 'ftp://x', TOTE_ADMIN_USER: 'a', TOTE_ADMIN_PASSWORD: 'b' }, /http/],
    [{ TOTE_CORS_ORIGINS: 'chrome-extension://*' }, /exact origin/],
    [{ TOTE_CORS_ORIGINS: ' , ' }, /at least one/],
    [{ TOTE_SHOPPER_USER: '_admin', TOTE_SHOPPER_PASSWORD: 'x' }, /must not start with "_"/],
    [{ TOTE_SHOPPER_USER: 'a:b', TOTE_SHOPPER_PASSWORD: 'x' }, /":"/],
    [{ TOTE_TRUST_PROXY: 'caddy' }, /TOTE_TRUST_PROXY entry "caddy"/],
    [{ TOTE_TRUST_PROXY: '10.0.0.0/33' }, /TOTE_TRUST_PROXY/],
    [{ TOTE_METRICS_TOKEN: 'short' }, /TOTE_METRICS_TOKEN/],
    [{ TOTE_METRICS_TOKEN: 'a token with spaces in it, long enough to pass' }, /TOTE_METRICS_TOKEN/],
    [{ TOTE_LOG_LEVEL: 'verbose' }, /TOTE_LOG_LEVEL/],
  ])('refuses %o with a clear message', (env, message) => {
    expect(() => configFromEnv(env)).toThrow(ConfigError);
    expect(() => configFromEnv(env)).toThrow(message);
  });
});

describe('ensureCredentials', () => {
  it('generates once (0600), then reuses; given credentials win and are not stored', async () => {
    const first = await ensureCredentials(dir, 'admin.json', 'admin', null);
    expect(first).toMatchObject({ name: 'admin', generated: true });
    expect(first.password.length).toBeGreaterThanOrEqual(24);
    expect((await stat(path.join(dir, 'admin.json'))).mode & 0o777).toBe(0o600);
    const second = await ensureCredentials(dir, 'admin.json', 'admin', null);
    expect(second).toEqual({ ...first, generated: false });
    const given = await ensureCredentials(dir, 'shopper.json', 'shopper', { name: 'anna', password: 'pw' });
    expect(given).toEqual({ name: 'anna', password: 'pw', generated: false });
    await expect(readFile(path.join(dir, 'shopper.json'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a damaged file instead of silently replacing the password', async () => {
    await writeFile(path.join(dir, 'admin.json'), '{"name": "admin"');
    await expect(ensureCredentials(dir, 'admin.json', 'admin', null)).rejects.toThrow(/not valid/);
  });
});
