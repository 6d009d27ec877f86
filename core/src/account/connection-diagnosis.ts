/**
 * Why a request to the sync server failed, when `fetch` only says "failed": a browser gives a certificate
 * it does not trust, an origin the server refused (CORS) and a server that is not there the same opaque
 * TypeError. A local sync server answers a plain-HTTP trust page on loopback next to its gateway (port + 1,
 * docs/sync-server.md, "The trust page"), which tells the three apart:
 *
 * 1. The page answers and says this app's origin is not admitted: a refused origin.
 * 2. The page answers and admits the origin: the gateway is running, so its HTTPS failed: a certificate
 *    this device does not trust.
 * 3. Nothing answers: the server is not running, or the address is wrong.
 * 4. A server that is not on this computer has no such page: the message names both likely causes.
 */
import type { FetchPort } from '../ports.ts';

export type ConnectionProblem = 'certificate' | 'origin-refused' | 'unreachable' | 'unknown';

export interface ConnectionDiagnosis {
  readonly problem: ConnectionProblem;
  /** One or two sentences for the shopper: what is wrong and what to do. */
  readonly message: string;
  /** The trust page, for a local server. */
  readonly trustPage: string | null;
}

/** The trust page listens on the gateway's port + 1 (sync-server/src/gateway/trust-page.ts). */
export const TRUST_PAGE_PORT_OFFSET = 1;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The trust page of a sync server on this computer; null for any other server. */
export function trustPageUrl(serverUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || !LOOPBACK.has(url.hostname)) return null;
  const port = Number(url.port || 443) + TRUST_PAGE_PORT_OFFSET;
  return `http://${url.hostname}:${port}/`;
}

function isProbe(value: unknown): value is { tote: 'sync-server'; originAdmitted: boolean } {
  return typeof value === 'object' && value !== null && (value as { tote?: unknown }).tote === 'sync-server'
    && typeof (value as { originAdmitted?: unknown }).originAdmitted === 'boolean';
}

/** Call after a request to `serverUrl` failed without an answer. Never throws. */
export async function diagnoseConnection(serverUrl: string, fetchPort: FetchPort, options: { timeoutMs?: number } = {}): Promise<ConnectionDiagnosis> {
  const server = serverUrl.replace(/\/+$/, '');
  const trustPage = trustPageUrl(server);
  if (!trustPage) {
    return {
      problem: 'unknown', trustPage: null,
      message: `Tote cannot reach the sync server at ${server}. Check the address and your connection; if the server uses a certificate of its own, this device must trust it first. Then try again.`,
    };
  }
  let probe: unknown = null;
  try {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 3_000);
    try {
      const answer = await fetchPort(`${trustPage}probe`, { signal: controller.signal, headers: { accept: 'application/json' } });
      probe = answer.ok ? await answer.json() : null;
    } finally {
      clearTimeout(timer);
    }
  } catch {
    probe = null;
  }
  if (!isProbe(probe)) {
    return {
      problem: 'unreachable', trustPage,
      message: `Tote cannot reach the sync server at ${server}. Check that it is running (npm start prints its address) and that the address is right, then try again.`,
    };
  }
  if (!probe.originAdmitted) {
    return {
      problem: 'origin-refused', trustPage,
      message: `The sync server at ${server} is running but does not admit this app. Start it with its default origins, or add this app's origin to TOTE_GATEWAY_ORIGINS, then try again.`,
    };
  }
  return {
    problem: 'certificate', trustPage,
    message: `The sync server at ${server} is running, but this device does not trust its certificate. Open ${trustPage} on this computer for how to trust it, then try again.`,
  };
}
