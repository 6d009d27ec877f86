/**
 * Where a shopper's cart lives on the sync server: one database per shopper, named the way CouchDB's
 * couch_peruser names them ("userdb-" + hex of the UTF-8 user name), so a stock Apache CouchDB 3.x
 * with couch_peruser enabled provides the same layout.
 */

export function shopperDbName(username: string): string {
  return `userdb-${[...new TextEncoder().encode(username)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The shopper's synced history (docs/history.md): `<shopperDb>-history`, next to the cart's database. */
export function historyDbOf(dbName: string): string {
  return `${dbName}-history`;
}

export function historyDbName(username: string): string {
  return historyDbOf(shopperDbName(username));
}

/** The history database's URL for the cart database's URL (with or without a trailing slash). */
export function historyDbUrl(cartDbUrl: string): string {
  const url = new URL(cartDbUrl);
  url.pathname = `${historyDbOf(url.pathname.replace(/\/+$/, ''))}/`;
  return url.toString();
}
