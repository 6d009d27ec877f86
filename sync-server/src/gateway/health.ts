/**
 * Probes for supervisors and load balancers (docs/operations.md):
 * - `GET /_tote/health`: alive. 200 whenever the process can answer, whatever its dependencies do (a
 *   supervisor restarts a process that stops answering, not one whose CouchDB is away).
 * - `GET /_tote/ready`: 200 only when CouchDB and, when configured, Redis answer; otherwise 503 naming
 *   the dependency that is down (a load balancer sends shoppers elsewhere meanwhile). Checked afresh at
 *   most once a second, however many ask.
 * Both answer anyone, without a session and outside the request limits: neither needs the shared state,
 * which may be the dependency that is down, and neither tells more than up or down.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SharedState } from './shared-state.ts';

export const HEALTH_ROUTE = '/_tote/health';
export const READY_ROUTE = '/_tote/ready';

/** How long one dependency may take to answer before it counts as down. */
const CHECK_TIMEOUT_MS = 2_000;
/** A check's result serves every probe within this time. */
const CHECK_REUSE_MS = 1_000;

export type Dependency = 'couchdb' | 'redis';
export interface Readiness {
  readonly ready: boolean;
  readonly dependencies: Partial<Record<Dependency, 'up' | 'down'>>;
}

export interface HealthChecks {
  readiness(): Promise<Readiness>;
}

/** Whether a request is one of the probes (answered before the request limits and sessions). */
export const isProbe = (request: FastifyRequest) => request.routeOptions.url === HEALTH_ROUTE || request.routeOptions.url === READY_ROUTE;

async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('no answer in time')), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** CouchDB answers its root (`/_up` would be CouchDB 3's, but the embedded pouchdb-server has none); Redis a PING. */
export function healthChecks(couchUrl: string, state: SharedState): HealthChecks {
  // Real time, never the gateway's clock (tests move or stop that one).
  const now = () => performance.now();
  const checks: [Dependency, () => Promise<void>][] = [
    ['couchdb', async () => {
      const response = await fetch(`${couchUrl}/`, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`CouchDB answered ${response.status}`);
    }],
  ];
  const ping = state.ping?.bind(state);
  if (ping) checks.push(['redis', ping]);
  let last: { at: number; result: Promise<Readiness> } | null = null;
  const run = async (): Promise<Readiness> => {
    const states = await Promise.all(checks.map(async ([name, check]) => [name, await within(check(), CHECK_TIMEOUT_MS).then(() => 'up' as const, () => 'down' as const)] as const));
    return { ready: states.every(([, state]) => state === 'up'), dependencies: Object.fromEntries(states) };
  };
  return {
    readiness() {
      if (!last || now() - last.at >= CHECK_REUSE_MS) last = { at: now(), result: run() };
      return last.result;
    },
  };
}

export function registerHealth(app: FastifyInstance, checks: HealthChecks): void {
  app.get(HEALTH_ROUTE, async () => ({ status: 'ok' }));
  app.get(READY_ROUTE, async (_request, reply) => {
    const { ready, dependencies } = await checks.readiness();
    if (ready) return { status: 'ready', dependencies };
    const down = Object.entries(dependencies).filter(([, state]) => state === 'down').map(([name]) => name);
    return reply.code(503).header('retry-after', '5').send({
      error: 'unavailable', reason: `Not ready: ${down.join(' and ')} ${down.length === 1 ? 'does' : 'do'} not answer.`, status: 'unavailable', dependencies,
    });
  });
}
