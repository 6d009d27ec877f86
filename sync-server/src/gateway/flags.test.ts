import { describe, expect, it } from 'vitest';
import { checkShare, flagService, inShare } from './flags.ts';
import { memoryState } from './shared-state.ts';

const shoppers = Array.from({ length: 2000 }, (_, index) => `shopper-${index}@example.com`);

describe('a flag\'s share of shoppers', () => {
  it('takes each shopper in or out the same way every time, and nobody at 0 %, everybody at 100 %', () => {
    for (const name of shoppers.slice(0, 50)) {
      expect(inShare('live-docs', name, 37)).toBe(inShare('live-docs', name, 37));
      expect(inShare('live-docs', name, 0)).toBe(false);
      expect(inShare('live-docs', name, 100)).toBe(true);
    }
  });

  it('holds about the share asked for, and raising it only adds shoppers', () => {
    const at10 = shoppers.filter((name) => inShare('live-docs', name, 10));
    const at20 = shoppers.filter((name) => inShare('live-docs', name, 20));
    expect(at10.length / shoppers.length).toBeGreaterThan(0.07);
    expect(at10.length / shoppers.length).toBeLessThan(0.13);
    expect(at20.length / shoppers.length).toBeGreaterThan(0.17);
    expect(at10.every((name) => at20.includes(name))).toBe(true);
  });

  it('draws each flag\'s shoppers independently', () => {
    const a = shoppers.filter((name) => inShare('live-docs', name, 50));
    const b = new Set(shoppers.filter((name) => inShare('another-flag', name, 50)));
    const both = a.filter((name) => b.has(name)).length / shoppers.length;
    expect(both).toBeGreaterThan(0.2);
    expect(both).toBeLessThan(0.3);
  });

  it('takes a percentage from 0 to 100 with at most two decimals, and refuses anything else', () => {
    for (const share of [0, 12.5, 33.33, 100]) expect(checkShare(share)).toBe(share);
    for (const share of [-1, 100.01, 1.234, Number.NaN, '50', null, undefined]) {
      expect(() => checkShare(share), String(share)).toThrow(/percentage from 0 to 100/);
    }
  });
});

describe('the flags of gateway instances sharing one state', () => {
  it('start at their default shares, and a change on one instance reaches the other, which is told', async () => {
    const state = memoryState();
    let told = 0;
    const one = await flagService(state, () => undefined);
    const two = await flagService(state, () => { told += 1; });
    expect(one.forAccount('ann@example.com')).toEqual({ 'live-docs': true });
    await one.set('live-docs', 0);
    await expect.poll(() => told).toBe(1);
    expect(two.forAccount('ann@example.com')).toEqual({ 'live-docs': false });
    expect(two.list()).toEqual([expect.objectContaining({ name: 'live-docs', share: 0, defaultShare: 100 })]);
    // a new instance reads the share from the state
    const three = await flagService(state, () => undefined);
    expect(three.isOn('live-docs', 'ann@example.com')).toBe(false);
    await Promise.all([one.close(), two.close(), three.close()]);
  });

  it('refuses a flag nobody reads', async () => {
    const flags = await flagService(memoryState(), () => undefined);
    await expect(flags.set('live-dcos', 50)).rejects.toMatchObject({ status: 404 });
    await flags.close();
  });
});
