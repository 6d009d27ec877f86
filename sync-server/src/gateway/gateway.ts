/**
 * The gateway: the only door to CouchDB. HTTPS with TLS 1.3 only, accounts and sessions, access rules
 * for every CouchDB route, request limits, the live channel and the audit log. CouchDB itself listens
 * on loopback; the gateway talks to it as a server admin after its own checks. See docs/sync-server.md.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import replyFrom from '@fastify/reply-from';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { CouchError, CouchUnreachableError, type CouchAdmin } from '../couch-admin.ts';
import { shopperCouchUsers } from '../shopper-couch-users.ts';
import { historyDbOf, shopperOfSyncedDb } from '../shopper-dbs.ts';
import type { Credentials } from '../config.ts';
import { decide, decideKeyring, decideRecovery, type Caller, type Decision, type RouteDecision } from './access.ts';
import { checkShopperBody, checkShopperQuery } from './couch-bodies.ts';
import { upstreamTarget } from './request-target.ts';
import {
  canonicalName, checkAuthScheme, checkKeyring, checkName, checkPassword, checkRecoveryProof, checkSecret, checkSessionTimeout, GUEST_TTL_MS,
  recoveryRefused,
  type Account, type AccountStore, type Role,
} from './accounts.ts';
import type { AuditLog } from './audit.ts';
import { GatewayError } from './errors.ts';
import { registerAdminDashboard } from './admin-dashboard.ts';
import { registerAnalytics } from './analytics-routes.ts';
import { flagService, registerFlags } from './flags.ts';
import { healthChecks, isProbe, registerHealth } from './health.ts';
import { jsonTextTooDeep, MAX_JSON_DEPTH } from './json-depth.ts';
import { liveHub, type LiveHub } from './live.ts';
import { liveDocuments, readAnswer } from './live-docs.ts';
import { loggerOptions, registerRequestLog, type LogOptions } from './logging.ts';
import { gatewayMetrics } from './metrics.ts';
import { isDiskFull, readErrorBody, upstreamFailure, whileFull } from './storage-errors.ts';
import { registerOpenApi, registerOpenApiRoute } from './openapi.ts';
import { originAllowed, upgradeOriginAllowed } from './origins.ts';
import { answerHeaders, forwardedRequestHeaders, noStore } from './proxy-headers.ts';
import { rateLimiter, SignInThrottled, type RateLimitConfig } from './rate-limits.ts';
import type { Session, SessionService } from './sessions.ts';
import type { SharedState } from './shared-state.ts';
import type { TlsCredentials } from './tls.ts';
import { randomBytes } from 'node:crypto';

export interface GatewayOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsCredentials;
  readonly couch: CouchAdmin;
  readonly admin: Credentials;
  readonly accounts: AccountStore;
  readonly sessions: SessionService;
  readonly state: SharedState;
  readonly audit: AuditLog;
  readonly rateLimits: RateLimitConfig;
  /** Exact origins, or `<scheme>://*` for every origin of a scheme (the extension's). */
  readonly corsOrigins: readonly string[];
  /** One cart document, in bytes of JSON: larger ones get 413. */
  readonly maxDocBytes: number;
  /**
   * One history document (a write's entries, `<db>-history`): a clear or bring-back of the most items one
   * command may name (10 000) is one document of about 90 B an item sealed, so history gets more room.
   */
  readonly maxHistoryDocBytes?: number;
  /** One request body: larger ones get 413. */
  readonly maxBodyBytes: number;
  readonly live: { readonly warnBeforeMs: number; readonly checkEveryMs: number; readonly pingEveryMs?: number };
  /** Proxies (IPs, CIDR ranges) whose X-Forwarded-For names the client (TOTE_TRUST_PROXY); none by default. */
  readonly trustProxy?: readonly string[];
  readonly now?: () => number;
  /** Prometheus's bearer token for `/_tote/metrics` (`TOTE_METRICS_TOKEN`); without it only admins' sessions read them. */
  readonly metricsToken?: string | null;
  /** The request log (logging.ts); none by default. */
  readonly log?: LogOptions;
  /** The embedded CouchDB's disk (storage-guard.ts): told when a write failed for lack of space; while full, nothing is forwarded. */
  readonly storage?: { state(): 'ok' | 'full'; reportFull(): void };
  /** The built admin dashboard (`admin/dist`, admin-dashboard.ts); without it `/_tote/admin/` answers 503. */
  readonly adminUiDir?: string | null;
}

export interface Gateway {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly live: LiveHub;
  /** Every route the gateway serves, as declared (method(s) and pattern): what the OpenAPI document is checked against. */
  readonly routes: readonly { readonly method: string; readonly url: string }[];
  /** Removes guests idle for 7 days (their accounts and databases); returns how many. */
  cleanupGuests(): Promise<number>;
  close(): Promise<void>;
}

interface Principal {
  readonly caller: Caller;
  readonly session: Session | null;
  readonly token: string | null;
  readonly couchAdmin: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    decision?: Decision | RouteDecision;
    docCount?: number;
    /** A shopper's accepted `_bulk_docs`: the documents their other devices get over the live channel (live-docs.ts). */
    liveDocs?: object[] | 'nothing' | null;
    /** The shopper's other devices were told of this write. */
    announced?: boolean;
  }
}

