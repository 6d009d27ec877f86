/**
 * Where a shopper's cart lives on the sync server: one database per shopper, named the way CouchDB's
 * couch_peruser names them ("userdb-" + hex of the UTF-8 user name), so a stock Apache CouchDB 3.x
 * with couch_peruser enabled provides the same layout.
 */
import { ToteError } from '../errors.ts';
import type { SyncTarget } from './couch-replication.ts';

export function shopperDbName(username: string): string {
  return `userdb-${[...new TextEncoder().encode(username)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Builds the sync target from what the shopper typed in Settings, or throws ToteError('INVALID_INPUT'). */
export function syncTargetFrom(settings: { serverUrl: string; username: string; password: string }): SyncTarget {
  let server: URL;
  try {
    server = new URL(settings.serverUrl.trim());
  } catch {
    throw new ToteError('INVALID_INPUT', 'The server address is not a web address (it starts with https://).', { field: 'serverUrl' });
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:') {
    throw new ToteError('INVALID_INPUT', 'The server address must start with https:// or http://.', { field: 'serverUrl' });
  }
  const username = settings.username.trim();
  if (username === '') throw new ToteError('INVALID_INPUT', 'Enter your user name.', { field: 'username' });
  if (settings.password === '') throw new ToteError('INVALID_INPUT', 'Enter your password.', { field: 'password' });
  const base = server.href.endsWith('/') ? server.href : `${server.href}/`;
  return { dbUrl: `${base}${shopperDbName(username)}`, username, password: settings.password };
}
