import { describe, expect, it } from 'vitest';
import { isToteError } from '../errors.ts';
import { accountApi } from './account-api.ts';

/** A server that answers every call with one status, body and headers. */
function answering(status: number, body: unknown, headers: Record<string, string> = {}): typeof fetch {
  return (async () => new Response(body === undefined ? '' : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })) as typeof fetch;
}

async function signInError(fetchPort: typeof fetch): Promise<unknown> {
  return accountApi(fetchPort, { name: 'test' }).signIn('https://localhost:5985', 'shopper', 'password 1234').then(() => null, (error: unknown) => error);
}

describe('the account API on the server\'s refusals', () => {
  it('shows the gateway\'s own reason once, without advice added after it', async () => {
    const reason = 'The cart storage is not reachable right now. Your changes are kept on your device; Tote tries again in a moment.';
    const error = await signInError(answering(503, { error: 'unavailable', reason }, { 'retry-after': '5' }));
    expect(isToteError(error, 'SYNC_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toBe(reason);
    expect((error as { details?: { retryAfterSeconds?: number } }).details?.retryAfterSeconds).toBe(5);
  });

  it('says a full disk is a wait, not a failure', async () => {
    const error = await signInError(answering(507, { error: 'insufficient_storage', reason: 'The sync server is out of storage space.' }));
    expect(isToteError(error, 'SYNC_UNAVAILABLE')).toBe(true);
  });

  it('adds what to do to a bare status', async () => {
    const error = await signInError(answering(500, undefined));
    expect(isToteError(error, 'SYNC_HTTP')).toBe(true);
    expect((error as Error).message).toBe('The sync server answered 500. Try again in a moment.');
  });
});
