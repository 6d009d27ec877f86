import { describe, expect, it } from 'vitest';
import { openLiveChannel, type LiveNotice, type WebSocketLike } from './live-channel.ts';

/** A socket in memory: the test plays the server's side. */
function memorySocket() {
  const listeners = new Map<string, ((event: { data: unknown }) => void)[]>();
  const sent: string[] = [];
  const socket: WebSocketLike & { serverSays(message: unknown): void; sent: string[] } = {
    readyState: 1,
    sent,
    send: (data) => void sent.push(data),
    close: () => undefined,
    addEventListener: (type: string, listener: (event: { data: unknown }) => void) => {
      listeners.set(type, [...(listeners.get(type) ?? []), listener]);
    },
    serverSays: (message) => listeners.get('message')?.forEach((listener) => listener({ data: typeof message === 'string' ? message : JSON.stringify(message) })),
  };
  return { socket, open: () => listeners.get('open')?.forEach((listener) => listener({ data: null })) };
}

function channel() {
  const { socket, open } = memorySocket();
  const live = openLiveChannel({ serverUrl: 'https://sync.example', token: 'secret-token', webSocket: () => socket });
  const notices: LiveNotice[] = [];
  live.notices$.subscribe((notice) => notices.push(notice));
  open();
  return { socket, live, notices };
}

describe('the live channel\'s changed message', () => {
  it('says hello with the token, and passes on the documents that came with a change', () => {
    const { socket, live, notices } = channel();
    expect(JSON.parse(socket.sent[0]!)).toEqual({ type: 'hello', token: 'secret-token' });
    const docs = [{ _id: 'a', _rev: '2-x', enc: 'sealed', fp: 'f' }];
    socket.serverSays({ type: 'changed', db: 'userdb-61', docs });
    socket.serverSays({ type: 'changed', db: 'userdb-61' });
    expect(notices).toEqual([{ type: 'changed', db: 'userdb-61', docs }, { type: 'changed', db: 'userdb-61' }]);
    live.close();
  });

  it('drops documents it does not understand, keeping the notice (sync then pulls)', () => {
    const { socket, live, notices } = channel();
    socket.serverSays({ type: 'changed', db: 'userdb-61', docs: [{ _id: 'a' }] }); // no revision
    socket.serverSays({ type: 'changed', db: 'userdb-61', docs: 'not a list' });
    socket.serverSays({ type: 'changed', docs: [{ _id: 'a', _rev: '1-a' }] }); // no database
    socket.serverSays({ type: 'changed', db: 'userdb-61', docs: [] });
    socket.serverSays('{not json');
    expect(notices).toEqual([
      { type: 'changed', db: 'userdb-61' }, { type: 'changed', db: 'userdb-61' }, { type: 'changed' }, { type: 'changed', db: 'userdb-61' },
    ]);
    live.close();
  });
});

describe('a silent live channel', () => {
  it('is taken for gone when nothing is heard for `silentMs`, and made again', async () => {
    const made: ReturnType<typeof memorySocket>[] = [];
    const closed: number[] = [];
    const live = openLiveChannel({
      serverUrl: 'https://sync.example', token: 'secret-token', retryMs: 20, silentMs: 150,
      webSocket: () => {
        const next = memorySocket();
        next.socket.close = (code?: number) => void closed.push(code ?? 0);
        made.push(next);
        return next.socket;
      },
    });
    const states: boolean[] = [];
    live.connected$.subscribe((connected) => states.push(connected));
    made[0]!.open();
    made[0]!.socket.serverSays({ type: 'ready' });
    // Pings keep it: 100 ms apart, under the 150 ms of silence it allows.
    for (let i = 0; i < 3; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      made[0]!.socket.serverSays({ type: 'ping' });
    }
    expect(states).toEqual([false, true]);
    expect(made).toHaveLength(1);
    // Then nothing: it is closed, the channel is down, and a new socket is made.
    await expect.poll(() => made.length, { timeout: 2000 }).toBe(2);
    expect(states).toEqual([false, true, false]);
    expect(closed).toEqual([4000]);
    // What the old socket says late is not the channel's.
    made[0]!.socket.serverSays({ type: 'ready' });
    expect(states).toEqual([false, true, false]);
    made[1]!.open();
    made[1]!.socket.serverSays({ type: 'ready' });
    expect(states).toEqual([false, true, false, true]);
    live.close();
  });
});
