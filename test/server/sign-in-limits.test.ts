/**
 * Sign-in limits that nobody can turn against an account's owner (docs/sync-server.md, "Sign-in
 * limits"), against the real server: each client signs in from an address of its own in 127/8, so the
 * gateway sees as many addresses as there are clients. Failed sign-ins are audited, the secrets tried
 * are found nowhere.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRateLimits, startSyncServer, type RunningSyncServer } from '@tote/sync-server';
import { gatewayClient, type GatewayClient } from '../support/gateway.ts';
import { onDisk } from '../support/on-disk.ts';

let server: RunningSyncServer | null = null;
let dataDir: string;
let clockOffset = 0;
const now = () => Date.now() + clockOffset;
const clients = new Map<string, GatewayClient>();
/** A client signing in from `127.0.0.<n>`; the owner's home is 127.0.0.1. */
const from = (n: number) => {
  const address = `127.0.0.${n}`;
  let client = clients.get(address);
  if (!client) clients.set(address, (client = gatewayClient(server!.gateway.url, server!.gateway.cert, { from: address })));
  return client;
};
/** Every wrong secret sent in this file: none may be kept anywhere. */
const tried: string[] = [];
const wrong = () => {
  const secret = `wrong-${randomBytes(9).toString('hex')}`;
  tried.push(secret);
  return secret;
};
const { loginFailuresPerAccount, loginFailuresPerPair, loginWindowMs } = defaultRateLimits;

type Entry = { at: number; actor: string; role: string; action: string; detail?: Record<string, unknown> };
const failedSignIns = async (): Promise<Entry[]> => {
  await server!.gateway.flushAudit();
  const admin = await from(1).logIn(server!.admin.name, server!.admin.password);
  expect(admin.status).toBe(200);
  const answer = await from(1).request<{ entries: Entry[] }>('GET', '/_tote/admin/audit?limit=1000&action=signin.failed', { token: String(admin.body.token) });
  return answer.body.entries;
};

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-sign-in-limits-'));
  // The product's sign-in limits; only sign-ups are not limited, so the tests can make accounts.
  server = await startSyncServer({ dataDir, port: 0, gatewayPort: 0 }, { now, rateLimits: { signupsPerAddressPerHour: 10_000 } });
});