/** Who a sign-in named: `name` is what the limits count, `actor` and `role` what the audit log shows. */
interface SignInAttempt {
  readonly name: string;
  readonly actor: string;
  readonly role: string;
}

const shopperSignIn = (name: string, role = 'anonymous'): SignInAttempt => ({ name, actor: name, role });

/** The limits' name for CouchDB-admin checks: no account can have it (account names never start with `_`). */
const COUCH_ADMIN = '_couchdb-admin';
/** What Retry-After says while CouchDB cannot be reached (as /_tote/ready). */
const COUCH_DOWN_RETRY_SECONDS = 5;
/** How long a socket that asked for an upgrade may take to become the live channel's WebSocket. */
export const UPGRADE_HANDSHAKE_MS = 10_000;
/** What `reply.from` sends on: nothing for a request without a body, else the body with a plain media type. */
function forwardedBody(body: unknown, contentType: string | undefined): { body?: unknown; contentType?: string } {
  if (body === undefined || body === null) return {};
  if (Buffer.isBuffer(body)) return { body, contentType: contentType?.split(';')[0]?.trim().toLowerCase() || 'application/octet-stream' };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

/** One history document at most (`GatewayOptions.maxHistoryDocBytes`): 10 000 items' entries, with room to spare. */
export const DEFAULT_MAX_HISTORY_DOC_BYTES = 2 * 1024 * 1024;

/** A CouchDB-admin check: the name in a Basic header (never what follows it, the password); a cookie names nobody. */
function couchAdminSignIn(header: string): SignInAttempt {
  let user: string | null = null;
  if (/^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0 && colon <= 1024) user = decoded.slice(0, colon);
  }
  return { name: COUCH_ADMIN, actor: user === null ? 'couch-admin' : `couch-admin:${user}`, role: 'couch-admin' };
}

