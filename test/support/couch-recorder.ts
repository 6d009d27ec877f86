/**
 * A recorder between the gateway and CouchDB: a plain HTTP proxy on loopback that notes every request
 * exactly as CouchDB gets it (method, raw target, the user its Basic credentials name, or its cookie)
 * and passes it on untouched, streams included (long polls). The gateway is given its address as
 * `COUCHDB_URL` would give it, so what it records is what CouchDB receives.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface UpstreamRequest {
  readonly method: string;
  /** The request target as sent to CouchDB. */
  readonly target: string;
  /** The user named by Basic credentials; `cookie` for a cookie session; null for none. */
  readonly user: string | null;
}

export interface CouchRecorder {
  /** `http://127.0.0.1:<port>`: give it to the sync server as its CouchDB. */
  readonly url: string;
  readonly requests: UpstreamRequest[];
  close(): Promise<void>;
}

function userOf(request: IncomingMessage): string | null {
  const header = request.headers.authorization ?? '';
  if (/^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    return decoded.slice(0, Math.max(0, decoded.indexOf(':')));
  }
  return /AuthSession=/.test(request.headers.cookie ?? '') ? 'cookie' : null;
}

export async function startCouchRecorder(couchUrl: string): Promise<CouchRecorder> {
  const upstream = new URL(couchUrl);
  const requests: UpstreamRequest[] = [];
  const server = createServer((incoming, reply) => {
    requests.push({ method: incoming.method ?? 'GET', target: incoming.url ?? '/', user: userOf(incoming) });
    let outgoing: ReturnType<typeof httpRequest>;
    try {
      outgoing = httpRequest({
        host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers,
      }, (answer) => {
        reply.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(reply);
      });
    } catch {
      reply.writeHead(400);
      reply.end();
      return;
    }
    outgoing.on('error', () => {
      if (!reply.headersSent) reply.writeHead(502);
      reply.end();
    });
    incoming.pipe(outgoing);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
