/**
 * HTTP/1.1 over TLS written byte by byte, as `curl --path-as-is` sends it: the request target goes out
 * exactly as given (no `URL` parsing, no dot-segment resolution, no `\` to `/`). What an attacker's
 * client can send, and what a test of one reading of every path needs (FACTS.md, "URLs, paths and proxies").
 */
import tls from 'node:tls';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as received (chunked framing left in: the tests search it for text). */
  readonly body: string;
}

export interface RawRequest {
  readonly method: string;
  /** Sent as it is, after the method. */
  readonly target: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Where the connection comes from (any 127.0.0.0/8 address on Linux). */
  readonly localAddress?: string;
}

export async function rawRequest(port: number, cert: string, request: RawRequest): Promise<RawAnswer> {
  const body = request.body === undefined ? null : Buffer.from(request.body, 'utf8');
  const lines = [`${request.method} ${request.target} HTTP/1.1`, 'host: localhost', 'connection: close'];
  for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`${name}: ${value}`);
  if (body) lines.push(`content-length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  const received = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: cert, ...(request.localAddress ? { localAddress: request.localAddress } : {}) }, () => {
      socket.write(body ? Buffer.concat([head, body]) : head);
    });
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer to ${request.method} ${request.target} within 15 s`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
  const text = received.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const headLines = (split < 0 ? text : text.slice(0, split)).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headLines[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of headLines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body: split < 0 ? '' : text.slice(split + 4) };
}