/** The version the API documentation names. */
const GATEWAY_VERSION = '0.1.0';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const now = options.now ?? Date.now;
  const { accounts, sessions, state, audit, couch } = options;
  const limits = rateLimiter(state, options.rateLimits, now);
  // Operations (docs/operations.md): probes, metrics and the request log.
  const health = healthChecks(couch.url, state);
  const metrics = gatewayMetrics({ scrapeToken: options.metricsToken ?? null, liveConnections: () => live.connections, readiness: () => health.readiness(), now });
  const live = liveHub(state, sessions, { ...options.live, now, onNotified: metrics.liveNotified });
  const flags = await flagService(state, () => live.tellAll({ type: 'flags' }));
  const adminCheckCache = new Map<string, { name: string | null; until: number }>();

  const app = Fastify({
    https: { key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' },
    bodyLimit: options.maxBodyBytes,
    ...loggerOptions(options.log ?? { level: 'silent' }),
    trustProxy: options.trustProxy?.length ? [...options.trustProxy] : false,
    forceCloseConnections: true,
    return503OnClosing: true,
  });
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => void routes.push({ method: ([] as string[]).concat(route.method).join(','), url: route.url ?? route.path }));

  // API documentation (openapi.ts): each route's schema documents it. The handlers' own checks decide what
  // is accepted and how it is answered (route-schemas.ts), so no schema validates or serialises anything.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await registerOpenApi(app, GATEWAY_VERSION);

  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  // JSON nested deeper than any cart is refused before it is parsed (json-depth.ts); Fastify's own parser
  // (with its prototype-poisoning checks) does the rest.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonTextTooDeep(body as string)) return done(new GatewayError(400, 'bad_request', `The request body nests more than ${MAX_JSON_DEPTH} levels deep.`), undefined);
    return parseJson(request, body as string, done);
  });

  await app.register(helmet, {
    contentSecurityPolicy: false, // Fauxton needs its scripts; API answers are JSON
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
    crossOriginResourcePolicy: { policy: 'same-site' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin === undefined ? false : originAllowed(origin, options.corsOrigins)),
    credentials: true,
    methods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH'],
    allowedHeaders: ['accept', 'authorization', 'content-type', 'x-tote-device'],
    exposedHeaders: ['retry-after', 'x-tote-session-expires', 'x-request-id'],
    maxAge: 600,
  });
  await app.register(websocket, { options: { maxPayload: 16 * 1024 } });
  await app.register(replyFrom, {
    base: couch.url,
    disableRequestLogging: true, // the request log has one line per request (logging.ts)
    // Every connected device holds one long-polled `_changes` request open: the pool to CouchDB must hold
    // one connection per online device, or writes queue behind the polls.
    undici: { connections: 4096, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 10 * 60_000, bodyTimeout: 10 * 60_000 },
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof GatewayError) {
      if (error.retryAfter !== undefined) void reply.header('retry-after', String(error.retryAfter));
      return reply.code(error.status).send({ error: error.error, reason: error.reason });
    }
    const fastifyError = error as { statusCode?: number; code?: string; message?: string };
    if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({ error: 'too_large', reason: `The request is larger than ${Math.round(options.maxBodyBytes / 1024 / 1024)} MB.` });
    }
    if (fastifyError.statusCode === 400 || fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error instanceof SyntaxError) {
      return reply.code(400).send({ error: 'bad_request', reason: 'The request body is not valid JSON.' });
    }
    if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      return reply.code(fastifyError.statusCode).send({ error: 'bad_request', reason: fastifyError.message ?? 'Bad request.' });
    }
    // The gateway's own writes (sign-up, keyrings, settings) on a full disk, and anything that needed
    // CouchDB while it is stopped for it (storage-guard.ts): as for the devices' writes.
    const diskFull = error instanceof CouchError && isDiskFull(error.reason);
    if (diskFull) options.storage?.reportFull();
    if (diskFull || options.storage?.state() === 'full') {
      const full = whileFull(request.method);
      return reply.code(full.status).header('retry-after', String(full.retryAfter)).send({ error: full.error, reason: full.reason });
    }
    // CouchDB not reachable at all (stopped, restarting, a network fault): 503 with Retry-After, so devices
    // say "unavailable for a moment" and keep trying, as /_tote/ready says it too.
    if (error instanceof CouchUnreachableError || fastifyError.statusCode === 503 || fastifyError.statusCode === 504) {
      return reply.code(503).header('retry-after', String(COUCH_DOWN_RETRY_SECONDS))
        .send({ error: 'unavailable', reason: 'The cart storage is not reachable right now. Your changes are kept on your device; Tote tries again in a moment.' });
    }
    return reply.code(502).send({ error: 'unavailable', reason: 'The cart storage did not answer. Your changes are kept on your device; try again in a moment.' });
  });

  const address = (request: FastifyRequest) => request.ip;

  /**
   * A failed sign-in (a wrong password, old password, recovery proof or CouchDB-admin credential):
   * counted against the account and the address (rate-limits.ts), and audited as `signin.failed` with
   * the name as given, the address and the time, never the secret that was tried.
   */
  const auditSignIn = (request: FastifyRequest, who: SignInAttempt, route: string, detail: Record<string, string | number>) =>
    audit.append({ at: now(), actor: who.actor, role: who.role, device: null, action: 'signin.failed', target: null, detail: { route, address: address(request), ...detail } });
  const signInFailed = async (request: FastifyRequest, who: SignInAttempt, route: string, status: number) => {
    await limits.loginFailed(who.name, address(request));
    auditSignIn(request, who, route, { status });
  };
  /** The sign-in limits before a secret is checked; a refusal is audited as a failed sign-in (it is not counted again). */
  const throttle = async (request: FastifyRequest, who: SignInAttempt, route: string, check = () => limits.checkLogin(who.name, address(request))) => {
    try {
      await check();
    } catch (error) {
      if (error instanceof SignInThrottled) auditSignIn(request, who, route, { status: 429, limit: error.limit });
      throw error;
    }
  };

  /** Who is asking: a bearer session of the gateway, or a CouchDB server admin (Fauxton). */
  const identify = async (request: FastifyRequest): Promise<Principal> => {
    const header = request.headers.authorization ?? '';
    if (/^bearer /i.test(header)) {
      const token = header.slice(7).trim();
      const session = await sessions.check(token);
      if (!session) throw new GatewayError(401, 'unauthorized', 'Your session has ended. Sign in again; changes made meanwhile are kept on your device.');
      return { caller: { kind: 'account', dbName: session.dbName, guest: session.guest }, session, token, couchAdmin: null };
    }
    const cookie = /(?:^|;\s*)AuthSession=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
    if (/^basic /i.test(header) || cookie) {
      const key = createHash('sha256').update(`${header}|${cookie ?? ''}`).digest('base64');
      let cached = adminCheckCache.get(key);
      // Failed admin checks are failed sign-ins of one account (COUCH_ADMIN): strangers guessing slow down their own addresses.
      if (!cached || cached.until < now()) {
        await throttle(request, couchAdminSignIn(header), 'couch-admin');
        const probe = await fetch(`${couch.url}/_session`, {
          headers: { accept: 'application/json', ...(header ? { authorization: header } : {}), ...(cookie ? { cookie: `AuthSession=${cookie}` } : {}) },
        });
        const body = (await probe.json().catch(() => null)) as { userCtx?: { name?: string | null; roles?: string[] } } | null;
        const name = body?.userCtx?.roles?.includes('_admin') ? (body.userCtx.name ?? '_admin') : null;
        if (name) await limits.loginSucceeded(COUCH_ADMIN, address(request));
        else await signInFailed(request, couchAdminSignIn(header), 'couch-admin', 401);
        cached = { name, until: now() + 30_000 };
        adminCheckCache.set(key, cached);
      }
      if (cached.name) return { caller: { kind: 'couch-admin' }, session: null, token: null, couchAdmin: cached.name };
      throw new GatewayError(401, 'unauthorized', 'Name or password is incorrect.');
    }
    return { caller: { kind: 'anonymous' }, session: null, token: null, couchAdmin: null };
  };

  const requireSession = (request: FastifyRequest, roles?: readonly Role[]): Session & { token: string } => {
    const { session, token } = request.principal ?? {};
    if (!session || !token) throw new GatewayError(401, 'unauthorized', 'Sign in first.');
    if (roles && !roles.includes(session.role)) throw new GatewayError(403, 'forbidden', 'Your account is not allowed to do this.');
    return { ...session, token };
  };

  const touchActivity = async (name: string) => {
    if (await state.get(`active:${name}`)) return;
    await state.set(`active:${name}`, '1', 3600_000);
    await accounts.update(name, { lastActiveAt: now() }).catch(() => {});
  };

  // Each shopper's own CouchDB user (shopper-couch-users.ts), checked once per gateway process; it also
  // creates `<db>-history` for accounts made before synced history.
  const couchUsers = shopperCouchUsers(couch, options.admin);

  registerRequestLog(app);
  metrics.register(app);
  registerHealth(app, health);
  await registerAnalytics(app, { couch, admin: options.admin, audit, now, requireSession });
  registerFlags(app, { flags, audit, now, requireSession });
  const requireAdmin = (request: FastifyRequest) => void requireSession(request, ['admin']);
  registerAdminDashboard(app, { dir: options.adminUiDir ?? null, registry: metrics.registry, now, requireAdmin });
  registerOpenApiRoute(app, requireAdmin);

  app.addHook('onRequest', async (request) => {
    // Probes answer even while the shared state is down, and Prometheus's scrape token is no session.
    if (isProbe(request) || metrics.scraper(request)) return;
    await limits.request(address(request));
    if (request.url === '/_tote/live' || request.url.startsWith('/_tote/live?')) return; // the live channel signs in with its first message
    request.principal = await identify(request);
    if (request.principal.session) void touchActivity(request.principal.session.name).catch(() => undefined);
  });

  app.addHook('onSend', async (request, reply) => {
    const session = request.principal?.session;
    if (session) void reply.header('x-tote-session-expires', String(session.expiresAt));
  });

  // Tokens, secrets and carts stay out of caches; nothing says what runs behind the gateway.
  app.addHook('onSend', async (request, reply) => {
    if (noStore(request.url)) void reply.header('cache-control', 'no-store');
    void reply.removeHeader('server').removeHeader('x-powered-by');
  });

  /**
   * Tells the shopper's other devices of an accepted write (live.ts), once: as soon as CouchDB's answer
   * is read for a `_bulk_docs` (with its documents, live-docs.ts), else when the answer has gone out.
   * A write CouchDB took none of (every document a conflict) changed nothing: no notice.
   */
  const announceWrite = (request: FastifyRequest, session: Session, db: string) => {
    if (request.announced || request.liveDocs === 'nothing') return;
    request.announced = true;
    // With `live-docs` off for this shopper (flags.ts), the notice goes without documents: devices pull them.
    const docs = request.liveDocs && flags.isOn('live-docs', session.name) ? { docs: request.liveDocs } : {};
    void live.publish(session.name, { type: 'changed', db, by: session.id, ...docs });
  };

  app.addHook('onResponse', async (request, reply) => {
    const decision = request.decision;
    const principal = request.principal;
    if (!decision?.allow || !decision.write || reply.statusCode >= 300 || !principal) return;
    const session = principal.session;
    audit.append({
      at: now(), actor: session?.name ?? `couch-admin:${principal.couchAdmin}`, role: session?.role ?? 'couch-admin', device: session?.device ?? null,
      action: 'cart.write', target: decision.db, detail: { method: request.method, route: 'route' in decision ? (decision.route ?? 'admin') : 'account', docs: request.docCount ?? 1, status: reply.statusCode },
    });
    if (session && decision.db) announceWrite(request, session, decision.db);
    // A server admin's write to a shopper's cart or history (Fauxton, a repair, a support script): the
    // shopper's devices rest their long poll while the channel is up, so they are told, without the
    // documents (an admin's are not the shopper's to trust): each pulls that database (docs/sync.md, rule 6).
    const shopper = !session && decision.db ? shopperOfSyncedDb(decision.db) : null;
    if (shopper) void live.publish(shopper, { type: 'changed', db: decision.db!, by: `couch-admin:${principal.couchAdmin ?? ''}` });
  });

  const sessionAnswer = (token: string, session: Session, account: Account) => ({
    token, session, account: { name: account.name, role: account.role, guest: account.guest, dbName: account.dbName, sessionTimeoutMinutes: account.sessionTimeoutMinutes },
  });
  const deviceOf = (request: FastifyRequest, body: Record<string, unknown>) =>
    typeof body.device === 'string' ? body.device : String(request.headers['x-tote-device'] ?? request.headers['user-agent'] ?? '');
  const bodyObject = (request: FastifyRequest): Record<string, unknown> => {
    if (!isObject(request.body)) throw new GatewayError(400, 'bad_request', 'Send a JSON object.');
    return request.body;
  };

  app.post('/_tote/signup', async (request, reply) => {
    const body = bodyObject(request);
    const name = checkName(body.name);
    // A current device sends the auth secret derived from the password ('derived-v1'), never the password.
    const auth = checkAuthScheme(body.auth);
    const password = checkSecret(body.password, auth);
    await limits.signup(address(request));
    const account = await accounts.create({ name, password, auth }, now());
    const { token, session } = await sessions.create(account, deviceOf(request, body));
    await limits.loginSucceeded(account.name, address(request)); // the address the account was made from is known to it
    audit.append({ at: now(), actor: account.name, role: account.role, device: session.device, action: 'account.signup', target: account.dbName });
    return reply.code(201).send(sessionAnswer(token, session, account));
  });

  app.post('/_tote/login', async (request) => {
    const body = bodyObject(request);
    if (typeof body.name !== 'string' || typeof body.password !== 'string' || body.name.length > 1024) throw new GatewayError(400, 'bad_request', 'Send a name and a password.');
    const name = canonicalName(body.name);
    const who = shopperSignIn(name);
    await throttle(request, who, 'login');
    const account = await accounts.verify(name, body.password);
    if (!account) {
      await signInFailed(request, who, 'login', 401);
      throw new GatewayError(401, 'unauthorized', 'Name or password is incorrect.');
    }
    await limits.loginSucceeded(account.name, address(request));
    const { token, session } = await sessions.create(account, deviceOf(request, body));
    audit.append({ at: now(), actor: account.name, role: account.role, device: session.device, action: 'session.login', target: null });
    return sessionAnswer(token, session, account);
  });

  // Which secret a device sends to sign in (docs/encryption.md, "Signing in"): 'password' only for
  // accounts the server made with a real password and shoppers' accounts not yet switched. A name without
  // an account answers 'derived-v1', as most accounts do. Limited as sign-in is; and since 'password'
  // tells that an account exists, each such answer counts against the address like a failed sign-in.
  app.post('/_tote/prelogin', async (request) => {
    const body = bodyObject(request);
    if (typeof body.name !== 'string' || body.name.length > 1024) throw new GatewayError(400, 'bad_request', 'Send a name.');
    const name = canonicalName(body.name);
    await throttle(request, shopperSignIn(name), 'prelogin');
    await throttle(request, shopperSignIn(name), 'prelogin', () => limits.checkPrelogin(address(request)));
    const auth = await accounts.authScheme(name);
    if (auth === 'password') await limits.preloginRevealed(address(request));
    return { auth };
  });

  app.post('/_tote/guest', async (request, reply) => {
    const body = isObject(request.body) ? request.body : {};
    await limits.signup(address(request));
    const secret = randomBytes(32).toString('base64url');
    const account = await accounts.create({ name: `guest-${randomBytes(10).toString('hex')}`, password: secret, guest: true }, now());
    const { token, session } = await sessions.create(account, deviceOf(request, body));
    audit.append({ at: now(), actor: account.name, role: account.role, device: session.device, action: 'account.guest', target: account.dbName });
    return reply.code(201).send({ ...sessionAnswer(token, session, account), secret });
  });

  app.get('/_tote/session', async (request) => {
    const session = requireSession(request);
    const account = await accounts.get(session.name);
    if (!account) throw new GatewayError(401, 'unauthorized', 'This account no longer exists.');
    const { token: _token, ...shown } = session;
    return { session: shown, account: sessionAnswer('', shown, account).account };
  });

  app.post('/_tote/session/renew', async (request) => {
    const session = requireSession(request);
    const account = await accounts.get(session.name);
    const renewed = await sessions.renew(session.token, account?.sessionTimeoutMinutes ?? session.timeoutMs / 60_000);
    if (!renewed) throw new GatewayError(401, 'unauthorized', 'Your session has ended. Sign in again.');
    request.principal = { ...request.principal!, session: renewed };
    void live.publish(session.name, { type: 'session-renewed', sessionId: session.id });
    return { session: renewed };
  });

  app.post('/_tote/logout', async (request, reply) => {
    const session = requireSession(request);
    await sessions.revoke(session.name, session.id);
    void live.publish(session.name, { type: 'session-ended', sessionId: session.id, reason: 'signed-out' });
    audit.append({ at: now(), actor: session.name, role: session.role, device: session.device, action: 'session.logout', target: null });
    return reply.code(204).send();
  });

  app.get('/_tote/sessions', async (request) => {
    const session = requireSession(request);
    return { current: session.id, sessions: await sessions.list(session.name) };
  });

  app.delete<{ Params: { id: string } }>('/_tote/sessions/:id', async (request, reply) => {
    const session = requireSession(request);
    if (!(await sessions.revoke(session.name, request.params.id))) throw new GatewayError(404, 'not_found', 'That session has already ended.');
    void live.publish(session.name, { type: 'session-ended', sessionId: request.params.id, reason: 'revoked' });
    audit.append({ at: now(), actor: session.name, role: session.role, device: session.device, action: 'session.revoke', target: request.params.id });
    return reply.code(204).send();
  });

  /** Access to the caller's own key record (access.ts); refusals keep the gateway's error shape. */
  const keyringAccess = (request: FastifyRequest, method: string) => {
    const decision = decideKeyring(method, request.principal!.caller);
    if (!decision.allow) {
      throw new GatewayError(decision.status, decision.status === 401 ? 'unauthorized' : decision.status === 405 ? 'method_not_allowed' : 'forbidden', decision.reason);
    }
    return requireSession(request);
  };

  app.post('/_tote/password', async (request, reply) => {
    const session = requireSession(request);
    const body = bodyObject(request);
    // 'derived-v1': the new secret is an auth secret; sent by a current device, also to switch an account
    // still signing in with its password (the old secret is then that password, sent one last time).
    const auth = checkAuthScheme(body.auth);
    const newPassword = checkSecret(body.newPassword, auth);
    // The data key re-wrapped for the new password, replaced in the same write as the password.
    const keyring = body.keyring === undefined ? undefined : (keyringAccess(request, 'PUT'), checkKeyring(body.keyring));
    // With the account's first record (made at this change), the recovery proof that goes with it.
    const recoveryProof = keyring && body.recoveryProof !== undefined ? checkRecoveryProof(body.recoveryProof) : undefined;
    // The session shows the account was signed in to: its owner is not kept out by failures from elsewhere.
    const who = shopperSignIn(session.name, session.role);
    await throttle(request, who, 'password', () => limits.checkLogin(session.name, address(request), { known: true }));
    if (typeof body.oldPassword !== 'string' || !(await accounts.verify(session.name, body.oldPassword))) {
      await signInFailed(request, who, 'password', 403);
      throw new GatewayError(403, 'forbidden', 'The current password is incorrect.');
    }
    // Only switching the scheme (the same password, now as its auth secret) is no password change: the
    // shopper's other devices stay signed in.
    const switching = auth === 'derived-v1' && keyring === undefined && (await accounts.authScheme(session.name)) === 'password';
    await accounts.setPassword(session.name, newPassword, keyring, recoveryProof, auth);
    const ended = switching ? 0 : await sessions.revokeAll(session.name, session.id);
    audit.append({
      at: now(), actor: session.name, role: session.role, device: session.device, action: switching ? 'account.auth-derived' : 'account.password', target: null,
      detail: { sessionsEnded: ended, keyring: keyring !== undefined, auth },
    });
    return reply.code(204).send();
  });

  // The shopper's wrapped data key (docs/encryption.md): read by every device at sign-in, created once
  // by the account's first device, replaced only with a password change. Audited without its content.
  app.route({ method: ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'], url: '/_tote/keyring', handler: async (request, reply) => {
    const session = keyringAccess(request, request.method);
    if (request.method === 'GET') return { keyring: await accounts.getKeyring(session.name) };
    const body = bodyObject(request);
    const keyring = checkKeyring(body.keyring);
    // The proof of the recovery key wrapped in this record: only its SHA-256 is kept, for recovery below.
    const recoveryProof = body.recoveryProof === undefined ? undefined : checkRecoveryProof(body.recoveryProof);
    await accounts.createKeyring(session.name, keyring, recoveryProof);
    audit.append({
      at: now(), actor: session.name, role: session.role, device: session.device, action: 'account.keyring', target: session.dbName,
      detail: { created: true, bytes: Buffer.byteLength(JSON.stringify(keyring)), recovery: recoveryProof !== undefined },
    });
    return reply.code(201).send({ ok: true });
  } });

  // "Forgot password? Use your recovery key" (docs/encryption.md, "Recovery"). No session: the body names
  // the account and carries the recovery proof. A wrong proof and an unknown account get the same 403 and
  // count as failed sign-ins (audited as such, `signin.failed`). Audited without the proof or the record.
  const recoveryRequest = (request: FastifyRequest, route: 'keyring' | 'recover') => {
    const decision = decideRecovery(request.method, route, request.principal!.caller);
    if (!decision.allow) throw new GatewayError(decision.status, decision.status === 405 ? 'method_not_allowed' : 'forbidden', decision.reason);
    const body = bodyObject(request);
    if (typeof body.name !== 'string' || body.name.length > 1024) throw new GatewayError(400, 'bad_request', 'Send the account\'s name and a recovery proof.');
    return { body, name: canonicalName(body.name), recoveryProof: checkRecoveryProof(body.recoveryProof) };
  };
  const recoveryAudit = (name: string, action: string, device: string | null, detail: Record<string, string | number | boolean | null>) =>
    audit.append({ at: now(), actor: name, role: detail.ok ? 'shopper' : 'anonymous', device, action, target: null, detail });
  /** Runs a proof check within the sign-in limits; a wrong proof is a failed sign-in; a proof that matches makes the address known. */
  const refusedCounts = async <T>(request: FastifyRequest, name: string, action: string, device: string | null, check: () => Promise<T>): Promise<T> => {
    const route = action === 'account.recover' ? 'recover' : 'recover/keyring';
    await throttle(request, shopperSignIn(name), route);
    try {
      const result = await check();
      await limits.loginSucceeded(name, address(request));
      return result;
    } catch (error) {
      if (error instanceof GatewayError && error.status === 403) await signInFailed(request, shopperSignIn(name), route, 403);
      if (error instanceof GatewayError && error.status === 409) recoveryAudit(name, action, device, { ok: false, status: error.status });
      throw error;
    }
  };

  app.route({ method: ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'], url: '/_tote/recover/keyring', handler: async (request) => {
    const { body, name, recoveryProof } = recoveryRequest(request, 'keyring');
    const device = deviceOf(request, body);
    const keyring = await refusedCounts(request, name, 'account.recovery-keyring', device, async () => {
      const found = await accounts.checkRecovery(name, recoveryProof);
      if (!found.match) throw recoveryRefused();
      return found.keyring;
    });
    recoveryAudit(name, 'account.recovery-keyring', device, { ok: true });
    return { keyring };
  } });

  app.route({ method: ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'], url: '/_tote/recover', handler: async (request) => {
    const { body, name, recoveryProof } = recoveryRequest(request, 'recover');
    const auth = checkAuthScheme(body.auth);
    const newPassword = checkSecret(body.newPassword, auth);
    const keyring = checkKeyring(body.keyring);
    const device = deviceOf(request, body);
    const account = await refusedCounts(request, name, 'account.recover', device, () => accounts.recover(name, recoveryProof, newPassword, keyring, auth));
    // Every device signed in with the forgotten password is signed out; this one is signed in.
    const ended = await sessions.revokeAll(account.name);
    const { token, session } = await sessions.create(account, device);
    recoveryAudit(account.name, 'account.recover', session.device, { ok: true, sessionsEnded: ended, keyring: true });
    return sessionAnswer(token, session, account);
  } });

  app.patch('/_tote/account', async (request) => {
    const session = requireSession(request);
    const body = bodyObject(request);
    const account = await accounts.update(session.name, { sessionTimeoutMinutes: checkSessionTimeout(body.sessionTimeoutMinutes) });
    audit.append({ at: now(), actor: session.name, role: session.role, device: session.device, action: 'account.settings', target: null, detail: { sessionTimeoutMinutes: account.sessionTimeoutMinutes } });
    return { account: sessionAnswer('', session, account).account };
  });

  app.delete('/_tote/guest', async (request, reply) => {
    const session = requireSession(request);
    if (!session.guest) throw new GatewayError(403, 'forbidden', 'Only a guest cart can be removed this way.');
    await sessions.revokeAll(session.name);
    await accounts.remove(session.name);
    if (session.dbName) couchUsers.forget(session.dbName);
    audit.append({ at: now(), actor: session.name, role: session.role, device: session.device, action: 'account.guest-removed', target: session.dbName, detail: { reason: 'merged' } });
    return reply.code(204).send();
  });

  app.get<{ Params: { name: string } }>('/_tote/support/shoppers/:name', async (request) => {
    const staff = requireSession(request, ['support', 'admin']);
    const account = await accounts.get(request.params.name);
    audit.append({ at: now(), actor: staff.name, role: staff.role, device: staff.device, action: 'support.view', target: request.params.name, detail: { found: account !== null } });
    if (!account?.dbName) throw new GatewayError(404, 'not_found', 'No shopper with this name.');
    const info = await couch.server.db.get(account.dbName);
    const devices = (await sessions.list(account.name)).map(({ device, createdAt, renewedAt }) => ({ device, createdAt, renewedAt }));
    return {
      name: account.name, guest: account.guest, createdAt: account.createdAt, lastActiveAt: account.lastActiveAt,
      documents: info.doc_count ?? null, devices,
    };
  });

  app.get<{ Querystring: { limit?: string; actor?: string; action?: string } }>('/_tote/admin/audit', async (request) => {
    const staff = requireSession(request, ['admin']);
    const entries = await audit.read({ limit: Number(request.query.limit ?? 100) || 100, actor: request.query.actor, action: request.query.action });
    audit.append({ at: now(), actor: staff.name, role: staff.role, device: staff.device, action: 'admin.audit-read', target: null });
    return { entries };
  });

  app.post('/_tote/admin/accounts', async (request, reply) => {
    const staff = requireSession(request, ['admin']);
    const body = bodyObject(request);
    const role = body.role;
    if (role !== 'support' && role !== 'admin' && role !== 'shopper') throw new GatewayError(400, 'bad_request', 'The role must be shopper, support or admin.');
    const account = await accounts.create({ name: checkName(body.name), password: checkPassword(body.password), role }, now());
    audit.append({ at: now(), actor: staff.name, role: staff.role, device: staff.device, action: 'admin.account-create', target: account.name, detail: { role } });
    return reply.code(201).send({ account: { name: account.name, role: account.role } });
  });

  app.get('/_tote/live', {
    websocket: true,
    // CORS does not cover WebSockets: the upgrade checks Origin against the same list.
    onRequest: async (request) => {
      if (!upgradeOriginAllowed(request.headers.origin, options.corsOrigins)) throw new GatewayError(403, 'forbidden', 'This origin may not open the live channel.');
    },
  }, (socket) => live.accept(socket));

  // Every CouchDB route: the target is read once (request-target.ts), decided on (access.ts), checked
  // (couch-bodies.ts) and forwarded as read, with the credentials the decision names and nothing else.
  app.route({ method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'], url: '/*', handler: async (request, reply) => {
    const principal = request.principal ?? (request.principal = await identify(request));
    const decision = decide(request.method, request.url, principal.caller);
    request.decision = decision;
    if (!decision.allow) {
      if (decision.challenge) void reply.header('www-authenticate', 'Basic realm="Tote server admin", charset="UTF-8"');
      const error = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 405: 'method_not_allowed' }[decision.status];
      throw new GatewayError(decision.status, error, decision.reason);
    }
    if (options.storage?.state() === 'full') throw whileFull(request.method);
    let authorization: string | null = null;
    if (decision.forward === 'shopper') {
      const { dbName } = principal.caller as { dbName: string };
      checkShopperQuery(decision.target);
      const docLimit = decision.target.segments[0] === historyDbOf(dbName) ? options.maxHistoryDocBytes ?? DEFAULT_MAX_HISTORY_DOC_BYTES : options.maxDocBytes;
      if (decision.route) request.docCount = checkShopperBody(decision.route, request.method, decision.target, request.body, docLimit);
      authorization = await couchUsers.authorization(dbName);
    } else if (decision.forward === 'none') {
      // CouchDB's own sign-in (Fauxton's form): limited and audited like the gateway's admin checks, so it is no way around them.
      await throttle(request, couchAdminSignIn(''), 'couch-session');
    }
    const cookie = decision.forward === 'caller' ? /(?:^|;\s*)(AuthSession=[^;]+)/.exec(request.headers.cookie ?? '')?.[1] : undefined;
    const upstream = upstreamTarget(decision.target);
    const forwardedAt = performance.now();
    return reply.from(upstream.path, {
      // The body as the gateway read it, with its media type named plainly: parsed JSON goes on as the JSON
      // it re-serialises, other bytes as they came. A client's odd parameters ("charset=") never reach
      // CouchDB, nor the proxy's own strict parser of the header (which answered them with 502).
      ...forwardedBody(request.body, request.headers['content-type']),
      // Always the query as read and serialised afresh: never the client's raw query string.
      queryString: () => upstream.query,
      rewriteRequestHeaders: (_request, headers) => {
        const forwarded: Record<string, string | string[] | undefined> = forwardedRequestHeaders(headers);
        if (authorization) forwarded.authorization = authorization;
        else if (decision.forward === 'caller' && headers.authorization) forwarded.authorization = headers.authorization;
        if (cookie) forwarded.cookie = cookie;
        return forwarded as typeof headers;
      },
      rewriteHeaders: (headers) => {
        const answer = answerHeaders(headers);
        // CouchDB's own CORS and cookies are not the gateway's
        for (const name of Object.keys(answer)) if (name.startsWith('access-control-')) delete answer[name];
        if (decision.forward === 'shopper') delete answer['set-cookie'];
        return answer;
      },
      onResponse: (_request, upstreamReply, res) => {
        metrics.upstream(request, res.statusCode, (performance.now() - forwardedAt) / 1000);
        if (decision.forward === 'none' && res.statusCode === 401) void signInFailed(request, couchAdminSignIn(''), 'couch-session', 401).catch(() => undefined);
        // CouchDB failed (a full disk, a crash): the device gets 507 or 503 with Retry-After (storage-errors.ts).
        if (res.statusCode >= 500) {
          return void readErrorBody(res.stream as Readable).then((body) => {
            const failure = upstreamFailure(body);
            if (failure.status === 507) options.storage?.reportFull();
            upstreamReply.send(failure);
          });
        }
        // A shopper's accepted write: its answer names the new revisions, and the documents go to their other devices.
        if (decision.forward === 'shopper' && decision.route === '_bulk_docs' && res.statusCode < 300) {
          return void readAnswer(res.stream as Readable).then((answer) => {
            try {
              request.liveDocs = liveDocuments(request.body, JSON.parse(answer.toString('utf8')));
            } catch {
              request.liveDocs = null; // not JSON: announced without documents
            }
            if (principal.session && decision.db) announceWrite(request, principal.session, decision.db);
            upstreamReply.send(answer);
          }, () => upstreamReply.send(upstreamFailure('')));
        }
        upstreamReply.send(res.stream);
      },
    });
  } });

  let guestTimer: ReturnType<typeof setInterval> | null = null;
  const cleanupGuests = async () => {
    const idle = await accounts.idleGuests(now() - GUEST_TTL_MS);
    for (const guest of idle) {
      await sessions.revokeAll(guest.name);
      await accounts.remove(guest.name);
      if (guest.dbName) couchUsers.forget(guest.dbName);
      audit.append({ at: now(), actor: 'system', role: 'system', device: null, action: 'account.guest-removed', target: guest.dbName, detail: { reason: 'idle 7 days' } });
    }
    return idle.length;
  };

  // Every socket, whatever state its HTTP exchange is in: Node's closeAllConnections() (what
  // forceCloseConnections calls) no longer counts a socket once its answer went out, and a client still
  // sending a body the gateway stopped reading would otherwise keep close() waiting for ever.
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // A socket that asks for an upgrade leaves Node's HTTP handling; the live channel's WebSocket takes it
  // (and clears this timeout), but one whose request never reaches that route (a path that does not
  // parse) would stay open for as long as its client keeps it: it gets UPGRADE_HANDSHAKE_MS.
  app.server.on('upgrade', (_request: unknown, socket: Socket) => {
    socket.setTimeout(UPGRADE_HANDSHAKE_MS, () => socket.destroy());
  });
  await app.listen({ host: options.host, port: options.port });
  guestTimer = setInterval(() => void cleanupGuests().catch(() => {}), 3600_000);
  guestTimer.unref();
  const port = (app.server.address() as { port: number }).port;
  const shownHost = options.host === '127.0.0.1' || options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  return {
    url: `https://${shownHost}:${port}`,
    app,
    live,
    routes,
    cleanupGuests,
    async close() {
      if (guestTimer) clearInterval(guestTimer);
      await live.close();
      await flags.close().catch(() => undefined);
      const closed = app.close();
      for (const socket of sockets) socket.destroy();
      await closed;
      await audit.flush();
    },
  };
}

