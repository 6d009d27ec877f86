/**
 * Sessions: a random bearer token per signed-in device, kept (hashed) in the shared state with the
 * shopper's timeout as its lifetime. Background sync does not keep a session alive; the shopper's
 * activity does (the client renews while the shopper is active: sliding expiry). Sessions can be listed
 * and revoked per device; a password change revokes the others.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Account, Role } from './accounts.ts';
import type { SharedState } from './shared-state.ts';

export interface Session {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly guest: boolean;
  readonly dbName: string | null;
  /** What the device called itself at sign-in ("Chrome on Linux"); shown in the session list. */
  readonly device: string;
  readonly createdAt: number;
  readonly renewedAt: number;
  readonly expiresAt: number;
  readonly timeoutMs: number;
}

interface Stored extends Session {
  readonly tokenHash: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
const tokenKey = (tokenHash: string) => `token:${tokenHash}`;
const listKey = (name: string) => `sessions:${name}`;

function strip({ tokenHash: _ignored, ...session }: Stored): Session {
  return session;
}

export interface SessionService {
  create(account: Account, device: string): Promise<{ token: string; session: Session }>;
  /** The session for a token, or null when it expired, was revoked or never existed. Does not renew. */
  check(token: string): Promise<Session | null>;
  /** Slides the expiry: now + the shopper's timeout (which may have changed since sign-in). */
  renew(token: string, timeoutMinutes: number): Promise<Session | null>;
  list(name: string): Promise<Session[]>;
  /** Ends one session of this shopper; false when there was none with this id. */
  revoke(name: string, id: string): Promise<boolean>;
  /** Ends every session of this shopper but `keepId`. */
  revokeAll(name: string, keepId?: string): Promise<number>;
}

export function sessionService(state: SharedState, now: () => number = Date.now): SessionService {
  const save = async (stored: Stored) => {
    await state.set(tokenKey(stored.tokenHash), JSON.stringify(stored), stored.expiresAt - now());
    await state.hset(listKey(stored.name), stored.id, JSON.stringify(stored));
  };
  const load = async (tokenHash: string): Promise<Stored | null> => {
    const text = await state.get(tokenKey(tokenHash));
    return text ? (JSON.parse(text) as Stored) : null;
  };
  const service: SessionService = {
    async create(account, device) {
      const token = randomBytes(32).toString('base64url');
      const at = now();
      const timeoutMs = account.sessionTimeoutMinutes * 60_000;
      const stored: Stored = {
        id: randomBytes(9).toString('base64url'), name: account.name, role: account.role, guest: account.guest, dbName: account.dbName,
        device: device.slice(0, 100) || 'Unnamed device', createdAt: at, renewedAt: at, expiresAt: at + timeoutMs, timeoutMs,
        tokenHash: hashToken(token),
      };
      await save(stored);
      return { token, session: strip(stored) };
    },
    async check(token) {
      const stored = await load(hashToken(token));
      return stored && stored.expiresAt > now() ? strip(stored) : null;
    },
    async renew(token, timeoutMinutes) {
      const stored = await load(hashToken(token));
      if (!stored || stored.expiresAt <= now()) return null;
      const timeoutMs = timeoutMinutes * 60_000;
      const renewed: Stored = { ...stored, renewedAt: now(), expiresAt: now() + timeoutMs, timeoutMs };
      await save(renewed);
      return strip(renewed);
    },
    async list(name) {
      const all = Object.values(await state.hgetall(listKey(name))).map((text) => JSON.parse(text) as Stored);
      const alive: Session[] = [];
      for (const stored of all) {
        if (stored.expiresAt > now() && (await state.get(tokenKey(stored.tokenHash)))) alive.push(strip(stored));
        else await state.hdel(listKey(name), stored.id);
      }
      return alive.sort((a, b) => a.createdAt - b.createdAt);
    },
    async revoke(name, id) {
      const text = (await state.hgetall(listKey(name)))[id];
      if (!text) return false;
      const stored = JSON.parse(text) as Stored;
      await state.del(tokenKey(stored.tokenHash));
      await state.hdel(listKey(name), id);
      return true;
    },
    async revokeAll(name, keepId) {
      let count = 0;
      for (const id of Object.keys(await state.hgetall(listKey(name)))) {
        if (id !== keepId && (await service.revoke(name, id))) count += 1;
      }
      return count;
    },
  };
  return service;
}
