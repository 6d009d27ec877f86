import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isDiskFull, readErrorBody, upstreamFailure } from './storage-errors.ts';

describe('CouchDB failures as the gateway answers them', () => {
  it('a full disk, as the embedded server and Apache CouchDB say it, is 507 with Retry-After and names no file', () => {
    const embedded = '{"error":"bad_request","reason":"IO error: /srv/tote/couch/userdb-61/000003.log: No space left on device"}';
    const couchdb = '{"error":"unknown_error","reason":"enospc"}';
    for (const body of [embedded, couchdb]) {
      const answer = upstreamFailure(body);
      expect(answer.status).toBe(507);
      expect(answer.retryAfter).toBeGreaterThan(0);
      expect(answer.reason).not.toMatch(/\/srv|userdb|\.log/);
      expect(answer.reason).toMatch(/kept on your device/);
    }
  });

  it('any other failure is 503 with Retry-After, without CouchDB\'s reason', () => {
    const answer = upstreamFailure('{"error":"unknown_error","reason":"function_clause at /opt/couchdb/lib"}');
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toBeGreaterThan(0);
    expect(answer.reason).not.toMatch(/function_clause|opt/);
    expect(isDiskFull('{"error":"not_found"}')).toBe(false);
  });

  it('reads at most 16 KB of an error body and drains the rest', async () => {
    const stream = Readable.from([Buffer.alloc(40_000, 'a'), Buffer.from('No space left on device')]);
    const text = await readErrorBody(stream);
    expect(text.length).toBe(16 * 1024);
    expect(stream.readableEnded).toBe(true);
  });
});
