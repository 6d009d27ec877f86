/**
 * The gateway's log: JSON lines from Fastify's pino, one per request (docs/operations.md, "Logs"):
 *
 *   {"level":30,"time":"…","pid":…,"hostname":"…","reqId":"…","msg":"request","method":"POST",
 *    "route":"login","status":401,"ms":12.4,"error":"unauthorized"}
 *
 * The request id is a random UUID, also sent back as `x-request-id`, so a shopper's report can be found
 * in the log. What a line says is chosen field by field: the route kind, never the path (its first segment
 * is a shopper's database); the error kind, never its message; no headers, no bodies, no address. pino's
 * `redact` and serializers that keep only the method of a request and the type and code of an error
 * stand behind that for any other line written with the request's logger (a plugin's warning): neither
 * credentials (cookies, `authorization`), passwords, tokens, secrets, proofs, key records nor bodies.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyLoggerOptions, type FastifyServerOptions } from 'fastify';
import type { LogLevel } from '../config.ts';
import { noteFailure, routeKind } from './route-kind.ts';


export interface LogOptions {
  readonly level: LogLevel;
  /** Where the lines go: standard output by default. */
  readonly stream?: NodeJS.WritableStream;
}

/** Anything that could carry a secret or a cart, wherever a line might hold it. */
const REDACTED = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-tote-device"]', 'res.headers["set-cookie"]',
  'headers.authorization', 'headers.cookie', 'body', 'req.body', 'res.body', 'payload',
  '*.password', '*.newPassword', '*.oldPassword', '*.token', '*.secret', '*.recoveryProof', '*.keyring', '*.docs', '*.body',
];

/**
 * A request as its method only, an error as its type and code only: an error's message may quote a path
 * (a shopper's database) or a URL. (Fastify's types ask for an error's message and stack: left out here.)
 */
const SERIALIZERS = {
  req: (request: { method?: string }) => ({ method: request.method }),
  res: (reply: { statusCode?: number }) => ({ status: reply.statusCode }),
  err: (error: { name?: string; code?: unknown }) => ({ type: error.name, ...(typeof error.code === 'string' ? { code: error.code } : {}) }),
} as unknown as NonNullable<FastifyLoggerOptions['serializers']>;

/** The logger part of the gateway's Fastify options. */
export function loggerOptions(options: LogOptions): Pick<FastifyServerOptions, 'logger' | 'genReqId' | 'requestIdHeader' | 'logController'> {
  return {
    logger: {
      level: options.level,
      ...(options.stream ? { stream: options.stream } : {}),
      redact: { paths: [...REDACTED], censor: '[redacted]' },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      serializers: SERIALIZERS,
    },
    // Never a client's own id: it would be a way to write into the log.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    // Fastify's own request lines (two per request, with the URL) give way to the one below.
    logController: new Fastify.LogController({ disableRequestLogging: true }),
  };
}

export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onError', async (request, _reply, error) => { noteFailure(request, error); });
  app.addHook('onSend', async (request, reply) => { void reply.header('x-request-id', request.id); });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({
      method: request.method, route: routeKind(request), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10,
      ...(request.failure ? { error: request.failure } : {}),
    }, 'request');
  });
}
