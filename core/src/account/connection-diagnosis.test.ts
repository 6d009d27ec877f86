import { describe, expect, it } from 'vitest';
import type { FetchPort } from '../ports.ts';
import { diagnoseConnection, trustPageUrl } from './connection-diagnosis.ts';

/** A network where only the given addresses answer, with the given JSON. */
function network(answers: Record<string, unknown>): { fetch: FetchPort; asked: string[] } {
  const asked: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    const url = String(input);
    asked.push(url);
    if (!(url in answers)) throw new TypeError('Failed to fetch');
    return new Response(JSON.stringify(answers[url]), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as FetchPort;
  return { fetch, asked };
}

describe('telling why the sync server could not be reached', () => {
  it('finds the trust page of a server on this computer only', () => {
    expect(trustPageUrl('https://localhost:6984')).toBe('http://localhost:6985/');
    expect(trustPageUrl('https://127.0.0.1:7000/')).toBe('http://127.0.0.1:7001/');
    expect(trustPageUrl('https://[::1]:6984')).toBe('http://[::1]:6985/');
    expect(trustPageUrl('https://sync.example.com')).toBeNull();
    expect(trustPageUrl('http://localhost:6984')).toBeNull();
    expect(trustPageUrl('not a url')).toBeNull();
  });

  it('a running server whose certificate this device does not trust', async () => {
    const { fetch, asked } = network({ 'http://localhost:6985/probe': { tote: 'sync-server', originAdmitted: true } });
    const diagnosis = await diagnoseConnection('https://localhost:6984/', fetch);
    expect(asked).toEqual(['http://localhost:6985/probe']);
    expect(diagnosis.problem).toBe('certificate');
    expect(diagnosis.message).toContain('does not trust its certificate');
    expect(diagnosis.message).toContain('http://localhost:6985/');
  });

  it('a running server that refuses this app\'s origin', async () => {
    const { fetch } = network({ 'http://localhost:6985/probe': { tote: 'sync-server', originAdmitted: false } });
    const diagnosis = await diagnoseConnection('https://localhost:6984', fetch);
    expect(diagnosis.problem).toBe('origin-refused');
    expect(diagnosis.message).toContain('TOTE_GATEWAY_ORIGINS');
  });

  it('a server that is not running, or something else on the port', async () => {
    expect((await diagnoseConnection('https://localhost:6984', network({}).fetch)).problem).toBe('unreachable');
    expect((await diagnoseConnection('https://localhost:6984', network({ 'http://localhost:6985/probe': { hello: 1 } }).fetch)).problem).toBe('unreachable');
    const { message } = await diagnoseConnection('https://localhost:6984', network({}).fetch);
    expect(message).toContain('Check that it is running');
  });

  it('a server elsewhere: both likely causes, and no request to a page it does not have', async () => {
    const { fetch, asked } = network({});
    const diagnosis = await diagnoseConnection('https://sync.example.com', fetch);
    expect(diagnosis.problem).toBe('unknown');
    expect(diagnosis.message).toContain('trust it first');
    expect(asked).toEqual([]);
  });
});
