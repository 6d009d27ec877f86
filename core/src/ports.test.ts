import { describe, expect, it } from 'vitest';
import { eventConnectivity } from './ports.ts';

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
