/**
 * Request and sign-in limits, counted in the shared state so that every gateway instance enforces the
 * same budget. Over the limit: 429 with Retry-After. The sign-in rules (docs/sync-server.md, "Sign-in
 * limits") are built so that nobody can keep an account's owner out: failures slow down the address they
 * come from, and an account's own limit spares the addresses its owner has signed in from.
 */
import { createHash } from 'node:crypto';
import { GatewayError } from './errors.ts';
import type { SharedState } from './shared-state.ts';

export interface RateLimitConfig {
  /** Requests per address per minute (all routes). */
  readonly requestsPerMinute: number;
  /** Failed sign-ins of one account from one address before that pair waits (`loginBackoffMs`, doubling). */
  readonly loginFailuresPerPair: number;
  /** The first wait of a pair; each further failure doubles it, up to `loginWindowMs`. */
  readonly loginBackoffMs: number;
  /** A pair's failures are forgotten this long after its last one (or at its next successful sign-in). */
  readonly loginPairMemoryMs: number;
  /**
   * Failed sign-ins of one account (from anywhere) within `loginWindowMs` before it can be signed in to
   * only from addresses it signed in from before (`knownAddressMs`) for the rest of the window.
   */
  readonly loginFailuresPerAccount: number;
  /** Failed sign-ins per address (to any account) within `loginWindowMs`. */
  readonly loginFailuresPerAddress: number;
  readonly loginWindowMs: number;
  /** How long an address an account signed in from stays known to it (renewed at every sign-in from there). */
  readonly knownAddressMs: number;
  /** Accounts (and guests) created per address per hour. */
  readonly signupsPerAddressPerHour: number;
}

export const defaultRateLimits: RateLimitConfig = {
  requestsPerMinute: 3000,
  loginFailuresPerPair: 5,
  loginBackoffMs: 30_000,
  loginPairMemoryMs: 60 * 60_000,
  loginFailuresPerAccount: 10,
  loginFailuresPerAddress: 20,
  loginWindowMs: 15 * 60_000,
  knownAddressMs: 30 * 24 * 3600_000,
  signupsPerAddressPerHour: 30,
};

/** Which limit refused a sign-in: the account from this address, the address, the account from unknown addresses, prelogins. */
export type SignInLimit = 'pair' | 'address' | 'account' | 'prelogin';

/** Which limit refused a request: requests per address, accounts made per address, or a sign-in limit. */
export type Limit = 'requests' | 'signups' | SignInLimit;

/** A 429: says which limit, for the audit log and the metrics (metrics.ts). */
export class RateLimited extends GatewayError {
  constructor(readonly limit: Limit, reason: string, resetInMs: number) {
    super(429, 'too_many_requests', reason, Math.max(1, Math.ceil(resetInMs / 1000)));
  }
}

/** A 429 of a sign-in limit. */
export class SignInThrottled extends RateLimited {
  declare readonly limit: SignInLimit;
  constructor(limit: SignInLimit, reason: string, resetInMs: number) {
    super(limit, reason, resetInMs);
  }
}

export interface RateLimiter {
  request(address: string): Promise<void>;
  /**
   * Throws `SignInThrottled` while this account waits at this address, this address has failed too
   * often, or this account has failed too often and the address is not one it signed in from before
   * (`known`: the caller holds a session of the account, which counts as such an address).
   */
  checkLogin(name: string, address: string, options?: { known?: boolean }): Promise<void>;
  loginFailed(name: string, address: string): Promise<void>;
  /** The address becomes known to the account (for `knownAddressMs`) and the pair's failures are forgotten. */
  loginSucceeded(name: string, address: string): Promise<void>;
  /**
   * Prelogins that named an account still signing in with its password (the one answer that tells an
   * account exists) count like failed sign-ins of the address: `checkPrelogin` refuses past the budget.
   */
  checkPrelogin(address: string): Promise<void>;
  preloginRevealed(address: string): Promise<void>;
  signup(address: string): Promise<void>;
}

