/**
 * HTTP/1.1 over TLS written byte by byte, as `curl --path-as-is` sends it: the request target goes out
 * exactly as given (no `URL` parsing, no dot-segment resolution, no `\` to `/`). What an attacker's
 * client can send, and what a test of one reading of every path needs (FACTS.md, "URLs, paths and proxies").
 * Headers may repeat and carry any bytes, and the framing (content-length, chunks) is the caller's to
 * get wrong on purpose (test/faults/gateway-fuzz.test.ts).
 */
import tls from 'node:tls';

export interface RawAnswer {
  /** 0 when the server closed the connection without an answer. */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as received (chunked framing left in: the tests search it for text). */
  readonly body: string;
}

export interface RawRequest {
  readonly method: string;
  /** Sent as it is, after the method. */
  readonly target: string;
  /** Sent in order, as given; a list may name a header twice. */
  readonly headers?: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;
  readonly body?: string | Buffer;
  /**
   * The content-length sent: by default the body's length (none without a body); a number sends that
   * instead, whatever the body's; `'none'` sends none (the headers may then say `transfer-encoding`).
   */
  readonly contentLength?: number | 'none';
  /** Close the sending side once the request is out, as a client that has nothing more to send. */
  readonly endAfterSending?: boolean;
  /** Where the connection comes from (any 127.0.0.0/8 address on Linux). */
  readonly localAddress?: string;
  /** No answer (or close) within this time is an error: the server hangs. 15 s by default. */
  readonly timeoutMs?: number;
  /** Done once the answer's status line and headers are in (a stream, a WebSocket, would never end). */
  readonly headOnly?: boolean;
}

export async function rawRequest(port: number, cert: string, request: RawRequest): Promise<RawAnswer> {
  const body = request.body === undefined ? null : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  const lines = [`${request.method} ${request.target} HTTP/1.1`, 'host: localhost', 'connection: close'];
  const headers = Array.isArray(request.headers) ? request.headers : Object.entries(request.headers ?? {});
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  const length = request.contentLength ?? (body ? body.length : 'none');
  if (length !== 'none') lines.push(`content-length: ${length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  const timeoutMs = request.timeoutMs ?? 15_000;
  const received = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: cert, ...(request.localAddress ? { localAddress: request.localAddress } : {}) }, () => {
      socket.write(body ? Buffer.concat([head, body]) : head);
      if (request.endAfterSending) socket.end();
    });
    const timer = setTimeout(() => socket.destroy(new Error(`no answer to ${request.method} ${request.target.slice(0, 80)} within ${timeoutMs / 1000} s`)), timeoutMs);
    socket.on('close', () => clearTimeout(timer));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (request.headOnly && /^HTTP\/1\.[01] [2-5]\d\d [^]*?\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1').replace(/^(HTTP\/1\.[01] 1\d\d [^]*?\r\n\r\n)+/, ''))) {
        resolve(Buffer.concat(chunks));
        socket.destroy();
      }
    });
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close while a large request is still being sent (after answering 413, or refusing
      // the head): what it answered before is the answer.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve(Buffer.concat(chunks));
      else reject(error);
    });
  });
  // An interim answer (100 Continue) comes before the real one.
  let text = received.toString('utf8');
  while (/^HTTP\/1\.[01] 1\d\d /.test(text) && text.includes('\r\n\r\n')) text = text.slice(text.indexOf('\r\n\r\n') + 4);
  const split = text.indexOf('\r\n\r\n');
  const headLines = (split < 0 ? text : text.slice(0, split)).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headLines[0] ?? '')?.[1] ?? 0);
  const answerHeaders: Record<string, string> = {};
  for (const line of headLines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) answerHeaders[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers: answerHeaders, body: split < 0 ? '' : text.slice(split + 4) };
}
