import { describe, expect, it } from 'vitest';
import { eventConnectivity, memoryKeyStore } from './ports.ts';

describe('eventConnectivity', () => {
  it('reports the platform\'s online state and its changes until unsubscribed', () => {
    const target = new EventTarget();
    const scope = Object.assign(target, { navigator: { onLine: true } });
    const connectivity = eventConnectivity(scope);
    const seen: boolean[] = [];
    const stop = connectivity.onChange((online) => seen.push(online));
    expect(connectivity.isOnline()).toBe(true);
    scope.navigator.onLine = false;
    target.dispatchEvent(new Event('offline'));
    expect(connectivity.isOnline()).toBe(false);
    target.dispatchEvent(new Event('online'));
    stop();
    target.dispatchEvent(new Event('offline'));
    expect(seen).toEqual([false, true]);
  });
});

describe('memoryKeyStore', () => {
  it('keeps a copy of each account\'s key until cleared', async () => {
    const store = memoryKeyStore();
    const key = new Uint8Array(32).fill(7);
    await store.save('https://sync.example#kim', key);
    key.fill(0);
    expect(await store.load('https://sync.example#kim')).toEqual(new Uint8Array(32).fill(7));
    expect(await store.load('https://sync.example#lee')).toBeNull();
    await store.clear('https://sync.example#kim');
    expect(await store.load('https://sync.example#kim')).toBeNull();
  });
});
