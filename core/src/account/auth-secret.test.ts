import { argon2id } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { toBase64url } from '../crypto/base64url.ts';
import { DEFAULT_PASSWORD_KDF } from '../crypto/kdf.ts';
import { webCrypto } from '../crypto/test/fixtures.ts';
import { accountApi } from './account-api.ts';
import { AUTH_KDF, authSecret, checkNewPassword } from './auth-secret.ts';

describe('auth secret', () => {
  it('is Argon2id of the password with the per-account salt and the data key\'s parameters, in base64url', async () => {
    const secret = await authSecret(webCrypto, 'Alice@Example.com', 'an unusual password');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const salt = new Uint8Array(await webCrypto.subtle.digest('SHA-256', new TextEncoder().encode('tote-auth-v1|alice@example.com')));
    const expected = await argon2id({
      password: 'an unusual password', salt, memorySize: 65536, iterations: 3, parallelism: 1, hashLength: 32, outputType: 'binary',
    });
    expect(secret).toBe(toBase64url(expected));
    expect(AUTH_KDF).toMatchObject({ memoryKiB: DEFAULT_PASSWORD_KDF.memoryKiB, iterations: DEFAULT_PASSWORD_KDF.iterations, parallelism: DEFAULT_PASSWORD_KDF.parallelism });
    // The same account however the name is typed; another account gets another secret from the same password.
    expect(await authSecret(webCrypto, '  ALICE@example.COM ', 'an unusual password')).toBe(secret);
    expect(await authSecret(webCrypto, 'bob@example.com', 'an unusual password')).not.toBe(secret);
  });

  it('checks a new password by the rules the server used to, with its words', () => {
    expect(() => checkNewPassword('short')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: 'The password must be at least 8 characters long.' }));
    expect(() => checkNewPassword('x'.repeat(1025), 'newPassword')).toThrow(expect.objectContaining({
      code: 'INVALID_INPUT', message: 'The password must be at most 1024 characters long.', details: { field: 'newPassword' },
    }));
    expect(checkNewPassword('eight ch')).toBe('eight ch');
  });
});

// Each sign-in runs Argon2id at its production cost (64 MiB, t = 3): several per test on a busy 2-core machine.
describe('account api without the password', { timeout: 30_000 }, () => {
  const recording = () => {
    const sent: { path: string; body: Record<string, unknown> }[] = [];
    const fetchPort = (async (input: string, init?: RequestInit) => {
      const path = new URL(input).pathname;
      const body = init?.body ? JSON.parse(String(init.body)) as Record<string, unknown> : {};
      sent.push({ path, body });
      const json = (status: number, value: unknown) => new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
      if (path === '/_tote/prelogin') return json(200, { auth: body.name === 'old.account' || body.name === 'raced.account' ? 'password' : 'derived-v1' });
      // Switched by another device after its prelogin: only the secret signs in.
      if (path === '/_tote/login' && body.name === 'raced.account' && body.auth === undefined) return json(401, { reason: 'Name or password is incorrect.' });
      if (path === '/_tote/password') return new Response(null, { status: 204 });
      return json(200, {
        token: 't', session: { id: 's', expiresAt: 2, renewedAt: 1 },
        account: { name: String(body.name), role: 'shopper', dbName: 'userdb-1', guest: false, sessionTimeoutMinutes: 30 },
      });
    }) as unknown as typeof fetch;
    return { sent, api: accountApi(fetchPort, { name: 'test' }, undefined, webCrypto) };
  };

  it('refuses a short new password on the device, sending nothing', async () => {
    const { sent, api } = recording();
    await expect(api.signUp('https://tote.example', 'carol', 'short')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'The password must be at least 8 characters long.' });
    expect(sent).toEqual([]);
  });

  it('signs in with the auth secret; an account still on its password gets it once, then the secret replaces it', async () => {
    const { sent, api } = recording();
    const secret = await authSecret(webCrypto, 'carol', 'an unusual password');
    await api.signIn('https://tote.example', 'Carol', 'an unusual password');
    expect(sent.map((request) => request.path)).toEqual(['/_tote/prelogin', '/_tote/login']);
    expect(sent[1]!.body).toMatchObject({ name: 'Carol', password: secret, auth: 'derived-v1' });
    expect(JSON.stringify(sent)).not.toContain('an unusual password');

    sent.length = 0;
    const oldSecret = await authSecret(webCrypto, 'old.account', 'an unusual password');
    await api.signIn('https://tote.example', 'old.account', 'an unusual password');
    expect(sent.map((request) => request.path)).toEqual(['/_tote/prelogin', '/_tote/login', '/_tote/password']);
    expect(sent[1]!.body).toMatchObject({ password: 'an unusual password' });
    expect(sent[1]!.body.auth).toBeUndefined();
    expect(sent[2]!.body).toEqual({ oldPassword: 'an unusual password', newPassword: oldSecret, auth: 'derived-v1' });
  });

  it('signs in with the secret when another device switched the account since prelogin answered', async () => {
    const { sent, api } = recording();
    await api.signIn('https://tote.example', 'raced.account', 'an unusual password');
    expect(sent.map((request) => request.path)).toEqual(['/_tote/prelogin', '/_tote/login', '/_tote/login']);
    expect(sent[2]!.body).toMatchObject({ password: await authSecret(webCrypto, 'raced.account', 'an unusual password'), auth: 'derived-v1' });
  });
});
