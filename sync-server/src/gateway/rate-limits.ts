/**
 * Request and sign-in limits, counted in the shared state so that every gateway instance enforces the
 * same budget. Over the limit: 429 with Retry-After.
 */
import { GatewayError } from './errors.ts';
import type { SharedState } from './shared-state.ts';

export interface RateLimitConfig {
  /** Requests per address per minute (all routes). */
  readonly requestsPerMinute: number;
  /** Failed sign-ins per account within `loginWindowMs` before it is locked for the rest of the window. */
  readonly loginFailuresPerAccount: number;
  /** Failed sign-ins per address within `loginWindowMs`. */
  readonly loginFailuresPerAddress: number;
  readonly loginWindowMs: number;
  /** Accounts (and guests) created per address per hour. */
  readonly signupsPerAddressPerHour: number;
}

export const defaultRateLimits: RateLimitConfig = {
  requestsPerMinute: 3000,
  loginFailuresPerAccount: 5,
  loginFailuresPerAddress: 20,
  loginWindowMs: 15 * 60_000,
  signupsPerAddressPerHour: 30,
};

export interface RateLimiter {
  request(address: string): Promise<void>;
  /** Throws 429 when this account or address has failed to sign in too often. */
  checkLogin(name: string, address: string): Promise<void>;
  loginFailed(name: string, address: string): Promise<void>;
  /**
   * Prelogins that named an account still signing in with its password (the one answer that tells an
   * account exists) count like failed sign-ins of the address: `checkPrelogin` refuses past the budget.
   */
  checkPrelogin(address: string): Promise<void>;
  preloginRevealed(address: string): Promise<void>;
  signup(address: string): Promise<void>;
}

const tooMany = (reason: string, resetInMs: number) =>
  new GatewayError(429, 'too_many_requests', reason, Math.max(1, Math.ceil(resetInMs / 1000)));

export function rateLimiter(state: SharedState, config: RateLimitConfig): RateLimiter {
  const peek = async (key: string) => Number((await state.get(key)) ?? 0);
  return {
    async request(address) {
      const { count, resetInMs } = await state.hit(`rate:req:${address}`, 60_000);
      if (count > config.requestsPerMinute) throw tooMany('Too many requests from this address. Wait a moment and try again.', resetInMs);
    },
    async checkLogin(name, address) {
      const windowMinutes = Math.round(config.loginWindowMs / 60_000);
      if ((await peek(`rate:login-account:${name}`)) >= config.loginFailuresPerAccount) {
        throw tooMany(`Too many failed sign-ins for this account. Wait up to ${windowMinutes} minutes, then try again.`, config.loginWindowMs);
      }
      if ((await peek(`rate:login-address:${address}`)) >= config.loginFailuresPerAddress) {
        throw tooMany(`Too many failed sign-ins from this address. Wait up to ${windowMinutes} minutes, then try again.`, config.loginWindowMs);
      }
    },
    async loginFailed(name, address) {
      await state.hit(`rate:login-account:${name}`, config.loginWindowMs);
      await state.hit(`rate:login-address:${address}`, config.loginWindowMs);
    },
    async checkPrelogin(address) {
      if ((await peek(`rate:prelogin-address:${address}`)) >= config.loginFailuresPerAddress) {
        const windowMinutes = Math.round(config.loginWindowMs / 60_000);
        throw tooMany(`Too many sign-in attempts from this address. Wait up to ${windowMinutes} minutes, then try again.`, config.loginWindowMs);
      }
    },
    async preloginRevealed(address) {
      await state.hit(`rate:prelogin-address:${address}`, config.loginWindowMs);
    },
    async signup(address) {
      const { count, resetInMs } = await state.hit(`rate:signup:${address}`, 3600_000);
      if (count > config.signupsPerAddressPerHour) throw tooMany('Too many new accounts from this address. Try again later.', resetInMs);
    },
  };
}
