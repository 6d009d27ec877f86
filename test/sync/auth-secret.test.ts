/**
 * The password never reaches the server (docs/encryption.md, "Signing in"): an observer holding the
 * gateway's certificate records every request it receives during sign-up, sign-in, a password change
 * and recovery, and finds the auth secrets derived on the device, never the passwords. The server's
 * stored hash is not one of the password. An account from before (made by the server with a real
 * password) is switched at its next sign-in, and from then on its password is not sent either.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { scryptSync, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authSecret, newRecoveryKey, type Argon2idParams } from '@tote/core';
import { createDevice, type Account, type Device } from '../support/devices.ts';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const crypto = globalThis.crypto;
/** Cheap Argon2id for wrapping the cart's key: these tests are about what is sent. The auth secret always takes the real cost. */
const passwordKdf: Argon2idParams = { name: 'argon2id', memoryKiB: 64, iterations: 1, parallelism: 1 };
const NAME = 'olive.observed@example.com';
const FIRST = 'Zq7-first-Kumquat-password';
const SECOND = 'Zq7-second-Persimmon-password';
const THIRD = 'Zq7-third-Rambutan-password';

let server: TestServer;
let proxy: RecordingProxy;
let http: GatewayClient;
let observed: Account;
const devices: Device[] = [];

const device = async (name: string) => {
  const made = await createDevice(name, observed, { passwordKdf, webSocket: false });
  devices.push(made);
  return made;
};

/** The account's document as CouchDB keeps it (read as the server's admin). */
async function stored(name: string): Promise<{ auth?: string; passwordHash: string }> {
  const { admin } = server.running;
  const answer = await fetch(`${server.running.url}/tote-accounts/${encodeURIComponent(`account:${name}`)}`, {
    headers: { authorization: `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}` },
  });
  return (await answer.json()) as { auth?: string; passwordHash: string };
}

/** Checks a secret against a stored `scrypt$N$r$p$salt$hash`, as the server does. */
function hashMatches(secret: string, passwordHash: string): boolean {
  const [scheme, n, r, p, salt, hash] = passwordHash.split('$');
  expect(scheme).toBe('scrypt');
  const expected = Buffer.from(hash!, 'base64');
  const key = scryptSync(secret.normalize('NFC'), Buffer.from(salt!, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * Number(n) * Number(r) });
  return timingSafeEqual(key, expected);
}

beforeAll(async () => {
  server = await startTestServer();
  const tlsDir = path.join(server.dataDir, 'tls');
  proxy = await startRecordingProxy(server.account.serverUrl, {
    cert: await readFile(path.join(tlsDir, 'localhost.crt'), 'utf8'), key: await readFile(path.join(tlsDir, 'localhost.key'), 'utf8'),
  });
  observed = { ...server.account, serverUrl: proxy.url };
  http = gatewayClient(proxy.url, server.account.cert);
});

afterAll(async () => {
  for (const made of devices) await made.close();
  await http?.close();
  await proxy?.close();
  await server?.dispose();
});

