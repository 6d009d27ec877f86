/**
 * Which web origins the gateway admits: the CORS plugin and the live channel's WebSocket upgrade use the
 * same rule, so a page that may not call the API may not open the live channel either.
 */

/** `allowed`: exact origins, `*`, or `<scheme>://*` for every origin of a scheme (the extension's). */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  return allowed.some((rule) => rule === '*' || rule === origin || (rule.endsWith('://*') && origin.startsWith(rule.slice(0, -1))));
}

/**
 * A WebSocket upgrade: browsers always send `Origin` (and CORS does not apply to WebSockets, so this check
 * is the only one); native apps and Node clients send none and are admitted, as they are by CORS.
 */
export function upgradeOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  return origin === undefined || originAllowed(origin, allowed);
}