const tooMany = (limit: 'requests' | 'signups', reason: string, resetInMs: number) => new RateLimited(limit, reason, resetInMs);

/** Names are kept hashed in the shared state: any string may be sent as a name, and the state file lists no accounts. */
const nameKey = (name: string) => createHash('sha256').update(name).digest('base64url').slice(0, 27);

/** "45 seconds", "1 minute", "15 minutes". */
function duration(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export function rateLimiter(state: SharedState, config: RateLimitConfig, now: () => number = Date.now): RateLimiter {
  const peek = async (key: string) => Number((await state.get(key)) ?? 0);
  const window = duration(config.loginWindowMs);
  const keys = (name: string, address: string) => {
    const account = nameKey(name);
    return {
      pair: `rate:login-pair:${account}:${address}`,
      wait: `rate:login-wait:${account}:${address}`,
      account: `rate:login-account:${account}`,
      address: `rate:login-address:${address}`,
      known: `rate:login-known:${account}:${address}`,
    };
  };
  return {
    async request(address) {
      const { count, resetInMs } = await state.hit(`rate:req:${address}`, 60_000);
      if (count > config.requestsPerMinute) throw tooMany('requests', 'Too many requests from this address. Wait a moment and try again.', resetInMs);
    },
    async checkLogin(name, address, options = {}) {
      const key = keys(name, address);
      const waitUntil = Number((await state.get(key.wait)) ?? 0);
      if (waitUntil > now()) {
        throw new SignInThrottled('pair', `Too many failed sign-ins for this account from here. Wait ${duration(waitUntil - now())}, then try again.`, waitUntil - now());
      }
      if ((await peek(key.address)) >= config.loginFailuresPerAddress) {
        throw new SignInThrottled('address', `Too many failed sign-ins from this address. Wait up to ${window}, then try again.`, config.loginWindowMs);
      }
      if ((await peek(key.account)) >= config.loginFailuresPerAccount && !options.known && !(await state.get(key.known))) {
        throw new SignInThrottled(
          'account',
          `Too many failed sign-ins for this account from elsewhere. Sign in from a device or network you have signed in from before, or wait up to ${window}, then try again.`,
          config.loginWindowMs,
        );
      }
    },
    async loginFailed(name, address) {
      const key = keys(name, address);
      const { count } = await state.hit(key.pair, config.loginPairMemoryMs);
      await state.touch(key.pair, config.loginPairMemoryMs); // forgotten only after a quiet spell
      if (count >= config.loginFailuresPerPair) {
        const waitMs = Math.min(config.loginBackoffMs * 2 ** Math.min(count - config.loginFailuresPerPair, 30), config.loginWindowMs);
        await state.set(key.wait, String(now() + waitMs), waitMs);
      }
      await state.hit(key.account, config.loginWindowMs);
      await state.hit(key.address, config.loginWindowMs);
    },
    async loginSucceeded(name, address) {
      const key = keys(name, address);
      await state.set(key.known, '1', config.knownAddressMs);
      await state.del(key.pair);
      await state.del(key.wait);
    },
    async checkPrelogin(address) {
      if ((await peek(`rate:prelogin-address:${address}`)) >= config.loginFailuresPerAddress) {
        throw new SignInThrottled('prelogin', `Too many sign-in attempts from this address. Wait up to ${window}, then try again.`, config.loginWindowMs);
      }
    },
    async preloginRevealed(address) {
      await state.hit(`rate:prelogin-address:${address}`, config.loginWindowMs);
    },
    async signup(address) {
      const { count, resetInMs } = await state.hit(`rate:signup:${address}`, 3600_000);
      if (count > config.signupsPerAddressPerHour) throw tooMany('signups', 'Too many new accounts from this address. Try again later.', resetInMs);
    },
  };
}