describe('what the server receives when a shopper signs in', () => {
  it('sign-up, sign-in, a password change and recovery send the derived secrets, never a password', async () => {
    const laptop = await device('laptop');
    await laptop.account.signUp(laptop.serverUrl, NAME, FIRST);
    const recoveryKey = laptop.account.getState().recoveryKey!;
    laptop.account.acknowledgeRecoveryKey();
    await laptop.account.signOut();
    await laptop.account.signIn(laptop.serverUrl, NAME, FIRST);
    await laptop.account.changePassword(FIRST, SECOND);
    const phone = await device('phone');
    await phone.account.recover(phone.serverUrl, NAME, recoveryKey, THIRD);
    expect(phone.account.getState()).toMatchObject({ phase: 'signed-in', unlocked: true });

    const seen = proxy.everything();
    for (const route of ['/_tote/signup', '/_tote/prelogin', '/_tote/login', '/_tote/password', '/_tote/recover']) {
      expect(proxy.requests.some((request) => request.path === route)).toBe(true);
    }
    for (const password of [FIRST, SECOND, THIRD]) {
      expect(seen).not.toContain(password);
      expect(seen).toContain(await authSecret(crypto, NAME, password));
    }
    expect(JSON.parse(proxy.requests.find((request) => request.path === '/_tote/signup')!.body)).toMatchObject({ auth: 'derived-v1' });

    // What the server keeps is a hash of the secret: the password does not verify against it.
    const account = await stored(NAME);
    expect(account.auth).toBe('derived-v1');
    expect(hashMatches(THIRD, account.passwordHash)).toBe(false);
    expect(hashMatches(await authSecret(crypto, NAME, THIRD), account.passwordHash)).toBe(true);
    // Nor does the password sign in on its own: only its secret does.
    expect((await http.logIn(NAME, THIRD)).status).toBe(401);
    expect((await http.logIn(NAME, await authSecret(crypto, NAME, THIRD))).status).toBe(200);
  });

  it('refuses a too-short password on the device with the server\'s former words, sending nothing', async () => {
    const tablet = await device('tablet');
    const before = proxy.requests.length;
    await expect(tablet.account.signUp(tablet.serverUrl, 'shorty@example.com', 'short')).rejects.toMatchObject({
      code: 'INVALID_INPUT', message: 'The password must be at least 8 characters long.',
    });
    await expect(tablet.account.recover(tablet.serverUrl, NAME, newRecoveryKey(crypto), 'short')).rejects.toMatchObject({
      code: 'INVALID_INPUT', message: 'The password must be at least 8 characters long.',
    });
    expect(proxy.requests.length).toBe(before);
    // The server, asked directly in the old way, gave the same words.
    const direct = await http.request('POST', '/_tote/signup', { body: { name: 'shorty@example.com', password: 'short' } });
    expect(direct.body).toMatchObject({ reason: 'The password must be at least 8 characters long.' });
  });

  it('prelogin answers an unknown name as it answers an account made by a current device, and is limited like sign-in', async () => {
    const known = await http.request('POST', '/_tote/prelogin', { body: { name: NAME } });
    const unknown = await http.request('POST', '/_tote/prelogin', { body: { name: 'nobody.here@example.com' } });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    expect(unknown.body).toEqual({ auth: 'derived-v1' });
    // After too many failed sign-ins for a name, its prelogin is refused as its sign-in is.
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await http.logIn('guessed.name@example.com', 'not it at all')).status).toBe(401);
    const limited = await http.request('POST', '/_tote/prelogin', { body: { name: 'guessed.name@example.com' } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
  });

  it('an account from before signs in with its password once, then takes its secret; the next sign-in sends no password', async () => {
    const { username, password } = server.account; // made by the server from its configuration, with a real password
    expect((await http.request('POST', '/_tote/prelogin', { body: { name: username } })).body).toEqual({ auth: 'password' });
    expect((await stored(username)).auth).toBeUndefined();

    const desktop = await device('desktop');
    const first = proxy.requests.length;
    await desktop.account.signIn(desktop.serverUrl, username, password);
    expect(desktop.account.getState()).toMatchObject({ phase: 'signed-in', unlocked: true });
    const secret = await authSecret(crypto, username, password);
    // The feature flags are read once the device is signed in, in the background: not part of signing in.
    const switching = proxy.requests.slice(first).filter((request) => request.path.startsWith('/_tote/') && request.path !== '/_tote/flags');
    expect(switching.map((request) => request.path)).toEqual(['/_tote/prelogin', '/_tote/login', '/_tote/password', '/_tote/keyring', '/_tote/keyring']);
    expect(JSON.parse(switching[2]!.body)).toEqual({ oldPassword: password, newPassword: secret, auth: 'derived-v1' });

    const account = await stored(username);
    expect(account.auth).toBe('derived-v1');
    expect(hashMatches(password, account.passwordHash)).toBe(false);
    expect((await http.request('POST', '/_tote/prelogin', { body: { name: username } })).body).toEqual({ auth: 'derived-v1' });

    const second = proxy.requests.length;
    const other = await device('other');
    await other.account.signIn(other.serverUrl, username, password);
    expect(other.account.getState()).toMatchObject({ phase: 'signed-in', unlocked: true });
    const again = proxy.requests.slice(second).map((request) => `${request.path}\n${JSON.stringify(request.headers)}\n${request.body}`).join('\n');
    expect(again).not.toContain(password);
    expect(again).toContain(secret);
    // Switching is no password change: the first device is still signed in.
    expect((await http.request('GET', '/_tote/session', { token: desktop.saved.session!.token })).status).toBe(200);

    // The server restarting with the same configuration keeps the switched account as it is.
    await server.stop();
    await server.restart();
    expect((await stored(username)).auth).toBe('derived-v1');
    expect((await http.logIn(username, secret)).status).toBe(200);
  });
});
