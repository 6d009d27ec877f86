import { describe, expect, it } from 'vitest';
import { eventConnectivity, memoryKeyStore, randomId } from './ports.ts';

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

describe('randomId', () => {
  it('gives 16 letters and digits, never the same twice in 100 000, every character used', () => {
    const ids = Array.from({ length: 100_000 }, randomId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 1000)) expect(id).toMatch(/^[0-9A-Za-z]{16}$/);
    const seen = new Map<string, number>();
    for (const char of ids.join('')) seen.set(char, (seen.get(char) ?? 0) + 1);
    expect(seen.size).toBe(62);
    // 1.6 million characters: each of the 62 close to 1/62 of them (no bias from the byte's modulo).
    for (const count of seen.values()) expect(Math.abs(count / 1_600_000 - 1 / 62)).toBeLessThan(0.002);
  });
});
