/**
 * An observer in front of the gateway, as its operator could be: it terminates TLS with the gateway's
 * own certificate and key, records every request exactly as it arrives (method, path, headers, body)
 * and passes it on. What it records is what the server receives. No live channel (devices long-poll).
 */
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Agent, fetch } from 'undici';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface RecordingProxy {
  /** `https://127.0.0.1:<port>`: give it to devices in place of the gateway's address. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Everything received, as one text: to search for what must never be there. */
  everything(): string;
  close(): Promise<void>;
}

const hopByHop = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'content-encoding']);

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startRecordingProxy(targetUrl: string, tls: { cert: string; key: string }): Promise<RecordingProxy> {
  const agent = new Agent({ connect: { ca: tls.cert } });
  const requests: RecordedRequest[] = [];
  const server = createServer({ cert: tls.cert, key: tls.key }, (request, reply) => {
    void (async () => {
      const body = await bodyOf(request);
      requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', headers: { ...request.headers }, body: body.toString('utf8') });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (!hopByHop.has(name) && value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const answer = await fetch(`${targetUrl}${request.url ?? '/'}`, {
        method: request.method, headers, dispatcher: agent,
        ...(body.length > 0 && request.method !== 'GET' && request.method !== 'HEAD' ? { body } : {}),
      });
      const answerBody = Buffer.from(await answer.arrayBuffer());
      answer.headers.forEach((value, name) => {
        if (!hopByHop.has(name)) reply.setHeader(name, value);
      });
      reply.writeHead(answer.status);
      reply.end(answerBody);
    })().catch(() => {
      if (!reply.headersSent) reply.writeHead(502);
      reply.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    everything: () => requests.map((request) => `${request.method} ${request.path}\n${JSON.stringify(request.headers)}\n${request.body}`).join('\n'),
    async close() {
      // Long polls still open upstream are cut, not waited for.
      await agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
