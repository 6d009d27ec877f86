import { describe, expect, it } from 'vitest';
import { AdminError, adminApi, lastDays, NOT_ADMIN } from './api.ts';

/** The tab's sessionStorage, in memory. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() { return items.size; },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

/** A gateway answering from a table of routes, recording what it was asked. */
function gateway(routes: Record<string, (init: RequestInit) => Response>) {
  const asked: { path: string; authorization: string | null }[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const path = String(input);
    asked.push({ path, authorization: new Headers(init.headers).get('authorization') });
    const route = Object.entries(routes).find(([prefix]) => path.startsWith(prefix));
    if (!route) throw new TypeError('Failed to fetch');
    return route[1](init);
  }) as typeof fetch;
  return { fetchFn, asked };
}
const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const signedIn = (role: string) => () => json(200, { token: `token-${role}`, session: {}, account: { role } });

describe('adminApi', () => {
  it('keeps an admin\'s token in the tab and sends it with every read', async () => {
    const storage = memoryStorage();
    const { fetchFn, asked } = gateway({ '/_tote/login': signedIn('admin'), '/_tote/admin/analytics': () => json(200, { from: 'a', to: 'b' }) });
    const api = adminApi(storage, fetchFn);
    await api.signIn('admin', 'secret password');
    expect(storage.getItem('tote.admin.token')).toBe('token-admin');
    await api.analytics('2026-11-01', '2026-11-30');
    expect(asked.at(-1)).toEqual({ path: '/_tote/admin/analytics?from=2026-11-01&to=2026-11-30&format=json', authorization: 'Bearer token-admin' });
    // A new page of the same tab finds it.
    expect(adminApi(storage, fetchFn).signedIn).toBe(true);
  });

  it('ends a non-admin\'s session at once and keeps nothing', async () => {
    const storage = memoryStorage();
    const { fetchFn, asked } = gateway({ '/_tote/login': signedIn('shopper'), '/_tote/logout': () => new Response(null, { status: 204 }) });
    const api = adminApi(storage, fetchFn);
    await expect(api.signIn('shopper', 'their password')).rejects.toMatchObject({ code: 'not_admin', message: NOT_ADMIN });
    expect(asked.at(-1)).toEqual({ path: '/_tote/logout', authorization: 'Bearer token-shopper' });
    expect(storage.length).toBe(0);
    expect(api.signedIn).toBe(false);
  });

  it('turns each failure into a message saying what to do', async () => {
    const storage = memoryStorage();
    storage.setItem('tote.admin.token', 'old');
    const { fetchFn } = gateway({
      '/_tote/login': () => json(401, { error: 'unauthorized', reason: 'Name or password is incorrect.' }),
      '/_tote/admin/analytics?from=2026-12-02': () => json(400, { error: 'bad_request', reason: 'from must not be after to.' }),
      '/_tote/admin/analytics?from=2026-01-01': () => json(429, { error: 'too_many_requests', reason: 'Too many requests: wait 30 seconds.' }),
      '/_tote/admin/analytics': () => json(401, { error: 'unauthorized', reason: 'Your session has ended.' }),
    });
    const api = adminApi(storage, fetchFn);
    await expect(api.analytics('2026-12-02', '2026-12-01')).rejects.toMatchObject({ code: 'refused', message: 'from must not be after to.' });
    await expect(api.analytics('2026-01-01', '2026-01-02')).rejects.toMatchObject({ code: 'limited', message: 'Too many requests: wait 30 seconds.' });
    expect(storage.getItem('tote.admin.token')).toBe('old');
    await expect(api.analytics('2026-11-01', '2026-11-02')).rejects.toMatchObject({ code: 'signed_out', message: expect.stringContaining('Sign in again') });
    expect(storage.length).toBe(0);
    await expect(api.signIn('admin', 'wrong')).rejects.toMatchObject({ code: 'signed_out', message: 'Name or password is incorrect.' });
    await expect(api.metrics()).rejects.toBeInstanceOf(AdminError);
    await expect(api.metrics()).rejects.toMatchObject({ code: 'unreachable', message: expect.stringContaining('did not answer') });
  });

  it('names the CSV file as the server does', async () => {
    const { fetchFn } = gateway({
      '/_tote/login': signedIn('admin'),
      '/_tote/admin/analytics': () => new Response('section,name,value\r\n', { status: 200, headers: { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="tote-analytics-2026-11-01-2026-11-30.csv"' } }),
    });
    const api = adminApi(memoryStorage(), fetchFn);
    await api.signIn('admin', 'secret password');
    const { blob, fileName } = await api.analyticsCsv('2026-11-01', '2026-11-30');
    expect(fileName).toBe('tote-analytics-2026-11-01-2026-11-30.csv');
    expect(await blob.text()).toBe('section,name,value\r\n');
  });
});

describe('lastDays', () => {
  it('ends today (UTC) and spans the days asked for', () => {
    expect(lastDays(7, Date.parse('2026-12-02T23:30:00Z'))).toEqual({ from: '2026-11-26', to: '2026-12-02' });
    expect(lastDays(1, Date.parse('2026-03-01T00:10:00Z'))).toEqual({ from: '2026-03-01', to: '2026-03-01' });
  });
});