afterAll(async () => {
  for (const client of clients.values()) await client.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('an account under attack from many addresses', () => {
  const owner = { name: 'olive.owner@example.com', password: 'olive real password' };

  it('keeps signing the owner in from an address they signed in from before while 100 wrong passwords come from 50 others', async () => {
    await from(1).signUp(owner.name, owner.password, 'laptop');
    expect((await from(1).logIn(owner.name, owner.password)).status).toBe(200);

    const statuses: number[] = [];
    for (let round = 0; round < 2; round += 1) {
      for (let n = 2; n <= 51; n += 1) {
        const answer = await from(n).logIn(owner.name, wrong());
        statuses.push(answer.status);
        if (answer.status === 429) expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
        // The owner, at home, meanwhile.
        if (n % 10 === 0) expect((await from(1).logIn(owner.name, owner.password, 'laptop')).status).toBe(200);
      }
    }
    expect(statuses).toHaveLength(100);
    // The account's own limit: after this many failures, only the addresses it knows may try.
    expect(statuses.filter((status) => status === 401)).toHaveLength(loginFailuresPerAccount);
    expect(statuses.filter((status) => status === 429)).toHaveLength(100 - loginFailuresPerAccount);

    const home = await from(1).logIn(owner.name, owner.password, 'laptop');
    expect(home.status).toBe(200);
    // A typo at home is a failed sign-in like any other, and does not keep the owner out either.
    expect((await from(1).logIn(owner.name, wrong())).status).toBe(401);
    expect((await from(1).logIn(owner.name, owner.password)).status).toBe(200);
    // And the session it opened works.
    const token = String(home.body.token);
    expect((await from(1).request('POST', '/_tote/session/renew', { token })).status).toBe(200);
  });

  it('asks an address the account never signed in from to use a known one or wait, the right password included; after the window it signs in', async () => {
    const cafe = from(200);
    const refused = await cafe.logIn(owner.name, owner.password, 'phone');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.reason).toBe(
      'Too many failed sign-ins for this account from elsewhere. Sign in from a device or network you have signed in from before, or wait up to 15 minutes, then try again.',
    );
    // Its prelogin says the same, for any name the attack is on.
    expect((await cafe.request('POST', '/_tote/prelogin', { body: { name: owner.name } })).status).toBe(429);
    // Other accounts are not touched by it.
    await from(1).signUp('other.shopper@example.com', 'other real password');
    expect((await cafe.logIn('other.shopper@example.com', 'other real password')).status).toBe(200);

    clockOffset += loginWindowMs + 1_000;
    expect((await cafe.logIn(owner.name, owner.password, 'phone')).status).toBe(200);
    // From then on the café is known to the account: the next attack does not keep it out there either.
    for (let n = 100; n < 100 + loginFailuresPerAccount; n += 1) expect((await from(n).logIn(owner.name, wrong())).status).toBe(401);
    expect((await from(110).logIn(owner.name, wrong())).status).toBe(429);
    expect((await cafe.logIn(owner.name, owner.password, 'phone')).status).toBe(200);
    expect((await from(1).logIn(owner.name, owner.password, 'laptop')).status).toBe(200);
  });

  it('forgets an address 30 days after its last sign-in from there', async () => {
    clockOffset += loginWindowMs + 1_000;
    expect((await from(1).logIn(owner.name, owner.password, 'laptop')).status).toBe(200);
    clockOffset += 29 * 24 * 3600_000;
    expect((await from(1).logIn(owner.name, owner.password, 'laptop')).status).toBe(200); // renews home for 30 days
    clockOffset += 2 * 24 * 3600_000; // the café: 31 days since its last sign-in
    for (let n = 120; n < 120 + loginFailuresPerAccount; n += 1) expect((await from(n).logIn(owner.name, wrong())).status).toBe(401);
    expect((await from(200).logIn(owner.name, owner.password, 'phone')).status).toBe(429);
    expect((await from(1).logIn(owner.name, owner.password, 'laptop')).status).toBe(200);
  });
});

describe('one address guessing', () => {
  const pat = { name: 'pat.guessed@example.com', password: 'pat real password' };

  it(`makes that address wait after ${loginFailuresPerPair} failures for the account, the right password included, longer after each further failure`, async () => {
    await from(1).signUp(pat.name, pat.password);
    const attacker = from(60);
    for (let attempt = 0; attempt < loginFailuresPerPair; attempt += 1) {
      // The name as a shopper might type it: the same account.
      expect((await attacker.logIn(attempt === 0 ? ' Pat.Guessed@Example.com ' : pat.name, wrong())).status).toBe(401);
    }
    const blocked = await attacker.logIn(pat.name, wrong());
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBe(30);
    expect(blocked.body.reason).toBe('Too many failed sign-ins for this account from here. Wait 30 seconds, then try again.');
    expect((await attacker.logIn(pat.name, pat.password)).status).toBe(429);
    expect((await attacker.request('POST', '/_tote/prelogin', { body: { name: pat.name } })).status).toBe(429);

    // Only that address waits: the owner at home, and even another address, are not held up.
    expect((await from(1).logIn(pat.name, pat.password)).status).toBe(200);
    expect((await from(1).request('POST', '/_tote/prelogin', { body: { name: pat.name } })).status).toBe(200);
    expect((await from(61).logIn(pat.name, wrong())).status).toBe(401);

    clockOffset += 31_000;
    expect((await attacker.logIn(pat.name, wrong())).status).toBe(401);
    const longer = await attacker.logIn(pat.name, pat.password);
    expect(longer.status).toBe(429);
    expect(Number(longer.headers.get('retry-after'))).toBe(60);
    expect(longer.body.reason).toMatch(/Wait 1 minute, then/);
  });

  it('limits one address across accounts: past 20 failures it waits for every name', async () => {
    const attacker = from(70);
    for (let i = 0; i < defaultRateLimits.loginFailuresPerAddress; i += 1) {
      expect((await attacker.logIn(`someone.${i}@example.com`, wrong())).status).toBe(401);
    }
    const blocked = await attacker.logIn('someone.else@example.com', wrong());
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.body.reason).toMatch(/^Too many failed sign-ins from this address\. Wait up to 15 minutes/);
    expect((await attacker.logIn(pat.name, pat.password)).status).toBe(429);
    expect((await from(1).logIn(pat.name, pat.password)).status).toBe(200);
  });

  it('counts a wrong current password at a password change on the same rules', async () => {
    const sam = { name: 'sam.changes@example.com', password: 'sam real password' };
    const { token } = await from(80).signUp(sam.name, sam.password);
    for (let attempt = 0; attempt < loginFailuresPerPair; attempt += 1) {
      expect((await from(80).request('POST', '/_tote/password', { token, body: { oldPassword: wrong(), newPassword: 'sam new password' } })).status).toBe(403);
    }
    const blocked = await from(80).request('POST', '/_tote/password', { token, body: { oldPassword: sam.password, newPassword: 'sam new password' } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await from(80).logIn(sam.name, sam.password)).status).toBe(429);
    expect((await from(81).logIn(sam.name, sam.password)).status).toBe(200);
  });

  it('counts CouchDB-admin checks (Fauxton) as sign-ins of one account: strangers slow down their own addresses, the admin gets in', async () => {
    const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`${server!.admin.name}:${password}`).toString('base64')}` });
    expect((await from(1).request('GET', '/_all_dbs', { headers: basic(server!.admin.password) })).status).toBe(200);
    const attacker = from(90);
    for (let attempt = 0; attempt < loginFailuresPerPair; attempt += 1) {
      expect((await attacker.request('GET', '/_all_dbs', { headers: basic(wrong()) })).status).toBe(401);
    }
    const blocked = await attacker.request('GET', '/_all_dbs', { headers: basic(wrong()) });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // From many addresses: the admin's own address still gets in, an unknown one waits.
    for (let n = 91; n < 91 + loginFailuresPerAccount; n += 1) await from(n).request('GET', '/_all_dbs', { headers: basic(wrong()) });
    clockOffset += 31_000; // past the 30 s for which the gateway remembers an admin check
    const elsewhere = await from(201).request('GET', '/_all_dbs', { headers: basic(server!.admin.password) });
    expect(elsewhere.status).toBe(429);
    expect(elsewhere.body.reason).toMatch(/from elsewhere/);
    expect((await from(1).request('GET', '/_all_dbs', { headers: basic(server!.admin.password) })).status).toBe(200);
  });
});

describe('the audit log', () => {
  it('has every failed sign-in, refusals included, with the name as given (canonical), the address and the time', async () => {
    const entries = await failedSignIns();
    const pat = entries.filter((entry) => entry.actor === 'pat.guessed@example.com');
    const patFrom60 = pat.filter((entry) => entry.detail?.address === '127.0.0.60');
    // 5 + 1 wrong passwords, 1 more after the wait; refused: a guess, the right password twice, a prelogin.
    expect(patFrom60.filter((entry) => entry.detail?.status === 401)).toHaveLength(loginFailuresPerPair + 1);
    expect(patFrom60.filter((entry) => entry.detail?.status === 429)).toHaveLength(4);
    expect(patFrom60).toContainEqual(expect.objectContaining({ role: 'anonymous', detail: { route: 'login', address: '127.0.0.60', status: 401 } }));
    expect(patFrom60).toContainEqual(expect.objectContaining({ detail: { route: 'login', address: '127.0.0.60', status: 429, limit: 'pair' } }));
    expect(patFrom60).toContainEqual(expect.objectContaining({ detail: { route: 'prelogin', address: '127.0.0.60', status: 429, limit: 'pair' } }));
    expect(pat).toContainEqual(expect.objectContaining({ detail: { route: 'login', address: '127.0.0.61', status: 401 } }));
    for (const entry of pat) expect(Math.abs(entry.at - now())).toBeLessThan(10 * 60_000);

    // The attack: one entry per attempt, from each of the 50 addresses, as the gateway saw them.
    const olive = entries.filter((entry) => entry.actor === 'olive.owner@example.com');
    const addresses = new Set(olive.map((entry) => entry.detail?.address));
    for (let n = 2; n <= 51; n += 1) expect(addresses).toContain(`127.0.0.${n}`);
    expect(olive.filter((entry) => entry.detail?.limit === 'account').length).toBeGreaterThanOrEqual(100 - loginFailuresPerAccount);

    expect(entries).toContainEqual(expect.objectContaining({ actor: 'sam.changes@example.com', role: 'shopper', detail: { route: 'password', address: '127.0.0.80', status: 403 } }));
    expect(entries).toContainEqual(expect.objectContaining({
      actor: `couch-admin:${server!.admin.name}`, role: 'couch-admin', detail: { route: 'couch-admin', address: '127.0.0.90', status: 401 },
    }));
    expect(entries).toContainEqual(expect.objectContaining({ actor: 'someone.0@example.com', detail: { route: 'login', address: '127.0.0.70', status: 401 } }));
    expect(entries).toContainEqual(expect.objectContaining({ actor: 'someone.else@example.com', detail: { route: 'login', address: '127.0.0.70', status: 429, limit: 'address' } }));

    // Nothing tried is in it: not the wrong passwords, not the right ones sent while refused, not a Basic header.
    const text = JSON.stringify(entries);
    for (const secret of [...tried, 'pat real password', 'olive real password', server!.admin.password]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/Basic /);
  });

  it('keeps no secret that was tried anywhere in the server\'s data folder', async () => {
    await server!.gateway.flushAudit();
    await server!.stop(); // writes the gateway's state file
    server = null;
    // The audit's entries are on disk (names without an account are found: they are only there), the secrets tried are not.
    const found = await onDisk(dataDir, [...tried, 'someone.0@example.com', 'someone.else@example.com']);
    expect(found.sort()).toEqual(['someone.0@example.com', 'someone.else@example.com']);
    expect(tried.length).toBeGreaterThan(100);
  });
});
