/** Talking to the real gateway over HTTPS from tests: a client that trusts its (self-signed) certificate. */
import { Agent, fetch } from 'undici';
import WebSocket from 'ws';

export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface GatewayClient {
  readonly url: string;
  request<T = Record<string, unknown>>(method: string, path: string, options?: { token?: string; body?: unknown; raw?: string | Buffer; headers?: Record<string, string> }): Promise<Answer<T>>;
  /** A fetch for @tote/core (FetchPort) that trusts the gateway's certificate. */
  readonly fetch: typeof globalThis.fetch;
  signUp(name: string, password?: string, device?: string): Promise<{ token: string; dbName: string; sessionId: string }>;
  logIn(name: string, password: string, device?: string): Promise<Answer>;
  /** Opens the live channel and says hello; collects every message. `answerPings: false`: a device that vanished. */
  live(token: string, options?: { answerPings?: boolean }): Promise<LiveSocket>;
  close(): Promise<void>;
}

export interface LiveSocket {
  readonly messages: Record<string, unknown>[];
  next(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  readonly closed: Promise<{ code: number }>;
  close(): void;
}

/**
 * `from`: the client's own address, another one of 127/8 (Linux routes all of it over loopback), so one
 * machine can sign in from many addresses; the gateway is then reached at 127.0.0.1.
 */
export function gatewayClient(gatewayUrl: string, cert: string, { from }: { from?: string } = {}): GatewayClient {
  const url = from ? gatewayUrl.replace('//localhost:', '//127.0.0.1:') : gatewayUrl;
  // undici takes the local address as an option of the agent (in `connect` it is overwritten).
  const agent = new Agent({ connect: { ca: cert }, ...(from ? { localAddress: from } : {}) });
  const client: GatewayClient = {
    url,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | Buffer | undefined;
      if (options.raw !== undefined) body = options.raw;
      else if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${path}`, { method, headers, body, dispatcher: agent });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON
      }
      return { status: response.status, headers: response.headers as unknown as Headers, body: parsed as never };
    },
    fetch: ((input: string | URL | Request, init?: RequestInit) => fetch(input as string, { ...(init as object), dispatcher: agent })) as unknown as typeof globalThis.fetch,
    async signUp(name, password = 'correct horse battery', device = 'test device') {
      const answer = await client.request<{ token: string; account: { dbName: string }; session: { id: string } }>('POST', '/_tote/signup', { body: { name, password, device } });
      if (answer.status !== 201) throw new Error(`sign-up failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      return { token: answer.body.token, dbName: answer.body.account.dbName, sessionId: answer.body.session.id };
    },
    logIn(name, password, device = 'test device') {
      return client.request('POST', '/_tote/login', { body: { name, password, device } });
    },
    live(token, options = {}) {
      const socket = new WebSocket(`${url.replace(/^https/, 'wss')}/_tote/live`, { ca: cert, autoPong: options.answerPings ?? true });
      const messages: Record<string, unknown>[] = [];
      const waiters = new Set<() => void>();
      socket.on('message', (data) => {
        messages.push(JSON.parse(String(data)) as Record<string, unknown>);
        for (const wake of [...waiters]) wake();
      });
      const closed = new Promise<{ code: number }>((resolve) => socket.on('close', (code) => { resolve({ code }); for (const wake of [...waiters]) wake(); }));
      const live: LiveSocket = {
        messages,
        closed,
        next(type, timeoutMs = 5000) {
          return new Promise((resolve, reject) => {
            const check = () => {
              const index = messages.findIndex((message) => message.type === type);
              if (index < 0) return;
              const [found] = messages.splice(index, 1);
              waiters.delete(check);
              clearTimeout(timer);
              resolve(found!);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              reject(new Error(`no "${type}" message within ${timeoutMs} ms; got ${JSON.stringify(messages)}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        close: () => socket.close(),
      };
      return new Promise((resolve, reject) => {
        socket.once('open', () => {
          socket.send(JSON.stringify({ type: 'hello', token }));
          resolve(live);
        });
        socket.once('error', reject);
      });
    },
    async close() {
      await agent.close();
    },
  };
  return client;
}
