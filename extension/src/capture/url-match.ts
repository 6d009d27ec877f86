/**
 * Whether a URL in the markup (a variant's, an offer's, the product's) names the page being shown,
 * allowing for what links add or drop: a fragment, tracking parameters, "www.", http vs https and a
 * trailing slash. Shopify-like variant URLs (?variant=…) must agree on every parameter they carry.
 */

/** -1 when `candidate` is not the page; otherwise how many of its query parameters the page matches. */
export function pageMatch(candidate: unknown, pageUrl: string): number {
  if (typeof candidate !== 'string' || candidate.length > 2048) return -1;
  try {
    const page = new URL(pageUrl);
    const url = new URL(candidate.trim(), page);
    const host = (u: URL) => u.hostname.replace(/^www\./, '');
    const path = (u: URL) => u.pathname.replace(/\/+$/, '');
    if (host(url) !== host(page) || path(url) !== path(page)) return -1;
    const wanted = queryPairs(url.search);
    const given = queryPairs(page.search);
    const has = ([key, value]: readonly [string, string]) => given.some(([k, v]) => k === key && v === value);
    return wanted.every(has) ? wanted.length : -1;
  } catch {
    return -1;
  }
}

/**
 * "?a=1&b=x+y" → [["a","1"],["b","x y"]]. Parsed by hand rather than with URLSearchParams iteration:
 * its iterator needs the DOM.Iterable lib, and its forEach callback cannot run when the capture is
 * evaluated from another world on a page with scripts off (the corpus runner in Chromium).
 */
function queryPairs(search: string): [string, string][] {
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return part;
    }
  };
  return search.replace(/^\?/, '').split('&').filter((pair) => pair !== '').map((pair) => {
    const at = pair.indexOf('=');
    return at === -1 ? [decode(pair), ''] : [decode(pair.slice(0, at)), decode(pair.slice(at + 1))];
  });
}

/** The entries whose URL best names the page (most parameters in common), in order; empty if none does. */
export function bestForPage<T>(entries: readonly T[], urlOf: (entry: T) => unknown, pageUrl: string): T[] {
  let best = -1;
  let found: T[] = [];
  for (const entry of entries) {
    const score = pageMatch(urlOf(entry), pageUrl);
    if (score > best) [best, found] = [score, [entry]];
    else if (score === best && score >= 0) found.push(entry);
  }
  return found;
}
